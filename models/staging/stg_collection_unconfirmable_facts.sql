-- Reasons for a collection's unconfirmable facts, loaded from a folder; empty otherwise.
select *
from {{ collection_source('unconfirmable_facts', {'org_id': 'varchar', 'statement': 'varchar', 'line_id': 'varchar',
                                                  'measure': 'varchar', 'fiscal_year': 'integer', 'reason': 'varchar'}) }}
