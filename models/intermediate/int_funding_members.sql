-- Every association's members: the seed's and a loaded collection's. Grain: (org, statement, line).
select org_id, statement, line_id, member_sv, member_type, share_of_type, source_ref from {{ ref('funding_members') }}
union all
select org_id, statement, line_id, member_sv, member_type, share_of_type, source_ref from {{ ref('stg_collection_funding_members') }}
