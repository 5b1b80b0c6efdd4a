-- int_facts joins the lines (the standard chart and the association's own) and the unit table; a fact
-- row whose line or unit is unknown would vanish from every check. Each such row is an error here.
select s.seed_name, s.org_id, s.statement, s.line_id, s.measure, s.fiscal_year, s.unit
from {{ ref('int_staged_facts') }} as s
left join {{ ref('line_catalogue') }} as c on c.statement = s.statement and c.line_id = s.line_id
left join {{ ref('int_own_lines') }} as o on o.org_id = s.org_id and o.statement = s.statement and o.line_id = s.line_id
left join {{ ref('units') }} as u on u.unit = s.unit
where (c.line_id is null and o.line_id is null) or u.unit is null
