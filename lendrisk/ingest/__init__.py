"""Validated import into the store and export from it (docs/design.md §2); a bad file changes nothing.

Source formats are adapters: fmt -> reader(paths) -> (tables, observed_to or None). 'canonical' reads
the canonical CSV/Parquet files; source-specific adapters register below.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lendrisk import store
from lendrisk.ingest.canonical import export_store, read_canonical, read_files
from lendrisk.ingest.validate import (
    MAX_PROBLEMS,
    ROW,
    SPECS,
    Problem,
    Problems,
    Sink,
    ValidationFailed,
    check_rules,
    coerce_table,
    validate,
)
from lendrisk.vocab import last_month_end

__all__ = [
    "ADAPTERS",
    "MAX_PROBLEMS",
    "ImportReport",
    "Problem",
    "Problems",
    "ValidationFailed",
    "export_store",
    "import_paths",
    "import_tables",
    "read_files",
    "validate",
]

Reader = Callable[[Sequence[Path]], tuple[dict[str, pd.DataFrame], dt.date | None]]
MODES = ("append", "replace")
# The dates the store infers its observation end from (store.infer_observed_to).
DATED_TABLES = {"loans": "originated_on", "repayments": "paid_on", "loan_events": "event_on"}


@dataclass
class ImportReport:
    """What an import did: rows added per table, rows per table afterwards, files read, the store path."""

    db: Path
    source: str
    mode: str
    files: list[str]
    added: dict[str, int]  # rows taken from the input per table (appended, or a replaced table's rows)
    totals: dict[str, int]  # rows per canonical table and mart (loan_month) in the new store
    observed_to: dt.date
    warnings: list[Problem] = field(default_factory=list)  # not errors: file + rule, as problems

    def __str__(self) -> str:
        added = ", ".join(f"{t} +{n}" for t, n in self.added.items()) or "nothing"
        lines = [f"{self.mode}: {added} into {self.db} (observed to {self.observed_to.isoformat()})"]
        return "\n".join(lines + [f"warning: {w}" for w in self.warnings])


def import_tables(
    db: Path | str,
    tables: Mapping[str, pd.DataFrame],
    *,
    source: str,
    observed_to: dt.date | None = None,
    mode: str = "append",
    files: Mapping[str, str] | None = None,
    progress: store.Progress | None = None,
) -> ImportReport:
    """Validate tables together with the store's other rows and rebuild the store; shared by every adapter.

    mode 'append' adds the rows to the store's tables, 'replace' swaps the named tables. Any problem
    raises ValidationFailed before the store file is touched (it is only ever opened read-only).
    observed_to None: an append (or a replace of tables without loan, payment or event dates) keeps the
    store's observation end unless the data reach a later month-end; otherwise the store infers it.
    files maps table -> file name for messages (default: each frame's attrs['file'], else the table).
    The whole read-validate-write holds the store's writer lock (store.writer_lock): a second writer
    waits, so no change read before this one swapped its file in is lost.
    """
    with store.writer_lock(db, f"import ({mode})"):
        return _import_locked(
            db, tables, source=source, observed_to=observed_to, mode=mode, files=files, progress=progress
        )


def _import_locked(
    db: Path | str,
    tables: Mapping[str, pd.DataFrame],
    *,
    source: str,
    observed_to: dt.date | None,
    mode: str,
    files: Mapping[str, str] | None,
    progress: store.Progress | None,
) -> ImportReport:
    """import_tables with the writer lock held."""
    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r} (one of {', '.join(MODES)})")
    db = Path(db)
    names = {t: (files or {}).get(t) or f.attrs.get("file") or t for t, f in tables.items()}
    sink = Sink(names)
    warnings: list[Problem] = []
    if progress:
        progress("validating", 0.05)
    new: dict[str, pd.DataFrame] = {}
    for table, frame in tables.items():
        if table not in SPECS:
            sink.structural = True
            sink.add_table(table, None, "unknown_table", {"tables": ", ".join(SPECS)}, table)
            continue
        known = {c.name for c in SPECS[table]}
        ignored = [str(c) for c in frame.columns if c not in known]
        if ignored:
            warnings.append(
                Problem.of(names[table], None, None, "ignored_columns", {"columns": ", ".join(ignored)})
            )
        new[table] = coerce_table(table, frame, sink)
    if sink.structural:
        raise ValidationFailed(sink.result())
    # Only accounts change: validate them against the investors alone and patch a copy of the store.
    patch = (
        bool(new)
        and db.exists()
        and new.keys() <= store.STANDALONE_TABLES.keys()
        and store.schema_version(db) == store.SCHEMA_VERSION
    )
    needed = (
        tuple(sorted({*new, *(p for t in new for p in store.STANDALONE_TABLES[t])}))
        if patch
        else store.TABLES
    )
    existing = store.read_tables(db, needed) if db.exists() else {}
    combined = {}
    for table in needed:
        keep_old = table in existing and (mode == "append" or table not in new)
        old = coerce_table(table, existing[table], sink, from_store=True) if keep_old else None
        parts = [p for p in (old, new.get(table)) if p is not None]
        if parts:
            combined[table] = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    check_rules(combined, sink)
    if sink.total:
        raise ValidationFailed(sink.result())
    if observed_to is None and existing and (mode == "append" or not DATED_TABLES.keys() & new.keys()):
        observed_to = _kept_observed_to(db, combined)

    def building(message: str, fraction: float) -> None:
        if progress:
            progress(message, 0.1 + 0.9 * fraction)

    clean = {t: f.drop(columns=ROW) for t, f in combined.items()}
    if patch:
        store.replace_tables(db, {t: clean[t] for t in new})
    else:
        store.build_store(db, clean, source=source, observed_to=observed_to, progress=building)
    con = store.connect_fresh(db)
    try:
        meta = store.read_meta(con)
    finally:
        con.close()
    return ImportReport(
        db=db,
        source=source,
        mode=mode,
        files=[names[t] for t in new],
        added={t: len(f) for t, f in new.items()},
        totals={t: int(meta[f"rows.{t}"]) for t in store.TABLES + store.MARTS},
        observed_to=dt.date.fromisoformat(meta["observed_to"]),
        warnings=warnings,
    )


def _kept_observed_to(db: Path, tables: Mapping[str, pd.DataFrame]) -> dt.date:
    """The store's observation end, moved later when the data reach a later month-end (never earlier)."""
    con = store.connect_fresh(db)
    try:
        current = dt.date.fromisoformat(store.read_meta(con)["observed_to"])
    finally:
        con.close()
    dates = [tables[t][c].max() for t, c in DATED_TABLES.items() if t in tables]
    latest = max((d for d in dates if pd.notna(d)), default=None)
    return current if latest is None else max(current, last_month_end(latest.date()))


def import_paths(
    db: Path | str,
    paths: Sequence[Path | str],
    *,
    fmt: str = "canonical",
    mode: str = "append",
    progress: store.Progress | None = None,
) -> ImportReport:
    """Read files with the fmt adapter and import them (see import_tables); ValidationFailed on a problem."""
    if fmt not in ADAPTERS:
        raise ValueError(f"unknown import format {fmt!r} (one of {', '.join(ADAPTERS)})")
    if progress:
        progress("reading files", 0.0)
    tables, observed_to = ADAPTERS[fmt]([Path(p) for p in paths])
    return import_tables(db, tables, source=fmt, observed_to=observed_to, mode=mode, progress=progress)


ADAPTERS: dict[str, Reader] = {"canonical": read_canonical}

# --- Source adapters ---------------------------------------------------------------------------------
# lendrisk/ingest/<fmt>.py defines read_tables(paths) -> (canonical tables, observed_to or None) and is
# registered here as ADAPTERS[<fmt>] when the module exists. Frames may carry attrs['file'] and an index
# named 'row' (spreadsheet row numbers) so that problems point into the source file.
for _fmt in ("lendingclub", "prosper"):
    try:
        ADAPTERS[_fmt] = importlib.import_module(f"lendrisk.ingest.{_fmt}").read_tables
    except ModuleNotFoundError as _exc:
        if _exc.name != f"lendrisk.ingest.{_fmt}":
            raise
