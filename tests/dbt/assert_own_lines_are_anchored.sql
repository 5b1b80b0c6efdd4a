-- An association's own line is its own: never a line id of the standard chart's statement, and, on a
-- table, part of a standard total that sums its anchored lines (an '{anchored}' row of the calculation
-- tree); a figure of the text is part of no total. Each row is a line that breaks one of these.
select o.org_id, o.statement, o.line_id, o.anchor_line_id,
       case when c.line_id is not null then 'a line id of the standard chart'
            when s.layout = 'table' and o.anchor_line_id is null then 'a line of a table without an anchor'
            when s.layout <> 'table' and o.anchor_line_id is not null then 'a figure of the text with an anchor'
            else 'its anchor sums no own lines (no {anchored} row in calculation_tree)' end as problem
from {{ ref('int_own_lines') }} as o
inner join {{ ref('statements') }} as s on s.statement = o.statement
left join {{ ref('line_catalogue') }} as c on c.statement = o.statement and c.line_id = o.line_id
left join {{ ref('calculation_tree') }} as t
    on t.statement = o.statement and t.parent_line_id = o.anchor_line_id and t.child_line_id = '{anchored}'
where c.line_id is not null
   or (s.layout = 'table') <> (o.anchor_line_id is not null)
   or (o.anchor_line_id is not null and t.child_line_id is null)
