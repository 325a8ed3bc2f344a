"""What changed this month: each alert fires on a hand-built platform where the move is known (tests/
platforms.py), is ranked by how far past its threshold it is, and stays quiet in a usual month."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from lendrisk import alerts

JANUARY, DECEMBER = dt.date(2024, 1, 31), dt.date(2024, 12, 31)


@pytest.fixture
def config():
    """The shipped thresholds with every segment judged however few loans it holds."""
    cfg = copy.deepcopy(alerts.thresholds())
    cfg["roll"]["min_loans"] = cfg["cure"]["min_loans"] = 1
    return cfg


def rows(frame):
    """(kind, subject, value, usual, severity, page) tuples, rounded to 4 places."""
    return [
        (r.kind, r.subject, round(r.value, 4), round(r.usual, 4), round(r.severity, 4), r.page)
        for r in frame.itertuples()
    ]


def test_the_shipped_thresholds():
    cfg = alerts.thresholds()
    assert cfg["roll"] == {"baseline_months": 12, "sd_multiple": 2.0, "min_gap": 0.05, "min_loans": 20}
    assert cfg["reserve"]["min_coverage"] == 1.0 and cfg["industry"]["margin"] == 0.0


def test_a_roll_rate_jump_and_a_cure_rate_fall(roll_con, config):
    # January 2024: both 1-30 loans of December rolled into 31-60 (rate 1), in every month before
    # none did (mean 0, sd 0: the edge of the usual range is min_gap 5 pp, so severity 1 / 0.05 = 20);
    # the cure rate fell from 1 to 0 the same way. 4 of 120 loans overdue (3.33 %) against 2 %.
    assert rows(alerts.manager_alerts(roll_con, JANUARY, config)) == [
        ("roll", "C", 1.0, 0.0, 20.0, "pages/vintages.py"),
        ("cure", "1-30", 0.0, 1.0, 20.0, "pages/vintages.py"),
        ("industry", "", 0.0333, 0.02, 1.6667, "pages/why.py"),
    ]


def test_a_usual_month_only_has_the_industry_gap(roll_con, config):
    # December 2024: eleven months of rolling make it the usual range; 6 / 120 = 5 % against 2 %
    assert rows(alerts.manager_alerts(roll_con, DECEMBER, config)) == [
        ("industry", "", 0.05, 0.02, 2.5, "pages/why.py"),
    ]


def test_too_few_loans_are_not_judged(roll_con):
    assert list(alerts.manager_alerts(roll_con, JANUARY)["kind"]) == ["industry"]


def test_a_vintage_above_every_earlier_one(vintage_con, config):
    config["vintage"] |= {"grain": "month", "recent": 12}
    found = alerts.manager_alerts(vintage_con, DECEMBER, config)
    vintages = found[found["kind"] == "vintage"]
    # June 2024 at 6 months on book: 3 of 10 loans defaulted against 1 of 10 for every earlier month
    assert rows(vintages) == [("vintage", "2024-06-01", 0.3, 0.1, 3.0, "pages/vintages.py")]
