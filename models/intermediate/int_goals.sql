-- Every goal with its printed status: the seed's and a loaded collection's. Grain: (org, fiscal year, goal).
select * from {{ ref('stg_goals') }}
union all by name
select * from {{ ref('stg_collection_goals') }}
