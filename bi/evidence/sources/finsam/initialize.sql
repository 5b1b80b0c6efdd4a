-- Run by @evidence-dev/duckdb on every connection before a query (its errors are swallowed: the query
-- finsam_settings.sql fails the source build if these did not take).
SET enable_external_access = false;
SET lock_configuration = true;
