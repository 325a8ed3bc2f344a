"""Segments and screening: default and overdue rates by grade, product, channel, region, score band
and income verification; the credit score's power by vintage year (AUC / Gini, KS); a minimum-score
cut-off what-if on past originations. Managers and admins."""

import streamlit as st

from lendrisk import charts, fmt, i18n, screening, ui
from lendrisk.charts import Series

as_of, lang = ui.manager_page("manage.segments")

PREFIX = {
    "grade": "manage.grade_value.",
    "product": "common.product.",
    "channel": "common.channel.",
    "score_band": "manage.score_band.",
    "income_verification": "manage.income.",
    "region": "manage.region.",
}


def segment_label(dimension: str, value: str) -> str:
    """A segment value on screen; region names without a translation show as stored."""
    key = f"{PREFIX[dimension]}{value}"
    return ui.t(key) if dimension != "region" or key in i18n.catalogue() else value


# --- rates by segment -------------------------------------------------------------------------
dimension = st.radio(
    ui.t("manage.segments.dimension"),
    screening.DIMENSIONS,
    format_func=lambda d: ui.t(f"manage.segments.dim.{d}"),
    horizontal=True,
    key="segment_dimension",
)
with ui.busy("manage.computing"):
    rates = ui.cached(screening.segment_trend, as_of, dimension)
rates["label"] = [segment_label(dimension, v) for v in rates["segment"]]

fig = charts.category_bars(
    rates,
    "label",
    [
        Series("default_rate", ui.t("manage.col.default_rate"), "#7b1010", "bar"),
        Series("overdue_rate_amount", ui.t("manage.col.overdue_rate_amount"), "#ef6c00", "bar"),
    ],
    x_title=ui.t(f"manage.segments.dim.{dimension}"),
    y_title=ui.t("manage.axis.rate_pct"),
)
ui.chart(
    fig,
    rates,
    "manage.segments.chart.rates",
    "manage.segments.chart.rates_explain",
    columns={
        "label": "manage.col.segment",
        "loans": "manage.col.loans",
        "principal": "manage.col.originated_principal",
        "default_rate": "manage.col.default_rate",
        "overdue_rate_amount": "manage.col.overdue_rate_amount",
    },
    file_name=f"rates_by_{dimension}.csv",
    dimension=ui.t(f"manage.segments.dim.{dimension}"),
)
ui.table(
    rates,
    {
        "label": "manage.col.segment",
        "loans": "manage.col.loans",
        "principal": "manage.col.originated_principal",
        "defaulted_loans": "manage.col.defaulted_loans",
        "default_rate": "manage.col.default_rate",
        "default_rate_count": "manage.col.default_rate_count",
        "active_loans": "manage.col.active_loans",
        "outstanding_principal": "manage.col.outstanding_principal",
        "overdue_rate_amount": "manage.col.overdue_rate_amount",
        "overdue_rate_year_ago": "manage.col.overdue_rate_year_ago",
        "overdue_contribution": "manage.col.overdue_contribution",
        "overdue_rate_count": "manage.col.overdue_rate_count",
    },
    {
        "loans": "int",
        "principal": "money",
        "defaulted_loans": "int",
        "default_rate": "pct",
        "default_rate_count": "pct",
        "active_loans": "int",
        "outstanding_principal": "money",
        "overdue_rate_amount": "pct",
        "overdue_rate_year_ago": "pct",
        "overdue_contribution": "pct",
        "overdue_rate_count": "pct",
    },
    file_name=f"segments_{dimension}.csv",
    key="segments",
    csv_only=("defaulted_loans", "default_rate_count", "overdue_rate_count"),
)

# --- the credit score's power -----------------------------------------------------------------
st.divider()
with ui.busy("manage.computing"):
    power = ui.cached(screening.score_power, as_of)
left, right = st.columns(2)
with left:
    fig = charts.score_power(
        power,
        ui.t("manage.col.gini"),
        ui.t("manage.col.ks"),
        ui.t("manage.axis.vintage_year"),
        ui.t("manage.axis.power"),
    )
    ui.chart(
        fig,
        power,
        "manage.segments.chart.power",
        "manage.segments.chart.power_explain",
        columns={
            "vintage_year": "manage.col.vintage_year",
            "loans": "manage.col.loans",
            "defaulted_loans": "manage.col.defaulted_loans",
            "default_rate": "manage.col.default_rate_count",
            "auc": "manage.col.auc",
            "gini": "manage.col.gini",
            "ks": "manage.col.ks",
        },
        file_name="score_power.csv",
    )
with right:
    st.subheader(ui.t("manage.segments.power_table"))
    st.caption(ui.t("manage.segments.power_table_help"))
    ui.table(
        power,
        {
            "vintage_year": "manage.col.vintage_year",
            "loans": "manage.col.loans",
            "defaulted_loans": "manage.col.defaulted_loans",
            "auc": "manage.col.auc",
            "gini": "manage.col.gini",
            "ks": "manage.col.ks",
        },
        {"loans": "int", "defaulted_loans": "int", "auc": "number", "gini": "number", "ks": "number"},
        file_name="score_power_table.csv",
        key="power",
    )

# --- cut-off what-if --------------------------------------------------------------------------
st.divider()
st.subheader(ui.t("manage.segments.cutoff"))
st.caption(ui.t("manage.segments.cutoff_help"))
curve = ui.cached(screening.cutoff_curve, as_of)
if curve.empty:
    st.info(ui.t("manage.segments.no_loans"))
else:
    low, high = int(curve["min_score"].min()), int(curve["min_score"].max())
    minimum = st.slider(
        ui.t("manage.segments.min_score"),
        min_value=low,
        max_value=max(high, low + 1),
        value=screening.default_cutoff(curve),
        step=1,
        key="cutoff_score",
    )
    whatif = ui.cached(screening.cutoff_whatif, as_of, minimum)
    ui.metric_rows(
        [
            (
                "manage.segments.volume_lost",
                fmt.pct(whatif["volume_lost"], lang),
                {"amount": fmt.money(whatif["principal_lost"], lang)},
            ),
            ("manage.segments.defaults_avoided", fmt.pct(whatif["defaults_avoided"], lang), {}),
            (
                "manage.segments.loss_avoided",
                fmt.pct(whatif["lost_principal_avoided"], lang),
                {"amount": fmt.money(whatif["lost_principal_avoided_amount"], lang)},
            ),
        ],
        per_row=3,
    )
    fig = charts.cutoff_chart(
        curve,
        [
            Series("defaults_avoided", ui.t("manage.col.defaults_avoided"), "#7b1010"),
            Series("lost_principal_avoided", ui.t("manage.col.lost_principal_avoided"), "#424242"),
            Series("volume_lost", ui.t("manage.col.volume_lost"), "#1f77b4", dash="dash"),
        ],
        minimum,
        ui.t("manage.axis.min_score"),
        ui.t("manage.axis.share_pct"),
    )
    ui.chart(
        fig,
        curve,
        "manage.segments.chart.cutoff",
        "manage.segments.chart.cutoff_explain",
        columns={
            "min_score": "manage.col.min_score",
            "volume_lost": "manage.col.volume_lost",
            "loans_lost": "manage.col.loans_lost",
            "defaults_avoided": "manage.col.defaults_avoided",
            "defaulted_principal_avoided": "manage.col.defaulted_principal_avoided",
            "lost_principal_avoided": "manage.col.lost_principal_avoided",
        },
        file_name="cutoff_whatif.csv",
    )
