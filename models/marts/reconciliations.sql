{{ config(materialized='view') }}
-- The published verdict table. The logic lives in int_reconciliations, which the other marts read,
-- so that a failing verdict test on this leaf never stops the rest of the warehouse from building.
-- cause_id: the group of failing checks the preferred diagnosis explains together (marts.diagnoses).
with causes as (
    select distinct cause_id, org_id, unnest(check_ids) as explained
    from {{ ref('diagnoses') }}
    where cause_rank = 1
)

select
    r.check_id, r.check_family, r.org_id, r.fiscal_year, r.lhs_label, r.lhs_value, r.rhs_label, r.rhs_value,
    r.difference, r.tolerance, r.unit, r.status, r.severity, r.source_ref, r.rule, r.erratum_reason, r.message,
    r.fact_ids, c.cause_id
from {{ ref('int_reconciliations') }} as r
left join causes as c
    on c.org_id = r.org_id and c.explained.check_id = r.check_id and c.explained.fiscal_year = r.fiscal_year
