-- Equations as terms: the hand-written ones (equation_terms) and the Finsam funding rule, compiled
-- from its own seed: member contribution = rule share × total contributions.
select
    t.equation_id,
    e.check_family,
    e.label_en,
    e.source_ref,
    t.role,
    t.statement,
    t.line_id,
    t.measure,
    t.year_offset,
    t.weight
from {{ ref('equation_terms') }} as t
inner join {{ ref('equations') }} as e using (equation_id)

union all

select
    concat('funding_rule.', f.member_type),
    'funding_rule',
    concat(f.member_sv, ' pays ', cast(f.rule_share * 100 as integer), ' % of the contributions'),
    f.source_ref,
    term.role,
    f.statement,
    case when term.role = 'lhs' then f.line_id else f.total_line_id end,
    'amount',
    0,
    case when term.role = 'lhs' then cast(1 as decimal(10, 4)) else f.rule_share end
from {{ ref('funding_rule') }} as f
cross join (values ('lhs'), ('rhs')) as term(role)
