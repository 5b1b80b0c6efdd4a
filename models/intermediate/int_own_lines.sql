-- Every association's own lines: the seed's and a loaded collection's. Grain: (org, statement, line).
select org_id, statement, line_id, label_sv, name_en, sign, anchor_line_id, intervention_id, sort_order, unit_if_unprinted
from {{ ref('own_lines') }}
union all
select org_id, statement, line_id, label_sv, name_en, sign, anchor_line_id, intervention_id, sort_order, unit_if_unprinted
from {{ ref('stg_collection_own_lines') }}
