"""Platform health: KPIs with month-over-month change, overdue and M3+ rates against the industry
benchmark and unemployment, originations and grade mix over time. Managers and admins."""

import math
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from lendrisk import charts, fmt, liquidity, reports, ui, whypanels
from lendrisk.charts import Series
from lendrisk.vocab import GRADE_COLOURS

as_of, lang = ui.manager_page("manage.health")
symbol = fmt.currency_symbol()

with ui.busy("manage.computing"):
    kpis = ui.cached(reports.health_kpis, as_of)
    trend = ui.cached(reports.health_trend, as_of)
    mix = ui.cached(reports.originations_by_grade, as_of)
    has_reserve = ui.cached(liquidity.has_reserve, as_of)

whypanels.alerts_panel(as_of, lang)  # what changed this month, most severe first

now = kpis.iloc[-1]
before = kpis.iloc[0] if len(kpis) > 1 else None


def pp_delta(column: str) -> str | None:
    """Change against the month before in percentage points ("0.4 pp"; the arrow gives the sign)."""
    if before is None or not (math.isfinite(now[column]) and math.isfinite(before[column])):
        return None
    change = (now[column] - before[column]) * 100
    return ui.t("manage.delta_pp", value=fmt.number(change, lang, 1) if round(change, 1) else "0.0")


def money_delta(column: str) -> str | None:
    """Change against the month before as an amount."""
    if before is None:
        return None
    return fmt.money(now[column] - before[column], lang, compact=True)


def unchanged(column: str) -> bool:
    """No visible change against the month before (no arrow is drawn)."""
    if column in ("outstanding_principal", "expected_loss"):
        return before is None or round(float(now[column] - before[column]), 4) == 0
    return pp_delta(column) is None or round(float(now[column] - before[column]), 4) == 0


def gap_value() -> str | None:
    """Platform overdue rate minus the industry's in signed percentage points (None: no benchmark)."""
    gap = now["industry_gap"]
    if not math.isfinite(gap):
        return None
    return ("+" if gap > 0 else "") + fmt.number(gap * 100, lang, 1)  # the unit is in the label


def coverage_value() -> str | None:
    """Reserve balance over the next 12 months' expected buy-outs, not capped (None: no reserve)."""
    if not has_reserve:
        return None
    cover = now["reserve_coverage"]
    return fmt.pct(cover, lang, 0) if math.isfinite(cover) else ui.t("manage.health.kpi.coverage_no_buyouts")


cards = [
    (
        "outstanding",
        "outstanding_principal",
        fmt.money(now["outstanding_principal"], lang, compact=True),
        "normal",
    ),
    ("overdue_amount", "overdue_rate_amount", fmt.pct(now["overdue_rate_amount"], lang), "inverse"),
    ("industry_gap", "industry_gap", gap_value(), "inverse"),
    ("overdue_count", "overdue_rate_count", fmt.pct(now["overdue_rate_count"], lang), "inverse"),
    ("m3plus", "m3plus_rate", fmt.pct(now["m3plus_rate"], lang), "inverse"),
    ("expected_loss", "expected_loss", fmt.money(now["expected_loss"], lang, compact=True), "inverse"),
    # a store with no reserve has nothing to cover and nothing to cover it with: no rate to show
    ("coverage", "reserve_coverage", coverage_value(), "normal"),
]
help_fields = {
    "platform": fmt.pct(now["overdue_rate_amount"], lang, 2),
    "industry": fmt.pct(now["industry_overdue_rate"], lang, 2),
    "balance": fmt.money(now["reserve_balance"], lang, compact=True),
    "buyouts": fmt.money(now["expected_buyouts"], lang, compact=True),
    "months": fmt.number(now["reserve_months"], lang, 1) if math.isfinite(now["reserve_months"]) else "∞",
}
for i, (name, column, value, colour) in enumerate(cards):
    if i % 4 == 0:
        row = st.columns(4)
    delta = money_delta(column) if column in ("outstanding_principal", "expected_loss") else pp_delta(column)
    with row[i % 4]:
        st.metric(
            ui.t(f"manage.health.kpi.{name}"),
            fmt.MISSING if value is None else value,
            delta=None if value is None else delta,
            delta_color="off" if unchanged(column) else colour,
            delta_arrow="off" if unchanged(column) else "auto",
            border=True,
        )
        help_key = "help" if value is not None else "none"
        if name == "coverage" and value is not None and now["reserve_months"] < 12:
            help_key = "runs_out"
        st.caption(ui.t(f"manage.health.kpi.{name}_{help_key}", **help_fields))
if before is not None:
    st.caption(ui.t("manage.health.delta_note", before=fmt.date(before["month_end"], lang)))

# --- growth-adjusted rates beside the plain one (an extra; lendrisk/whypanels.py) ----------------
whypanels.growth_panel(as_of, lang)

# --- overdue rates against the benchmark and unemployment --------------------------------------
# A store without a published series (an imported real book has no macro table) draws no empty line.
published = {c: bool(trend[c].notna().any()) for c in ("industry_overdue_rate", "unemployment_rate")}
series = [
    Series(column, ui.t(f"manage.health.series.{column}"), colour, dash=dash)
    for column, colour, dash in (
        ("overdue_rate_amount", "#c0392b", "solid"),
        ("overdue_rate_count", "#e67e22", "solid"),
        ("m3plus_rate", "#7b1010", "solid"),
        ("industry_overdue_rate", "#7f8c8d", "dash"),
    )
    if published.get(column, True)
]
unemployment = Series(
    "unemployment_rate", ui.t("manage.health.series.unemployment_rate"), "#2c7fb8", dash="dot"
)
fig = charts.rates_chart(
    trend,
    "month_end",
    series,
    unemployment if published["unemployment_rate"] else None,
    x_title=ui.t("manage.axis.month"),
    y_title=ui.t("manage.health.axis.rate"),
    second_title=ui.t("manage.health.axis.unemployment"),
)
rates_key = "manage.health.chart.rates" if all(published.values()) else "manage.health.chart.rates_only"
ui.chart(
    fig,
    trend,
    rates_key,
    f"{rates_key}_explain",
    columns={
        "month_end": "manage.col.month_end",
        "overdue_rate_amount": "manage.health.series.overdue_rate_amount",
        "overdue_rate_count": "manage.health.series.overdue_rate_count",
        "m3plus_rate": "manage.health.series.m3plus_rate",
        "industry_overdue_rate": "manage.health.series.industry_overdue_rate",
        "unemployment_rate": "manage.health.series.unemployment_rate",
        "gdp_growth": "manage.health.series.gdp_growth",
    },
    file_name="overdue_rates.csv",
)
missing = [column for column, shown in published.items() if not shown]
if missing:
    st.info(ui.t(f"manage.health.no_series.{missing[0] if len(missing) == 1 else 'both'}"))

# --- originations and grade mix ----------------------------------------------------------------
grades = [
    (grade, ui.t("manage.grade", grade=grade), colour)
    for grade, colour in GRADE_COLOURS.items()
    if (mix["grade"] == grade).any()
]


def mix_chart(column: str, kind: str, y_title: str, y_hover: str, **layout: Any) -> go.Figure:
    """One column of the originations by grade over months, a trace per grade (legend under the plot)."""
    return charts.month_chart(
        mix,
        "month_end",
        [Series(column, name, colour, kind, rows=("grade", grade)) for grade, name, colour in grades],
        x_title=ui.t("manage.axis.origination_month"),
        y_title=y_title,
        y_hover=y_hover,
        unified=False,
        legend_y=-0.3,
        **layout,
    )


left, right = st.columns(2)
with left:
    volume = mix_chart(
        "principal",
        "bar",
        ui.t("manage.axis.principal", symbol=symbol),
        charts.money_hover(symbol),
        barmode="stack",
    )
    ui.chart(
        volume,
        mix,
        "manage.health.chart.originations",
        "manage.health.chart.originations_explain",
        columns={
            "month_end": "manage.col.month_end",
            "grade": "manage.col.grade",
            "loans": "manage.col.loans",
            "principal": "manage.col.principal",
            "share": "manage.col.share",
        },
        file_name="originations_by_grade.csv",
    )
with right:
    shares = mix_chart(
        "share",
        "stack",
        ui.t("manage.axis.share_of_principal"),
        charts.PCT1,
        y_tickformat=".0%",
        y_range=(0, 1),
    )
    ui.chart(
        shares,
        mix,
        "manage.health.chart.grade_mix",
        "manage.health.chart.grade_mix_explain",
        columns={
            "month_end": "manage.col.month_end",
            "grade": "manage.col.grade",
            "share": "manage.col.share",
            "principal": "manage.col.principal",
        },
        file_name="grade_mix.csv",
    )
