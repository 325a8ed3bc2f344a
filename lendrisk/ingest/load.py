"""The validated import every adapter ends in: new rows are checked together with the store's other
rows (docs/design.md §2) and the store is rebuilt, or, for accounts alone, patched; a bad file
changes nothing (the store is only ever opened read-only until the new file is swapped in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lendrisk import store
from lendrisk.ingest.validate import ROW, SPECS, Problem, Sink, ValidationFailed, check_rules, coerce_table
from lendrisk.vocab import last_month_end

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
    if progress:
        progress("validating", 0.05)
    new, warnings = _coerce_new(tables, names, sink)
    patch = _accounts_only(db, new)
    had_rows, combined = _combined(db, new, mode, sink, patch)
    if observed_to is None and had_rows and (mode == "append" or not DATED_TABLES.keys() & new.keys()):
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


def _coerce_new(
    tables: Mapping[str, pd.DataFrame], names: Mapping[str, str], sink: Sink
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """The input frames typed by their table's columns, and a warning per file with unknown columns.

    An unknown table (or a column type that cannot be read) raises ValidationFailed at once.
    """
    new: dict[str, pd.DataFrame] = {}
    warnings: list[Problem] = []
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
    return new, warnings


def _accounts_only(db: Path, new: Mapping[str, pd.DataFrame]) -> bool:
    """Whether only accounts change in a current store: validate them against the investors alone and
    patch a copy of the store instead of rebuilding it."""
    return (
        bool(new)
        and db.exists()
        and new.keys() <= store.STANDALONE_TABLES.keys()
        and store.schema_version(db) == store.SCHEMA_VERSION
    )


def _combined(
    db: Path, new: Mapping[str, pd.DataFrame], mode: str, sink: Sink, patch: bool
) -> tuple[bool, dict[str, pd.DataFrame]]:
    """(whether the store had rows, the store's rows with the new ones appended or swapped in), checked
    against every rule; ValidationFailed on any problem."""
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
    return bool(existing), combined


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
