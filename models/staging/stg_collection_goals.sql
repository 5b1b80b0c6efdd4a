-- Goals of a report collection loaded from a folder; empty otherwise.
select
    trim(org_id)                 as org_id,
    report_year,
    fiscal_year,
    trim(goal_id)                as goal_id,
    trim(category)               as category,
    label_sv,
    lower(trim(printed_status))  as printed_status,
    source_ref
from {{ collection_source('goals', {'org_id': 'varchar', 'report_year': 'integer', 'fiscal_year': 'integer',
                                    'goal_id': 'varchar', 'category': 'varchar', 'label_sv': 'varchar',
                                    'printed_status': 'varchar', 'source_ref': 'varchar'}) }}
