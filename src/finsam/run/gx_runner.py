"""Run the Great Expectations suites of expectations/ against a built warehouse.

GX 1.x cannot read DuckDB through its SQL datasource (every metric comes back empty via
duckdb_engine: GX issues #10738 and #11579). finsam therefore keeps the heavy comparisons in SQL
(dbt models) and hands GX small pandas DataFrames: each suite file names, in
meta.finsam.query, the query whose result it validates. The warehouse is opened read-only.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from pathlib import Path

import duckdb

from finsam.project import duckdb_settings
from finsam.run.results import ExpectationOutcome, SuiteOutcome

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


RELATION = re.compile(r"\b(seeds|staging|intermediate|marts)\.(\w+)")


def relations_of(sql: str) -> set[str]:
    """The warehouse relations a query reads (schema.name)."""
    return {f"{schema}.{name}" for schema, name in RELATION.findall(sql)}


def load_suite_files(expectations_dir: Path) -> list[dict]:
    suites = []
    for path in sorted(expectations_dir.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "query" not in doc.get("meta", {}).get("finsam", {}):
            raise ValueError(f"{path}: meta.finsam.query is missing: each suite names the query it validates")
        suites.append(doc)
    return suites


def import_great_expectations() -> None:
    """What run_suites imports: seconds of imports, which the nightly run makes while dbt builds."""
    import great_expectations  # noqa: F401
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration  # noqa: F401


def run_suites(db_path: Path, expectations_dir: Path, data_docs_dir: Path | None = None,
               built: set[str] | None = None) -> list[SuiteOutcome]:
    """Validate every suite; build Data Docs into `data_docs_dir` when given. A suite whose query reads a
    relation that is not in `built` (a model skipped after a failing dbt test) fails without running."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    suites = load_suite_files(expectations_dir)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if data_docs_dir is not None:
        context.add_data_docs_site(
            site_name="finsam",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(data_docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    datasource = context.data_sources.add_pandas("finsam_warehouse")

    outcomes: list[SuiteOutcome] = []
    missing = {doc["name"]: sorted(relations_of(doc["meta"]["finsam"]["query"]) - built) if built is not None else []
               for doc in suites}
    for doc in suites:
        if missing[doc["name"]]:
            outcomes.append(SuiteOutcome(doc["name"], doc["meta"]["finsam"].get("description", ""),
                                         doc["meta"]["finsam"]["query"], 0, False, [ExpectationOutcome(
                                             "not run", None, False, f"{', '.join(missing[doc['name']])} was not built "
                                             "(skipped after a failing dbt test)", None, [])]))
    suites = [doc for doc in suites if not missing[doc["name"]]]
    with duckdb.connect(str(db_path), read_only=True, config=duckdb_settings()) as con:
        frames = [con.sql(doc["meta"]["finsam"]["query"]).df() for doc in suites]
    # One validation per suite, each on its own DataFrame; Data Docs are built once, at the end.
    for doc, frame in zip(suites, frames):
        suite = gx.ExpectationSuite(name=doc["name"], meta=doc.get("meta", {}))
        for exp in doc["expectations"]:
            suite.add_expectation_configuration(
                ExpectationConfiguration(type=exp["type"], kwargs=exp["kwargs"], meta=exp.get("meta", {})))
        suite = context.suites.add(suite)
        batch = datasource.add_dataframe_asset(doc["name"]).add_batch_definition_whole_dataframe("all")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=doc["name"], data=batch, suite=suite))
        # where the suite's rows name their association, GX reports which associations the unexpected rows are
        result_format = ({"result_format": "SUMMARY", "unexpected_index_column_names": ["org_id"]}
                         if "org_id" in frame.columns else "SUMMARY")
        validation = definition.run(batch_parameters={"dataframe": frame}, result_format=result_format)
        outcome = SuiteOutcome(doc["name"], doc["meta"]["finsam"].get("description", ""), doc["meta"]["finsam"]["query"],
                               len(frame), bool(validation.success))
        for r in validation.results:
            cfg = r.expectation_config
            outcome.expectations.append(ExpectationOutcome(
                expectation_type=cfg.type,
                column=cfg.kwargs.get("column"),
                success=bool(r.success),
                description=(cfg.meta or {}).get("why", ""),
                unexpected_count=r.result.get("unexpected_count"),
                unexpected_examples=[_json_safe(v) for v in (r.result.get("partial_unexpected_list") or [])[:5]],
                unexpected_orgs=sorted({str(i["org_id"]) for i in (r.result.get("partial_unexpected_index_list") or [])
                                        if isinstance(i, dict) and i.get("org_id") is not None}),
            ))
        outcomes.append(outcome)
    if data_docs_dir is not None:
        context.build_data_docs(site_names=["finsam"])
        make_docs_offline(data_docs_dir, outcomes)
    return outcomes


OUTSIDE = re.compile(r"<script\b.*?</script>|<link\b[^>]*\bhref=[\"']https?://[^>]*>|<img\b[^>]*\bsrc=[\"']https?://[^>]*>",
                     re.IGNORECASE | re.DOTALL)
OFFLINE_CSS = ("<style>body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:1200px;color:#222}"
               "table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;"
               "vertical-align:top}.collapse:not(.show){display:block}</style>")


def make_docs_offline(docs_dir: Path, outcomes: list[SuiteOutcome]) -> None:
    """Data Docs that work with no network: GX's pages load jQuery, Bootstrap, Vega and icons from CDNs and
    fill their index with script. Every script and outside stylesheet or image is removed (the pages'
    content is plain HTML), and the index is written anew as a static list of every suite and its result."""
    for page in docs_dir.rglob("*.html"):
        text = OUTSIDE.sub("", page.read_text(encoding="utf-8"))
        page.write_text(text.replace("</head>", OFFLINE_CSS + "</head>", 1), encoding="utf-8")
    rows = []
    for suite in outcomes:
        validations = sorted((docs_dir / "validations" / suite.name).rglob("*.html"))
        expectations = docs_dir / "expectations" / f"{suite.name}.html"
        links = [f"<a href='{html.escape(p.relative_to(docs_dir).as_posix())}'>{label}</a>"
                 for p, label in ((validations[-1] if validations else None, "validation"), (expectations, "expectations"))
                 if p is not None and p.is_file()]
        result = "pass" if suite.success else f"fail ({suite.n_failed} of {len(suite.expectations)})"
        rows.append(f"<tr><td>{html.escape(suite.name)}</td><td>{html.escape(suite.description)}</td>"
                    f"<td>{suite.n_rows}</td><td>{result}</td><td>{' · '.join(links)}</td></tr>")
    (docs_dir / "index.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Great Expectations: finsam suites</title>"
        f"{OFFLINE_CSS}</head><body><h1>Great Expectations Data Docs</h1><p>Every suite of this run, what it protects, "
        "the rows it read and its result.</p><table><thead><tr><th>suite</th><th>protects</th><th>rows</th><th>result</th>"
        f"<th>details</th></tr></thead><tbody>{''.join(rows)}</tbody></table></body></html>", encoding="utf-8")


def _json_safe(value):
    """JSON-safe form of a value GX reports back (numpy scalars, NaN)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
