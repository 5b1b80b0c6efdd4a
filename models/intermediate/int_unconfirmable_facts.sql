-- Every registered reason why a fact cannot be confirmed: the seed's and a loaded collection's.
select org_id, statement, line_id, measure, fiscal_year, reason from {{ ref('unconfirmable_facts') }}
union all
select org_id, statement, line_id, measure, fiscal_year, reason from {{ ref('stg_collection_unconfirmable_facts') }}
