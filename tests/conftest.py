"""Shared fixtures: an in-memory store built from the hand-computed tiny platform."""

from __future__ import annotations

import duckdb
import pytest
from tiny import OBSERVED_TO, tiny_tables

from lendrisk import store


@pytest.fixture
def tiny_frames():
    """The tiny platform's canonical tables (fresh copies, free to edit)."""
    return tiny_tables()


@pytest.fixture
def tiny_con():
    """An in-memory store of the tiny platform with loan_month built to 2024-12-31."""
    con = duckdb.connect()
    store.populate(con, tiny_tables(), source="tiny", observed_to=OBSERVED_TO)
    yield con
    con.close()
