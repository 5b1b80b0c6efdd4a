-- Every association's interventions: the seed's and a loaded collection's. Grain: (org, intervention).
select org_id, intervention_id, name_en, category, goal_section from {{ ref('interventions') }}
union all
select org_id, intervention_id, name_en, category, goal_section from {{ ref('stg_collection_interventions') }}
