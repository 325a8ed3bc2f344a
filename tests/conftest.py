"""Shared fixtures: the hand-computed tiny platform as tables, as an in-memory store and as a store file.

Helpers (not fixtures) live in plain modules: tests/tiny.py (the platform), tests/apptest_helpers.py
(AppTest page tests). No test module imports from another test module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import platforms
import pytest
from apptest_helpers import build_tiny_store
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
def tiny_con() -> Iterator[duckdb.DuckDBPyConnection]:
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


@pytest.fixture(scope="session")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file of the tiny platform with the demo accounts (investor1 -> I1, investor2/3 -> I2).

    Built once per run and shared: read it only (copy it first to change it, see tiny_db_copy).
    """
    return build_tiny_store(tmp_path_factory.mktemp("store") / "tiny.duckdb")


@pytest.fixture
def tiny_db_copy(tiny_db: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny store file, free to change."""
    path = tmp_path / "tiny.duckdb"
    path.write_bytes(tiny_db.read_bytes())
    return path


@pytest.fixture
def tiny_db_con(tiny_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the tiny store file (to compute a page's expected numbers directly)."""
    con = store.connect(tiny_db, read_only=True)
    yield con
    con.close()
