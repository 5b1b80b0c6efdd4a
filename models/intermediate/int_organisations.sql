-- Every association: the seed's and a loaded collection's. Grain: org.
select org_id, org_number, name_sv, merged_into_sv, first_fiscal_year, last_fiscal_year
from {{ ref('organisations') }}
union all
select org_id, org_number, name_sv, merged_into_sv, first_fiscal_year, last_fiscal_year
from {{ ref('stg_collection_organisations') }}
