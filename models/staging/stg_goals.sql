select
    trim(org_id)          as org_id,
    report_year,
    fiscal_year,
    trim(goal_id)         as goal_id,
    trim(category)        as category,
    label_sv,
    lower(trim(printed_status)) as printed_status,
    source_ref
from {{ ref('goals') }}
