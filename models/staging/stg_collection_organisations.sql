-- Organisations of a report collection loaded from a folder; empty otherwise.
select *
from {{ collection_source('organisations', {'org_id': 'varchar', 'org_number': 'varchar', 'name_sv': 'varchar',
                                            'merged_into_sv': 'varchar', 'first_fiscal_year': 'integer',
                                            'last_fiscal_year': 'integer'}) }}
