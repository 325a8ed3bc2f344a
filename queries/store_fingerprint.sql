-- grain: one row: the database file behind the connection and the build stamp in its meta table
-- Lets lendrisk.risk keep what it derives from a store (monthly transition counts, the model at a
-- date) once per store build: a file store never changes after it is built (a rebuild writes a new
-- file and swaps it in, with a new build time in meta).
-- Columns:
--   path   the database file (null or empty for an in-memory database: never cached)
--   stamp  every meta key=value, sorted (schema version, build time, source, row counts)
select
    (select path from duckdb_databases() where database_name = current_database()) as path,
    (select string_agg(key || '=' || value, ';' order by key) from meta) as stamp
