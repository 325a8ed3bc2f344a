"""Vintages and roll rates: cumulative default curves by vintage (month or quarter; grade, product and
channel filters), the roll-rate matrix of a chosen window as a heatmap, cure rates over time and the
expected-loss back-test (predicted vs realised). Managers and admins."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import sample_colorscale

from lendrisk import fmt, reports, risk, ui
from lendrisk.reports import STATE_COLORS, month_start

ui.require_role("manager", "admin")
lang = ui.lang()
as_of = ui.as_of()
symbol = fmt.currency_symbol()
ALL = "all"

st.title(ui.t("manage.vintages.title"))
st.caption(ui.t("manage.vintages.intro", as_of=fmt.date(as_of, lang)))


def choice(label_key: str, options: tuple[str, ...], prefix: str, key: str) -> str | None:
    """A filter selectbox with an "All" first option; None when All is chosen."""
    value = st.selectbox(
        ui.t(label_key),
        (ALL, *options),
        format_func=lambda v: ui.t("manage.filter.all") if v == ALL else ui.t(f"{prefix}{v}"),
        key=key,
    )
    return None if value == ALL else value


# --- vintage curves ---------------------------------------------------------------------------
cols = st.columns(4)
with cols[0]:
    grain = st.radio(
        ui.t("manage.vintages.grain"),
        ("year", "quarter", "month"),
        index=1,
        format_func=lambda v: ui.t(f"manage.vintages.grain.{v}"),
        horizontal=True,
        key="vintage_grain",
    )
with cols[1]:
    grade = choice("manage.col.grade", risk.GRADES, "manage.grade_value.", "vintage_grade")
with cols[2]:
    product = choice("manage.col.product", risk.PRODUCTS, "common.product.", "vintage_product")
with cols[3]:
    channel = choice("manage.col.channel", ("platform", "institution"), "common.channel.", "vintage_channel")

with ui.busy("manage.computing"):
    curves = ui.cached(reports.vintage_curves_as_of, as_of, grain, grade, product, channel)
if curves.empty:
    st.info(ui.t("manage.vintages.no_loans"))
else:
    vintages = sorted(curves["vintage"].unique())
    colours = sample_colorscale("Viridis", list(np.linspace(0.9, 0.0, len(vintages))))  # newest darkest
    fig = go.Figure()
    for vintage, colour in zip(vintages, colours, strict=True):
        part = curves[curves["vintage"] == vintage]
        label = {
            "year": str(vintage.year),
            "quarter": ui.t(
                "manage.vintages.quarter_label", year=vintage.year, quarter=(vintage.month - 1) // 3 + 1
            ),
            "month": fmt.month(vintage, lang),
        }[grain]
        fig.add_trace(
            go.Scatter(
                x=part["months_on_book"],
                y=part["cumulative_default_rate"],
                name=label,
                mode="lines",
                line={"color": colour, "width": 1.5},
                hovertemplate=label + " · %{x}: %{y:.2%}<extra></extra>",
            )
        )
    fig.update_layout(height=440, showlegend=len(vintages) <= 16, legend={"orientation": "v"})
    fig.update_xaxes(title_text=ui.t("manage.axis.months_on_book"))
    fig.update_yaxes(title_text=ui.t("manage.axis.cumulative_default"), tickformat=".0%", rangemode="tozero")
    ui.chart(
        fig,
        curves,
        "manage.vintages.chart.curves",
        "manage.vintages.chart.curves_explain",
        columns={
            "vintage": "manage.col.vintage",
            "months_on_book": "manage.col.months_on_book",
            "loans": "manage.col.loans",
            "originated_principal": "manage.col.originated_principal",
            "defaulted_principal": "manage.col.defaulted_principal",
            "defaulted_loans": "manage.col.defaulted_loans",
            "cumulative_default_rate": "manage.col.cumulative_default_rate",
        },
        file_name="vintage_curves.csv",
    )

# --- roll-rate matrix and cure rates ----------------------------------------------------------
st.divider()
cols = st.columns([1, 1, 2])
with cols[0]:
    window = st.selectbox(
        ui.t("manage.vintages.window"),
        (3, 6, 12, 24),
        index=2,
        format_func=lambda m: ui.t("manage.months", months=m),
        key="roll_window",
    )
with cols[1]:
    roll_grade = choice("manage.col.grade", risk.GRADES, "manage.grade_value.", "roll_grade")

with ui.busy("manage.computing"):
    rolls = ui.cached(risk.roll_rates, as_of, window, roll_grade)
    cures = ui.cached(risk.cure_rates_by_month, as_of, max(window, 24))
left, right = st.columns(2)
with left:
    if rolls.empty:
        st.info(ui.t("manage.vintages.no_transitions"))
    else:
        grid = (
            rolls.pivot_table(index="from_state", columns="to_state", values="probability", fill_value=0.0)
            .reindex(index=list(risk.ACTIVE_STATES), columns=list(risk.STATES))
            .fillna(0.0)
        )
        short = [ui.t(f"manage.state_axis.{s}") for s in risk.STATES]
        heat = go.Figure(
            go.Heatmap(
                z=grid.to_numpy(),
                x=short,
                y=short[: len(risk.ACTIVE_STATES)],
                colorscale="Reds",
                zmin=0,
                zmax=1,
                texttemplate="%{z:.1%}",
                hovertemplate="%{y} → %{x}: %{z:.2%}<extra></extra>",
                colorbar={"tickformat": ".0%"},
            )
        )
        heat.update_yaxes(title_text=ui.t("manage.axis.from_state"), autorange="reversed")
        heat.update_xaxes(title_text=ui.t("manage.axis.to_state"), side="bottom")
        heat.update_layout(height=430)
        table = rolls.assign(from_label=rolls["from_state"], to_label=rolls["to_state"])
        ui.chart(
            heat,
            ui.labelled(
                table,
                {
                    "from_label": "manage.col.from_state",
                    "to_label": "manage.col.to_state",
                    "loans": "manage.col.loan_months",
                    "balance": "manage.col.balance",
                    "probability": "manage.col.probability",
                },
                codes={"from_label": "manage.state_short.", "to_label": "manage.state_short."},
            ),
            "manage.vintages.chart.rolls",
            "manage.vintages.chart.rolls_explain",
            file_name="roll_rates.csv",
            months=window,
        )
with right:
    fig = go.Figure()
    for bucket in risk.ACTIVE_STATES[1:]:
        part = cures[cures["bucket"] == bucket]
        fig.add_trace(
            go.Scatter(
                x=month_start(part["month_end"]),
                y=part["cure_rate"],
                name=ui.t(f"manage.state_short.{bucket}"),
                mode="lines+markers",
                line={"color": STATE_COLORS[bucket]},
                hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra></extra>",
            )
        )
    fig.update_layout(height=430, legend={"orientation": "h", "y": -0.25})
    fig.update_xaxes(title_text=ui.t("manage.axis.month"), tickformat="%Y-%m")
    fig.update_yaxes(title_text=ui.t("manage.axis.cure_rate"), tickformat=".0%", rangemode="tozero")
    ui.chart(
        fig,
        cures.assign(bucket_label=cures["bucket"]).pipe(
            ui.labelled,
            {
                "month_end": "manage.col.month_end",
                "bucket_label": "manage.col.bucket",
                "loans": "manage.col.loan_months",
                "balance": "manage.col.balance",
                "cured_balance": "manage.col.cured_balance",
                "cure_rate": "manage.col.cure_rate",
            },
            {"bucket_label": "manage.state_short."},
        ),
        "manage.vintages.chart.cures",
        "manage.vintages.chart.cures_explain",
        file_name="cure_rates.csv",
        months=max(window, 24),
    )

# --- back-test --------------------------------------------------------------------------------
st.divider()
with ui.busy("manage.vintages.backtesting"):
    test = ui.cached(reports.backtest_until, as_of)
if test.empty:
    st.info(ui.t("manage.vintages.no_backtest"))
else:
    total_error = risk.backtest_error(test) if test["realised_loss"].sum() > 0 else float("nan")
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=month_start(test["predicted_on"]),
            y=test["predicted_el_12m"],
            name=ui.t("manage.vintages.series.predicted"),
            line={"color": "#1f77b4"},
            hovertemplate="%{x|%Y-%m}: " + symbol + "%{y:,.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=month_start(test["predicted_on"]),
            y=test["realised_loss"],
            name=ui.t("manage.vintages.series.realised"),
            line={"color": STATE_COLORS["90+"]},
            hovertemplate="%{x|%Y-%m}: " + symbol + "%{y:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(height=400, legend={"orientation": "h", "y": -0.25}, hovermode="x unified")
    fig.update_xaxes(title_text=ui.t("manage.axis.predicted_on"), tickformat="%Y-%m")
    fig.update_yaxes(title_text=ui.t("manage.axis.loss", symbol=symbol), rangemode="tozero")
    ui.chart(
        fig,
        test,
        "manage.vintages.chart.backtest",
        "manage.vintages.chart.backtest_explain",
        columns={
            "predicted_on": "manage.col.predicted_on",
            "realised_to": "manage.col.realised_to",
            "ead": "manage.col.ead",
            "predicted_el_12m": "manage.vintages.series.predicted",
            "realised_loss": "manage.vintages.series.realised",
            "error": "manage.col.error",
        },
        file_name="el_backtest.csv",
        symbol=symbol,
    )
    with st.columns(3)[0]:
        ui.metric(
            "manage.vintages.backtest_error",
            fmt.pct(total_error, lang),
            "manage.vintages.backtest_error_help",
        )
