"""BI tools read the published warehouse through the connections the README documents: every mart
reads, and nothing can be written, neither to the warehouse nor to any other file, nor read from one.
Every model is described, and every column of the marts and seeds, which carry the descriptions as comments."""

from __future__ import annotations

import duckdb
import pytest
import sqlalchemy as sa
import yaml

from readme import bi_connection, sqlalchemy_url

MARTS_QUERY = "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
EXPECTED_MARTS = {"reconciliations", "equity_rollforward", "admin_share", "intervention_deviation",
                  "financial_statements", "cash_flow_reconciliation", "funding_split", "key_ratios",
                  "goal_attainment", "fact_coverage", "check_coverage"}


def read_every_mart(db_path) -> dict[str, int]:
    engine = sa.create_engine(sqlalchemy_url(db_path))
    try:
        with engine.connect() as con:
            marts = [r[0] for r in con.execute(sa.text(MARTS_QUERY))]
            return {m: con.execute(sa.text(f"select count(*) from marts.{m}")).scalar_one() for m in marts}
    finally:
        engine.dispose()


def documented(project) -> dict[str, tuple[str, dict[str, str]]]:
    """Each model's and seed's description and its columns' descriptions, from the project's property files."""
    found = {}
    for path in [*project.root.glob("models/**/*.yml"), *project.root.glob("seeds/**/*.yml")]:
        properties = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in properties.get("models", []) + properties.get("seeds", []):
            found[entry["name"]] = (entry.get("description", ""),
                                    {c["name"]: c.get("description", "") for c in entry.get("columns", [])})
    return found


def test_every_model_and_every_column_of_marts_and_seeds_is_described_and_carried_as_a_comment(pristine):
    docs = documented(pristine)
    with duckdb.connect(str(pristine.published_db), read_only=True) as con:
        relations = con.execute("""
            select schema_name, table_name, comment from duckdb_tables() where schema_name <> 'collection'
            union all select schema_name, view_name, comment from duckdb_views() where not internal""").fetchall()
        columns = {}
        for schema, relation, column, comment in con.execute(
                "select schema_name, table_name, column_name, comment from duckdb_columns() where not internal").fetchall():
            columns.setdefault((schema, relation), {})[column] = comment
    assert {schema for schema, _, _ in relations} == {"seeds", "staging", "intermediate", "marts"}
    undescribed, stale, uncommented = [], [], []
    for schema, relation, comment in relations:
        if (schema, relation) == ("marts", "run_info"):  # written by the nightly run, not dbt
            assert comment and all(columns[(schema, relation)].values()), columns[(schema, relation)]
            continue
        description, described = docs.get(relation, ("", {}))
        built = columns[(schema, relation)]
        stale += [f"{relation}.{c}" for c in described if c not in built]
        undescribed += [relation] if not description else []
        if schema in ("marts", "seeds"):  # what BI tools show: every column, as a comment
            undescribed += [f"{relation}.{c}" for c in built if not described.get(c)]
            expected = {"": description, **described}
            uncommented += [f"{relation}.{c}" for c, text in {"": comment, **built}.items()
                            if (text or "").strip() != expected.get(c, "").strip()]
    assert (undescribed, stale, uncommented) == ([], [], [])


def test_every_mart_reads_through_the_readme_uri(published):
    counts = read_every_mart(published.published_db)
    assert set(counts) >= EXPECTED_MARTS
    assert all(n > 0 for n in counts.values())


def probes(tmp_path):
    secret = tmp_path / "server_config.py"
    secret.write_text("SECRET_KEY = 'do-not-leak'\n")
    leak = tmp_path / "leak.csv"
    return leak, {
        "write to the warehouse": ("delete from marts.financial_statements", "read-only"),
        "COPY … TO a file": (f"copy (select * from marts.reconciliations) to '{leak}'", "disabled by configuration"),
        "read_csv of a local file": (f"select * from read_csv('{secret}')", "disabled by configuration"),
        "switch file access back on": ("set enable_external_access = true", "configuration|locked|Cannot change"),
        "attach another file": (f"attach '{tmp_path / 'other.duckdb'}' as other", "disabled by configuration|read-only"),
    }


def test_the_readme_uri_refuses_writes_and_file_access(published, tmp_path):
    leak, cases = probes(tmp_path)
    engine = sa.create_engine(sqlalchemy_url(published.published_db))
    for what, (sql, refusal) in cases.items():
        with engine.connect() as con, pytest.raises(sa.exc.DBAPIError, match=refusal):
            con.execute(sa.text(sql))
    engine.dispose()
    assert not leak.exists() and not (tmp_path / "other.duckdb").exists()


def test_the_readme_python_connection_refuses_file_access(published, tmp_path):
    leak, cases = probes(tmp_path)
    expression = bi_connection("Python")
    for what, (sql, refusal) in cases.items():
        con = eval(expression, {"duckdb": duckdb, "path": str(published.published_db)})  # the README's line as written
        with pytest.raises(duckdb.Error, match=refusal):
            con.execute(sql)
        con.close()
    assert not leak.exists()


def test_plain_read_only_would_not_be_enough(published, tmp_path):
    """Why the README asks for more than read-only: without the two settings COPY writes a file."""
    leak = tmp_path / "leak.csv"
    with duckdb.connect(str(published.published_db), read_only=True) as con:
        con.execute(f"copy (select 1) to '{leak}'")
    assert leak.exists()
