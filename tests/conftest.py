"""Shared fixtures: an in-memory store built from the hand-computed tiny platform."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from tiny import OBSERVED_TO, tiny_tables

from lendrisk import authstate, store


@pytest.fixture(autouse=True)
def private_login_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test its own login-throttle and session-version file (stores are shared by modules)."""
    folder = tmp_path_factory.mktemp("auth")
    monkeypatch.setattr(authstate, "_STATES", {})
    monkeypatch.setattr(authstate, "state_path", lambda db: folder / f"{Path(db).name}.auth.sqlite")


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
