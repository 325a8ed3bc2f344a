"""The one cache policy: whatever is derived from a store is kept per store file version, the file's
(path, mtime_ns), and never for an in-memory store.

A file store never changes once built: every write builds a new file and swaps it in (store.swap_in),
so a new version has a new mtime and nothing is ever served from an older store. Two layers follow
the policy: ui.session.cached (Streamlit's data cache around a page's calls) and memo below (the risk
engine's platform-wide inputs, shared by every investor's call in the process, CLI included).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from lendrisk import sql

T = TypeVar("T")
MEMO_SIZE = 64  # entries kept by memo (oldest dropped first)
_MEMO: dict[tuple, object] = {}
# the database file behind each open connection, asked once (a query costs ~1.7 ms, memo's whole cost)
_PATHS: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, object] = weakref.WeakKeyDictionary()


def file_version(path: Path | str) -> tuple[str, int]:
    """(path, mtime_ns) of a store file: the cache key of everything derived from it."""
    return str(path), os.stat(path).st_mtime_ns


def store_path(con: duckdb.DuckDBPyConnection) -> object:
    """The database file behind a connection (null or empty in memory), asked once per connection:
    lendrisk never switches a connection's database once it is open (store.connect_fresh's `use`
    comes first)."""
    if con not in _PATHS:
        _PATHS[con] = sql.run(con, "store_fingerprint")["path"].iloc[0]
    return _PATHS[con]


def store_version(con: duckdb.DuckDBPyConnection) -> tuple[str, int] | None:
    """file_version of the store behind a connection; None for an in-memory database."""
    path = store_path(con)
    if not isinstance(path, str) or not path or not os.path.exists(path):
        return None
    return file_version(path)


def memo(con: duckdb.DuckDBPyConnection, name: str, args: tuple, compute: Callable[[], T]) -> T:
    """compute() once per store file version, name and arguments; every time for an in-memory store."""
    version = store_version(con)
    if version is None:
        return compute()
    key = (version, name, args)
    if key not in _MEMO:
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = compute()
    return _MEMO[key]  # type: ignore[return-value]
