-- Goals of a report collection loaded from a folder; empty otherwise.
{{ stage_goals(collection_source('goals', {'org_id': 'varchar', 'report_year': 'integer', 'fiscal_year': 'integer',
                                           'goal_id': 'varchar', 'category': 'varchar', 'label_sv': 'varchar',
                                           'printed_status': 'varchar', 'source_ref': 'varchar'})) }}
