"""Cause attribution: each hand-built platform of tests/platforms.py recovers its one effect, the
others are zero, and the bars always sum to the observed change (a property test on random books)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from platforms import D0, D1

from lendrisk import attribution

PP = 0.001  # 0.1 percentage point, as a fraction


def bars(result: attribution.Attribution) -> dict[str, float]:
    """The bars of a result by name."""
    return dict(zip(result.bars["bar"], result.bars["value"], strict=True))


def only(result: attribution.Attribution, bar: str, expected: float) -> None:
    """The named bar equals expected within 0.1 pp and every other bar is 0 (to 1e-12)."""
    values = bars(result)
    assert values[bar] == pytest.approx(expected, abs=PP)
    assert values[bar] == pytest.approx(expected, abs=1e-12)  # exact on these platforms
    assert {k: v for k, v in values.items() if k != bar} == pytest.approx(
        {k: 0.0 for k in values if k != bar}, abs=1e-12
    )
    assert sum(values.values()) == pytest.approx(result.end_rate - result.start_rate, abs=1e-15)


def test_only_growth_is_all_growth(growth_con):
    result = attribution.attribute(growth_con, D0, D1)
    assert result.start_rate == pytest.approx(6 / 120)
    assert result.end_rate == pytest.approx(21 / 510)
    only(result, "growth", 21 / 510 - 6 / 120)  # -0.8824 pp
    # the growth-adjusted rate is D1's rates by age at D0's age mix: back to 5 %
    assert result.growth_adjusted_rate == pytest.approx(6 / 120)
    assert result.end_rate - result.growth_adjusted_rate == pytest.approx(bars(result)["growth"])


def test_only_growth_lagged_rates(growth_con):
    at_end = attribution.growth_rates(growth_con, D1)
    assert at_end == pytest.approx(
        {"plain": 21 / 510, "lagged_3": 21 / 315, "lagged_6": 21 / 165, "vintage": 6 / 120}
    )
    at_start = attribution.growth_rates(growth_con, D0)
    assert at_start == pytest.approx(
        {"plain": 6 / 120, "lagged_3": 6 / 90, "lagged_6": 6 / 60, "vintage": 6 / 120}
    )


def test_only_a_mix_shift_is_all_grade_mix(mix_con):
    result = attribution.attribute(mix_con, D0, D1)
    assert (result.start_rate, result.end_rate) == pytest.approx((6 / 240, 9 / 240))
    only(result, "mix_grade", 0.0125)


def test_only_a_roll_rate_shift_is_all_collections(roll_con):
    result = attribution.attribute(roll_con, D0, D1)
    assert (result.start_rate, result.end_rate) == pytest.approx((2 / 120, 6 / 120))
    only(result, "collections", 2 / 120 * (3 - 1))
    assert result.macro_reason == "not_identified"  # flat unemployment: the bar is there, at 0
    assert result.unemployment_change_pp == 0.0


def test_only_a_roll_rate_shift_in_the_m3plus_rate_is_zero(roll_con):
    result = attribution.attribute(roll_con, D0, D1, "m3plus")
    assert (result.start_rate, result.end_rate) == (0.0, 0.0)
    assert bars(result) == pytest.approx(dict.fromkeys(attribution.BARS, 0.0))


def test_without_a_macro_series_the_macro_bar_is_absent(roll_con_no_macro):
    result = attribution.attribute(roll_con_no_macro, D0, D1)
    assert "macro" not in bars(result)
    assert result.macro_reason == "no_series" and result.unemployment_change_pp is None
    only(result, "collections", 2 / 120 * 2)


def test_bad_dates_are_refused(roll_con):
    with pytest.raises(ValueError, match="must come after"):
        attribution.attribute(roll_con, D1, D0)
    with pytest.raises(ValueError, match="no active loans at 2021-12-31"):
        attribution.attribute(roll_con, pd.Timestamp("2021-12-31").date(), D1)


def test_occupancy_of_a_chain():
    # 1-30 -> 31-60 half the time (else cures), 31-60 -> 61-90 always, 61-90 cures: 1 + 0.5 + 0.5
    matrix = np.zeros((7, 7))
    matrix[1, 0] = matrix[1, 2] = 0.5
    matrix[2, 3] = 1.0
    matrix[3, 0] = 1.0
    assert attribution.overdue_occupancy(matrix, "overdue") == pytest.approx(2.0)
    assert attribution.overdue_occupancy(matrix, "m3plus") == 0.0


def test_fixed_mix_matrices_ignore_a_grade_shift():
    # grade A: 1-30 cures; grade E: 1-30 rolls. Period 2 has 3x the E balance: at one mix, same rows.
    before, during = np.zeros((7, 5, 7)), np.zeros((7, 5, 7))
    before[0, 1, 0], before[4, 1, 2] = 100.0, 100.0
    during[0, 1, 0], during[4, 1, 2] = 100.0, 300.0
    p0, p1 = attribution.fixed_mix_matrices(before, during)
    # pooled over both periods: A 200, E 400 out of 1-30
    assert p0[1, 0] == pytest.approx(200 / 600) and p0[1, 2] == pytest.approx(400 / 600)
    np.testing.assert_allclose(p0, p1)


cell = st.tuples(
    st.integers(0, 3),  # age band
    st.sampled_from("AB"),
    st.sampled_from(["lt600", "ge750"]),
    st.sampled_from(["platform", "institution"]),
    st.sampled_from(["verified", "unknown"]),
    st.floats(0, 1e6),
    st.floats(0, 1),
    st.floats(0, 1e6),
    st.floats(0, 1),
)


# 10 random books in the fast loop, the full 200 in the slow run (about 65 ms a book).
@pytest.mark.parametrize("examples", [10, pytest.param(200, marks=pytest.mark.slow)])
def test_parts_always_sum_to_the_observed_change(examples: int) -> None:
    @settings(max_examples=examples, deadline=None)
    @given(st.lists(cell, min_size=1, max_size=30))
    def parts_sum_to_the_change(rows):
        frame = pd.DataFrame(
            rows, columns=["age_band", *attribution.MIX_DIMENSIONS, "b0", "s0", "b1", "s1"]
        ).assign(o0=lambda f: f["b0"] * f["s0"], o1=lambda f: f["b1"] * f["s1"])
        frame = frame.groupby(["age_band", *attribution.MIX_DIMENSIONS], as_index=False)[
            ["b0", "o0", "b1", "o1"]
        ].sum()
        if frame["b0"].sum() <= 0 or frame["b1"].sum() <= 0:
            return
        change = frame["o1"].sum() / frame["b1"].sum() - frame["o0"].sum() / frame["b0"].sum()
        parts = attribution.shift_share(frame)
        assert sum(parts.values()) == pytest.approx(change, abs=1e-9)
        end_rate = frame["o1"].sum() / frame["b1"].sum()
        growth = end_rate - attribution.growth_adjusted_rate(frame)
        assert growth == pytest.approx(parts["growth"], abs=1e-9)

    parts_sum_to_the_change()
