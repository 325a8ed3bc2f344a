"""Administration glue for the Data page: import uploaded canonical files through lendrisk.ingest (as the
CLI does: validated, atomic, under the store's writer lock). Accounts are lendrisk.accounts.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from lendrisk import ingest, store

UPLOAD_SUFFIXES = (".csv", ".parquet")


def problems_frame(error: ingest.ValidationFailed, lang: str = "en") -> pd.DataFrame:
    """One row per reported problem: file, row (header = 1), column, rule, value; rule and file in lang."""
    return pd.DataFrame(
        [
            {
                "file": p.file_in(lang),
                "row": p.row,
                "column": p.column,
                "rule": p.rule_in(lang),
                "value": p.value,
            }
            for p in error.problems
        ],
        columns=["file", "row", "column", "rule", "value"],
    ).astype({"row": "Int64"})


def import_uploads(
    db: Path | str,
    files: Sequence[tuple[str, bytes]],
    mode: str = "append",
    progress: store.Progress | None = None,
) -> ingest.ImportReport:
    """Import uploaded canonical files (name, content) like `lendrisk import`: every problem raises
    ingest.ValidationFailed and leaves the store untouched; otherwise the store is rebuilt atomically.

    File names must be <table>.csv or <table>.parquet; only the base name of a name is used.
    """
    with tempfile.TemporaryDirectory(prefix="lendrisk-upload-") as folder:
        paths = []
        for name, content in files:
            path = Path(folder) / Path(name).name
            path.write_bytes(content)
            paths.append(path)
        return ingest.import_paths(db, paths, fmt="canonical", mode=mode, progress=progress)
