"""Order-independent fingerprints of a store's tables and marts, to compare two builds row for row."""

from __future__ import annotations

import duckdb

from lendrisk import store

# users carry salted password hashes (different on every build): only their other columns count
USER_COLUMNS = "username, role, investor_id"


def fingerprints(con: duckdb.DuckDBPyConnection) -> dict[str, list[int]]:
    """Per canonical table and mart: [row count, sum of the 64-bit hashes of its rows]."""
    result: dict[str, list[int]] = {}
    for table in store.TABLES + store.MARTS:
        row = f"({USER_COLUMNS})" if table == "users" else "t"
        # table names from the fixed lists of lendrisk.store, never from input
        sql = f"select count(*), coalesce(sum(hash({row})), 0) from {table} t"
        count, total = con.execute(sql).fetchone()
        result[table] = [int(count), int(total)]
    return result
