"""Post-loan collection: the work queue of overdue loans ranked by expected loss with a next step by
a documented rule, cure rates by first action and by days to first contact, the legal pipeline and
the recovery curve after charge-off.

Amounts are currency units (floats), rates fractions 0..1, dates calendar dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lendrisk import cache, risk, sql
from lendrisk.vocab import OVERDUE_BUCKETS

# The collection ladder: the step each bucket calls for, and the step each kind of contact stands for.
LADDER: tuple[str, ...] = ("reminder", "call", "visit", "file_lawsuit")
BUCKET_STEP: dict[str, int] = {bucket: n for n, bucket in enumerate(OVERDUE_BUCKETS)}
CONTACT_STEP: dict[str, int] = {"reminder": 0, "call": 1, "promise_to_pay": 1, "visit": 2}
RECENT_CONTACT_DAYS = 7
NEXT_STEPS: tuple[str, ...] = (
    "reminder",
    "call",
    "visit",
    "file_lawsuit",
    "await_promise",
    "await_judgment",
    "enforce",
)
FIRST_ACTIONS: tuple[str, ...] = ("reminder", "call", "visit", "promise_to_pay", "legal_filed", "none")
CONTACT_DELAYS: tuple[tuple[str, int, int], ...] = (  # band, first day, last day (inclusive)
    ("0-3", 0, 3),
    ("4-7", 4, 7),
    ("8-14", 8, 14),
    ("15-30", 15, 30),
    ("31+", 31, 10**6),
)
# what risk.loan_expected_loss prices a queue row by
PRICE_INPUTS: tuple[str, ...] = (
    "grade",
    "product",
    "state",
    "dpd",
    "remaining_months",
    "outstanding_principal",
)
QUEUE_SHOWN = 200  # queue rows on screen: the highest expected loss first (the CSV has every row)
CURE_MONTHS = 3  # queries/collection_spells.sql: a spell is cured within 3 month-ends
SPELL_LOOKBACK_MONTHS = 24


def next_step(queue: pd.DataFrame) -> pd.Series:
    """The next collection step of each queue row (columns state, days_since_contact,
    last_contact_kind, legal_filed_on, judgment_on), by this rule, first match wins:

    1. a judgment is on record → "enforce" (enforce the judgment);
    2. a lawsuit is filed → "await_judgment";
    3. over 90 days past due → "file_lawsuit";
    4. contacted in the last 7 days → "await_promise" (give the contact time to work);
    5. otherwise climb the ladder reminder → call → visit: the step the bucket calls for (M1
       reminder, M2 call, M3 visit), or one above the last contact when that is higher
       (a loan still overdue after a call gets a visit, not another reminder), at most a visit.
    """
    bucket = _positions(queue["state"], tuple(BUCKET_STEP))  # a bucket's position (BUCKET_STEP)
    steps = np.array([*CONTACT_STEP.values(), -1])  # a kind's step; -1 (the last) for none or another kind
    last = steps[_positions(queue["last_contact_kind"], tuple(CONTACT_STEP))]
    climbed = np.minimum(np.maximum(bucket, last + 1), 2)  # a position in LADDER (at most a visit)
    ladder = np.array([NEXT_STEPS.index(s) for s in LADDER])[climbed]
    days = queue["days_since_contact"].astype("Float64")
    recent = (days <= RECENT_CONTACT_DAYS).fillna(False).to_numpy(bool)
    step = np.select(
        [
            queue["judgment_on"].notna().to_numpy(),
            queue["legal_filed_on"].notna().to_numpy(),
            bucket == BUCKET_STEP["90+"],
            recent,
        ],
        [NEXT_STEPS.index(s) for s in ("enforce", "await_judgment", "file_lawsuit", "await_promise")],
        ladder,
    )  # positions in NEXT_STEPS, made text by Arrow (a numpy array of text to pandas is 10x slower)
    labels = pa.DictionaryArray.from_arrays(pa.array(step, pa.int8()), pa.array(NEXT_STEPS))
    return labels.dictionary_decode().to_pandas().set_axis(queue.index).rename("next_step")


def _positions(values: pd.Series, labels: tuple[str, ...]) -> np.ndarray:
    """The position of each value in labels, -1 for a missing value or another label (Arrow's
    index_in: ten times pandas' get_indexer on half a million rows of text)."""
    found = pc.index_in(pa.array(values, from_pandas=True), value_set=pa.array(labels))
    return found.fill_null(-1).to_numpy(zero_copy_only=False)


def collection_queue(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per loan overdue at month-end as_of, highest expected loss first: bucket (state), DPD,
    outstanding and past-due amounts, pd (by IFRS 9 stage), lgd, el (risk.expected_loss), contacts,
    last contact and days since, legal dates and next_step (see next_step)."""
    params = {"as_of": as_of}
    table = sql.run_arrow(con, "collection_queue", params)  # the collection_month mart's month-end rows
    if table.num_rows == 0:
        return _ranked(con, as_of, sql.run(con, "collection_queue", params))  # run's empty frame
    # price and rank on the columns that need it, then put the Arrow rows in rank order and make the
    # frame once (taking half a million rows of text in pandas costs more than in Arrow)
    inputs = sql.frame_of(table.select(list(PRICE_INPUTS)))
    priced = risk.loan_expected_loss(con, as_of, inputs)  # only the overdue loans, not the whole book
    order = rank_order(pd.concat([inputs["dpd"], priced["el"]], axis=1))
    rows = sql.frame_of(table.drop_columns(["remaining_months"]).combine_chunks().take(order))
    queue = pd.concat([rows, priced.take(order).reset_index(drop=True)], axis=1)
    queue["next_step"] = next_step(queue)
    return queue


def _ranked(con: duckdb.DuckDBPyConnection, as_of: dt.date, queue: pd.DataFrame) -> pd.DataFrame:
    """collection_queue's frame from the query's rows as a frame (loan_id order): priced, stepped, ranked."""
    priced = risk.loan_expected_loss(con, as_of, queue)
    queue = pd.concat([queue.drop(columns="remaining_months"), priced], axis=1)
    queue["next_step"] = next_step(queue) if len(queue) else pd.Series(dtype="string")
    return queue.take(rank_order(queue)).reset_index(drop=True)


def rank_order(queue: pd.DataFrame) -> np.ndarray:
    """Row positions of a collection_queue frame (rows in loan_id order, as the query returns them)
    by el descending (missing last), then dpd descending, then loan_id: a stable sort on el and dpd
    keeps the loan_id order among ties, as sort_values(["el", "dpd", "loan_id"]) would."""
    el = queue["el"].to_numpy(float)
    missing = np.isnan(el)
    return np.lexsort((-queue["dpd"].to_numpy(np.int64), -np.where(missing, 0.0, el), missing))


def queue_top(
    queue: pd.DataFrame, buckets: Sequence[str], rows: int | None = None
) -> tuple[pd.DataFrame, int]:
    """The first rows (QUEUE_SHOWN) loans of a ranked collection_queue in the given buckets, and how
    many it has in them."""
    rows = QUEUE_SHOWN if rows is None else rows
    chosen = queue[queue["state"].isin(list(buckets))]
    return chosen.head(rows), len(chosen)


def delinquency_spells(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, lookback_months: int = SPELL_LOOKBACK_MONTHS
) -> pd.DataFrame:
    """One row per delinquency spell started in the window with 3 months to cure by as_of: first
    action, days to first contact and whether it cured (queries/collection_spells.sql)."""
    return sql.run(con, "collection_spells", {"as_of": as_of, "lookback_months": lookback_months})


def cure_counts(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, lookback_months: int = SPELL_LOOKBACK_MONTHS
) -> pd.DataFrame:
    """One row per first action x days to first contact of the spells delinquency_spells returns:
    spells, cured (queries/collection_cure_counts.sql, from the delinquency_spell mart)."""
    return sql.run(con, "collection_cure_counts", {"as_of": as_of, "lookback_months": lookback_months})


def _cure_table(counts: pd.DataFrame, by: str, order: tuple[str, ...]) -> pd.DataFrame:
    """Spells, cured spells and cure rate per value of column by of cure counts, in the given order
    (empty groups kept)."""
    grouped = counts.groupby(by)[["spells", "cured"]].sum()
    frame = grouped.reindex(list(order), fill_value=0).rename_axis(by).reset_index()
    frame["spells"] = frame["spells"].astype(int)
    frame["cured"] = frame["cured"].astype(int)
    frame["cure_rate"] = (frame["cured"] / frame["spells"].where(frame["spells"] > 0)).astype(float)
    return frame


def cure_by_first_action(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, lookback_months: int = SPELL_LOOKBACK_MONTHS
) -> pd.DataFrame:
    """One row per first action (reminder … legal_filed, none): spells, cured, cure_rate (3 months)."""
    return _cure_table(cure_counts(con, as_of, lookback_months), "first_action", FIRST_ACTIONS)


def cure_by_contact_delay(
    con: duckdb.DuckDBPyConnection, as_of: dt.date, lookback_months: int = SPELL_LOOKBACK_MONTHS
) -> pd.DataFrame:
    """One row per band of days from overdue to first contact (0-3 … 31+, none): spells, cured, cure_rate."""
    counts = cure_counts(con, as_of, lookback_months)
    days = counts["days_to_first_contact"]
    band = pd.Series("none", index=counts.index, dtype="object")
    for name, first, last in CONTACT_DELAYS:
        band[(days >= first) & (days <= last)] = name
    return _cure_table(counts.assign(delay=band), "delay", (*(b[0] for b in CONTACT_DELAYS), "none"))


def recoveries_complete(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the recovery_payment mart holds every collection repayment (none is paid before its
    loan's charge-off or of a loan never charged off), once per store version (cache.memo): the
    legal pipeline and the recovery curve then read collection cash there instead of scanning every
    repayment."""
    return cache.memo(
        con,
        "recoveries_complete",
        (),
        lambda: int(sql.run(con, "collection_payments_not_recoveries")["payments"].iloc[0]) == 0,
    )


def legal_pipeline(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Three rows (filed, judgment, recovered): loans, claim at filing, recovered since filing."""
    params = {"as_of": as_of, "recoveries_complete": recoveries_complete(con)}
    return sql.run(con, "collection_legal_pipeline", params)


def recovery_curve(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per month since charge-off (0..24): loans observed, principal, recovered, recovery_rate."""
    params = {"as_of": as_of, "recoveries_complete": recoveries_complete(con)}
    return sql.run(con, "collection_recovery_curve", params)
