-- Every fact of every report as staged, before a later report's figure supersedes an earlier one.
-- Grain: (org, report year, fiscal year, statement, line, measure).
select 'facts_annual_report' as seed_name, * from {{ ref('stg_facts_annual_report') }}
union all by name
select 'facts_web_key_figures' as seed_name, * from {{ ref('stg_facts_web_key_figures') }}
union all by name
select 'collection' as seed_name, * from {{ ref('stg_collection_facts') }}
