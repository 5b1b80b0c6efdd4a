-- Equations as terms. org_id empty: the equation holds for every association (equation_terms.csv);
-- set: it is that association's own, compiled from the Finsam law (funding_rule.csv) and the
-- association's members (funding_members): the members of a type pay the law's share of the total
-- contributions together, and a member that shares its type's part pays its own share of it.
with members as (
    select m.*, r.rule_share, r.total_line_id, r.source_ref as law_ref
    from {{ ref('int_funding_members') }} as m
    inner join {{ ref('funding_rule') }} as r on r.member_type = m.member_type and r.statement = m.statement
),

funding_equations as (
    -- one per association and member type
    select
        org_id,
        concat('funding_rule.', member_type)                                         as equation_id,
        concat(string_agg(member_sv, ', ' order by line_id), case when count(*) = 1 then ' pays ' else ' pay ' end,
               {{ format_percent('any_value(rule_share)') }}, ' % of the contributions')  as label_en,
        any_value(law_ref)                                                           as source_ref,
        any_value(statement)                                                         as statement,
        any_value(total_line_id)                                                     as total_line_id,
        any_value(rule_share)                                                        as share,
        list(line_id order by line_id)                                               as member_lines,
        member_type,
        cast(null as varchar)                                                        as member_line_id
    from members
    group by org_id, member_type

    union all

    -- one per member that pays part of its type's share
    select
        org_id,
        concat('funding_rule.', member_type, '.', line_id),
        concat(member_sv, ' pays ', {{ format_percent('rule_share * share_of_type') }},
               ' % of the contributions (its share of the ', member_type, ' part)'),
        concat(law_ref, '; ', source_ref),
        statement,
        total_line_id,
        rule_share * share_of_type,
        [line_id],
        member_type,
        line_id
    from members
    where share_of_type < 1
)

select
    cast(null as varchar) as org_id,
    t.equation_id,
    e.check_family,
    e.label_en,
    e.source_ref,
    t.role,
    t.statement,
    t.line_id,
    t.measure,
    t.year_offset,
    t.weight,
    -- a funding rule's equation is about a member type, or one member of it
    cast(null as varchar) as member_type,
    cast(null as varchar) as member_line_id
from {{ ref('equation_terms') }} as t
inner join {{ ref('equations') }} as e using (equation_id)

union all

select org_id, equation_id, 'funding_rule', label_en, source_ref, 'lhs', statement, unnest(member_lines), 'amount', 0,
       cast(1 as decimal(10, 4)), member_type, member_line_id
from funding_equations

union all

select org_id, equation_id, 'funding_rule', label_en, source_ref, 'rhs', statement, total_line_id, 'amount', 0,
       cast(share as decimal(10, 4)), member_type, member_line_id
from funding_equations
