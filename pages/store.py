"""Store overview: what the store holds (tables and row counts, dates covered, provenance) and the
platform's loans originated per month up to the as-of date. Investors see a short summary instead:
the loans they hold, the dates the data covers and where it comes from."""

import plotly.express as px
import streamlit as st

from lendrisk import charts, fmt, investor, storeinfo, ui
from lendrisk.vocab import INVESTOR_ROLES, ROLES

user = ui.require_role(*ROLES)
lang, as_of = ui.lang(), ui.as_of()
summary = ui.cached(storeinfo.store_summary)
source = storeinfo.source_label(summary.source, lang)
counts = dict(zip(summary.row_counts["table_name"], summary.row_counts["row_count"], strict=True))

st.title(ui.t("store.title"))
st.caption(ui.t("store.intro"))

built_time = f"{summary.built_at:%H:%M} UTC" if summary.built_at else fmt.MISSING
# Two metrics a row: a Chinese date ("2024年12月31日") needs the width.
top, bottom = st.columns(2), st.columns(2)
with top[0]:
    if user.role in INVESTOR_ROLES:  # an investor's own loans, not the platform's tables
        mine = ui.cached(investor.holdings, as_of, investor_id=user.investor_id or "")
        loans, date = fmt.number(mine["loan_id"].nunique(), lang), fmt.date(as_of, lang)
        ui.metric("store.metric.loans", loans, "store.metric.my_loans_help", date=date)
    else:
        ui.metric("store.metric.loans", fmt.number(counts["loans"], lang), "store.metric.loans_help")
with top[1]:
    ui.metric(
        "store.metric.first_originated",
        fmt.date(summary.first_originated_on, lang),
        "store.metric.first_originated_help",
    )
with bottom[0]:
    ui.metric(
        "store.metric.observed_to", fmt.date(summary.observed_to, lang), "store.metric.observed_to_help"
    )
with bottom[1]:
    ui.metric(
        "store.metric.built_at",
        fmt.date(summary.built_at, lang),
        "store.metric.built_at_help",
        time=built_time,
        source=source,
    )
if user.role in INVESTOR_ROLES:
    st.caption(ui.t("store.investor_note", source=source))
    st.stop()

st.subheader(ui.t("store.tables"))
st.caption(ui.t("store.tables_help"))
tables = summary.row_counts.assign(
    table=summary.row_counts["table_name"], holds=summary.row_counts["table_name"]
)
ui.table(
    tables,
    {"table": "store.col.table", "row_count": "store.col.rows", "holds": "store.col.holds"},
    {"row_count": "int"},
    codes={"table": "store.table.", "holds": "store.holds."},
    file_name="store_tables.csv",
    height="content",
)
st.caption(ui.t("store.source", source=source, version=summary.schema_version))

originations = ui.cached(storeinfo.originations_by_month, as_of)
if originations.empty:
    st.info(ui.t("store.empty"))
else:
    symbol = fmt.currency_symbol()
    labels = {
        "month": ui.t("store.chart.month"),
        "loans": ui.t("store.chart.loans"),
        "principal": ui.t("store.chart.principal", symbol=symbol),
    }
    fig = px.bar(originations, x="month", y="loans", hover_data={"principal": ":,.2f"}, labels=labels)
    fig.update_traces(xperiod="M1", xperiodalignment="middle")
    fig.update_xaxes(ticklabelmode="period", **charts.month_ticks(charts.span_months(originations["month"])))
    fig.update_yaxes(rangemode="tozero", dtick=1 if originations["loans"].max() < 10 else None)
    fig.update_layout(height=380)
    ui.chart(
        fig,
        originations,
        "store.chart.title",
        "store.chart.explain",
        columns={
            "month": "store.chart.month",
            "loans": "store.chart.loans",
            "principal": "store.chart.principal",
        },
        file_name=f"originations_by_month_{as_of:%Y-%m-%d}.csv",
        formats={"month": "month", "loans": "int", "principal": "money"},
        date=fmt.date(as_of, lang),
    )
