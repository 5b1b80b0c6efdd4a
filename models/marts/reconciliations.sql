{{ config(materialized='view') }}
-- The published verdict table. The logic lives in int_reconciliations, which the other marts read,
-- so that a failing verdict test on this leaf never stops the rest of the warehouse from building.
select
    check_id, check_family, org_id, fiscal_year, lhs_label, lhs_value, rhs_label, rhs_value,
    difference, tolerance, unit, status, severity, source_ref, rule, erratum_reason, message, fact_ids
from {{ ref('int_reconciliations') }}
