"""Synthetic report collections: N associations × M annual reports, internally consistent.

Each association gets its own lines (finsam.synthetic.chart: 3 to 30 interventions, its administrative
items, receivables and creditors, 1 to 5 member municipalities) and a ledger (contributions, intervention
and administration costs, receivables, liabilities, equity) from which every statement of its reports is
derived exactly as the real report is laid out: RR, BR, KFA, the operating report in tkr with budget,
Notes 2–5, the five-year overview, balanskrav, the commentary's figures and two numeric goals. Amounts in kr carry small öre-like
remainders so that the tkr tables round consistently. Optionally one inconsistency of each rule
family is planted, in its own association, and listed in ground_truth.csv with every check instance
it must make fail. Deterministic for a given seed.
"""

from __future__ import annotations

import csv
import random
import shutil
import tempfile
from pathlib import Path

import duckdb

from finsam.inputs import COLLECTION_LAYOUTS, load_schemas
from finsam.project import Project
from finsam.synthetic.chart import GOALS, OwnChart
from finsam.synthetic.ledger import FACT_COLUMNS, HISTORY, TOWNS, Members, Report, goal_status, ledger
from finsam.synthetic.plants import PLANTS, SLIP_COLUMNS, SLIP_KINDS, apply_plant, plant_lines, plant_slip
from finsam.synthetic.render import Style, render_documents, report_blocks


class InvalidOptions(ValueError):
    """Options that do not go together (exit 2)."""


def generate(out_dir: Path, n_orgs: int, n_years: int, seed: int = 1, last_year: int = 2023,
             plant: bool = False, file_format: str = "parquet", project: Project | None = None,
             render: tuple[str, ...] = (), slips: int = 0, slip_pairs: int = 0) -> dict[str, int]:
    """Write a collection into out_dir: every file of COLLECTION_LAYOUTS (and ground_truth.csv when planting).

    Each file has exactly its layout's columns (the seed YAML); Parquet files carry the layout's types.
    `render` (kinds of finsam.synthetic.render.KINDS: "txt", "pdf", "docx", "browser.pdf", "plain.layout.txt", …)
    also writes each report as a published document into out_dir/renderings/<org>-<year>.<kind>, each
    with its own drawn style.
    `slips` associations then get one slip of a typist in their newest report (the kinds of SLIP_KINDS in
    turn) and the next `slip_pairs` two, listed in slips.csv: what the diagnosis must find.
    """
    if (plant and (slips or slip_pairs)) or slips + slip_pairs > n_orgs:
        raise InvalidOptions("slips and slip pairs each take an association of their own, and do not mix with --plant")
    if plant and n_orgs < len(PLANTS):
        raise InvalidOptions(f"planting one error per rule family needs at least {len(PLANTS)} associations "
                             f"(--orgs {len(PLANTS)} or more)")
    project = project or Project.locate()
    layouts = load_schemas(project)
    schemas = {name: layouts[layout] for name, layout in COLLECTION_LAYOUTS.items()}
    catalogue = _read(project.seeds_dir / "reference" / "line_catalogue.csv")
    labels = {(r["statement"], r["line_id"]): r["label_sv"] for r in catalogue}
    standard_order = {(r["statement"], r["line_id"]): int(r["sort_order"]) for r in catalogue}
    if render:
        (out_dir / "renderings").mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    first_report = last_year - n_years + 1
    ground_truth: list[list] = []
    slip_truth: list[list] = []
    slip_rng = random.Random(f"{seed}-slips")  # its own stream: the consistent collection does not depend on it
    n_facts = 0
    documents: list[tuple[list, Style, Path]] = []   # the reports to render, written once all are drawn
    with tempfile.TemporaryDirectory(prefix="finsam-generate-") as staging:
        paths = {name: Path(staging) / f"{name}.csv" for name in schemas}
        files = {name: open(path, "w", newline="", encoding="utf-8") for name, path in paths.items()}
        try:
            write = {name: csv.writer(f, lineterminator="\n") for name, f in files.items()}
            written = {name: schema.written_columns([]) for name, schema in schemas.items()}   # no optional values
            for name, writer in write.items():
                writer.writerow(written[name])
            assert written["facts"] == FACT_COLUMNS, "the generator writes the fact layout's columns"
            for k in range(n_orgs):
                org_id = f"syn_{k + 1:05d}"
                members = Members.draw(rng, k + 1)
                chart = OwnChart.draw(rng, TOWNS[k % len(TOWNS)])
                years = ledger(rng, first_report - HISTORY - 1, last_year, chart)
                org_number, org_name = f"299{k + 1:03d}-{k % 10000:04d}", f"Samordningsförbundet Syntet {k + 1}"
                write["organisations"].writerow([org_id, org_number, org_name, "", first_report - HISTORY, ""])
                for fiscal_year in range(first_report - HISTORY, last_year + 1):
                    # a year two reports print is confirmed by the restatement check; one printing is not
                    printings = sum(first_report <= r <= last_year for r in range(fiscal_year, fiscal_year + HISTORY + 1))
                    if printings == 1:
                        write["unconfirmable_facts"].writerow([org_id, "FYO", "antal_anstallda", "amount", fiscal_year,
                                                               "Synthetic: no other figure counts employees."])
                own_lines = chart.own_lines(org_id)
                for row in own_lines:
                    write["own_lines"].writerow([row[c] for c in schemas["own_lines"].columns])
                for row in chart.intervention_rows(org_id):
                    write["interventions"].writerow([row[c] for c in schemas["interventions"].columns])
                sort_order = chart.sort_order(own_lines, standard_order)
                labels_of_org = {**labels, **{(r["statement"], r["line_id"]): r["label_sv"] for r in own_lines}}
                for line, (name, kind, share) in members.lines.items():
                    write["funding_members"].writerow([org_id, "NOT2", line, name, kind, share, "Synthetic: förbundsordning"])
                for (statement, line), label in members.printed.items():
                    if label != labels[(statement, line)]:
                        write["label_variants"].writerow([org_id, statement, label, line])
                family = PLANTS[k][0] if plant and k < len(PLANTS) else None
                for report_year in range(first_report, last_year + 1):
                    rows = Report(org_id, report_year, years, members, labels_of_org, chart).build()
                    statuses = {goal: goal_status(years[report_year].goals[goal], GOALS[goal][2]) for goal in GOALS}
                    if family and report_year == last_year:
                        rows, statuses = apply_plant(k, rows, statuses, last_year, chart)
                        expected = [(check_id.format(report_year="{report_year}", **plant_lines(chart)), offset)
                                    for check_id, offset in PLANTS[k][2]]
                        if family == "funding_rule" and members.lines["driftbidrag_kommun"][2] < 1:
                            expected.append(("funding_rule.municipality.driftbidrag_kommun", 0))  # its own share too
                        ground_truth += [[family, org_id, check_id.format(report_year=last_year), last_year + offset]
                                         for check_id, offset in expected]
                    n_slips = 1 if k < slips else 2 if k < slips + slip_pairs else 0
                    if n_slips and report_year == last_year:
                        taken: set = set()
                        for j in range(n_slips):
                            kind = SLIP_KINDS[(k * 2 + j) % len(SLIP_KINDS)]
                            planted = plant_slip(slip_rng, rows, kind, taken)
                            if planted:
                                slip_truth.append(planted)
                    write["facts"].writerows(rows)
                    n_facts += len(rows)
                    if render:
                        documents.append(_report_document(out_dir / "renderings", org_id, org_name, org_number,
                                                          report_year, rows, seed, sort_order))
                    for goal, (category, label, _) in GOALS.items():
                        write["goals"].writerow([org_id, report_year, report_year, goal, category, label, statuses[goal], "1.5"])
        finally:
            for f in files.values():
                f.close()
        render_documents(documents, render)
        for name, path in paths.items():
            target = out_dir / f"{name}.{file_format}"
            if file_format == "parquet":
                # the relation API takes the private staging paths; out_dir never reaches DuckDB
                with duckdb.connect() as con:
                    schema = schemas[name]
                    typed = con.read_csv(str(path), header=True, all_varchar=True).select(", ".join(
                        f'cast(nullif("{c}", \'\') as {schema.sql_types[c]}) as "{c}"' for c in written[name]))
                    typed.write_parquet(str(path.with_suffix(".parquet")))
                path = path.with_suffix(".parquet")
            shutil.move(str(path), target)
    if plant:
        with open(out_dir / "ground_truth.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["check_family", "org_id", "check_id", "fiscal_year"])
            writer.writerows(ground_truth)
    if slips or slip_pairs:
        with open(out_dir / "slips.csv", "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(SLIP_COLUMNS)
            writer.writerows(slip_truth)
    return {"organisations": n_orgs, "reports": n_orgs * n_years, "facts": n_facts,
            "planted": len(ground_truth) + len(slip_truth)}


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _report_document(folder: Path, org_id: str, org_name: str, org_number: str, report_year: int, rows: list[list],
                     seed: int, sort_order: dict) -> tuple[list, Style, Path]:
    style = Style.draw(random.Random(f"{seed}-{org_id}-{report_year}"))  # its own stream: facts do not depend on it
    facts = [dict(zip(FACT_COLUMNS, map(str, row))) for row in rows]
    return report_blocks(facts, org_name, org_number, report_year, style, sort_order), style, folder / f"{org_id}-{report_year}"
