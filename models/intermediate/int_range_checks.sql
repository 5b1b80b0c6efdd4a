-- Every printed figure within the range its line allows (seeds/reference/value_ranges.csv): a count,
-- an asset or a budget cannot be negative, a share lies between 0 and 100 %. Grain: one check instance.
-- A rule for line (measure) '*' covers every line (measure) of the statement; the most specific rule
-- that matches a figure is the one that applies, so a line can be exempted from its statement's rule.
with ranges as (
    select
        *,
        (line_id <> '*')::integer * 2 + (measure <> '*')::integer as specificity
    from {{ ref('value_ranges') }}
),

-- the rule of each line and measure printed: the most specific rule that matches it, chosen once per line
-- rather than once per figure (a window over every figure cost seconds at 10 000 org-years)
line_rules as (
    select
        l.statement,
        l.line_id,
        l.measure,
        r.min_value,
        r.max_value,
        r.reason
    from (select distinct statement, line_id, measure from {{ ref('int_facts') }}) as l
    inner join ranges as r
        on r.statement = l.statement
        and (r.line_id = l.line_id or r.line_id = '*')
        and (r.measure = l.measure or r.measure = '*')
    qualify row_number() over (partition by l.statement, l.line_id, l.measure order by r.specificity desc) = 1
),

ruled as (
    select
        f.*,
        r.min_value,
        r.max_value,
        r.reason
    from {{ ref('int_facts') }} as f
    inner join line_rules as r
        on r.statement = f.statement
        and r.line_id = f.line_id
        and r.measure = f.measure
)

select
    concat('range.', statement, '.', line_id, '.', measure)                          as check_id,
    'value_range'                                                                   as check_family,
    org_id,
    fiscal_year,
    concat(statement, ' ', label_printed, ' ', fiscal_year, ' as printed')          as lhs_label,
    cast(value_base as double)                                                      as lhs_value,
    case
        when min_value is not null and max_value is not null
            then concat('between ', min_value::varchar, ' and ', max_value::varchar)
        when min_value is not null then concat('at least ', min_value::varchar)
        else concat('at most ', max_value::varchar)
    end                                                                             as rhs_label,
    -- the bound the figure is held to: the one it breaks, else the lower one
    case
        when max_value is not null and value_base > max_value then max_value
        else coalesce(min_value, max_value)
    end                                                                             as rhs_value,
    cast(null as double)                                                            as tolerance,
    base_unit                                                                       as unit,
    value_base >= coalesce(min_value, value_base) and value_base <= coalesce(max_value, value_base) as passed,
    source_ref,
    reason                                                                          as context,
    [fact_key]                                                                      as fact_keys,
    'range'                                                                         as form,
    [{'fact_key': fact_key, 'coefficient': cast(sign as double)}]                   as terms,
    min_value,
    max_value
from ruled
where min_value is not null or max_value is not null
