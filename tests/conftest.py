"""Shared fixtures: an in-memory store built from the hand-computed tiny platform."""

from __future__ import annotations

from pathlib import Path

import duckdb
import platforms
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


def _platform_store(tables):
    """An in-memory store of a hand-built attribution platform, observed to 2024-12-31."""
    con = duckdb.connect()
    store.populate(con, tables, source="tiny", observed_to=platforms.D1)
    return con


@pytest.fixture(scope="module")
def growth_con():
    """Only growth: the platform of tests/platforms.py whose book gets younger in 2024."""
    con = _platform_store(platforms.platform(platforms.growth_cohorts()))
    yield con
    con.close()


@pytest.fixture(scope="module")
def mix_con():
    """Only a mix shift: grade E's share rises from a half to three quarters."""
    con = _platform_store(platforms.platform(platforms.mix_cohorts()))
    yield con
    con.close()


@pytest.fixture(scope="module")
def roll_con():
    """Only a roll-rate shift: loans entering 1-30 stop curing at once from December 2023."""
    con = _platform_store(platforms.platform(platforms.roll_cohorts()))
    yield con
    con.close()


@pytest.fixture(scope="module")
def roll_con_no_macro():
    """The roll-rate platform without a macro table (as a LendingClub import)."""
    con = _platform_store(platforms.platform(platforms.roll_cohorts(), macro=False))
    yield con
    con.close()


@pytest.fixture(scope="module")
def vintage_con():
    """One bad vintage: June 2024 defaults three times as often as every vintage before it."""
    con = _platform_store(platforms.platform(platforms.vintage_cohorts()))
    yield con
    con.close()
