"""lendrisk.cache: one result per store file version; a rebuilt file is a new version; memory never."""

from __future__ import annotations

import os

import duckdb

from lendrisk import cache, store


def test_memo_keeps_a_result_per_file_version_and_never_for_memory(tiny_db_copy) -> None:
    path = tiny_db_copy
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    con = store.connect(path, read_only=True)
    assert cache.store_version(con) == (str(path), os.stat(path).st_mtime_ns)
    assert [cache.memo(con, "test-memo", (1,), compute) for _ in range(3)] == [1, 1, 1]
    assert cache.memo(con, "test-memo", (2,), compute) == 2  # other arguments, another entry
    con.close()
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # a rebuild: a new version
    con = store.connect(path, read_only=True)
    assert cache.memo(con, "test-memo", (1,), compute) == 3
    con.close()
    memory = duckdb.connect()
    assert cache.store_version(memory) is None
    assert [cache.memo(memory, "test-memo", (1,), compute) for _ in range(2)] == [4, 5]


def test_store_path_is_asked_once_per_connection(tiny_db_copy, monkeypatch) -> None:
    asked: list[str] = []
    run = cache.sql.run
    monkeypatch.setattr(
        cache.sql, "run", lambda con, name, *args: asked.append(name) or run(con, name, *args)
    )
    con = store.connect(tiny_db_copy, read_only=True)
    version = (str(tiny_db_copy), os.stat(tiny_db_copy).st_mtime_ns)
    assert [cache.store_version(con) for _ in range(3)] == [version] * 3
    assert asked == ["store_fingerprint"]
    stat = os.stat(tiny_db_copy)
    os.utime(tiny_db_copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # the file changes: so does
    assert cache.store_version(con) == (str(tiny_db_copy), stat.st_mtime_ns + 1_000_000)  # its version
    memory = duckdb.connect()
    assert [cache.store_version(memory) for _ in range(2)] == [None, None]
    assert asked == ["store_fingerprint"] * 2  # the other connection asked once
    con.close()
