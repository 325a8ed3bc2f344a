"""Collections: the queue of overdue loans ranked by expected loss with bucket, days since the last
contact and the next step; cure rates by first action and by days to first contact; the legal
pipeline (filed → judgment → recovered) and the recovery curve after charge-off. Managers and admins."""

import plotly.graph_objects as go
import streamlit as st

from lendrisk import collections, fmt, ui
from lendrisk.reports import STATE_COLORS

ui.require_role("manager", "admin")
lang = ui.lang()
as_of = ui.as_of()
symbol = fmt.currency_symbol()

st.title(ui.t("manage.collections.title"))
st.caption(ui.t("manage.collections.intro", as_of=fmt.date(as_of, lang)))

with ui.busy("manage.computing"):
    queue = ui.cached(collections.collection_queue, as_of)
    by_action = ui.cached(collections.cure_by_first_action, as_of)
    by_delay = ui.cached(collections.cure_by_contact_delay, as_of)
    pipeline = ui.cached(collections.legal_pipeline, as_of)
    curve = ui.cached(collections.recovery_curve, as_of)

cols = st.columns(4)
with cols[0]:
    ui.metric(
        "manage.collections.kpi.queue", fmt.number(len(queue), lang), "manage.collections.kpi.queue_help"
    )
with cols[1]:
    ui.metric(
        "manage.collections.kpi.el",
        fmt.money(queue["el"].sum(), lang, compact=True),
        "manage.collections.kpi.el_help",
    )
with cols[2]:
    stale = int((queue["days_since_contact"].isna() | (queue["days_since_contact"] > 30)).sum())
    ui.metric("manage.collections.kpi.stale", fmt.number(stale, lang), "manage.collections.kpi.stale_help")
with cols[3]:
    ui.metric(
        "manage.collections.kpi.lawsuits",
        fmt.number(int(pipeline["loans"].iloc[0]) if len(pipeline) else 0, lang),
        "manage.collections.kpi.lawsuits_help",
    )

# --- the queue --------------------------------------------------------------------------------
st.subheader(ui.t("manage.collections.queue"))
st.caption(ui.t("manage.collections.queue_help", days=collections.RECENT_CONTACT_DAYS))
buckets = ("1-30", "31-60", "61-90", "90+")
chosen = st.multiselect(
    ui.t("manage.col.bucket"),
    buckets,
    default=list(buckets),
    format_func=lambda b: ui.t(f"manage.state_short.{b}"),
    key="queue_buckets",
)
shown = queue.assign(
    last_kind=queue["last_contact_kind"].fillna("none"),
    days_text=[fmt.MISSING if fmt.missing(d) else fmt.number(d, lang) for d in queue["days_since_contact"]],
)
shown = shown[shown["state"].isin(chosen)]
ui.table(
    shown,
    {
        "loan_id": "manage.col.loan_id",
        "state": "manage.col.bucket",
        "dpd": "manage.col.dpd",
        "el": "manage.col.el",
        "next_step": "manage.col.next_step",
        "days_text": "manage.col.days_since_contact",
        "last_kind": "manage.col.last_contact",
        "contacts": "manage.col.contacts",
        "outstanding_principal": "manage.col.outstanding_principal",
        "past_due_amount": "manage.col.past_due_amount",
        "grade": "manage.col.grade",
        "product": "manage.col.product",
    },
    {
        "dpd": "int",
        "outstanding_principal": "money",
        "past_due_amount": "money",
        "el": "money",
        "contacts": "int",
    },
    codes={
        "product": "common.product.",
        "state": "manage.state_short.",
        "last_kind": "manage.action.",
        "next_step": "manage.next_step.",
    },
    file_name=f"collection_queue_{as_of:%Y-%m}.csv",
    key="queue",
    height=420,
)
with st.expander(ui.t("manage.collections.rule_title")):
    st.markdown(ui.t("manage.collections.rule", days=collections.RECENT_CONTACT_DAYS))

# --- cure rates -------------------------------------------------------------------------------
st.divider()
# Cure rates compare collection actions; a store that records none (an imported real book has
# only charge-offs) has nothing to compare.
acted = bool(by_action.loc[by_action["first_action"] != "none", "spells"].sum())
if acted:
    left, right = st.columns(2)
    cure_columns = {
        "label": "manage.col.group",
        "spells": "manage.col.spells",
        "cured": "manage.col.cured_spells",
        "cure_rate": "manage.col.cure_rate",
    }
    with left:
        frame = by_action[by_action["spells"] > 0]
        frame = frame.assign(label=[ui.t(f"manage.action.{a}") for a in frame["first_action"]])
        fig = go.Figure(
            go.Bar(
                x=frame["label"],
                y=frame["cure_rate"],
                marker_color=STATE_COLORS["current"],
                customdata=frame["spells"],
                text=[f"n = {fmt.number(n, lang)}" for n in frame["spells"]],
                textposition="outside",
                hovertemplate="%{x}: %{y:.1%} (n = %{customdata})<extra></extra>",
            )
        )
        fig.update_layout(height=380)
        fig.update_xaxes(title_text=ui.t("manage.axis.first_action"), type="category")
        fig.update_yaxes(
            title_text=ui.t("manage.axis.cure_rate_3m"), tickformat=".0%", range=[0, 1.12], dtick=0.2
        )
        ui.chart(
            fig,
            frame,
            "manage.collections.chart.by_action",
            "manage.collections.chart.by_action_explain",
            columns=cure_columns,
            file_name="cure_by_first_action.csv",
            months=collections.CURE_MONTHS,
        )
    with right:
        frame = by_delay[by_delay["spells"] > 0]
        frame = frame.assign(label=[ui.t(f"manage.delay.{d}") for d in frame["delay"]])
        fig = go.Figure(
            go.Bar(
                x=frame["label"],
                y=frame["cure_rate"],
                marker_color="#1f77b4",
                customdata=frame["spells"],
                text=[f"n = {fmt.number(n, lang)}" for n in frame["spells"]],
                textposition="outside",
                hovertemplate="%{x}: %{y:.1%} (n = %{customdata})<extra></extra>",
            )
        )
        fig.update_layout(height=380)
        fig.update_xaxes(title_text=ui.t("manage.axis.days_to_contact"), type="category")
        fig.update_yaxes(
            title_text=ui.t("manage.axis.cure_rate_3m"), tickformat=".0%", range=[0, 1.12], dtick=0.2
        )
        ui.chart(
            fig,
            frame,
            "manage.collections.chart.by_delay",
            "manage.collections.chart.by_delay_explain",
            columns=cure_columns,
            file_name="cure_by_contact_delay.csv",
            months=collections.CURE_MONTHS,
        )
else:
    st.info(ui.t("manage.collections.no_actions", months=collections.CURE_MONTHS))


# --- legal pipeline and recoveries ------------------------------------------------------------
st.divider()
left, right = st.columns(2)
with left:
    if len(pipeline) and pipeline["loans"].iloc[0]:
        frame = pipeline.assign(label=[ui.t(f"manage.legal.{s}") for s in pipeline["stage"]])
        fig = go.Figure(
            go.Funnel(
                y=frame["label"],
                x=frame["loans"],
                textinfo="value+percent initial",
                marker={"color": ["#ef6c00", "#d32f2f", STATE_COLORS["current"]]},
                hovertemplate="%{y}: %{x}<extra></extra>",
            )
        )
        fig.update_layout(height=380)
        fig.update_xaxes(title_text=ui.t("manage.axis.loans"))
        ui.chart(
            fig,
            frame,
            "manage.collections.chart.legal",
            "manage.collections.chart.legal_explain",
            columns={
                "label": "manage.col.stage",
                "loans": "manage.col.loans",
                "claim": "manage.col.claim",
                "recovered": "manage.col.recovered",
            },
            file_name="legal_pipeline.csv",
        )
        if pipeline["claim"].iloc[0] > 0:
            st.caption(
                ui.t(
                    "manage.collections.legal_summary",
                    claim=fmt.money(pipeline["claim"].iloc[0], lang),
                    recovered=fmt.money(pipeline["recovered"].iloc[0], lang),
                    share=fmt.pct(pipeline["recovered"].iloc[0] / pipeline["claim"].iloc[0], lang),
                )
            )
    else:  # an empty funnel would be three labels on a blank axis
        st.subheader(ui.t("manage.collections.chart.legal"))
        st.info(ui.t("manage.collections.no_lawsuits"))
with right:
    if curve.empty:  # no charge-off by this date: a note instead of a blank axis
        st.subheader(ui.t("manage.collections.chart.recovery"))
        st.info(ui.t("manage.collections.no_charge_offs"))
    else:
        fig = go.Figure(
            go.Scatter(
                x=curve["months_since_charge_off"],
                y=curve["recovery_rate"],
                mode="lines+markers",
                line={"color": STATE_COLORS["charged_off"]},
                customdata=curve["loans"],
                hovertemplate="%{x}: %{y:.1%} (n = %{customdata})<extra></extra>",
            )
        )
        fig.update_layout(height=380)
        fig.update_xaxes(title_text=ui.t("manage.axis.months_since_charge_off"), range=[0, 24])
        fig.update_yaxes(title_text=ui.t("manage.axis.recovery_rate"), tickformat=".0%", rangemode="tozero")
        ui.chart(
            fig,
            curve,
            "manage.collections.chart.recovery",
            "manage.collections.chart.recovery_explain",
            columns={
                "months_since_charge_off": "manage.col.months_since_charge_off",
                "loans": "manage.col.loans",
                "charged_off_principal": "manage.col.charged_off_principal",
                "recovered": "manage.col.recovered",
                "recovery_rate": "manage.col.recovery_rate",
            },
            file_name="recovery_curve.csv",
        )
