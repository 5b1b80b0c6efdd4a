"""The checks proof-read a scanned report as it is ingested: what ingest read, with the association's files
it writes beside it, is built and checked by the nightly run in a scratch folder (nothing is published, no
run report is added), and the verdict on the figures read by OCR becomes review items: each figure the
preferred diagnosis blames, with the value that makes its checks hold (`misread` where a misreading explains
it, tried first for such a figure, else `blamed_figure`: a slip of the report itself, unless the page shows
otherwise), and each uncertain reading that no passing check confirms."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from finsam.ingest.model import ReviewItem
from finsam.project import Project, duckdb_settings

BLAMED = """
select d.kind, d.source_ref, d.label_printed, p.value, d.implied_value, p.decimals, d.unit, d.statement,
       d.line_id, d.measure, cast(d.fiscal_year as varchar), d.sentence
from marts.diagnoses as d
join intermediate.int_printed_facts as p on p.fact_id = d.fact_id
where d.org_id = $org and d.report_year = $year and d.cause_rank = 1 and p.confidence is not null
  and d.implied_value <> d.printed_value   -- blamed with another figure, it need not change itself
order by d.statement, d.line_id, d.measure, d.fiscal_year
"""

UNCONFIRMED = """
select p.source_ref, p.label_printed, p.value, p.unit, p.decimals, p.statement,
       p.line_id, p.measure, cast(p.fiscal_year as varchar), r.message
from marts.reconciliations as r
join intermediate.int_printed_facts as p on p.fact_id = r.fact_ids[1]
where r.org_id = $org and r.check_family = 'reading' and r.status = 'fail' and p.report_year = $year
order by p.statement, p.line_id, p.measure, p.fiscal_year
"""


def proof_read(project: Project, collection: dict[str, tuple[list[str], list[dict[str, str]]]], org_id: str,
               report_year: int) -> list[ReviewItem]:
    """The review items of the checks' verdict on `collection` (the files ingest writes: name -> (columns, rows))."""
    from finsam.ingest import write_files
    from finsam.run.nightly import nightly_run
    from finsam.run.results import EXIT_ERROR

    with tempfile.TemporaryDirectory(prefix="finsam-proof-read-") as scratch:
        folder = Path(scratch) / "collection"
        write_files(folder, collection, {})
        result = nightly_run(Project(project.root, scratch=Path(scratch)), collection=folder, publish_result=False,
                             keep_build=True)
        if result.exit_code == EXIT_ERROR:
            problems = "; ".join(f"{Path(p.file).name}:{p.line} {p.message}" for p in result.problems[:3])
            return [ReviewItem("not_proof_read", "", "the checks could not run on what was read",
                               rule=f"{result.message}{': ' + problems if problems else ''}. The figures read by "
                                    "OCR are not proof-read: look at every figure whose confidence is low, or "
                                    "ingest into a folder of this association's reports only")]
        with duckdb.connect(str(Path(result.build_dir) / "finsam.duckdb"), read_only=True,
                            config=duckdb_settings()) as con:
            parameters = {"org": org_id, "year": report_year}
            blamed = con.execute(BLAMED, parameters).fetchall()
            unconfirmed = con.execute(UNCONFIRMED, parameters).fetchall()
    # a misreading, or (the page shows what was read) a slip of the report itself: the kind says which is likelier
    items = [ReviewItem("misread" if kind == "misread" else "blamed_figure", where, label,
                        value=_printed(printed, decimals), implied_value=_printed(implied, decimals), unit=unit,
                        decimals=str(decimals), statement=statement, line_id=line_id, measure=measure, fiscal_year=year,
                        rule=f"{sentence} If the page shows that value, correct it in facts.csv; if it shows what "
                             "was read, the report itself prints it so")
             for kind, where, label, printed, implied, decimals, unit, statement, line_id, measure, year, sentence in blamed]
    # a blamed figure is listed once, as blamed: that says more than that no check confirms it
    items += [ReviewItem("uncertain_reading", where, label, value=_printed(value, decimals), unit=unit,
                         decimals=str(decimals), statement=statement, line_id=line_id, measure=measure, fiscal_year=year,
                         rule=message)
              for where, label, value, unit, decimals, statement, line_id, measure, year, message in unconfirmed
              if where not in {i.source_ref for i in items}]
    return items


def _printed(value, decimals: int) -> str:
    """A figure as facts.csv writes it: its printed decimals, no more."""
    return f"{value:.{max(decimals, 0)}f}"
