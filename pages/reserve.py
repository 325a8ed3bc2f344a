"""Liquidity and the risk reserve: reserve balance over time, expected guarantor buy-outs over the next
12 months under the base case and a stress chosen by the user, months of coverage, and projected
borrower collections. Managers and admins."""

import math

import plotly.graph_objects as go
import streamlit as st

from lendrisk import fmt, liquidity, ui
from lendrisk.reports import STATE_COLORS, month_start

ui.require_role("manager", "admin")
lang = ui.lang()
as_of = ui.as_of()
symbol = fmt.currency_symbol()

st.title(ui.t("manage.reserve.title"))
st.caption(ui.t("manage.reserve.intro", as_of=fmt.date(as_of, lang)))

shock = st.slider(
    ui.t("manage.reserve.shock"),
    min_value=0.0,
    max_value=5.0,
    value=2.0,
    step=0.5,
    format="+%.1f",
    help=ui.t("manage.reserve.shock_help"),
    key="reserve_shock",
)

with ui.busy("manage.reserve.projecting"):
    has_reserve = ui.cached(liquidity.has_reserve, as_of)
    has_unemployment = ui.cached(liquidity.has_unemployment, as_of)
    history = ui.cached(liquidity.reserve_history, as_of)
    outlook = ui.cached(liquidity.reserve_outlook, as_of, shock)
    buyouts = ui.cached(liquidity.expected_buyouts, as_of, shock)
    collections = ui.cached(liquidity.projected_collections, as_of, shock)


def months_text(value: float) -> str:
    """Months of coverage on screen: one decimal, or "no buy-outs expected" when unlimited."""
    return ui.t("manage.reserve.unlimited") if math.isinf(value) else fmt.number(value, lang, 1)


if not has_unemployment:
    st.info(ui.t("manage.reserve.no_unemployment"))
if has_reserve:
    cols = [*st.columns(3), *st.columns(3)[:2]]
    with cols[0]:
        ui.metric(
            "manage.reserve.kpi.balance",
            fmt.money(outlook["balance"], lang, compact=True),
            "manage.reserve.kpi.balance_help",
        )
    with cols[1]:
        ui.metric(
            "manage.reserve.kpi.exposure",
            fmt.money(outlook["guaranteed_exposure"], lang, compact=True),
            "manage.reserve.kpi.exposure_help",
        )
    with cols[2]:
        ui.metric(
            "manage.reserve.kpi.buyouts",
            fmt.money(outlook["buyouts_base"], lang, compact=True),
            "manage.reserve.kpi.buyouts_help",
        )
    with cols[3]:
        ui.metric(
            "manage.reserve.kpi.coverage_base",
            months_text(outlook["months_of_coverage_base"]),
            "manage.reserve.kpi.coverage_base_help",
        )
    with cols[4]:
        ui.metric(
            "manage.reserve.kpi.coverage_stressed",
            months_text(outlook["months_of_coverage_stressed"]),
            "manage.reserve.kpi.coverage_stressed_help",
            shock=fmt.number(shock, lang, 1),
            buyouts=fmt.money(outlook["buyouts_stressed"], lang, compact=True),
        )
    if outlook["buyouts_stressed"] > outlook["balance"]:
        st.warning(ui.t("manage.reserve.shortfall", shock=fmt.number(shock, lang, 1)))

    left, right = st.columns(2)
    with left:
        fig = go.Figure()
        fig.add_trace(
            go.Scatter(
                x=month_start(history["month_end"]),
                y=history["balance"],
                name=ui.t("manage.reserve.series.balance"),
                line={"color": "#1f77b4"},
                fill="tozeroy",
                hovertemplate="%{x|%Y-%m}: " + symbol + "%{y:,.0f}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Bar(
                x=month_start(history["month_end"]),
                y=history["guarantor_paid"],
                name=ui.t("manage.reserve.series.guarantor_paid"),
                marker_color=STATE_COLORS["90+"],
                hovertemplate="%{x|%Y-%m}: " + symbol + "%{y:,.0f}<extra></extra>",
            )
        )
        fig.update_layout(height=400, legend={"orientation": "h", "y": -0.25}, hovermode="x unified")
        fig.update_xaxes(title_text=ui.t("manage.axis.month"), tickformat="%Y-%m")
        fig.update_yaxes(title_text=ui.t("manage.axis.amount", symbol=symbol), rangemode="tozero")
        ui.chart(
            fig,
            history,
            "manage.reserve.chart.history",
            "manage.reserve.chart.history_explain",
            columns={
                "month_end": "manage.col.month_end",
                "balance": "manage.reserve.series.balance",
                "guarantor_paid": "manage.reserve.series.guarantor_paid",
            },
            file_name="reserve_history.csv",
            symbol=symbol,
        )
    with right:
        fig = go.Figure()
        for column, colour, dash in (
            ("cumulative_base", "#ef6c00", "solid"),
            ("cumulative_stressed", STATE_COLORS["90+"], "dash"),
        ):
            fig.add_trace(
                go.Scatter(
                    x=month_start(buyouts["month_end"]),
                    y=buyouts[column],
                    name=ui.t(f"manage.reserve.series.{column}"),
                    line={"color": colour, "dash": dash},
                    hovertemplate="%{x|%Y-%m}: " + symbol + "%{y:,.0f}<extra></extra>",
                )
            )
        fig.add_hline(
            y=outlook["balance"],
            line={"color": "#1f77b4", "dash": "dot"},
            annotation_text=ui.t("manage.reserve.series.balance"),
            annotation_position="top left",
        )
        fig.update_layout(height=400, legend={"orientation": "h", "y": -0.25}, hovermode="x unified")
        fig.update_xaxes(title_text=ui.t("manage.axis.month"), tickformat="%Y-%m")
        fig.update_yaxes(title_text=ui.t("manage.axis.amount", symbol=symbol), rangemode="tozero")
        ui.chart(
            fig,
            buyouts,
            "manage.reserve.chart.buyouts",
            "manage.reserve.chart.buyouts_explain",
            columns={
                "month_end": "manage.col.month_end",
                "base": "manage.reserve.series.base",
                "stressed": "manage.reserve.series.stressed",
                "cumulative_base": "manage.reserve.series.cumulative_base",
                "cumulative_stressed": "manage.reserve.series.cumulative_stressed",
            },
            file_name="expected_buyouts.csv",
            symbol=symbol,
            shock=fmt.number(shock, lang, 1),
        )
else:
    st.info(ui.t("manage.reserve.none"))


fig = go.Figure()
fig.add_trace(
    go.Bar(
        x=month_start(collections["month_end"]),
        y=collections["contractual"],
        name=ui.t("manage.reserve.series.contractual"),
        marker_color="#c7d6e8",
        hovertemplate="%{x|%Y-%m}: " + symbol + "%{y:,.0f}<extra></extra>",
    )
)
for column, colour, dash in (
    ("expected_base", STATE_COLORS["current"], "solid"),
    ("expected_stressed", "#d32f2f", "dash"),
):
    fig.add_trace(
        go.Scatter(
            x=month_start(collections["month_end"]),
            y=collections[column],
            name=ui.t(f"manage.reserve.series.{column}"),
            line={"color": colour, "dash": dash},
            hovertemplate="%{x|%Y-%m}: " + symbol + "%{y:,.0f}<extra></extra>",
        )
    )
fig.update_layout(height=400, legend={"orientation": "h", "y": -0.25}, hovermode="x unified")
fig.update_xaxes(title_text=ui.t("manage.axis.month"), tickformat="%Y-%m")
fig.update_yaxes(title_text=ui.t("manage.axis.amount", symbol=symbol), rangemode="tozero")
ui.chart(
    fig,
    collections,
    "manage.reserve.chart.collections",
    "manage.reserve.chart.collections_explain",
    columns={
        "month_end": "manage.col.month_end",
        "contractual": "manage.reserve.series.contractual",
        "expected_base": "manage.reserve.series.expected_base",
        "expected_stressed": "manage.reserve.series.expected_stressed",
    },
    file_name="projected_collections.csv",
    symbol=symbol,
)
