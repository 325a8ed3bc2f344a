"""Import into the store and export from it (docs/design.md §2): the adapters by source format and
the entry points; the validated import itself is lendrisk.ingest.load, and a bad file changes nothing.

Source formats are adapters: fmt -> reader(paths) -> (tables, observed_to or None). 'canonical' reads
the canonical CSV/Parquet files; source-specific adapters register below.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from lendrisk import store
from lendrisk.ingest.canonical import export_store, read_canonical, read_files
from lendrisk.ingest.load import ImportReport, import_tables
from lendrisk.ingest.validate import MAX_PROBLEMS, Problem, Problems, ValidationFailed, validate

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
