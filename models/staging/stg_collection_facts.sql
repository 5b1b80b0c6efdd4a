-- Facts of a report collection (finsam run --collection DIR); empty otherwise.
-- depends_on: {{ ref('facts_annual_report') }}
{{ stage_facts(collection_table('facts', 'facts_annual_report')) }}
