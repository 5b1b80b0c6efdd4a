-- The run that built the published file: when, its verdict and check counts (show published_at on a page).
select * from marts.run_info
