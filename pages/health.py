"""Platform health: KPIs with month-over-month change, overdue and M3+ rates against the industry
benchmark and unemployment, originations and grade mix over time. Managers and admins."""

import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from lendrisk import fmt, liquidity, reports, ui
from lendrisk.reports import GRADE_COLORS, month_start

ui.require_role("manager", "admin")
lang = ui.lang()
as_of = ui.as_of()
symbol = fmt.currency_symbol()

st.title(ui.t("manage.health.title"))
st.caption(ui.t("manage.health.intro", as_of=fmt.date(as_of, lang)))

with ui.busy("manage.computing"):
    kpis = ui.cached(reports.health_kpis, as_of)
    trend = ui.cached(reports.health_trend, as_of)
    mix = ui.cached(reports.originations_by_grade, as_of)
    has_reserve = ui.cached(liquidity.has_reserve, as_of)
trend_x, mix_x = month_start(trend["month_end"]), month_start(mix["month_end"])

now = kpis.iloc[-1]
before = kpis.iloc[0] if len(kpis) > 1 else None


def pp_delta(column: str) -> str | None:
    """Change against the month before in percentage points ("0.4 pp"; the arrow gives the sign)."""
    if before is None:
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
    return before is None or round(float(now[column] - before[column]), 4) == 0


cards = [
    (
        "outstanding",
        "outstanding_principal",
        fmt.money(now["outstanding_principal"], lang, compact=True),
        "normal",
    ),
    ("overdue_amount", "overdue_rate_amount", fmt.pct(now["overdue_rate_amount"], lang), "inverse"),
    ("overdue_count", "overdue_rate_count", fmt.pct(now["overdue_rate_count"], lang), "inverse"),
    ("m3plus", "m3plus_rate", fmt.pct(now["m3plus_rate"], lang), "inverse"),
    ("expected_loss", "expected_loss", fmt.money(now["expected_loss"], lang, compact=True), "inverse"),
    # a store with no reserve has nothing to cover and nothing to cover it with: no rate to show
    (
        "coverage",
        "reserve_coverage",
        fmt.pct(now["reserve_coverage"], lang) if has_reserve else None,
        "normal",
    ),
]
for i, (name, column, value, colour) in enumerate(cards):
    if i % 3 == 0:
        row = st.columns(3)
    delta = money_delta(column) if column in ("outstanding_principal", "expected_loss") else pp_delta(column)
    with row[i % 3]:
        st.metric(
            ui.t(f"manage.health.kpi.{name}"),
            fmt.MISSING if value is None else value,
            delta=None if value is None else delta,
            delta_color="off" if unchanged(column) else colour,
            delta_arrow="off" if unchanged(column) else "auto",
            border=True,
        )
        st.caption(ui.t(f"manage.health.kpi.{name}_{'help' if value is not None else 'none'}"))
if before is not None:
    st.caption(ui.t("manage.health.delta_note", before=fmt.date(before["month_end"], lang)))

# --- overdue rates against the benchmark and unemployment --------------------------------------
# A store without a published series (an imported real book has no macro table) draws no empty line.
published = {c: bool(trend[c].notna().any()) for c in ("industry_overdue_rate", "unemployment_rate")}
series = [
    ("overdue_rate_amount", "#c0392b", "solid"),
    ("overdue_rate_count", "#e67e22", "solid"),
    ("m3plus_rate", "#7b1010", "solid"),
    ("industry_overdue_rate", "#7f8c8d", "dash"),
]
series = [s for s in series if published.get(s[0], True)]
fig = make_subplots(specs=[[{"secondary_y": published["unemployment_rate"]}]])
for column, colour, dash in series:
    fig.add_trace(
        go.Scatter(
            x=trend_x,
            y=trend[column],
            name=ui.t(f"manage.health.series.{column}"),
            line={"color": colour, "dash": dash},
            hovertemplate="%{x|%Y-%m}: %{y:.2%}<extra></extra>",
        ),
        secondary_y=False,
    )
if published["unemployment_rate"]:
    fig.add_trace(
        go.Scatter(
            x=trend_x,
            y=trend["unemployment_rate"],
            name=ui.t("manage.health.series.unemployment_rate"),
            line={"color": "#2c7fb8", "dash": "dot"},
            hovertemplate="%{x|%Y-%m}: %{y:.2%}<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.update_yaxes(
        title_text=ui.t("manage.health.axis.unemployment"),
        tickformat=".1%",
        secondary_y=True,
        showgrid=False,
        range=[0, max(float(trend["unemployment_rate"].max()), 0.01) * 1.3],
    )
fig.update_yaxes(
    title_text=ui.t("manage.health.axis.rate"), tickformat=".0%", secondary_y=False, rangemode="tozero"
)
fig.update_xaxes(title_text=ui.t("manage.axis.month"), tickformat="%Y-%m")
fig.update_layout(legend={"orientation": "h", "y": -0.25}, hovermode="x unified", height=430)
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
left, right = st.columns(2)
with left:
    volume = go.Figure()
    for grade, colour in GRADE_COLORS.items():
        part = mix[mix["grade"] == grade]
        if len(part):
            volume.add_trace(
                go.Bar(
                    x=mix_x[part.index],
                    y=part["principal"],
                    name=ui.t("manage.grade", grade=grade),
                    marker_color=colour,
                    hovertemplate="%{x|%Y-%m}: " + symbol + "%{y:,.0f}<extra></extra>",
                )
            )
    volume.update_layout(barmode="stack", legend={"orientation": "h", "y": -0.3}, height=400, bargap=0.05)
    volume.update_yaxes(title_text=ui.t("manage.axis.principal", symbol=symbol))
    volume.update_xaxes(title_text=ui.t("manage.axis.origination_month"), tickformat="%Y-%m")
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
        symbol=symbol,
    )
with right:
    shares = go.Figure()
    for grade, colour in GRADE_COLORS.items():
        part = mix[mix["grade"] == grade]
        if len(part):
            shares.add_trace(
                go.Scatter(
                    x=mix_x[part.index],
                    y=part["share"],
                    name=ui.t("manage.grade", grade=grade),
                    stackgroup="mix",
                    line={"color": colour, "width": 0.5},
                    hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra></extra>",
                )
            )
    shares.update_layout(legend={"orientation": "h", "y": -0.3}, height=400)
    shares.update_yaxes(title_text=ui.t("manage.axis.share_of_principal"), tickformat=".0%", range=[0, 1])
    shares.update_xaxes(title_text=ui.t("manage.axis.origination_month"), tickformat="%Y-%m")
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
