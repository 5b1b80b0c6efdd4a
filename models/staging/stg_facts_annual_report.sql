{{ stage_facts(ref('facts_annual_report')) }}
