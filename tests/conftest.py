"""Shared fixtures: the hand-computed tiny platform as tables, as an in-memory store and as a store file.

Helpers (not fixtures) live in plain modules: tests/tiny.py (the platform), tests/apptest_helpers.py
(AppTest page tests). No test module imports from another test module.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import platforms
import pytest
from apptest_helpers import build_tiny_store
from tiny import OBSERVED_TO, tiny_tables

from lendrisk import authstate, simulate, store


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


def _row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per table of a store (to check that tests sharing it left it as built)."""
    names = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
    return {name: con.execute(f'select count(*) from "{name}"').fetchone()[0] for name in names}


@pytest.fixture
def tiny_big_books(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., duckdb.DuckDBPyConnection]]:
    """build(tables=None): the tiny platform (or those tables) in a new in-memory store whose big books
    start at 3 holdings, store.BIG_BOOK_HOLDINGS for the whole test: I1's book (3 holdings) is big, I2's
    (2) is not, so investor_month and the book marts hold I1's rows."""
    monkeypatch.setattr(store, "BIG_BOOK_HOLDINGS", 3)
    opened: list[duckdb.DuckDBPyConnection] = []

    def build(tables: dict | None = None) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect()
        frames = tiny_tables() if tables is None else tables
        store.populate(con, frames, source="tiny", observed_to=OBSERVED_TO)
        opened.append(con)
        return con

    yield build
    for con in opened:
        con.close()


@pytest.fixture(scope="session")
def tiny_memory_store() -> Iterator[duckdb.DuckDBPyConnection]:
    """The tiny platform built once per run into an in-memory store (loan_month to 2024-12-31).

    Tests read it through tiny_con; one that changed it would fail the run here, at the end.
    """
    con = duckdb.connect()
    store.populate(con, tiny_tables(), source="tiny", observed_to=OBSERVED_TO)
    built = _row_counts(con)
    yield con
    assert _row_counts(con) == built, "a test changed the shared tiny store (build its own instead)"
    con.close()


@pytest.fixture
def tiny_con(tiny_memory_store: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection of its own (temporary objects, settings) to the shared in-memory tiny store: read only."""
    con = tiny_memory_store.cursor()
    yield con
    con.close()


def _platform(name: str, cohorts: Callable[[], list[platforms.Cohort]], doc: str, macro: bool = True):
    """A session fixture `name`: an in-memory store of a platform of tests/platforms.py, observed to
    2024-12-31 (read only)."""

    def build() -> Iterator[duckdb.DuckDBPyConnection]:
        con = duckdb.connect()
        tables = platforms.platform(cohorts(), macro=macro)
        store.populate(con, tables, source="tiny", observed_to=platforms.D1)
        yield con
        con.close()

    build.__doc__ = doc
    return pytest.fixture(scope="session", name=name)(build)


growth_con = _platform(
    "growth_con", platforms.growth_cohorts, "Only growth: the platform whose book gets younger in 2024."
)
mix_con = _platform(
    "mix_con", platforms.mix_cohorts, "Only a mix shift: grade E's share rises from a half to three quarters."
)
roll_con = _platform(
    "roll_con",
    platforms.roll_cohorts,
    "Only a roll-rate shift: loans entering 1-30 stop curing at once from December 2023.",
)
roll_con_no_macro = _platform(
    "roll_con_no_macro",
    platforms.roll_cohorts,
    "The roll-rate platform without a macro table (as a LendingClub import).",
    macro=False,
)
vintage_con = _platform(
    "vintage_con",
    platforms.vintage_cohorts,
    "One bad vintage: June 2024 defaults three times as often as every vintage before it.",
)


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


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Path]:
    """loans -> a demo store file of that many loans (lendrisk.simulate.build_demo, seed 7), built at
    most once per size a run and shared: read it only."""
    built: dict[int, Path] = {}

    def of_size(loans: int) -> Path:
        if loans not in built:
            path = tmp_path_factory.mktemp("demo") / f"demo-{loans}.duckdb"
            simulate.build_demo(path, loans=loans, seed=7)
            built[loans] = path
        return built[loans]

    return of_size


@pytest.fixture(scope="module")
def demo_con(request: pytest.FixtureRequest, demo_store) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the demo store of the module's DEMO_LOANS loans (default 40,000, the
    dashboard's)."""
    loans = getattr(request.module, "DEMO_LOANS", 40_000)
    with contextlib.closing(store.connect(demo_store(loans), read_only=True)) as con:
        yield con
