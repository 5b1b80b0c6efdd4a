-- Goals of a report collection; empty otherwise.
-- depends_on: {{ ref('goals') }}
{{ stage_goals(collection_table('goals', 'goals')) }}
