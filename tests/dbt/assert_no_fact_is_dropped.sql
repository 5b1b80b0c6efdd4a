-- int_facts joins the line catalogue and the unit table; a fact row whose line or unit is unknown
-- would vanish from every check. Each such row is an error here.
select s.seed_name, s.statement, s.line_id, s.measure, s.fiscal_year, s.unit
from {{ ref('int_staged_facts') }} as s
left join {{ ref('line_catalogue') }} as c on c.statement = s.statement and c.line_id = s.line_id
left join {{ ref('units') }} as u on u.unit = s.unit
where c.line_id is null or u.unit is null
