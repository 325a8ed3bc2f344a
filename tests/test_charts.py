"""lendrisk.charts: each figure plots the frame's own values, with the house layout's % and currency
formats, axis titles and legend; small hand-made frames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lendrisk import charts
from lendrisk.charts import Series

MONTHS = [dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)]


def test_month_chart_money_series() -> None:
    frame = pd.DataFrame({"month_end": MONTHS, "balance": [100.0, 90.0, 80.0], "paid": [0.0, 10.0, 5.0]})
    fig = charts.month_chart(
        frame,
        "month_end",
        [Series("balance", "Balance", "#111111", kind="area"), Series("paid", "Paid", "#222222", "bar")],
        x_title="Month",
        y_title="Amount (¥)",
        y_hover=charts.money_hover("¥"),
    )
    area, bars = fig.data
    assert (area.type, bars.type) == ("scatter", "bar")
    assert list(area.y) == [100.0, 90.0, 80.0] and list(bars.y) == [0.0, 10.0, 5.0]
    assert area.fill == "tozeroy" and bars.marker.color == "#222222"
    # month-ends drawn on the first day of their month
    assert [pd.Timestamp(x).date() for x in area.x] == [
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 1),
        dt.date(2024, 3, 1),
    ]
    assert area.hovertemplate == "%{x|%Y-%m}: ¥%{y:,.0f}<extra></extra>"
    assert fig.layout.hovermode == "x unified" and fig.layout.height == 400
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y == -0.25
    assert fig.layout.xaxis.tickformat == "%Y-%m" and fig.layout.xaxis.title.text == "Month"
    assert fig.layout.yaxis.title.text == "Amount (¥)" and fig.layout.yaxis.rangemode == "tozero"


def test_month_chart_one_trace_per_group_in_percent() -> None:
    frame = pd.DataFrame(
        {
            "month_end": MONTHS + MONTHS[:2],
            "bucket": ["31-60"] * 3 + ["61-90"] * 2,
            "cure_rate": [0.5, 0.25, 0.0, 1.0, 0.75],
        }
    )
    fig = charts.month_chart(
        frame,
        "month_end",
        [
            Series("cure_rate", b, "#333333", mode="lines+markers", rows=("bucket", b))
            for b in ("31-60", "61-90")
        ],
        x_title="Month",
        y_title="Cure rate",
        y_hover=charts.PCT1,
        unified=False,
        y_tickformat=".0%",
    )
    assert [t.name for t in fig.data] == ["31-60", "61-90"]
    assert list(fig.data[0].y) == [0.5, 0.25, 0.0] and list(fig.data[1].y) == [1.0, 0.75]
    assert fig.data[0].mode == "lines+markers"
    assert fig.layout.yaxis.tickformat == ".0%" and fig.layout.hovermode is None


def test_category_bars_with_labels_and_range() -> None:
    frame = pd.DataFrame({"label": ["M1", "M3+"], "before": [0.04, 0.01], "after": [0.03, 0.0]})
    fig = charts.category_bars(
        frame,
        "label",
        [Series("before", "Before", "#7b1010", "bar"), Series("after", "After", "#9e9e9e", "bar")],
        x_title=None,
        y_title="Rate",
        y_hover=charts.PCT2,
        text=lambda v: f"{v:.2%}",
        height=380,
        y_tickformat=".1%",
        y_range=(0, 0.048),
    )
    assert len(fig.data) == 2 and fig.layout.barmode == "group"
    assert list(fig.data[0].y) == [0.04, 0.01] and list(fig.data[1].text) == ["3.00%", "0.00%"]
    assert fig.data[0].hovertemplate == "%{x}: %{y:.2%}<extra></extra>"
    assert fig.layout.yaxis.tickformat == ".1%" and list(fig.layout.yaxis.range) == [0, 0.048]
    assert fig.layout.xaxis.type == "category" and fig.layout.height == 380 and fig.layout.legend.y == -0.2


def test_rates_chart_second_axis_only_when_given() -> None:
    frame = pd.DataFrame(
        {"month_end": MONTHS, "rate": [0.01, 0.02, 0.03], "unemployment_rate": [0.05, 0.05, 0.06]}
    )
    rate = [Series("rate", "Overdue rate", "#c0392b")]
    second = Series("unemployment_rate", "Unemployment", "#2c7fb8", dash="dot")
    both = charts.rates_chart(frame, "month_end", rate, second, x_title="M", y_title="R", second_title="U")
    assert [t.yaxis for t in both.data] == ["y", "y2"]
    assert list(both.data[1].y) == [0.05, 0.05, 0.06] and both.data[1].line.dash == "dot"
    assert both.layout.yaxis.tickformat == ".0%" and both.layout.yaxis2.tickformat == ".1%"
    assert list(both.layout.yaxis2.range) == pytest.approx([0, 0.078])
    alone = charts.rates_chart(frame, "month_end", rate, None, x_title="M", y_title="R", second_title="U")
    assert len(alone.data) == 1 and "yaxis2" not in alone.layout.to_plotly_json()


def test_money_bars_hover_and_currency_ticks() -> None:
    frame = pd.DataFrame({"el": [10.0, 200.0], "el_stressed": [12.5, 260.0]})
    fig = charts.money_bars(
        frame,
        ["Current", "90+"],
        [Series("el", "Before", "#90a4ae"), Series("el_stressed", "After", "#c62828")],
        lambda v: f"¥{v:,.2f}",
        "¥",
        "Bucket",
        "Expected loss (¥)",
    )
    assert [t.name for t in fig.data] == ["Before", "After"]
    assert list(fig.data[1].y) == [12.5, 260.0]
    assert list(fig.data[1].customdata) == ["After · Current: ¥12.50", "After · 90+: ¥260.00"]
    assert fig.layout.yaxis.tickprefix == "¥" and fig.layout.yaxis.tickformat == ",.0f"
    assert fig.layout.barmode == "group" and fig.layout.legend.y == 1.02


def test_share_bars_grow_with_rows() -> None:
    fig = charts.share_bars(
        ["B1", "B2", "B3"], pd.Series([0.5, 0.3, 0.2]), ["a", "b", "c"], "Share", "Borrower"
    )
    assert list(fig.data[0].x) == [0.5, 0.3, 0.2] and fig.data[0].orientation == "h"
    assert fig.layout.xaxis.tickformat == ".0%" and fig.layout.yaxis.autorange == "reversed"
    assert fig.layout.height == 120 + 32 * 3


def test_loss_histogram_marks() -> None:
    bins = pd.DataFrame({"loss_from": [0.0, 10.0], "loss_to": [10.0, 20.0], "share": [0.9, 0.1]})
    marks = [("Mean", 3.0, "#1565c0"), ("VaR 99", 15.0, "#b71c1c")]
    fig = charts.loss_histogram(bins, ["x", "y"], marks, "¥", "Loss", "Share of runs")
    assert list(fig.data[0].x) == [5.0, 15.0] and list(fig.data[0].width) == [10.0, 10.0]
    assert [(t.name, t.x[0]) for t in fig.data[1:]] == [("Mean", 3.0), ("VaR 99", 15.0)]
    assert [s.x0 for s in fig.layout.shapes] == [3.0, 15.0]
    assert fig.layout.yaxis.tickformat == ".1%" and fig.layout.xaxis.tickprefix == "¥"


def test_cure_bars_and_recovery_curve() -> None:
    frame = pd.DataFrame({"label": ["Reminder", "Call"], "cure_rate": [1.0, 0.0], "spells": [1, 1]})
    bars = charts.cure_bars(frame, "#2e7d32", ["n = 1", "n = 1"], "First action", "Cure rate")
    assert list(bars.data[0].y) == [1.0, 0.0] and list(bars.data[0].text) == ["n = 1", "n = 1"]
    assert bars.layout.yaxis.tickformat == ".0%" and list(bars.layout.yaxis.range) == [0, 1.12]
    curve = pd.DataFrame(
        {
            "cohort": [2023, 2023, 2024],
            "months_since_charge_off": [0, 1, 0],
            "recovery_rate": [0.0, 0.15, 0.3],
            "loans": [1, 1, 2],
        }
    )
    fig = charts.recovery_curve(curve, "#424242", "Months", "Recovered", label=lambda y: f"Charged off {y}")
    # the newest cohort first and in colour, older ones grey
    assert [t.name for t in fig.data] == ["Charged off 2024", "Charged off 2023"]
    assert list(fig.data[1].y) == [0.0, 0.15] and fig.layout.yaxis.tickformat == ".0%"
    assert (fig.data[0].line.color, fig.data[1].line.color) == ("#424242", "#9e9e9e")
    assert list(fig.layout.xaxis.range) == [0, 24]


def test_month_axes_tick_whole_months_only():
    assert charts.month_ticks(3) == {"tickformat": "%Y-%m", "dtick": "M1"}
    assert charts.month_ticks(36)["dtick"] == "M3"
    assert charts.month_ticks(60)["dtick"] == "M6"
    assert charts.month_ticks(120)["dtick"] == "M12"
    month_ends = pd.Series(pd.to_datetime(["2024-01-31", "2024-02-29", "2024-06-30"]))
    assert charts.span_months(month_ends) == 5
    assert charts.span_months(pd.Series([], dtype="datetime64[ns]")) == 0


def test_months_on_book_axis_has_whole_number_ticks():
    curves = pd.DataFrame(
        {
            "vintage": ["2024Q1"] * 4,
            "months_on_book": [0, 1, 2, 3],
            "cumulative_default_rate": [0, 0, 0.1, 0.2],
        }
    )
    fig = charts.vintage_curves(curves, {"2024Q1": "2024 Q1"}, ["#123456"], "Months on book", "Rate")
    assert (fig.layout.xaxis.tick0, fig.layout.xaxis.dtick) == (0, 1)
    assert charts.whole_ticks(36) == {"tick0": 0, "dtick": 3}


def test_nice_ticks() -> None:
    assert charts.nice_ticks(0, 42_000_000) == [0, 1e7, 2e7, 3e7, 4e7, 5e7]
    assert charts.nice_ticks(-3, 9) == [-5, -2.5, 0, 2.5, 5, 7.5, 10]  # step 2.5 covers -3


def test_money_axes_in_wan_and_yi() -> None:
    frame = pd.DataFrame({"month_end": MONTHS, "a": [3e7, 1e8, 5e7], "b": [2e7, 5e7, 1e7]})
    fig = charts.month_chart(
        frame,
        "month_end",
        [Series("a", "A", "#111111", kind="stack"), Series("b", "B", "#222222", kind="stack")],
        x_title="月份",
        y_title="金额",
        y_hover=charts.money_hover("¥"),
    )
    charts.compact_money_axes(fig, "zh", "¥")
    # stacked: the axis reaches the top of the stack (1.5亿), ticks every 5,000万
    assert list(fig.layout.yaxis.tickvals) == [0, 5e7, 1e8, 1.5e8]
    assert list(fig.layout.yaxis.ticktext) == ["¥0", "¥5000万", "¥1亿", "¥1.5亿"]
    assert fig.layout.xaxis.tickvals is None  # months are not amounts
    charts.compact_money_axes(fig, "en", "¥")
    assert list(fig.layout.yaxis.ticktext) == ["¥0", "¥50M", "¥100M", "¥150M"]


def test_vintage_curves_highlight_worst_and_newest_and_grey_the_rest() -> None:
    curves = pd.DataFrame(
        {
            "vintage": ["Q1"] * 2 + ["Q2"] * 2 + ["Q3"] * 2,
            "months_on_book": [0, 1] * 3,
            "cumulative_default_rate": [0, 0.05, 0, 0.2, 0, 0.01],
        }
    )
    labels = {"Q1": "2024 Q1", "Q2": "2024 Q2", "Q3": "2024 Q3"}
    fig = charts.vintage_curves(
        curves,
        labels,
        ["#1", "#2", "#3"],
        "MOB",
        "Rate",
        highlight={"Q3": "#00f", "Q2": "#f00"},
        rest_name="Other",
    )
    # the legend: one "Other" entry for the grey lines, then the highlighted ones, drawn on top
    assert [t.name for t in fig.data] == ["Other", "2024 Q1", "2024 Q2", "2024 Q3"]
    assert [t.showlegend is not False for t in fig.data] == [True, False, True, True]
    assert [t.line.color for t in fig.data] == ["#bdbdbd", "#bdbdbd", "#f00", "#00f"]
