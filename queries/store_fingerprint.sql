-- grain: one row: the database file behind the connection
-- Lets lendrisk.cache keep what is derived from a store once per store file version (the file's
-- path and modification time): a file store never changes after it is built (a rebuild writes a
-- new file and swaps it in).
-- Columns:
--   path   the database file (null or empty for an in-memory database: never cached)
-- key: one row
select (select path from duckdb_databases() where database_name = current_database()) as path
