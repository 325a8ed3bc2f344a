"""Liquidity and the risk reserve: reserve balance over time, expected guarantor buy-outs over the next
12 months under the base case and a stress chosen by the user, months of coverage, and projected
borrower collections. Managers and admins."""

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lendrisk import charts, fmt, liquidity, ui
from lendrisk.charts import Series
from lendrisk.vocab import STATE_COLOURS

as_of, lang = ui.manager_page("manage.reserve")
symbol = fmt.currency_symbol()
shock = ui.shock_slider("manage.reserve.shock", 5.0, "reserve_shock")

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


def money_chart(frame: pd.DataFrame, series: list[Series]) -> go.Figure:
    """Amounts by month-end of frame: the page's chart layout."""
    return charts.month_chart(
        frame,
        "month_end",
        series,
        x_title=ui.t("manage.axis.month"),
        y_title=ui.t("manage.axis.amount", symbol=symbol),
        y_hover=charts.money_hover(symbol),
    )


if not has_unemployment:
    st.info(ui.t("manage.reserve.no_unemployment"))
if has_reserve:
    ui.metric_rows(
        [
            ("manage.reserve.kpi.balance", fmt.money(outlook["balance"], lang, compact=True), {}),
            (
                "manage.reserve.kpi.exposure",
                fmt.money(outlook["guaranteed_exposure"], lang, compact=True),
                {},
            ),
            ("manage.reserve.kpi.buyouts", fmt.money(outlook["buyouts_base"], lang, compact=True), {}),
            ("manage.reserve.kpi.coverage_base", months_text(outlook["months_of_coverage_base"]), {}),
            (
                "manage.reserve.kpi.coverage_stressed",
                months_text(outlook["months_of_coverage_stressed"]),
                {
                    "shock": fmt.number(shock, lang, 1),
                    "buyouts": fmt.money(outlook["buyouts_stressed"], lang, compact=True),
                },
            ),
        ],
        per_row=3,
    )
    if outlook["buyouts_stressed"] > outlook["balance"]:
        st.warning(ui.t("manage.reserve.shortfall", shock=fmt.number(shock, lang, 1)))

    left, right = st.columns(2)
    with left:
        fig = money_chart(
            history,
            [
                Series("balance", ui.t("manage.reserve.series.balance"), "#1f77b4", kind="area"),
                Series(
                    "guarantor_paid",
                    ui.t("manage.reserve.series.guarantor_paid"),
                    STATE_COLOURS["90+"],
                    "bar",
                ),
            ],
        )
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
        )
    with right:
        fig = money_chart(
            buyouts,
            [
                Series("cumulative_base", ui.t("manage.reserve.series.cumulative_base"), "#ef6c00"),
                Series(
                    "cumulative_stressed",
                    ui.t("manage.reserve.series.cumulative_stressed"),
                    STATE_COLOURS["90+"],
                    dash="dash",
                ),
            ],
        )
        fig.add_hline(
            y=outlook["balance"],
            line={"color": "#1f77b4", "dash": "dot"},
            annotation_text=ui.t("manage.reserve.series.balance"),
            annotation_position="top left",
        )
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
            shock=fmt.number(shock, lang, 1),
        )
else:
    st.info(ui.t("manage.reserve.none"))


fig = money_chart(
    collections,
    [
        Series("contractual", ui.t("manage.reserve.series.contractual"), "#c7d6e8", "bar"),
        Series("expected_base", ui.t("manage.reserve.series.expected_base"), STATE_COLOURS["current"]),
        Series("expected_stressed", ui.t("manage.reserve.series.expected_stressed"), "#d32f2f", dash="dash"),
    ],
)
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
)
