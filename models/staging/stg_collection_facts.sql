-- Facts of a report collection loaded from a folder (finsam run --collection DIR); empty otherwise.
{{ stage_facts(collection_source('facts', fact_columns())) }}
