"""What the store holds: table sizes, dates covered, provenance and originations per month."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from lendrisk import fmt, i18n, sql, store


@dataclass(frozen=True)
class StoreSummary:
    """One store: row counts per table (frame table_name, row_count), its dates and provenance."""

    row_counts: pd.DataFrame
    first_originated_on: dt.date | None
    last_originated_on: dt.date | None
    observed_to: dt.date | None
    source: str
    built_at: dt.datetime | None
    schema_version: str


def _date(value: object) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def store_summary(con: duckdb.DuckDBPyConnection) -> StoreSummary:
    """Rows per canonical table and mart (store.TABLES + store.MARTS order), date span and meta entries.

    The counts come from meta, written with every build and every patch of the store file.
    """
    cur = con.cursor()
    try:
        meta = store.read_meta(cur)
    finally:
        cur.close()
    span = sql.run(con, "store_span").iloc[0]
    built_at = meta.get("built_at")
    observed_to = meta.get("observed_to")
    return StoreSummary(
        row_counts=pd.DataFrame(
            {
                "table_name": list(store.TABLES + store.MARTS),
                "row_count": [int(meta.get(f"rows.{t}", 0)) for t in store.TABLES + store.MARTS],
            }
        ),
        first_originated_on=_date(span["first_originated_on"]),
        last_originated_on=_date(span["last_originated_on"]),
        observed_to=dt.date.fromisoformat(observed_to) if observed_to else None,
        source=meta.get("source", ""),
        built_at=dt.datetime.fromisoformat(built_at) if built_at else None,
        schema_version=meta.get("schema_version", ""),
    )


def originations_by_month(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per origination month up to as_of: month (first day), loans, principal (currency units)."""
    return sql.run(con, "originations_by_month", {"as_of": as_of})


DEMO_SOURCE = re.compile(r"demo platform \(seed (\d+), (\d+) loans\)")


def source_label(source: str, lang: str) -> str:
    """The store's provenance in the interface language: the demo's "demo platform (seed 7, 40000
    loans)" is translated with its figures; an imported source is shown as recorded."""
    demo = DEMO_SOURCE.fullmatch(source or "")
    if demo is None:
        return source
    seed, loans = (int(g) for g in demo.groups())
    return i18n.t("store.source_demo", lang, seed=seed, loans=fmt.number(loans, lang))
