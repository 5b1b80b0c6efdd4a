{{ config(materialized='view') }}
-- Published coverage per fact; logic in int_fact_coverage (read by check_coverage), for the same reason.
select
    fact_id, org_id, fiscal_year, statement, line_id, measure, label_printed, label_sv, value, unit,
    n_checks, is_covered, check_ids, unconfirmable_reason
from {{ ref('int_fact_coverage') }}
