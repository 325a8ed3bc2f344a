"""Store access for the dashboard: one read-only connection per store file version, shared by the
process (every query takes its own cursor: lendrisk.sql.run does), and the page cache `cached`.

Cache policy (lendrisk.cache): results are kept per store file version, (path, mtime_ns); a rebuild
swaps in a new file, so nothing is ever served from an older store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import streamlit as st

from lendrisk import cache, store

R = TypeVar("R")


def store_stamp() -> tuple[str, int]:
    """The store's file version (cache.file_version): a rebuilt store gets new connections and caches."""
    return cache.file_version(store.db_path())


class _Connections:
    """The process's read-only connections, one per store path, reopened when the file is rebuilt."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: dict[str, tuple[int, duckdb.DuckDBPyConnection]] = {}

    def get(self, path: str, mtime_ns: int) -> duckdb.DuckDBPyConnection:
        """The connection to this version of the file; an older version's connection is closed first.

        DuckDB shares one database instance per path within a process, so a new connection would
        still see the replaced file while the old one stays open.
        """
        with self.lock:
            known = self.open.get(path)
            if known and known[0] == mtime_ns:
                return known[1]
            if known:
                known[1].close()
            con = store.connect(path, read_only=True)
            self.open[path] = (mtime_ns, con)
            return con


@st.cache_resource(show_spinner=False)
def _connections() -> _Connections:
    return _Connections()


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide read-only connection to the store (query through .cursor() / sql.run)."""
    return _connections().get(*store_stamp())


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _call(_fn: Callable[..., Any], name: str, stamp: tuple[str, int], args: tuple, kwargs: tuple) -> Any:
    """fn(connection, *args, **kwargs), cached by name (fn's qualified name: the leading underscore
    keeps Streamlit from hashing fn itself), the store version and the arguments."""
    return _fn(connection(), *args, **dict(kwargs))


def cached(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """fn(connection(), *args, **kwargs) through the data cache (10 min, 256 entries).

    Use for every lendrisk call a page makes: ui.cached(metrics.overdue_by_bucket, as_of,
    investor_id=user.investor_id). Arguments must be hashable by Streamlit (dates, str, numbers,
    None, tuples); the result must be picklable. Each call returns a fresh copy.
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _call(fn, name, store_stamp(), args, tuple(sorted(kwargs.items())))
