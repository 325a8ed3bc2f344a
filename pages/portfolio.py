"""My portfolio (investor): what I invested, what is still out, how much of it is overdue, the
principal I will probably lose, what I really earn; exposure by bucket; my overdue rate over time
beside the platform's; every cash flow behind the returns. The investor id comes from the logged-in
user only."""

import streamlit as st

from lendrisk import charts, fmt, investor, metrics, statement, ui, whypanels

me, as_of, lang = ui.investor_page("investor.portfolio")

with ui.busy("investor.computing"):
    kpi = ui.cached(investor.portfolio_summary, as_of, investor_id=me)
    buckets = ui.cached(metrics.overdue_by_bucket, as_of, investor_id=me)
    rates = ui.cached(investor.overdue_rates, as_of, investor_id=me)
    flows = ui.cached(investor.cash_flows, as_of, investor_id=me)


def money(x: float) -> str:
    """An amount in the interface language (compact from a million: KPI tiles are narrow)."""
    return fmt.money(x, lang, compact=lang == "zh" or abs(x) >= 1_000_000)


def pct(x: float) -> str:
    """A ratio as a percentage with two decimals."""
    return fmt.pct(x, lang, 2)


exposure = kpi["exposure"]
tiles = [
    ("invested", money(kpi["invested"]), {"received": money(kpi["principal_received"])}),
    ("exposure", money(exposure), {"loans": fmt.number(kpi["loans"], lang)}),
    (
        "overdue",
        money(kpi["overdue_balance"]),
        {"share": pct(kpi["overdue_share"]), "past_due": money(kpi["past_due_amount"])},
    ),
    (
        "el",
        money(kpi["expected_loss"]),
        {"share": pct(kpi["expected_loss"] / exposure if exposure > 0 else float("nan"))},
    ),
    (
        "realised_loss",
        money(kpi["realised_loss"]),
        {"charged_off": money(kpi["charged_off_principal"]), "recovered": money(kpi["recoveries"])},
    ),
    ("interest", money(kpi["interest_received"]), {"fees": money(kpi["fees_received"])}),
    ("nar", pct(kpi["nar"]), {}),
    ("adjusted_nar", pct(kpi["adjusted_nar"]), {"adjustment": money(kpi["past_due_expected_loss"])}),
    ("xirr", pct(kpi["xirr"]), {"realised": pct(kpi["xirr_realised"])}),
]
ui.metric_rows([(f"investor.kpi.{name}", value, fields) for name, value, fields in tiles], per_row=3)
st.info(ui.t("investor.portfolio.how_to_read"), icon=":material/lightbulb:")
st.download_button(
    ui.t("investor.statement.download"),
    # made when clicked: building the workbook took most of a first login's 8 s (bench/README, Load)
    lambda: statement.statement_excel(ui.connection(), as_of, me, lang),
    file_name=f"statement_{me}_{as_of:%Y-%m}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="statement-xlsx",
    on_click="ignore",
    icon=":material/table_view:",
)
whypanels.investor_changes_panel(me, as_of, lang)  # my loans that changed this month, to their stories

left, right = st.columns(2)
with left:
    if exposure > 0:
        by_bucket = buckets.assign(state=[ui.t(f"common.state.{b}") for b in buckets["bucket"]])
        ui.chart(
            charts.bucket_figure(buckets, lang),
            by_bucket,
            "investor.chart.buckets.title",
            "investor.chart.buckets.explain",
            columns={
                "state": "investor.col.bucket",
                "loans": "investor.col.loans",
                "outstanding_principal": "investor.col.exposure",
                "share": "investor.col.share",
                "past_due_amount": "investor.col.past_due",
            },
            file_name="my_exposure_by_bucket.csv",
        )
    else:
        ui.note(
            "investor.chart.buckets.title", "investor.portfolio.no_exposure", symbol=fmt.currency_symbol()
        )
with right:
    if rates.empty:
        ui.note("investor.chart.trend.title", "investor.portfolio.no_history")
    else:
        fig = charts.overdue_rates_figure(rates, lang)
        ui.chart(
            fig,
            rates.assign(series=[ui.t(f"investor.series.{s}") for s in rates["series"]]),
            "investor.chart.trend.title",
            "investor.chart.trend.explain",
            columns={
                "month_end": "investor.col.month_end",
                "series": "investor.col.series",
                "rate": "investor.col.overdue_rate",
                "loans": "investor.col.loans",
                "exposure": "investor.col.exposure",
                "overdue_exposure": "investor.col.overdue_exposure",
            },
            file_name="overdue_rate_mine_vs_platform.csv",
            formats={"rate": "pct", "exposure": "money", "overdue_exposure": "money", "loans": "int"},
        )
        basis = investor.overdue_basis(rates)
        st.caption(
            ui.t(
                "investor.trend.basis_one" if basis["loans"] == 1 else "investor.trend.basis",
                date=fmt.date(basis["month_end"], lang),
                rate=pct(basis["rate"]),
                overdue=fmt.money(basis["overdue"], lang),
                exposure=fmt.money(basis["exposure"], lang),
                loans=fmt.number(basis["loans"], lang),
            )
        )
        if basis["small"] or basis["small_months"]:
            st.info(
                ui.t(
                    "investor.trend.small_book",
                    loans=fmt.number(basis["loans"], lang),
                    exposure=fmt.money(basis["exposure"], lang),
                    step=fmt.pct(1 / max(basis["loans"], 1), lang, 0),
                    months=fmt.number(basis["small_months"], lang),
                    min=fmt.number(investor.SMALL_BOOK_LOANS, lang),
                ),
                icon=":material/info:",
            )

st.subheader(ui.t("investor.cashflows.title"))
st.caption(
    ui.t(
        "investor.cashflows.explain",
        count=fmt.number(len(flows), lang),
        invested=money(kpi["invested"]),
        received=money(kpi["principal_received"] + kpi["interest_received"] + kpi["fees_received"]),
    )
)
ui.table(
    flows,
    {
        "flow_on": "investor.col.flow_on",
        "kind": "investor.col.flow_kind",
        "source": "investor.col.source",
        "loan_id": "investor.col.loan",
        "holding_id": "investor.col.holding",
        "principal": "investor.col.principal",
        "interest": "investor.col.interest",
        "fee": "investor.col.fee",
        "amount": "investor.col.cash",
    },
    {"flow_on": "date", "principal": "money", "interest": "money", "fee": "money", "amount": "signed"},
    codes={"kind": "investor.flow_kind.", "source": "common.source."},
    file_name="my_cash_flows.csv",
    fields={"symbol": fmt.currency_symbol()},
)
