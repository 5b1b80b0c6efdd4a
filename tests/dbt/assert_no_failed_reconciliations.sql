-- The verdict: every check passes or fails exactly as a registered erratum.
-- A row here is a new inconsistency, a changed fact, or an erratum that no longer occurs.
select check_id, org_id, fiscal_year, message
from {{ ref('reconciliations') }}
where status = 'fail'
