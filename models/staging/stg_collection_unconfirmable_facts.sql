-- Reasons for a collection's unconfirmable facts; empty otherwise.
-- depends_on: {{ ref('unconfirmable_facts') }}
select org_id, statement, line_id, measure, fiscal_year, reason
from {{ collection_table('unconfirmable_facts', 'unconfirmable_facts') }}
