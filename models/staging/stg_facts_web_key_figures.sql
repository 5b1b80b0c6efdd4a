{{ stage_facts(ref('facts_web_key_figures')) }}
