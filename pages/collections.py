"""Collections: the queue of overdue loans ranked by expected loss with bucket, days since the last
contact and the next step; cure rates by first action and by days to first contact; the legal
pipeline (filed → judgment → recovered) and the recovery curve after charge-off. Managers and admins."""

import pandas as pd
import streamlit as st

from lendrisk import charts, collection, fmt, ui
from lendrisk.vocab import OVERDUE_BUCKETS, STATE_COLOURS

as_of, lang = ui.manager_page("manage.collections")

QUEUE_COLUMNS = {
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
}
QUEUE_FORMATS = {
    "dpd": "int",
    "outstanding_principal": "money",
    "past_due_amount": "money",
    "el": "money",
    "contacts": "int",
}
QUEUE_CODES = {
    "product": "common.product.",
    "state": "manage.state_short.",
    "last_kind": "manage.action.",
    "next_step": "manage.next_step.",
}


def readable(rows: pd.DataFrame) -> pd.DataFrame:
    """Queue rows with the last contact's kind ("none" when never contacted) and days since it as text."""
    days = [fmt.MISSING if fmt.missing(d) else fmt.number(d, lang) for d in rows["days_since_contact"]]
    return rows.assign(last_kind=rows["last_contact_kind"].fillna("none"), days_text=days)


with ui.busy("manage.computing"):
    queue = ui.cached(collection.collection_queue, as_of)
    by_action = ui.cached(collection.cure_by_first_action, as_of)
    by_delay = ui.cached(collection.cure_by_contact_delay, as_of)
    pipeline = ui.cached(collection.legal_pipeline, as_of)
    curve = ui.cached(collection.recovery_curve, as_of)

stale = int((queue["days_since_contact"].isna() | (queue["days_since_contact"] > 30)).sum())
ui.metric_rows(
    [
        ("manage.collections.kpi.queue", fmt.number(len(queue), lang), {}),
        ("manage.collections.kpi.el", fmt.money(queue["el"].sum(), lang, compact=True), {}),
        ("manage.collections.kpi.stale", fmt.number(stale, lang), {}),
        (
            "manage.collections.kpi.lawsuits",
            fmt.number(int(pipeline["loans"].iloc[0]) if len(pipeline) else 0, lang),
            {},
        ),
    ],
    per_row=4,
)

# --- the queue --------------------------------------------------------------------------------
st.subheader(ui.t("manage.collections.queue"))
st.caption(ui.t("manage.collections.queue_help", days=collection.RECENT_CONTACT_DAYS))
buckets = OVERDUE_BUCKETS
chosen = st.multiselect(
    ui.t("manage.col.bucket"),
    buckets,
    default=list(buckets),
    format_func=lambda b: ui.t(f"manage.state_short.{b}"),
    key=ui.language_key("queue_buckets"),
)

top, total = collection.queue_top(queue, chosen)
shown = readable(top)
if total > len(shown):
    st.caption(
        ui.t(
            "manage.collections.queue_shown",
            shown=fmt.number(len(shown), lang),
            total=fmt.number(total, lang),
        )
    )
ui.table(
    shown,
    QUEUE_COLUMNS,
    QUEUE_FORMATS,
    codes=QUEUE_CODES,
    file_name=f"collection_queue_{as_of:%Y-%m}.csv",
    key="queue",
    csv_only=("contacts", "grade", "product"),  # in the download; the screen keeps to what fits
    height=ui.fit_height(len(shown)),
)
# The whole queue (half a million loans at ten million) is formatted only when asked for.
if total > len(shown) and st.toggle(
    ui.t("manage.collections.queue_full", total=fmt.number(total, lang)), key="queue_full"
):
    everything = queue[queue["state"].isin(chosen)]  # ranked, as on screen
    ui.download(
        ui.labelled(readable(everything), QUEUE_COLUMNS, QUEUE_CODES),
        f"collection_queue_{as_of:%Y-%m}_all.csv",
        key="queue_full_csv",
        kinds={ui.t(QUEUE_COLUMNS[c]): k for c, k in QUEUE_FORMATS.items()},
    )
with st.expander(ui.t("manage.collections.rule_title")):
    st.markdown(ui.t("manage.collections.rule", days=collection.RECENT_CONTACT_DAYS))

# --- cure rates -------------------------------------------------------------------------------


def cure_chart(
    groups: pd.DataFrame, group: str, prefix: str, colour: str, name: str, axis: str, csv: str
) -> None:
    """Cure rates (0..1) of every group (group column, labels prefix + value; an empty one shows n = 0)."""
    frame = groups.assign(label=[ui.t(f"{prefix}{g}") for g in groups[group]])
    fig = charts.cure_bars(
        frame.assign(cure_rate=frame["cure_rate"].fillna(0.0)),
        colour,
        [f"n = {fmt.number(n, lang)}" for n in frame["spells"]],
        ui.t(f"manage.axis.{axis}"),
        ui.t("manage.axis.cure_rate_3m"),
    )
    ui.chart(
        fig,
        frame,
        f"manage.collections.chart.{name}",
        f"manage.collections.chart.{name}_explain",
        columns={
            "label": "manage.col.group",
            "spells": "manage.col.spells",
            "cured": "manage.col.cured_spells",
            "cure_rate": "manage.col.cure_rate",
        },
        file_name=csv,
        months=collection.CURE_MONTHS,
    )


st.divider()
# Cure rates compare collection actions; a store that records none (an imported real book has
# only charge-offs) has nothing to compare.
acted = bool(by_action.loc[by_action["first_action"] != "none", "spells"].sum())
if acted:
    left, right = st.columns(2)
    with left:
        cure_chart(
            by_action,
            "first_action",
            "manage.action.",
            STATE_COLOURS["current"],
            "by_action",
            "first_action",
            "cure_by_first_action.csv",
        )
    with right:
        cure_chart(
            by_delay,
            "delay",
            "manage.delay.",
            "#1f77b4",
            "by_delay",
            "days_to_contact",
            "cure_by_contact_delay.csv",
        )
else:
    st.info(ui.t("manage.collections.no_actions", months=collection.CURE_MONTHS))


# --- legal pipeline and recoveries ------------------------------------------------------------
st.divider()
left, right = st.columns(2)
with left:
    if len(pipeline) and pipeline["loans"].iloc[0]:
        frame = pipeline.assign(label=[ui.t(f"manage.legal.{s}") for s in pipeline["stage"]])
        fig = charts.legal_funnel(
            frame, ["#ef6c00", "#d32f2f", STATE_COLOURS["current"]], ui.t("manage.axis.loans")
        )
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
        ui.note("manage.collections.chart.legal", "manage.collections.no_lawsuits")
with right:
    if curve.empty:  # no charge-off by this date: a note instead of a blank axis
        ui.note("manage.collections.chart.recovery", "manage.collections.no_charge_offs")
    else:
        fig = charts.recovery_curve(
            curve,
            STATE_COLOURS["charged_off"],
            ui.t("manage.axis.months_since_charge_off"),
            ui.t("manage.axis.recovery_rate"),
            label=lambda year: ui.t("manage.collections.cohort", year=year),
        )
        ui.chart(
            fig,
            curve,
            "manage.collections.chart.recovery",
            "manage.collections.chart.recovery_explain",
            columns={
                "cohort": "manage.col.charge_off_year",
                "months_since_charge_off": "manage.col.months_since_charge_off",
                "loans": "manage.col.loans",
                "charged_off_principal": "manage.col.charged_off_principal",
                "recovered": "manage.col.recovered",
                "recovery_rate": "manage.col.recovery_rate",
            },
            file_name="recovery_curve.csv",
            formats={"charged_off_principal": "money", "recovered": "money", "recovery_rate": "pct"},
        )
