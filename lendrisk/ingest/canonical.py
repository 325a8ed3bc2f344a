"""Canonical files: read CSV (UTF-8, UTF-8 with BOM, GBK) and Parquet into tables; export a store."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lendrisk import export, store
from lendrisk.ingest.validate import (
    KEYS,
    ROW,
    ROW_INDEX,
    SPECS,
    Sink,
    ValidationFailed,
    coerce_table,
)

# File name endings by format; the table is the file name before its first dot (loans.csv.gz -> loans).
SUFFIXES: tuple[tuple[str, str], ...] = (
    (".csv.gz", "csv"),
    (".csv", "csv"),
    (".parquet", "parquet"),
)
ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (a BOM is dropped), else GBK (GB18030 is its superset)
EXPORT_ORDER: dict[str, tuple[str, ...]] = {
    **KEYS,
    "repayments": ("loan_id", "paid_on"),
    "loan_events": ("loan_id", "event_on"),
}


def table_name(path: Path | str) -> tuple[str, str | None]:
    """The table a file holds (its lower-cased name before the first dot) and its format (None: unknown)."""
    name = Path(path).name.lower()
    fmt = next((f for suffix, f in SUFFIXES if name.endswith(suffix)), None)
    return name.split(".", 1)[0], fmt


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (with or without BOM), else GBK; UnicodeDecodeError if neither."""
    for encoding in ENCODINGS[:-1]:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode(ENCODINGS[-1])


def read_raw(paths: Sequence[Path | str]) -> dict[str, pd.DataFrame]:
    """Canonical files as tables of untyped cells (CSV: text), indexed by spreadsheet row (header = 1).

    Each frame's attrs['file'] is its file name. Raises ValidationFailed when a file is missing,
    unreadable or empty, has an unsupported type or unknown table name, or repeats another file's table.
    """
    sink = Sink()
    tables: dict[str, pd.DataFrame] = {}
    for path in map(Path, paths):
        table, fmt = table_name(path)
        sink.files[table] = path.name
        if fmt is None:
            sink.add_table(table, None, "unsupported_file_type", value=path.name)
        elif table not in SPECS:
            sink.add_table(table, None, "unknown_table", {"tables": ", ".join(SPECS)}, table)
        elif table in tables:
            sink.add_table(table, None, "second_file", {"table": table, "first": tables[table].attrs["file"]})
        elif not path.is_file():
            sink.add_table(table, None, "file_not_found")
        else:
            frame = _read_one(path, fmt, table, sink)
            if frame is not None:
                frame.attrs["file"] = path.name
                tables[table] = frame
    if sink.total:
        raise ValidationFailed(sink.result())
    return tables


def _read_one(path: Path, fmt: str, table: str, sink: Sink) -> pd.DataFrame | None:
    """One file's cells, or None after reporting why it cannot be read."""
    if fmt == "parquet":
        try:
            frame = pq.read_table(path).to_pandas()
            return frame.set_axis(pd.RangeIndex(2, len(frame) + 2, name=ROW_INDEX))
        except (pa.ArrowException, OSError) as exc:
            sink.add_table(table, None, "unreadable_parquet", {"error": str(exc)})
            return None
    data = path.read_bytes()
    try:
        if path.name.lower().endswith(".gz"):
            data = gzip.decompress(data)
        text = decode(data)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        sink.add_table(table, None, "unreadable_file", {"error": str(exc)})
        return None
    if not text.strip():
        sink.add_table(table, None, "empty_file")
        return None
    try:
        # No header inference, so that a row longer than the header is an error, not an index column;
        # blank lines are read so that row numbers match the file, then dropped.
        cells = pd.read_csv(
            io.StringIO(text), header=None, dtype=str, keep_default_na=False, skip_blank_lines=False
        )
    except (pd.errors.ParserError, ValueError) as exc:
        sink.add_table(table, None, "unreadable_csv", {"error": str(exc)})
        return None
    header = [str(c).strip().lower() for c in cells.iloc[0].fillna("")]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        sink.add_table(table, ", ".join(repeated), "repeated_column")
        return None
    frame = cells.iloc[1:].set_axis(header, axis=1).set_axis(pd.RangeIndex(2, len(cells) + 1, name=ROW_INDEX))
    return frame[(frame.fillna("") != "").any(axis=1)]


def read_files(paths: Sequence[Path | str]) -> dict[str, pd.DataFrame]:
    """Canonical CSV/Parquet files as typed tables by file name stem, indexed by spreadsheet row.

    Raises ValidationFailed for unreadable files, unknown table names, missing required columns and
    cells of the wrong type. Unknown columns are dropped. Cross-table rules are validate()'s.
    """
    raw = read_raw(paths)
    sink = Sink({t: f.attrs["file"] for t, f in raw.items()})
    typed = {t: coerce_table(t, f, sink) for t, f in raw.items()}
    if sink.total:
        raise ValidationFailed(sink.result())
    return {t: f.set_index(ROW).rename_axis(ROW_INDEX) for t, f in typed.items()}


def read_canonical(paths: Sequence[Path]) -> tuple[dict[str, pd.DataFrame], dt.date | None]:
    """The 'canonical' adapter: untyped tables (validated on import) and no observation end."""
    return read_raw(paths), None


def export_store(db: Path | str, out_dir: Path | str, fmt: str = "csv") -> list[Path]:
    """Write every canonical table of a store as out_dir/<table>.csv (UTF-8, ISO dates) or .parquet."""
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown export format {fmt!r} (csv or parquet)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table, frame in store.read_tables(db).items():
        typed = coerce_table(table, frame, None, from_store=True).drop(columns=ROW)
        typed = typed.sort_values(list(EXPORT_ORDER[table]), kind="stable", ignore_index=True)
        path = out / f"{table}.{fmt}"
        if fmt == "csv":
            _csv_cells(table, typed).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        else:
            pq.write_table(_arrow_table(table, typed), path)
        os.chmod(path, store.FILE_MODE)  # users holds password hashes; the rest is the platform's data
        written.append(path)
    return written


def _csv_cells(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A typed table as CSV text: dates YYYY-MM-DD, amounts with 2 decimals, booleans true/false."""
    cells = {}
    for col in SPECS[table]:
        s = frame[col.name]
        if col.kind == "date":
            s = s.dt.strftime("%Y-%m-%d")
        elif col.kind == "amount":
            s = s.map("{:.2f}".format, na_action="ignore")
        elif col.kind == "bool":
            s = s.map({True: "true", False: "false"})
        elif col.kind == "text":  # a formula-like note gets an apostrophe; import takes it off again
            s = s.map(export.neutralise, na_action="ignore")
        cells[col.name] = s.astype("str")
    return pd.DataFrame(cells)


def _arrow_table(table: str, frame: pd.DataFrame) -> pa.Table:
    """A typed table as Arrow: dates date32, amounts float64 with 2 decimals."""
    arrays = {}
    for col in SPECS[table]:
        array = pa.Array.from_pandas(frame[col.name])
        arrays[col.name] = array.cast(pa.date32()) if col.kind == "date" else array
    return pa.table(arrays)
