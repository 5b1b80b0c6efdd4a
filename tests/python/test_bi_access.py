"""BI tools read the published warehouse read-only through SQLAlchemy + duckdb_engine, with the
connection string the README documents."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

MARTS_QUERY = "select table_name from information_schema.tables where table_schema = 'marts' order by 1"


def read_only_engine(db_path) -> sa.Engine:
    """The connection string the README gives for Superset and other SQLAlchemy tools."""
    return sa.create_engine(f"duckdb:///{db_path}?access_mode=read_only")


def read_every_mart(db_path) -> dict[str, int]:
    engine = read_only_engine(db_path)
    try:
        with engine.connect() as con:
            marts = [r[0] for r in con.execute(sa.text(MARTS_QUERY))]
            return {m: con.execute(sa.text(f"select count(*) from marts.{m}")).scalar_one() for m in marts}
    finally:
        engine.dispose()


def test_every_mart_reads_through_sqlalchemy_read_only(published):
    counts = read_every_mart(published.published_db)
    assert set(counts) >= {"reconciliations", "equity_rollforward", "admin_share", "intervention_deviation",
                           "financial_statements", "cash_flow_reconciliation", "funding_split", "key_ratios",
                           "goal_attainment", "fact_coverage", "check_coverage"}
    assert all(n > 0 for n in counts.values())
    engine = read_only_engine(published.published_db)
    with engine.connect() as con, pytest.raises(sa.exc.DBAPIError, match="read-only"):
        con.execute(sa.text("delete from marts.financial_statements"))
    engine.dispose()
