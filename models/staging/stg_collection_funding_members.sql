-- Each collection association's members and their Note 2 lines; empty otherwise.
-- depends_on: {{ ref('funding_members') }}
select org_id, statement, line_id, member_sv, member_type, share_of_type, source_ref
from {{ collection_table('funding_members', 'funding_members') }}
