-- Interventions of a report collection's associations; empty otherwise.
-- depends_on: {{ ref('interventions') }}
select org_id, intervention_id, name_en, category, goal_section
from {{ collection_table('interventions', 'interventions') }}
