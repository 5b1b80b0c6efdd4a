-- Every registered reason names a fact that exists: a typo would otherwise hide silently.
select u.*
from {{ ref('int_unconfirmable_facts') }} as u
where not exists (
    select 1 from {{ ref('int_facts') }} as f
    where f.org_id = u.org_id and f.statement = u.statement and f.line_id = u.line_id and f.measure = u.measure
      and (u.fiscal_year is null or f.fiscal_year = u.fiscal_year)
)
