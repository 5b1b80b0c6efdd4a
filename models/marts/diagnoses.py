"""Diagnoses: the printed figures that explain the failing checks, and the kind of slip of each.

One row per blamed figure of each explanation (cause_rank 1 = preferred, 2… alternatives) of each group
of failing checks (cause_id). The work is finsam.diagnosis: a minimum-weight error localisation per
association, solved with HiGHS; the weights are seeds/reference/diagnosis_weights.csv.
"""

EMPTY = """
select
    cast(null as varchar) as cause_id, cast(null as integer) as cause_rank, cast(null as boolean) as tied,
    cast(null as varchar) as org_id, cast(null as integer) as report_year, cast(null as integer) as fiscal_year,
    cast(null as varchar) as statement, cast(null as varchar) as line_id, cast(null as varchar) as measure,
    cast(null as varchar) as label_printed, cast(null as double) as printed_value,
    cast(null as double) as implied_value, cast(null as varchar) as unit, cast(null as varchar) as kind,
    cast(null as struct(check_id varchar, fiscal_year integer)[]) as check_ids, cast(null as integer) as n_checks,
    cast(null as integer) as n_figures,
    cast(null as double) as weight, cast(null as varchar[]) as erratum_blames,
    cast(null as boolean) as agrees_with_erratum, cast(null as varchar) as sentence,
    cast(null as varchar) as source_ref, cast(null as varchar) as fact_id
where false
"""


def model(dbt, session):
    dbt.config(materialized="table")
    from finsam.diagnosis import DIAGNOSIS_COLUMNS, diagnose_relations

    rows = diagnose_relations(
        checks=dbt.ref("int_reconciliations"), facts=dbt.ref("int_printed_facts"), ranges=dbt.ref("int_range_checks"),
        weight_rules=dbt.ref("diagnosis_weights"), units=dbt.ref("units"), errata=dbt.ref("known_errata"))
    # into a table with the columns' types, each column one list parameter (no DataFrame: importing pandas
    # would cost every build a third of a second; row by row, thousands of rows would cost seconds)
    session.execute(f"create or replace temp table diagnosis_rows as {EMPTY}")
    if rows:
        columns = ", ".join(f"unnest(${k})" for k in range(1, len(DIAGNOSIS_COLUMNS) + 1))
        session.execute(f"insert into diagnosis_rows select {columns}",
                        [[row[name] for row in rows] for name in DIAGNOSIS_COLUMNS])
    return session.table("diagnosis_rows")
