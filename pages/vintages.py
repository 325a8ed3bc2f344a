"""Vintages and roll rates: cumulative default curves by vintage (month or quarter; grade, product and
channel filters), the roll-rate matrix of a chosen window as a heatmap, cure rates over time and the
expected-loss back-test (predicted vs realised). Managers and admins."""

import numpy as np
import streamlit as st
from plotly.colors import sample_colorscale

from lendrisk import charts, fmt, reports, risk, ui
from lendrisk.charts import Series
from lendrisk.vocab import ACTIVE_STATES, GRADES, OVERDUE_BUCKETS, PRODUCTS, STATE_COLOURS, STATES

as_of, lang = ui.manager_page("manage.vintages")
symbol = fmt.currency_symbol()
ALL = "all"


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
    grade = choice("manage.col.grade", GRADES, "manage.grade_value.", "vintage_grade")
with cols[2]:
    product = choice("manage.col.product", PRODUCTS, "common.product.", "vintage_product")
with cols[3]:
    channel = choice("manage.col.channel", ("platform", "institution"), "common.channel.", "vintage_channel")

with ui.busy("manage.computing"):
    curves = ui.cached(reports.vintage_curves_as_of, as_of, grain, grade, product, channel)
if curves.empty:
    st.info(ui.t("manage.vintages.no_loans"))
else:
    vintages = sorted(curves["vintage"].unique())
    colours = sample_colorscale("Viridis", list(np.linspace(0.9, 0.0, len(vintages))))  # newest darkest
    labels = {
        vintage: {
            "year": str(vintage.year),
            "quarter": ui.t(
                "manage.vintages.quarter_label", year=vintage.year, quarter=(vintage.month - 1) // 3 + 1
            ),
            "month": fmt.month(vintage, lang),
        }[grain]
        for vintage in vintages
    }
    marks = reports.vintage_highlights(curves)
    highlight = {marks["newest"]: "#1565c0", marks["worst"]: "#c62828"}  # worst wins when both
    fig = charts.vintage_curves(
        curves,
        labels,
        colours,
        ui.t("manage.axis.months_on_book"),
        ui.t("manage.axis.cumulative_default"),
        highlight=highlight,
        rest_name=ui.t("manage.vintages.other_vintages"),
    )
    st.caption(
        ui.t(
            "manage.vintages.highlight",
            worst=labels[marks["worst"]],
            rate=fmt.pct(marks["worst_rate"], lang, 2),
            mob=fmt.number(marks["at_mob"], lang),
            newest=labels[marks["newest"]],
        )
    )
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
        formats={
            "vintage": "date",
            "originated_principal": "money",
            "defaulted_principal": "money",
            "cumulative_default_rate": "pct",
        },
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
    roll_grade = choice("manage.col.grade", GRADES, "manage.grade_value.", "roll_grade")

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
            .reindex(index=list(ACTIVE_STATES), columns=list(STATES))
            .fillna(0.0)
        )
        short = [ui.t(f"manage.state_axis.{s}") for s in STATES]
        heat = charts.roll_heatmap(
            grid,
            short,
            short[: len(ACTIVE_STATES)],
            ui.t("manage.axis.to_state"),
            ui.t("manage.axis.from_state"),
        )
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
    fig = charts.month_chart(
        cures,
        "month_end",
        [
            Series(
                "cure_rate",
                ui.t(f"manage.state_short.{bucket}"),
                STATE_COLOURS[bucket],
                mode="lines+markers",
                rows=("bucket", bucket),
            )
            for bucket in OVERDUE_BUCKETS
        ],
        x_title=ui.t("manage.axis.month"),
        y_title=ui.t("manage.axis.cure_rate"),
        y_hover=charts.PCT1,
        unified=False,
        height=430,
        y_tickformat=".0%",
    )
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
    fig = charts.month_chart(
        test,
        "predicted_on",
        [
            Series("predicted_el_12m", ui.t("manage.vintages.series.predicted"), "#1f77b4"),
            Series("realised_loss", ui.t("manage.vintages.series.realised"), STATE_COLOURS["90+"]),
        ],
        x_title=ui.t("manage.axis.predicted_on"),
        y_title=ui.t("manage.axis.loss", symbol=symbol),
        y_hover=charts.money_hover(symbol),
    )
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
    )
    with st.columns(3)[0]:
        ui.metric(
            "manage.vintages.backtest_error",
            fmt.pct(total_error, lang),
            "manage.vintages.backtest_error_help",
        )
