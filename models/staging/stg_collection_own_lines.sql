-- Own lines of a report collection's associations; empty otherwise.
-- depends_on: {{ ref('own_lines') }}
select org_id, statement, line_id, label_sv, name_en, sign, anchor_line_id, intervention_id, sort_order, unit_if_unprinted
from {{ collection_table('own_lines', 'own_lines') }}
