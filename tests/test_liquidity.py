"""Liquidity and the reserve on the tiny platform (hand-computed from tests/tiny.py) and on small
hand-made matrices."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lendrisk import cache, liquidity, risk, sql, vocab

MARCH = dt.date(2024, 3, 31)
# roll rates at 2024-03-31 (12-month window): from current 9,400 of balance, 2,800 slipped to 1-30
A = 2800 / 9400


def test_reserve_history(tiny_con) -> None:
    history = liquidity.reserve_history(tiny_con, dt.date(2024, 7, 31))
    assert len(history) == 7 and set(history["balance"]) == {10000.0}
    # the reserve bought L3 out on 06-10: 2,000 principal + 20 interest
    assert history["guarantor_paid"].tolist() == [0, 0, 0, 0, 0, 2020.0, 0]


def test_reach_90plus_on_a_hand_made_matrix() -> None:
    matrices = np.zeros((len(vocab.GRADES) + 1, 7, 7))
    for g in range(len(matrices)):
        p = matrices[g]
        p[0, 0], p[0, 1], p[0, 5] = 0.8, 0.1, 0.1  # current
        p[1, 0], p[1, 2] = 0.5, 0.5  # 1-30 cures or rolls
        p[2, 3] = p[3, 4] = 1.0
        p[4, 6] = 1.0  # 90+ charges off (made absorbing at 90+ for buy-outs)
        p[5, 5] = p[6, 6] = 1.0
    reach = risk.reach_90plus(
        matrices, np.array([0, 0, 0]), np.array([1, 0, 4]), np.array([12, 12, 0]), months=5
    )
    # from 1-30: half rolls 31-60 -> 61-90 -> 90+ by month 3; the cured half slips again (10 %)
    # in month 2 and half of that rolls on to 90+ in month 5
    assert reach[0].tolist() == pytest.approx([0, 0, 0, 0.5, 0.5, 0.5 + 0.5 * 0.1 * 0.5])
    # from current: 10 % to 1-30 in month 1, half of it 90+ by month 4; in month 2 another 8 %
    # (0.8 x 0.1) slips, half of it 90+ by month 5
    assert reach[1].tolist() == pytest.approx([0, 0, 0, 0, 0.05, 0.05 + 0.04])
    # already 90+: reached from the start, even with nothing left to pay
    assert reach[2].tolist() == [1.0] * 6


def test_expected_buyouts_in_march(tiny_con) -> None:
    # L3 (reserve, 2,000 exposure, M1, 1 installment left): M1 and M2 were never seen to roll out of,
    # so the matrix rolls them forward: 31-60 at April, 61-90 at May, 90+ at June -> bought out then
    flows = liquidity.expected_buyouts(tiny_con, MARCH, shock_pp=2.0)
    assert flows["month_end"].tolist()[:3] == [
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
        dt.date(2024, 6, 30),
    ]
    assert flows["base"].tolist() == pytest.approx([0, 0, 2000] + [0] * 9)
    assert flows["cumulative_base"].iloc[-1] == pytest.approx(2000)
    # unemployment never moved in the tiny store: no sensitivity, the stress changes nothing
    assert flows["stressed"].tolist() == pytest.approx(flows["base"].tolist())


def test_reserve_outlook(tiny_con) -> None:
    outlook = liquidity.reserve_outlook(tiny_con, MARCH)
    assert outlook["balance"] == 10000.0
    assert outlook["guaranteed_exposure"] == 2000.0
    assert outlook["buyouts_base"] == pytest.approx(2000)
    # 10,000 against 2,000 / 12 a month = 60 months
    assert outlook["months_of_coverage_base"] == pytest.approx(60)
    # after the buy-out nothing guaranteed is left: coverage is unlimited
    july = liquidity.reserve_outlook(tiny_con, dt.date(2024, 7, 31))
    assert july["buyouts_base"] == 0.0 and july["months_of_coverage_base"] == float("inf")


def test_projected_collections_in_march(tiny_con) -> None:
    frame = liquidity.projected_collections(tiny_con, MARCH)
    # April: L1 404 (04-15), L3 1,010 (04-10), L2 24 (04-01); May, June: L2 24; July: L2 24;
    # August: L2 2,424 (08-01)
    assert frame["contractual"].tolist() == pytest.approx([1438, 24, 24, 24, 2424] + [0] * 7)
    # L2 (current, 5 installments left) reaches 90+ only after slipping to 1-30 and rolling 3 more
    # months: P(90+ by July) = A, by August = A + (1 - A) A; M1 loans are not 90+ in April
    expected = [1438, 24, 24, 24 * (1 - A), 2424 * (1 - A) ** 2] + [0] * 7
    assert frame["expected_base"].tolist() == pytest.approx(expected)


def test_projected_collections_read_the_schedule_once_per_store_version(tiny_db_con, monkeypatch) -> None:
    # on a store file the contractual payments are kept (cache.memo): a second shock reruns only the
    # matrices; the figures are March's on paper (test above) for both shocks
    calls, run = [], sql.run

    def counted(con, name, params=None):
        calls.append(name)
        return run(con, name, params)

    monkeypatch.setattr(sql, "run", counted)
    monkeypatch.setattr(cache, "_MEMO", {})
    for shock in (0.0, 2.0):
        frame = liquidity.projected_collections(tiny_db_con, MARCH, shock)
        assert frame["contractual"].tolist() == pytest.approx([1438, 24, 24, 24, 2424] + [0] * 7)
    assert calls.count("reserve_scheduled_collections") == 1


def test_buyout_flows_use_the_90plus_trigger_not_charge_off() -> None:
    # a matrix where 90+ never charges off (half cures, half stays): charge-off PD 0, yet the reserve
    # pays at 90+. Current never slips; 1-30 cures half, the other half rolls 31-60 -> 61-90 -> 90+.
    matrices = np.zeros((len(risk.GRADES) + 1, 7, 7))
    matrices[:, 0, 0] = 1.0
    matrices[:, 1, 0] = matrices[:, 1, 2] = 0.5
    matrices[:, 2, 3] = matrices[:, 3, 4] = 1.0
    matrices[:, 4, 0] = matrices[:, 4, 4] = 0.5
    matrices[:, 5, 5] = matrices[:, 6, 6] = 1.0
    exposure = pd.DataFrame(
        {
            "grade": ["A", "B"],
            "state": ["90+", "1-30"],
            "remaining_months": [0, 12],
            "exposure": [1000.0, 500.0],
        }
    )
    # 1,000 already 90+ is due in month 1; half of 500 reaches 90+ in month 3 (31-60, 61-90, 90+)
    assert risk.buyout_flows(exposure, matrices, 5).tolist() == pytest.approx([1000, 0, 250, 0, 0])


def test_coverage_and_outlook_agree_on_expected_buyouts_every_month(tiny_con) -> None:
    # one definition: the coverage the EL pages use and the reserve page's 12-month buy-outs (L3's).
    # Jan: no transition yet, every row rolls forward: L3 (3,000, current) is 90+ in month 4.
    # Feb: the only transitions (Jan -> Feb) are current -> current, so current L3 (2,000) never slips.
    # Mar-May: L3 (2,000) is 1-30, 31-60, 61-90 and its next rows were never seen: it rolls to 90+.
    # Jun on: bought out on 06-10, no claim left.
    expected = [3000.0, 0.0, 2000.0, 2000.0, 2000.0] + [0.0] * 7
    for month, buyouts in zip(range(1, 13), expected, strict=True):
        as_of = (pd.Timestamp(2024, month, 1) + pd.offsets.MonthEnd(0)).date()
        coverage = risk.reserve_coverage(tiny_con, as_of)["expected_buyouts"]
        assert coverage == liquidity.reserve_outlook(tiny_con, as_of)["buyouts_base"] == buyouts
