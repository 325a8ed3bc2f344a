"""The DuckDB store: schema, atomic rebuild into a new file, read-only connections."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import queue
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from lendrisk import __version__
from lendrisk.sql import QUERIES_DIR, query_info, run_file
from lendrisk.vocab import last_month_end

# Raised whenever a canonical table, a mart or a shared view changes shape; an older store is rebuilt
# from its own canonical tables on first use (upgrade). 2: loan_month.guarantor_principal_to_date.
# 3: the shared views of queries/schema/002_views.sql (holding_share, loan_charge_off, recovery, ...).
# 4: the loan_key mart and loan_month.loan_no. 5: the book_segment mart. 6: the platform_month mart.
# 7: macros of 002_views.sql (is_active_state, state_order, holdings_as_of, held_loans,
# held_repayments) and the loan_outcome view. 8: macros and views over the marts
# (queries/schema/after_marts: active_tape, active_loans, held_exposures, loan_default, ...) and
# more macros of 002_views.sql (visible_loan, score_band, claimed_repayments, ...).
# 9: book_segment sums outstanding principal exactly (decimal, rounded to double once), so DuckDB
# and Spark builds agree to the last bit (lendrisk.spark). 10: schedule, loans and borrowers without
# primary-key indexes; the loan_month tape computed by loan_no (the same rows). 11: the segment_month
# and score_month marts (the segments page adds up a few thousand rows instead of joining the tape).
# 12: the early_repayment_story and legal_action_story marts (the Learn page's candidate loans).
# 13: the holding_book mart (each holding with its loan's terms and final tape row, stored by
# investor) and the holding_tape_until / held_active_loans macros over it.
# 14: the delinquency_spell mart (every delinquency spell of the tape with its first action and cure).
# 15: the book_cell, reserve_segment and month_flow marts (the health, why and reserve pages).
# 16: the outcome_segment and vintage_default marts (lifetime outcomes and vintage curves read them;
# the loan_outcome view is gone); the charge_off and recovery_payment marts (LGD and the back-test);
# the loan_contract and disclosure_month marts (the monthly disclosure).
# 17: the loan_repayment and loan_installment marts (repayments and the schedule by the integer loan_no:
# the investor queries match their loans by it).
# 18: the investor_month mart (the overdue trend of the investors with at least BIG_BOOK_HOLDINGS
# holdings, stored by investor: their loans are in every row group of the tape).
# 19: the lender_exposure mart (each investor's exposure at the end of observation) and
# loan_contract.borrower_loans (the monthly disclosure adds up by borrower only borrowers with two or more).
# 20: holding_book.first_due_on and charged_off_on (investor_returns reads neither the schedule nor
# the charge_off mart); holding_book is built after loan_installment and charge_off.
# 21: the collection_month mart (every overdue loan-month with its descriptors, contacts and legal
# dates: the collection queue reads one month-end) and the legal_case mart (each lawsuit's filing
# and judgment dates and claim: the legal pipeline); the collection_payments macro.
# 22: the book_repayment and book_installment marts (the repayments and schedule of the investors with
# at least BIG_BOOK_HOLDINGS holdings, stored by investor) and the held_loan_repayments /
# held_loan_installments macros that read them, or loan_repayment / loan_installment for smaller books.
SCHEMA_VERSION = 22
DEFAULT_DB = Path("data/lendrisk.duckdb")
# DuckDB's memory cap while building a store: the loan_month build would otherwise grow towards 80 %
# of RAM (10 GB at one million loans); capped, DuckDB spills to disk. At one million loans, quiet:
# 2GB gives a 2.58 GB peak in 92.5 s, 3GB a 3.63 GB peak in 87.9 s (bench/README.md, "Scale").
BUILD_MEMORY_LIMIT = os.environ.get("LENDRISK_BUILD_MEMORY", "2GB")
# DuckDB's partial aggregate pushdown pre-groups the tape by loan before joining it to the loans'
# segments, a group per row: segment_month took 7.6 s and ran out of 2 GB at one million loans with
# it, 1.8 s without (bench/README.md, "Schema version 11").
BUILD_CONFIG: dict[str, str] = {
    "memory_limit": BUILD_MEMORY_LIMIT,
    "disabled_optimizers": "partial_aggregate_pushdown",
}
# Marts whose joins DuckDB runs as their SQL writes them (these optimizers off while they build): its
# join order follows distinct-count estimates that are loose (about 2.7 M loan ids among 1 M loans'
# holdings) and vary with how a table was inserted. holding_book as written probes the loans' terms
# with the holdings in their stored order (investor), so its ORDER BY gets nearly sorted rows; a
# reordered plan (holdings joined to loans first, then the tape's final rows) took about 1.4x the CPU
# at one million loans once the holdings were appended in chunks (their estimates moved).
AS_WRITTEN: dict[str, str] = {"holding_book": "join_order,build_side_probe_side"}
# DuckDB's memory cap on a reading connection (the app, the CLI's reports): without it DuckDB keeps the
# blocks it has read cached up to 80 % of RAM, and the app grew past 11 GB browsing a ten-million-loan
# store (bench/README.md, "Scale"). Cached blocks are evicted under the cap; queries spill beyond it.
READ_MEMORY_LIMIT = os.environ.get("LENDRISK_READ_MEMORY", "2GB")
# Canonical tables in dependency order (a table's references come before it).
TABLES: tuple[str, ...] = (
    "borrowers",
    "loans",
    "schedule",
    "repayments",
    "loan_events",
    "investors",
    "holdings",
    "macro",
    "reserve_fund",
    "users",
)
# Derived tables in build order (loan_month reads loan_key; platform_month, loan_transition,
# book_segment, segment_month, score_month, early_repayment_story, delinquency_spell, book_cell,
# reserve_segment, vintage_default and charge_off read loan_month; loan_contract reads loan_key;
# month_flow, outcome_segment, recovery_payment and disclosure_month read canonical tables only;
# loan_repayment and loan_installment read repayments, schedule and loan_key; holding_book reads
# holdings, loans, loan_key, loan_month, charge_off and loan_installment; book_repayment and
# book_installment read holding_book, loan_repayment and loan_installment; investor_month reads
# holding_book and loan_month; lender_exposure reads holding_book; legal_case reads loan_events,
# loan_key, loan_repayment and loan_contract; collection_month reads loan_month, loans, borrowers,
# loan_events and loan_key); table name =
# queries/marts/<name>.sql.
MARTS: tuple[str, ...] = (
    "loan_key",
    "loan_month",
    "platform_month",
    "loan_transition",
    "book_segment",
    "segment_month",
    "score_month",
    "early_repayment_story",
    "legal_action_story",
    "delinquency_spell",
    "book_cell",
    "reserve_segment",
    "month_flow",
    "outcome_segment",
    "vintage_default",
    "charge_off",
    "recovery_payment",
    "loan_contract",
    "disclosure_month",
    "loan_repayment",
    "loan_installment",
    "holding_book",
    "book_repayment",
    "book_installment",
    "investor_month",
    "lender_exposure",
    "legal_case",
    "collection_month",
)
# The tape is built for at most this many loans at a time (loan_no ranges), then put in its stored order
# (the final ORDER BY of queries/marts/loan_month.sql): whole at ten million loans it ran out of a 6 GB
# memory_limit in a step that cannot spill; one chunk of a million loans builds in about 26 s under 2 GB.
TAPE_CHUNK_LOANS = 1_000_000
# The investor_month mart holds the overdue trend of the investors with at least this many holdings:
# reading a book that size from the tape by loan_no scans every row group of it (ten million loans: the
# biggest book, 9,631 loans, 463 ms; the mart for the 2,299 such books builds from 3.6 M holdings).
BIG_BOOK_HOLDINGS = 1_000
TAPE_ORDER = "month_end, loan_no"
# Canonical tables that no mart or view reads, with the tables their validation rules refer to:
# changing one rewrites that table in a copy of the store file instead of rebuilding every mart.
STANDALONE_TABLES: dict[str, tuple[str, ...]] = {"users": ("investors",)}
# Stored order of the large tables: DuckDB skips row groups by their min/max, so an investor's
# holdings (and a loan's repayments) sit together and investor-scoped queries read a few row groups.
STORED_ORDER: dict[str, str] = {
    "holdings": "investor_id, loan_id",
    "repayments": "loan_id, paid_on",
    "loan_events": "loan_id, event_on",
}

# rows per record batch when a store is copied table by table (upgrade)
UPGRADE_BATCH_ROWS = 1_000_000
Progress = Callable[[str, float], None]
# How long a second writer waits for the first one's lock before it gives up ($LENDRISK_LOCK_WAIT).
LOCK_WAIT_SECONDS = 120.0
FILE_MODE = 0o600  # the store, its .prev, the lock and the account-state files: owner only
_BUILDING = re.compile(r"\.building-(\d+)(\.wal)?$")


class WriterBusy(RuntimeError):
    """Another process kept the store's writer lock for longer than the wait allowed."""


class _WriterLock:
    """The writer lock of one store path: flock on <store>.lock between processes, an RLock between
    threads; re-entrant within a thread (an account change runs an import inside its own lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path.with_name(path.name + ".lock")
        self.rlock = threading.RLock()
        self.depth = 0
        self.fd: int | None = None

    def acquire(self, what: str, wait: float) -> None:
        """Take the lock (waiting up to wait seconds), or raise WriterBusy naming the holder."""
        deadline = time.monotonic() + wait
        if not self.rlock.acquire(timeout=max(wait, 0.0)):
            raise WriterBusy(f"{self.path}: another writer in this process is still busy")
        if self.depth:
            self.depth += 1
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                    os.close(fd)
                    self.rlock.release()
                    raise WriterBusy(
                        f"{self.path.parent / self.path.stem}: {holder} is writing the store; "
                        f"waited {wait:.0f} s, try again when it has finished"
                    ) from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} ({what})".encode(), 0)
        self.fd, self.depth = fd, 1

    def release(self) -> None:
        """Give the lock back (the file lock on the outermost release)."""
        self.depth -= 1
        if self.depth == 0 and self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
        self.rlock.release()


_LOCKS: dict[str, _WriterLock] = {}
_LOCKS_GUARD = threading.Lock()


def lock_wait() -> float:
    """Seconds a writer waits for another's lock: $LENDRISK_LOCK_WAIT, default LOCK_WAIT_SECONDS."""
    return float(os.environ.get("LENDRISK_LOCK_WAIT") or LOCK_WAIT_SECONDS)


@contextlib.contextmanager
def writer_lock(path: Path | str, what: str = "write", wait: float | None = None) -> Iterator[None]:
    """One writer at a time on a store (imports, upgrades, builds, account changes), across processes.

    Held for the whole read-validate-write, so a change read before another writer swapped its file
    in is never written back over it. Stale build files of a killed writer are removed on entry.
    """
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(str(path), _WriterLock(path))
    lock.acquire(what, lock_wait() if wait is None else wait)
    try:
        if lock.depth == 1:
            clean_stale(path)
        yield
    finally:
        lock.release()


def clean_stale(path: Path | str) -> list[Path]:
    """Remove the <store>.building-<pid>(.wal) files of writers that no longer run; the paths removed.

    Call with the writer lock held (writer_lock does): then no build of this process is under way.
    """
    path = Path(path)
    for owned in (path, path.with_name(path.name + ".prev")):
        with contextlib.suppress(OSError):
            os.chmod(owned, FILE_MODE)
    removed = []
    for candidate in path.parent.glob(f"{path.name}.building-*"):
        match = _BUILDING.search(candidate.name)
        if match is None:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and _alive(pid):
            continue
        with contextlib.suppress(FileNotFoundError):
            candidate.unlink()
            removed.append(candidate)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (a writer that still builds its file)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


Fill = Callable[["Loader", Progress], None]
# builds the marts into a store being written, from its canonical tables (build_marts, or lendrisk.spark's
# loader of marts built elsewhere): (connection, observation end, progress)
MartBuilder = Callable[[duckdb.DuckDBPyConnection, dt.date, Progress], None]


def db_path() -> Path:
    """The store path: $LENDRISK_DB, else data/lendrisk.duckdb."""
    return Path(os.environ.get("LENDRISK_DB") or DEFAULT_DB)


def connect(path: Path | str, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the store (read-only unless a writer asks), DuckDB's memory capped at READ_MEMORY_LIMIT."""
    return duckdb.connect(str(path), read_only=read_only, config={"memory_limit": READ_MEMORY_LIMIT})


def connect_fresh(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection that sees the file as it is now (for writers' reads; no cursors).

    duckdb.connect hands back the database instance this process already has open on a path (the
    dashboard's), which still shows the file as it was before another writer swapped in a new one:
    a read-modify-write would then write back stale rows. Attaching the file to an in-memory
    database of its own reads the current file.
    """
    if not Path(path).is_file():
        raise duckdb.IOException(f"{path}: no such store file")
    con = duckdb.connect()
    con.execute(f"attach '{str(path).replace(chr(39), chr(39) * 2)}' as lendrisk_store (read_only)")
    con.execute("use lendrisk_store")
    return con


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every canonical table, meta and the shared views (queries/schema/*.sql, in name order)."""
    for path in sorted((QUERIES_DIR / "schema").glob("*.sql")):
        run_file(con, path)


def create_mart_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create the shared macros and views over the marts (queries/schema/after_marts/*.sql, in name
    order); DuckDB binds them on creation, so they come after the marts."""
    for path in sorted((QUERIES_DIR / "schema" / "after_marts").glob("*.sql")):
        run_file(con, path)


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Column names of a table in declaration order."""
    rows = con.execute(
        "select column_name from duckdb_columns()"
        " where table_name = $t and database_name = current_database() order by column_index",
        {"t": table},
    ).fetchall()
    return [r[0] for r in rows]


def insert_frame(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame | pa.Table,
    into: str | None = None,
    in_order: bool = False,
) -> None:
    """Append a frame (pandas or arrow) to a canonical table (or a staging copy, into), columns by name;
    a table with a STORED_ORDER gets the frame's rows sorted by it, unless they come in_order already."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    given = frame.column_names if isinstance(frame, pa.Table) else frame.columns
    cols = [c for c in columns(con, table) if c in given]
    col_list = ", ".join(f'"{c}"' for c in cols)
    con.register("_incoming", frame)
    try:
        # table names from the fixed lists above; staged rows are ordered when they are moved in
        sort = table in STORED_ORDER and into is None and not in_order
        order = f" order by {STORED_ORDER[table]}" if sort else ""
        target = into or table
        con.execute(f"insert into {target} ({col_list}) select {col_list} from _incoming{order}")
    finally:
        con.unregister("_incoming")


def infer_observed_to(con: duckdb.DuckDBPyConnection) -> dt.date:
    """Last month-end on or before the latest date in loans, repayments and events."""
    row = con.execute(
        """
        select greatest(
            (select max(originated_on) from loans),
            (select max(paid_on) from repayments),
            (select max(event_on) from loan_events)
        )
        """
    ).fetchall()[0][0]
    if row is None:
        return last_month_end(dt.date.today())
    return last_month_end(row)


def build_marts(
    con: duckdb.DuckDBPyConnection, observed_to: dt.date, progress: Progress | None = None
) -> None:
    """Rebuild derived tables (loan keys, the loan_month tape, transitions) from the canonical tables."""
    # each mart file gets the parameters it names
    available = {"observed_to": observed_to, "big_book_holdings": BIG_BOOK_HOLDINGS}
    for i, mart in enumerate(MARTS):
        if progress:
            progress(f"building {mart}", i / len(MARTS))
        con.execute(f"drop table if exists {mart}")
        if mart == "loan_month":
            build_tape(con, observed_to, progress)
            continue
        wanted = query_info(f"marts/{mart}").params
        with optimizers_off(con, AS_WRITTEN.get(mart, "")):
            run_file(con, QUERIES_DIR / "marts" / f"{mart}.sql", {p: available[p] for p in wanted})
    create_mart_views(con)
    if progress:
        progress("marts built", 1.0)


@contextlib.contextmanager
def optimizers_off(con: duckdb.DuckDBPyConnection, names: str) -> Iterator[None]:
    """Add DuckDB optimizers (comma-separated names, from AS_WRITTEN) to the disabled ones for a block."""
    if not names:
        yield
        return
    before = con.execute("select current_setting('disabled_optimizers')").fetchall()[0][0]
    con.execute("set disabled_optimizers = $o", {"o": ",".join(filter(None, [before, names]))})
    try:
        yield
    finally:
        con.execute("set disabled_optimizers = $o", {"o": before})


def build_tape(
    con: duckdb.DuckDBPyConnection,
    observed_to: dt.date,
    progress: Progress | None = None,
    chunk_loans: int | None = None,
) -> None:
    """Build loan_month (queries/marts/loan_month.sql) for loan_no ranges of chunk_loans loans, each
    chunk appended unsorted, then stored in TAPE_ORDER once; one range builds it directly."""
    sql = (QUERIES_DIR / "marts" / "loan_month.sql").read_text(encoding="utf-8")
    loans = con.execute("select coalesce(max(loan_no), 0) from loan_key").fetchall()[0][0]
    chunk_loans = chunk_loans or TAPE_CHUNK_LOANS
    ranges = [(first, min(first + chunk_loans - 1, loans)) for first in range(1, loans + 1, chunk_loans)]
    if len(ranges) > 1:
        sql = without_final_order(sql, TAPE_ORDER)  # sorting each chunk was wasted: all are sorted below
    for i, (first, last) in enumerate(ranges or [(1, 0)]):
        if progress and len(ranges) > 1:
            step = f"building loan_month: loans {first:,}-{last:,} of {loans:,}"
            progress(step, (1 + i / len(ranges)) / len(MARTS))
        con.execute(sql, {"observed_to": observed_to, "first_loan_no": first, "last_loan_no": last})
        if len(ranges) > 1 and i == 0:
            con.execute("alter table loan_month rename to loan_month_chunks")
        elif len(ranges) > 1:
            con.execute("insert into loan_month_chunks select * from loan_month")
            con.execute("drop table loan_month")
    if len(ranges) > 1:
        if progress:
            progress("building loan_month: ordering the chunks", 2 / len(MARTS))
        con.execute(f"create table loan_month as select * from loan_month_chunks order by {TAPE_ORDER}")
        con.execute("drop table loan_month_chunks")


def without_final_order(sql: str, order: str) -> str:
    """A statement without its final `order by <order>` (which it must end with, bar a semicolon)."""
    body = sql.rstrip().removesuffix(";").rstrip()
    if not body.endswith(f"order by {order}"):
        raise ValueError(f"the statement does not end with: order by {order}")
    return body.removesuffix(f"order by {order}")


def write_meta(con: duckdb.DuckDBPyConnection, source: str, observed_to: dt.date) -> None:
    """Record schema version, build time, source, observation end and row counts in meta."""
    counts = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES + MARTS}
    entries = {
        "schema_version": str(SCHEMA_VERSION),
        "lendrisk_version": __version__,
        "built_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "source": source,
        "observed_to": observed_to.isoformat(),
        **{f"rows.{t}": str(n) for t, n in counts.items()},
    }
    con.execute("delete from meta")
    con.executemany("insert into meta values (?, ?)", list(entries.items()))


def read_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The meta table as a dict."""
    return dict(con.execute("select key, value from meta").fetchall())


def schema_version(path: Path | str) -> int:
    """The schema version a store file was built with (0 for a file without one)."""
    con = connect_fresh(path)
    try:
        return int(read_meta(con).get("schema_version", 0))
    except duckdb.CatalogException:
        return 0
    finally:
        con.close()


def upgrade(path: Path | str, progress: Progress | None = None) -> bool:
    """Rebuild a store of an older schema version from its own canonical tables (atomic); whether it did.

    The tables are copied in record batches of UPGRADE_BATCH_ROWS, so memory stays bounded by the
    batch and DuckDB's memory_limit, not the size of the store.
    """
    with writer_lock(path, "upgrade"):
        return _upgrade(path, progress)


def _upgrade(path: Path | str, progress: Progress | None) -> bool:
    """upgrade's work, with the writer lock held (build_streaming takes it again: re-entrant)."""
    if schema_version(path) >= SCHEMA_VERSION:
        return False
    rebuild(path, progress)
    return True


def rebuild(path: Path | str, progress: Progress | None = None, marts: MartBuilder | None = None) -> None:
    """Rebuild a store from its own canonical tables (marts by build_marts unless marts is given); atomic."""
    with writer_lock(path, "rebuild"):
        con = connect_fresh(path)
        try:
            try:
                meta = read_meta(con)
            except duckdb.CatalogException:
                meta = {}
        finally:
            con.close()
        observed_to = dt.date.fromisoformat(meta["observed_to"]) if "observed_to" in meta else None
        build_streaming(
            path,
            copy_tables(path),
            source=meta.get("source", "unknown"),
            observed_to=observed_to,
            progress=progress,
            marts=marts,
        )


def copy_tables(path: Path | str) -> Fill:
    """A fill copying every canonical table of the store at path (record batches of UPGRADE_BATCH_ROWS)."""

    def copy(loader: Loader, say: Progress) -> None:
        old = connect_fresh(path)
        try:
            for i, table in enumerate(TABLES):
                say(f"copying {table}", i / len(TABLES))
                # table names from the fixed list above
                for batch in old.sql(f"select * from {table}").to_arrow_reader(UPGRADE_BATCH_ROWS):
                    loader.append(table, pa.Table.from_batches([batch]))
        finally:
            old.close()

    return copy


def populate(
    con: duckdb.DuckDBPyConnection,
    tables: Mapping[str, pd.DataFrame],
    *,
    source: str,
    observed_to: dt.date | None = None,
    progress: Progress | None = None,
) -> dt.date:
    """Create the schema in an empty database, load tables, build marts and meta; the observation end."""
    create_schema(con)
    loaded = [t for t in TABLES if t in tables]
    for i, table in enumerate(loaded):
        if progress:
            progress(f"loading {table}", 0.5 * i / max(len(loaded), 1))
        insert_frame(con, table, tables[table])
    observed_to = observed_to or infer_observed_to(con)

    def marts_progress(message: str, fraction: float) -> None:
        if progress:
            progress(message, 0.5 + 0.45 * fraction)

    build_marts(con, observed_to, marts_progress)
    write_meta(con, source, observed_to)
    if progress:
        progress("done", 1.0)
    return observed_to


def build_store(
    path: Path | str,
    tables: Mapping[str, pd.DataFrame],
    *,
    source: str,
    observed_to: dt.date | None = None,
    progress: Progress | None = None,
) -> None:
    """Write a complete store to a new file and swap it in atomically, keeping the old one as *.prev."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(path, "build"), _new_file(path, copy=False) as con:
        populate(con, tables, source=source, observed_to=observed_to, progress=progress)


@contextlib.contextmanager
def appending_in_background(
    append: Callable[[str, pd.DataFrame], None],
) -> Iterator[Callable[[str, pd.DataFrame], None]]:
    """An append(table, frame) that hands each chunk to one worker thread calling `append`, so DuckDB
    inserts a chunk while Python makes the next (at most two chunks wait); on leaving, every chunk is
    in, and the first error of the worker is raised here."""
    chunks: queue.Queue = queue.Queue(maxsize=2)
    errors: list[BaseException] = []

    def work() -> None:
        while (item := chunks.get()) is not None:
            if not errors:
                try:
                    append(*item)
                except BaseException as exc:  # handed to the caller below
                    errors.append(exc)

    def hand_over(table: str, frame: pd.DataFrame) -> None:
        if errors:
            raise errors[0]
        chunks.put((table, frame))

    worker = threading.Thread(target=work, name="lendrisk-append", daemon=True)
    worker.start()
    try:
        yield hand_over
    finally:
        chunks.put(None)
        worker.join()
    if errors:
        raise errors[0]


class Loader:
    """Appends canonical rows chunk by chunk to a store being built; ordered tables wait in a stage file.

    Tables with a STORED_ORDER collect in an attached scratch database (`stage`) and are moved in,
    sorted by DuckDB (spilling to disk under its memory limit), by finish(); the others go straight in,
    and so do the tables whose producer hands their chunks over in the stored order (arrive_ordered).
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, stage: Path) -> None:
        self.con, self.stage = con, stage
        self.staged: list[str] = []
        self.ordered: set[str] = set()
        self.finished = False
        con.execute("attach $path as stage", {"path": str(stage)})

    def arrive_ordered(self, *tables: str) -> None:
        """Promise that every chunk of these tables comes in STORED_ORDER, each after the one before
        (the producer sorts them): they are appended as they come, never staged or sorted."""
        if set(tables) & set(self.staged):
            raise ValueError(f"{', '.join(tables)}: rows were staged already")
        self.ordered.update(tables)

    def append(self, table: str, frame: pd.DataFrame | pa.Table) -> None:
        """Append one chunk of a canonical table."""
        if table not in STORED_ORDER or table in self.ordered:
            insert_frame(self.con, table, frame, in_order=table in self.ordered)
            return
        if self.finished:
            raise ValueError(f"{table}: rows come after the staged tables were moved in")
        if table not in self.staged:
            # table names from the fixed lists above
            self.con.execute(f"create table stage.{table} as select * from main.{table} limit 0")
            self.staged.append(table)
        insert_frame(self.con, table, frame, into=f"stage.{table}")

    def finish(self, progress: Progress | None = None) -> None:
        """Move the staged tables in, each sorted by its STORED_ORDER; drop the stage (once)."""
        if self.finished:
            return
        for i, table in enumerate(t for t in TABLES if t in self.staged):
            if progress:
                progress(f"ordering {table}", i / max(len(self.staged), 1))
            order = STORED_ORDER[table]
            self.con.execute(f"insert into main.{table} select * from stage.{table} order by {order}")
            self.con.execute(f"drop table stage.{table}")
        self.con.execute("detach stage")
        _remove(self.stage)
        self.finished = True


def build_streaming(
    path: Path | str,
    fill: Fill,
    *,
    source: str,
    observed_to: dt.date | None = None,
    progress: Progress | None = None,
    marts: MartBuilder | None = None,
) -> None:
    """Write a store from row chunks (fill appends them to a Loader), then marts and meta; atomic swap.

    The marts are built by build_marts (DuckDB) unless another MartBuilder is given.

    Memory is bounded by the chunks fill hands over and by DuckDB's memory_limit (BUILD_MEMORY_LIMIT):
    the ordering of staged tables and the marts spill to a temporary directory beside the store.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _msg, _frac: None)
    stage = path.with_name(f"{path.name}.stage-{os.getpid()}")
    _remove(stage)
    try:
        with writer_lock(path, "build"), _new_file(path, copy=False) as con:
            create_schema(con)
            loader = Loader(con, stage)
            fill(loader, lambda message, fraction: say(message, 0.6 * fraction))
            loader.finish(lambda message, fraction: say(message, 0.6 + 0.1 * fraction))
            observed_to = observed_to or infer_observed_to(con)
            (marts or build_marts)(
                con, observed_to, lambda message, fraction: say(message, 0.7 + 0.28 * fraction)
            )
            write_meta(con, source, observed_to)
            say("done", 1.0)
    finally:
        _remove(stage)


def replace_tables(path: Path | str, tables: Mapping[str, pd.DataFrame]) -> None:
    """Swap in a copy of a current store whose standalone tables (users) hold the given rows, marts kept."""
    path = Path(path)
    if not tables.keys() <= STANDALONE_TABLES.keys():
        raise ValueError(f"only {', '.join(STANDALONE_TABLES)} can change without a rebuild")
    if schema_version(path) != SCHEMA_VERSION:
        raise ValueError(f"{path}: an older store is rebuilt, not patched (store.upgrade)")
    with writer_lock(path, "account change"), _new_file(path, copy=True) as con:
        meta = read_meta(con)
        for table, frame in tables.items():
            con.execute(f"delete from {table}")  # table from the fixed list above
            insert_frame(con, table, frame)
        write_meta(con, meta["source"], dt.date.fromisoformat(meta["observed_to"]))


@contextlib.contextmanager
def _new_file(path: Path, *, copy: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable connection on a new file beside path (a copy of path when copy), swapped in on success."""
    tmp = path.with_name(f"{path.name}.building-{os.getpid()}")
    spill = path.with_name(f"{path.name}.spill-{os.getpid()}")
    _remove(tmp)
    try:
        if copy:
            shutil.copyfile(path, tmp)
        con = duckdb.connect(str(tmp), config=BUILD_CONFIG | {"temp_directory": str(spill)})
        try:
            yield con
            con.execute("checkpoint")
        finally:
            con.close()
        swap_in(tmp, path)
    finally:
        _remove(tmp)
        shutil.rmtree(spill, ignore_errors=True)


def swap_in(new: Path, path: Path) -> None:
    """Atomically replace path by new; the replaced store stays as path.prev (a hard link)."""
    with open(new, "rb") as fh:
        os.fsync(fh.fileno())
    os.chmod(new, FILE_MODE)
    prev = path.with_name(path.name + ".prev")
    if path.exists():
        _remove(prev)
        os.link(path, prev)
    os.replace(new, path)
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def read_tables(path: Path | str, tables: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
    """Every canonical table of a store as DataFrames (for export and incremental import), as the file
    is now (connect_fresh)."""
    con = connect_fresh(path)
    try:
        return {t: con.execute(f"select * from {t}").df() for t in tables}
    finally:
        con.close()


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()
