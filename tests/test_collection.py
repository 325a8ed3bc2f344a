"""Collections on the tiny platform (hand-computed from tests/tiny.py) and the next-step rule."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from lendrisk import collection, risk, sql, store

MARCH, JULY, YEAR_END = dt.date(2024, 3, 31), dt.date(2024, 7, 31), dt.date(2024, 12, 31)


def test_queue_in_march(tiny_con) -> None:
    queue = collection.collection_queue(tiny_con, MARCH)
    el = risk.expected_loss(tiny_con, MARCH).set_index("loan_id")["el"]
    # ranked by expected loss: L3 (2,000 at DPD 21) before L1 (708 at DPD 16)
    assert queue["loan_id"].tolist() == ["L3", "L1"]
    assert queue["el"].tolist() == pytest.approx([el["L3"], el["L1"]])
    assert queue["state"].tolist() == ["1-30", "1-30"]
    assert queue["dpd"].tolist() == [21, 16]
    assert queue["past_due_amount"].tolist() == [1020.0, 308.0]
    # L3 was called on 03-15 (16 days before), L1 reminded on 03-20 (11 days)
    assert queue["days_since_contact"].tolist() == [16, 11]
    assert queue["last_contact_kind"].tolist() == ["call", "reminder"]
    # L3 was already called: it climbs to a visit; L1 was reminded and gets a call
    assert queue["next_step"].tolist() == ["visit", "call"]


def test_queue_later_in_the_year(tiny_con) -> None:
    june = collection.collection_queue(tiny_con, dt.date(2024, 6, 30))
    # L3 at DPD 112 (visit 05-02, 59 days ago), no lawsuit yet -> file one
    assert june[["loan_id", "dpd", "days_since_contact", "next_step"]].values.tolist() == [
        ["L3", 112, 59, "file_lawsuit"]
    ]
    july = collection.collection_queue(tiny_con, JULY)
    assert july["next_step"].tolist() == ["await_judgment"]  # filed 07-01
    assert collection.collection_queue(tiny_con, YEAR_END).empty  # L3 charged off in September


def test_frame_of_gives_the_frame_run_gives(tiny_con) -> None:
    # The queue reads its rows through Arrow (sql.frame_of): the frame run makes, dtypes included: text,
    # dates (datetime64[us], NaT for no lawsuit), nullable days since contact and, at 03-31, where no
    # row has a lawsuit, the all-null legal dates; at 07-31 L3 is 90+, sued 07-01, 2 contacts so far.
    for day in (MARCH, dt.date(2024, 4, 30), JULY):
        got = sql.frame_of(sql.run_arrow(tiny_con, "collection_queue", {"as_of": day}))
        pd.testing.assert_frame_equal(
            got, sql.run(tiny_con, "collection_queue", {"as_of": day}), check_exact=True
        )
    july = sql.frame_of(sql.run_arrow(tiny_con, "collection_queue", {"as_of": JULY}))
    assert july[["loan_id", "state", "contacts", "days_since_contact"]].values.tolist() == [
        ["L3", "90+", 2, 90]
    ]
    assert july["legal_filed_on"].tolist() == [pd.Timestamp("2024-07-01")]
    # a text column with no value at all is object (None), as DuckDB's .df() makes it
    empty_text = tiny_con.sql("select cast(null as varchar) as kind, 1 as n").to_arrow_table()
    assert sql.frame_of(empty_text)["kind"].dtype == object
    assert sql.frame_of(empty_text)["kind"].tolist() == [None]


def test_next_step_rule() -> None:
    rows = pd.DataFrame(
        {
            "state": ["1-30", "1-30", "31-60", "61-90", "61-90", "90+", "90+", "90+", "1-30"],
            "days_since_contact": [None, 3, 20, None, 2, 1, 40, 40, 30],
            "last_contact_kind": [
                None,
                "reminder",
                "reminder",
                None,
                "visit",
                "call",
                "visit",
                "visit",
                "visit",
            ],
            "legal_filed_on": [
                None,
                None,
                None,
                None,
                None,
                None,
                dt.date(2024, 1, 1),
                dt.date(2024, 1, 1),
                None,
            ],
            "judgment_on": [None, None, None, None, None, None, None, dt.date(2024, 3, 1), None],
        }
    )
    assert collection.next_step(rows).tolist() == [
        "reminder",  # M1, never contacted
        "await_promise",  # reminded 3 days ago
        "call",  # M2
        "visit",  # M3
        "await_promise",  # visited 2 days ago
        "file_lawsuit",  # 90+ even when just called
        "await_judgment",
        "enforce",
        "visit",  # M1 again after a visit: never step down the ladder
    ]


def test_cure_rates(tiny_con) -> None:
    # two spells both starting 2024-03-31: L1 (overdue since 03-15, reminder 03-20, paid off by 04-30)
    # cured; L3 (since 03-10, call 03-15) rolled to 90+ by 06-30
    spells = collection.delinquency_spells(tiny_con, YEAR_END)
    assert spells[["loan_id", "first_action", "days_to_first_contact", "cured"]].values.tolist() == [
        ["L1", "reminder", 5, True],
        ["L3", "call", 5, False],
    ]
    by_action = collection.cure_by_first_action(tiny_con, YEAR_END).set_index("first_action")
    assert by_action.loc["reminder", ["spells", "cured"]].tolist() == [1, 1]
    assert by_action.loc["reminder", "cure_rate"] == 1.0
    assert by_action.loc["call", "cure_rate"] == 0.0
    assert pd.isna(by_action.loc["visit", "cure_rate"])
    by_delay = collection.cure_by_contact_delay(tiny_con, YEAR_END).set_index("delay")
    assert by_delay.loc["4-7", ["spells", "cured", "cure_rate"]].tolist() == [2, 1, 0.5]
    assert by_delay["spells"].sum() == 2
    # spells need 3 months to cure: in April the March spells are not counted yet
    assert collection.delinquency_spells(tiny_con, dt.date(2024, 4, 30)).empty


def test_legal_pipeline_and_recovery_curve(tiny_con) -> None:
    # L3: filed 07-01 with 2,000 outstanding, judgment 10-20, 300 recovered 11-15
    pipeline = collection.legal_pipeline(tiny_con, YEAR_END)
    assert pipeline.values.tolist() == [
        ["filed", 1, 2000.0, 300.0],
        ["judgment", 1, 2000.0, 300.0],
        ["recovered", 1, 2000.0, 300.0],
    ]
    september = collection.legal_pipeline(tiny_con, dt.date(2024, 9, 30))
    assert september["loans"].tolist() == [1, 0, 0]
    # charged off in September with 2,000 written off; 300 comes in November (2 months on)
    curve = collection.recovery_curve(tiny_con, YEAR_END)
    assert curve["cohort"].tolist() == [2024] * 4
    assert curve["months_since_charge_off"].tolist() == [0, 1, 2, 3]
    assert curve["recovery_rate"].tolist() == [0.0, 0.0, 0.15, 0.15]
    assert collection.recovery_curve(tiny_con, JULY).empty


SPELL_COLUMNS = (
    "loan_id, start_month_end, overdue_since, first_action, first_action_on, days_to_first_contact, cured"
)


def spell_rows(con) -> list[tuple]:
    """Every row of the delinquency_spell mart, dates as text, in its key order."""
    rows = con.execute(f"select {SPELL_COLUMNS} from delinquency_spell order by loan_id, start_month_end")
    return [tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row) for row in rows.fetchall()]


def test_delinquency_spell_mart_holds_one_row_per_spell(tiny_con) -> None:
    # grain: loan x start month-end. The tape has two spells, both first seen 2024-03-31: L1 (DPD 16,
    # overdue since 03-15, reminder 03-20, paid off 04-30: cured); L3 (DPD 21, since 03-10, call 03-15,
    # 90+ at 06-30 and charged off 09-30: its visit 05-02 and lawsuit 07-01 come after the first action)
    assert spell_rows(tiny_con) == [
        ("L1", "2024-03-31", "2024-03-15", "reminder", "2024-03-20", 5, True),
        ("L3", "2024-03-31", "2024-03-10", "call", "2024-03-15", 5, False),
    ]
    assert store.MARTS.index("delinquency_spell") > store.MARTS.index("loan_month")


def test_a_spell_at_the_observation_end_is_not_cured(tiny_frames) -> None:
    # Observed only to 2024-03-31: L1's tape ends overdue, it has no next month-end, so no cure (yet)
    con = duckdb.connect()
    try:
        store.populate(con, tiny_frames, source="tiny to March", observed_to=dt.date(2024, 3, 31))
        assert [(r[0], r[3], r[6]) for r in spell_rows(con)] == [
            ("L1", "reminder", False),
            ("L3", "call", False),
        ]
    finally:
        con.close()


def test_cure_counts_and_queue_top(tiny_con) -> None:
    # the two 03-31 spells, both first contacted 5 days after falling due, one cured
    counts = collection.cure_counts(tiny_con, YEAR_END)
    assert counts.values.tolist() == [["call", 5, 1, 0], ["reminder", 5, 1, 1]]
    queue = collection.collection_queue(tiny_con, MARCH)  # L3 then L1
    top, total = collection.queue_top(queue, ["1-30"], rows=1)
    assert top["loan_id"].tolist() == ["L3"] and total == 2
    top, total = collection.queue_top(queue, ["31-60", "61-90"])
    assert top.empty and total == 0


def test_collection_cash_before_the_charge_off(tiny_frames) -> None:
    # L3 also pays collection cash before its charge-off (09-06): 50 principal on 06-20, before the
    # lawsuit (07-01), and 80 + 20 on 08-20, after it. The recovery_payment mart holds only the 300 of
    # 11-15, so the queries read collection cash from repayments (recoveries_complete is False).
    paid = pd.DataFrame(
        [
            ("L3", dt.date(2024, 6, 20), 50.0, 0.0, 0.0, "collection"),
            ("L3", dt.date(2024, 8, 20), 80.0, 20.0, 0.0, "collection"),
        ],
        columns=tiny_frames["repayments"].columns,
    )
    tiny_frames["repayments"] = pd.concat([tiny_frames["repayments"], paid], ignore_index=True)
    con = duckdb.connect()
    try:
        store.populate(con, tiny_frames, source="tiny+collection", observed_to=YEAR_END)
        assert collection.recoveries_complete(con) is False
        # claim at filing: 3,000 - 1,000 (02-10) - 50 (06-20) = 1,950; since filing 100 + 300 = 400
        assert collection.legal_pipeline(con, YEAR_END).values.tolist() == [
            ["filed", 1, 1950.0, 400.0],
            ["judgment", 1, 1950.0, 400.0],
            ["recovered", 1, 1950.0, 400.0],
        ]
        # at 09-30 only the 08-20 payment is in and the judgment (10-20) is still to come
        assert collection.legal_pipeline(con, dt.date(2024, 9, 30)).values.tolist() == [
            ["filed", 1, 1950.0, 100.0],
            ["judgment", 0, 0.0, 0.0],
            ["recovered", 1, 1950.0, 100.0],
        ]
        # cash before the charge-off counts at month 0: 150, then 450 from November, of 2,000
        curve = collection.recovery_curve(con, YEAR_END)
        assert curve["recovered"].tolist() == [150.0, 150.0, 450.0, 450.0]
        assert curve["recovery_rate"].tolist() == [0.075, 0.075, 0.225, 0.225]
    finally:
        con.close()


def test_recoveries_complete_on_the_tiny_platform(tiny_con) -> None:
    # its one collection payment (L3, 300 on 11-15) follows the charge-off (09-06): the mart holds it
    assert collection.recoveries_complete(tiny_con) is True


def test_rank_order_keeps_loan_id_order_among_ties() -> None:
    # rows as the query returns them (loan_id order); ranked by el desc (missing last), dpd desc, loan_id
    queue = pd.DataFrame(
        {
            "loan_id": ["A", "B", "C", "D", "E", "F"],
            "el": [5.0, float("nan"), 7.0, 5.0, 5.0, 0.0],
            "dpd": [10, 95, 3, 40, 10, 1],
        }
    )
    # C (7); then the three at 5: D (dpd 40), then A and E (dpd 10, A first); F (0); B (no el) last
    assert queue["loan_id"].take(collection.rank_order(queue)).tolist() == ["C", "D", "A", "E", "F", "B"]
