-- Organisations of a report collection; empty otherwise.
-- depends_on: {{ ref('organisations') }}
select org_id, org_number, name_sv, merged_into_sv, first_fiscal_year, last_fiscal_year
from {{ collection_table('organisations', 'organisations') }}
