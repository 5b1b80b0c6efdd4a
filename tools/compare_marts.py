"""Snapshot every published mart of two nightly runs and compare snapshots row by row (`except all` both ways).

    python tools/compare_marts.py snapshot DIR      # the real report, and the real report beside a generated
                                                    # 1 000 org-year collection and one with planted slips
    python tools/compare_marts.py compare OLD NEW   # exit 1 and the differing rows where any mart differs

A developer's tool for moves that must not change what finsam publishes; outside the installed package.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = {"real": None, "collection_1000": ("--orgs", "200", "--years", "5", "--seed", "1000"),
             # typing slips of every kind planted, so that the diagnosis has causes of every form to explain
             "slips": ("--orgs", "100", "--years", "2", "--seed", "7", "--slips", "70", "--slip-pairs", "20")}
# what differs from one run to the next by design: which run, when, from which commit
PER_RUN = {"run_info": ("run_id", "started_at", "published_at", "source_commit")}


def _finsam() -> str:
    return str(Path(sys.executable).with_name("finsam"))


def snapshot(out: Path) -> None:
    for scenario, generate_args in SCENARIOS.items():
        with tempfile.TemporaryDirectory(prefix=f"finsam-marts-{scenario}-") as tmp:
            work = Path(tmp)
            env = {**os.environ, "FINSAM_WAREHOUSE_DIR": str(work / "warehouse"),
                   "FINSAM_REPORTS_DIR": str(work / "reports")}
            # the build is kept: a run with failing checks (the planted slips) publishes nothing
            run = [_finsam(), "run", "--json", "--keep-build"]
            if generate_args:
                subprocess.run([_finsam(), "generate", str(work / "c"), *generate_args], cwd=REPO, env=env,
                               check=True, stdout=subprocess.DEVNULL)
                run += ["--collection", str(work / "c")]
            done = subprocess.run(run, cwd=REPO, env=env, capture_output=True, text=True)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{scenario}: finsam run exited {done.returncode}: {done.stderr[-2000:]}")
            result = json.loads(done.stdout)
            built = Path(result["warehouse"]) if result["published"] else Path(result["build_dir"]) / "finsam.duckdb"
            target = out / scenario
            target.mkdir(parents=True, exist_ok=True)
            with duckdb.connect(str(built), read_only=True) as con:
                marts = [r[0] for r in con.execute(
                    "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
                for mart in marts:
                    con.execute(f'copy (select * from marts."{mart}") to ? (format parquet)',
                                [str(target / f"{mart}.parquet")])
            print(f"{scenario}: {len(marts)} marts -> {target}")


def compare(old: Path, new: Path) -> int:
    differing = 0
    con = duckdb.connect()
    for scenario in sorted(p.name for p in old.iterdir() if p.is_dir()):
        old_marts = {p.stem for p in (old / scenario).glob("*.parquet")}
        new_marts = {p.stem for p in (new / scenario).glob("*.parquet")}
        for missing in sorted(old_marts ^ new_marts):
            print(f"{scenario}: mart {missing} only in {'old' if missing in old_marts else 'new'}")
            differing += 1
        for mart in sorted(old_marts & new_marts):
            a, b = str(old / scenario / f"{mart}.parquet"), str(new / scenario / f"{mart}.parquet")
            cols_a = con.execute("describe select * from read_parquet(?)", [a]).fetchall()
            cols_b = con.execute("describe select * from read_parquet(?)", [b]).fetchall()
            if [c[0] for c in cols_a] != [c[0] for c in cols_b]:
                print(f"{scenario}.{mart}: columns differ: {[c[0] for c in cols_a]} / {[c[0] for c in cols_b]}")
                differing += 1
                continue
            # a column whose type changed is reported, and the rest of the mart still compared
            retyped = [a_[0] for a_, b_ in zip(cols_a, cols_b) if a_[1] != b_[1]]
            for column in retyped:
                types = {c[0]: (c[1], d[1]) for c, d in zip(cols_a, cols_b)}
                print(f"{scenario}.{mart}.{column}: type {types[column][0]} -> {types[column][1]}")
                differing += 1
            excluded = [*PER_RUN.get(mart, ()), *retyped]
            rows_of = "select * exclude ({}) from read_parquet(?)".format(
                ", ".join(f'"{c}"' for c in excluded)) if excluded else "select * from read_parquet(?)"
            only_old = con.execute(f"select count(*) from ({rows_of} except all {rows_of})", [a, b]).fetchone()[0]
            only_new = con.execute(f"select count(*) from ({rows_of} except all {rows_of})", [b, a]).fetchone()[0]
            rows = con.execute("select count(*) from read_parquet(?)", [a]).fetchone()[0]
            status = "identical" if only_old == only_new == 0 else f"{only_old} rows only old, {only_new} only new"
            print(f"{scenario}.{mart}: {rows} rows, {status}")
            differing += only_old + only_new > 0
    return 1 if differing else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "snapshot":
        snapshot(Path(sys.argv[2]))
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        raise SystemExit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        raise SystemExit(__doc__)
