"""AppTest of the Collections page on the tiny store: queue, cure rates, legal pipeline and recovery
curve shown equal lendrisk.collection's results."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pandas as pd
import pytest
from apptest_helpers import download_data, figures, keep_downloads, open_page, texts, values
from tiny import OBSERVED_TO, d, tiny_tables

from lendrisk import auth, collection, fmt, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

MARCH, YEAR_END = dt.date(2024, 3, 31), dt.date(2024, 12, 31)


def test_queue_in_march(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/collections.py", as_of=MARCH)
    assert not at.exception
    con = store.connect(tiny_db, read_only=True)
    queue = collection.collection_queue(con, MARCH)
    con.close()
    table = at.dataframe[0].value
    assert table["Loan"].tolist() == ["L3", "L1"]
    assert table["Expected loss"].tolist() == pytest.approx(queue["el"].tolist())
    assert table["Overdue bucket"].tolist() == ["M1 (1–30 days)", "M1 (1–30 days)"]
    assert table["Days since last contact"].tolist() == ["16", "11"]
    assert table["Last contact"].tolist() == ["Phone call", "Reminder"]
    assert table["Next step"].tolist() == ["Visit", "Call"]
    shown = {m.label: m.value for m in at.metric}
    assert shown["Overdue loans"] == "2"
    assert shown["Expected loss in the queue"] == fmt.money(queue["el"].sum(), "en", compact=True)
    assert shown["Not contacted for 30+ days"] == "0"
    # the bucket filter
    at.multiselect(key="queue_buckets-en").set_value(["31-60"]).run()
    assert at.dataframe[0].value.empty


def test_cures_legal_and_recoveries_at_year_end(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/collections.py", as_of=YEAR_END)
    assert not at.exception
    by_action, by_delay, legal, recovery = (f["data"][0] for f in figures(at))
    # L1 (reminder first) cured, L3 (call first) did not; both were contacted 5 days after falling due
    action = dict(zip(values(by_action["x"]), values(by_action["y"]), strict=True))
    assert action["Reminder"] == 1.0 and action["Phone call"] == 0.0
    delay = dict(zip(values(by_delay["x"]), values(by_delay["y"]), strict=True))
    assert delay["4–7 days"] == 0.5
    assert values(legal["x"]) == [1, 1, 1]
    assert values(legal["y"]) == ["Lawsuit filed", "Judgment", "Money recovered"]
    assert values(recovery["y"]) == [0.0, 0.0, 0.15, 0.15]
    assert "Claims at filing ¥2,000.00; recovered since filing ¥300.00 (15.0%)." in texts(at)
    assert {m.label: m.value for m in at.metric}["Lawsuits filed"] == "1"


def test_the_queue_shows_its_top_and_the_whole_queue_on_request(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one row on screen: L3 (the higher expected loss) of the two overdue loans; the CSV of both
    # only when asked for
    monkeypatch.setattr(collection, "QUEUE_SHOWN", 1)
    keep_downloads(monkeypatch)
    at = open_page(tiny_db, monkeypatch, "manager", "pages/collections.py", as_of=MARCH)
    assert not at.exception
    assert at.dataframe[0].value["Loan"].tolist() == ["L3"]
    assert "The 1 loans with the highest expected loss of the 2 in the chosen buckets" in texts(at)
    assert {m.label: m.value for m in at.metric}["Overdue loans"] == "2"  # the KPIs count every loan
    with pytest.raises(AssertionError, match="no download"):
        download_data(at, "collection_queue_2024-03_all")
    at.toggle(key="queue_full").set_value(True).run()
    _, content = download_data(at, "collection_queue_2024-03_all")
    lines = content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["L3", "L1"]


def test_chinese(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(tiny_db, monkeypatch, "manager", "pages/collections.py", as_of=MARCH, lang="zh")
    assert not at.exception
    table = at.dataframe[0].value
    assert table["下一步"].tolist() == ["上门催收", "电话催收"]
    assert "贷后催收" in texts(at)


def with_second_charge_off() -> dict[str, pd.DataFrame]:
    """The tiny platform plus L4 (1,000, 2024-05-01, held by I2): never pays, charged off 11-05 with
    1,000 written off, 900 recovered by collection on 11-20."""
    tables = tiny_tables()
    loan = (
        tables["loans"]
        .iloc[[0]]
        .assign(loan_id="L4", grade="C", originated_on=d("2024-05-01"), principal=1000.0)
    )
    tables["loans"] = pd.concat([tables["loans"], loan], ignore_index=True)
    schedule = pd.DataFrame(
        [
            ("L4", 1, d("2024-06-01"), 500.0, 10.0),
            ("L4", 2, d("2024-07-01"), 250.0, 5.0),
            ("L4", 3, d("2024-08-01"), 250.0, 2.5),
        ],
        columns=tables["schedule"].columns,
    )
    tables["schedule"] = pd.concat([tables["schedule"], schedule], ignore_index=True)
    paid = pd.DataFrame(
        [("L4", d("2024-11-20"), 900.0, 0.0, 0.0, "collection")], columns=tables["repayments"].columns
    )
    tables["repayments"] = pd.concat([tables["repayments"], paid], ignore_index=True)
    event = pd.DataFrame(
        [("L4", d("2024-11-05"), "charged_off", 1000.0, None)], columns=tables["loan_events"].columns
    )
    tables["loan_events"] = pd.concat([tables["loan_events"], event], ignore_index=True)
    held = pd.DataFrame([("H6", "I2", "L4", 1000.0, d("2024-05-01"))], columns=tables["holdings"].columns)
    tables["holdings"] = pd.concat([tables["holdings"], held], ignore_index=True)
    tables["users"] = auth.demo_user_rows({"investor1": "I1", "investor2": "I2", "investor3": "I2"})
    return tables


def test_cumulative_recovery_curve_never_falls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "two_charge_offs.duckdb"
    store.build_store(db, with_second_charge_off(), source="tiny+L4", observed_to=OBSERVED_TO)
    at = open_page(db, monkeypatch, "manager", "pages/collections.py", as_of=YEAR_END)
    assert not at.exception
    (curve,) = figures(at)[3]["data"]
    # pooling whoever was observed long enough would read 0.30, 0.30 (L3 and L4: 900 / 3,000), then
    # 0.15 at months 2-3 (L3 alone: 300 / 2,000): a falling "cumulative" curve. The 2024 cohort is
    # drawn only for the months both loans were observed (L4: Nov -> Dec = 1 month).
    assert curve["name"] == "Charged off in 2024"
    assert values(curve["x"]) == [0, 1]
    assert values(curve["y"]) == pytest.approx([0.3, 0.3])
    assert values(curve["customdata"]) == [2, 2]
    ys = values(curve["y"])
    assert all(b >= a for a, b in itertools.pairwise(ys))
