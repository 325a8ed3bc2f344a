"""Holdings (investor): my notes, running ones first with overdue loans on top, filtered (status,
grade, product, loan id search) and sorted, with terms, cash received and next payment, CSV export;
and the story of one of my loans: schedule against actual payments, collection events on a
timeline, guarantor buy-out. Only the logged-in investor's loans can be opened."""

import streamlit as st

from lendrisk import fmt, investor, ui
from lendrisk.vocab import PRODUCTS, STATES

me, as_of, lang = ui.investor_page("investor.holdings")

with ui.busy("investor.computing"):
    mine = ui.cached(investor.holdings, as_of, investor_id=me)

if mine.empty:
    st.info(ui.t("investor.holdings.none"))
    st.stop()

states = [s for s in STATES if s in set(mine["state"])]
grades = sorted(set(mine["grade"]))
products = [p for p in PRODUCTS if p in set(mine["product"])]
f1, f2, f3, f4 = st.columns([3, 2, 2, 2])
with f1:
    chosen_states = ui.multi_filter("investor.filter.state", states, "holdings_state", "common.state.")
with f2:
    chosen_grades = ui.multi_filter("investor.filter.grade", grades, "holdings_grade")
with f3:
    chosen_products = ui.multi_filter(
        "investor.filter.product", products, "holdings_product", "common.product."
    )
with f4:
    sort_by = st.selectbox(
        ui.t("investor.filter.sort"),
        investor.SORT_KEYS,
        key="holdings_sort",
        format_func=lambda k: ui.t(f"investor.sort.{k}"),
    )
s1, s2 = st.columns([3, 6], vertical_alignment="bottom")
with s1:
    search = st.text_input(
        ui.t("investor.filter.search"),
        key="holdings_search",
        placeholder=ui.t("investor.filter.search_placeholder"),
    )
with s2:
    active_only = st.toggle(
        ui.t("investor.filter.active_only"),
        value=True,
        key="holdings_active_only",
        help=ui.t("investor.filter.active_only_help"),
    )
shown = investor.filter_holdings(
    mine, chosen_states, chosen_grades, chosen_products, sort_by, active_only=active_only, search=search
)
narrowed = len(shown) < len(mine)

st.subheader(ui.t("investor.holdings.table_title", symbol=fmt.currency_symbol()))
st.caption(
    ui.t(
        "investor.holdings.table_explain",
        shown=fmt.number(len(shown), lang),
        total=fmt.number(len(mine), lang),
        exposure=fmt.money(shown["exposure"].sum(), lang),
        el=fmt.money(shown["el"].sum(), lang),
    )
)
if shown.empty:
    st.info(ui.t("investor.holdings.none_shown"))
ui.table(
    shown,
    {
        "loan_id": "investor.col.loan",
        "state": "investor.col.state",
        "dpd": "investor.col.dpd",
        "grade": "investor.col.grade",
        "product": "investor.col.product",
        "annual_rate": "investor.col.annual_rate",
        "term_months": "investor.col.term",
        "invested": "investor.col.invested",
        "exposure": "investor.col.exposure",
        "received": "investor.col.received",
        "next_due_on": "investor.col.next_due_on",
        "next_due": "investor.col.next_due",
        "pd": "investor.col.pd",
        "el": "investor.col.el",
        "guarantee": "investor.col.guarantee",
        "guarantor_paid": "investor.col.guarantor_paid",
        "invested_on": "investor.col.invested_on",
    },
    {
        "dpd": "int",
        "annual_rate": "pct",
        "term_months": "int",
        "invested": "money",
        "exposure": "money",
        "received": "money",
        "next_due_on": "date",
        "next_due": "money",
        "pd": "pct",
        "el": "money",
        "guarantor_paid": "money",
        "invested_on": "date",
    },
    codes={"state": "common.state.", "product": "common.product.", "guarantee": "common.guarantee."},
    file_name=f"my_holdings_{as_of:%Y-%m-%d}{'_filtered' if narrowed else ''}.csv",
    key="holdings",
    csv_only=("pd", "guarantor_paid", "invested_on"),  # in the download; the screen keeps to what fits
)

# --- one loan's story: only loans of this investor are offered, and the query checks it again ---
st.divider()
# the worst running loan first (the default order), then the rest of the investor's loans
loans = list(dict.fromkeys(investor.filter_holdings(mine)["loan_id"]))
facts = mine.drop_duplicates("loan_id").set_index("loan_id")


def loan_label(loan_id: str) -> str:
    """A loan in the picker: id, grade, product and state."""
    row = facts.loc[loan_id]
    return ui.t(
        "investor.story.option",
        loan=loan_id,
        grade=row["grade"],
        product=ui.t(f"common.product.{row['product']}"),
        state=ui.t(f"common.state.{row['state']}"),
    )


loan_id = st.selectbox(
    ui.t("investor.story.choose"),
    loans,
    key="holdings_story_loan",
    format_func=loan_label,
    help=ui.t("investor.story.choose_help"),
)
story = ui.cached(investor.loan_story, as_of, loan_id, investor_id=me) if loan_id else None
if story is None:
    st.info(ui.t("investor.story.unavailable"))
    st.stop()

loan = story.loan
st.header(ui.t("investor.story.title", loan=loan_id))
st.markdown(
    ui.t(
        "investor.story.facts",
        **ui.loan_facts(loan, lang),
        guarantee=ui.t(f"common.guarantee.{loan['guarantee']}"),
        share=fmt.pct(loan["share"], lang, 1),
        held=fmt.money(loan["held_amount"], lang),
        state=ui.t(f"common.state.{loan['state']}"),
    )
)
buyout = story.payments[story.payments["source"] == "guarantor"]
if len(buyout):
    st.warning(
        ui.t(
            "investor.story.buyout",
            date=fmt.date(buyout["paid_on"].iloc[0], lang),
            amount=fmt.money(buyout["amount"].sum(), lang),
            mine=fmt.money(buyout["amount"].sum() * loan["share"], lang),
        ),
        icon=":material/shield:",
    )
else:
    st.caption(ui.t("investor.story.no_buyout"))

ui.story_charts(story, lang, "investor.story", f"loan_{loan_id}")

st.subheader(ui.t("investor.story.schedule_title", symbol=fmt.currency_symbol()))
st.caption(ui.t("investor.story.schedule_explain"))
ui.table(
    story.schedule,
    {
        "installment_no": "investor.col.installment",
        "due_on": "investor.col.due_on",
        "principal_due": "investor.col.principal_due",
        "interest_due": "investor.col.interest_due",
        "amount_due": "investor.col.amount_due",
        "paid_in_full_on": "investor.col.paid_in_full_on",
        "status": "investor.col.status",
        "days_late": "investor.col.days_late",
    },
    {
        "installment_no": "int",
        "due_on": "date",
        "principal_due": "money",
        "interest_due": "money",
        "amount_due": "money",
        "paid_in_full_on": "date",
        "days_late": "int",
    },
    codes={"status": "investor.status."},
    file_name=f"loan_{loan_id}_schedule.csv",
    key="holdings_story_schedule",
)
