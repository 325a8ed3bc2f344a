"""Risk (investor): how concentrated my money is, what an unemployment shock does to my expected
loss, how bad a year could get (simulated loss distribution, VaR), and the cash I should expect in
the next 12 months against the contract. The investor id comes from the logged-in user only."""

import pandas as pd
import streamlit as st

from lendrisk import charts, fmt, investor, metrics, risk, ui
from lendrisk.charts import Series

me, as_of, lang = ui.investor_page("investor.risk")
symbol = fmt.currency_symbol()


def money(x: float) -> str:
    """An amount in the interface language."""
    return fmt.money(x, lang)


def pct(x: float, digits: int = 1) -> str:
    """A ratio as a percentage."""
    return fmt.pct(x, lang, digits)


# --- concentration ---------------------------------------------------------------------------
st.header(ui.t("investor.risk.conc.title"))
with ui.busy("investor.computing"):
    conc = ui.cached(metrics.concentration, as_of, investor_id=me)
    top = ui.cached(investor.top_borrowers, as_of, investor_id=me)
has_borrowers = conc["borrowers"] > 0


def share_or_missing(x: float) -> str:
    """A concentration share, or a dash when nothing is outstanding."""
    return pct(x) if has_borrowers else fmt.MISSING


ui.metric_rows(
    [
        (
            "investor.risk.conc.hhi",
            fmt.number(conc["hhi"], lang, 3) if has_borrowers else fmt.MISSING,
            {"equivalent": fmt.number(1 / conc["hhi"], lang, 1) if has_borrowers else fmt.MISSING},
        ),
        ("investor.risk.conc.top1", share_or_missing(conc["top1_share"]), {}),
        ("investor.risk.conc.top10", share_or_missing(conc["top10_share"]), {}),
        (
            "investor.risk.conc.borrowers",
            fmt.number(conc["borrowers"], lang),
            {"exposure": money(conc["exposure"])},
        ),
    ],
    per_row=4,
)
if top.empty:
    st.info(ui.t("investor.risk.no_exposure"))
else:
    labels = [ui.t("investor.risk.conc.borrower", borrower=b) for b in top["borrower_id"]]
    hover = [
        ui.t("investor.hover.borrower", amount=money(e), share=pct(s), loans=fmt.number(n, lang))
        for e, s, n in zip(top["exposure"], top["share"], top["loans"], strict=True)
    ]
    fig = charts.share_bars(
        labels, top["share"], hover, ui.t("investor.axis.share_of_exposure"), ui.t("investor.axis.borrower")
    )
    ui.chart(
        fig,
        top,
        "investor.risk.conc.chart.title",
        "investor.risk.conc.chart.explain",
        columns={
            "rank": "investor.col.rank",
            "borrower_id": "investor.col.borrower",
            "loans": "investor.col.loans",
            "exposure": "investor.col.exposure",
            "share": "investor.col.share",
        },
        file_name="my_top_borrowers.csv",
    )

# --- stress ----------------------------------------------------------------------------------
ui.header("investor.risk.stress")
shock = ui.shock_slider("investor.risk.stress.slider", 6.0, "risk_shock_pp")
with ui.busy("investor.computing"):
    stressed = ui.cached(risk.stressed_expected_loss, as_of, shock, investor_id=me)
by_state = investor.stress_by_state(stressed)
before, after = stressed["el_after_guarantee"], stressed["el_after_guarantee_stressed"]
ui.metric_rows(
    [
        ("investor.risk.stress.el_before", money(before), {}),
        ("investor.risk.stress.el_after", money(after), {"shock": fmt.number(shock, lang, 1)}),
        (
            "investor.risk.stress.change",
            money(after - before),
            {"rate": pct((after - before) / before) if before > 0 else fmt.MISSING},
        ),
    ],
    per_row=3,
)
why = investor.stress_explained(stressed)
if before > 0 or after > 0:
    st.markdown(
        ui.t(
            "investor.risk.stress.why_reserve" if why["reserve_gives_out"] else "investor.risk.stress.why",
            shock=fmt.number(shock, lang, 1),
            el=money(why["el"]),
            el_stressed=money(why["el_stressed"]),
            covered=money(why["covered"]),
            covered_stressed=money(why["covered_stressed"]),
            coverage=fmt.pct(why["coverage"], lang, 0),
            coverage_stressed=fmt.pct(why["coverage_stressed"], lang, 0),
            after=money(before),
            after_stressed=money(after),
        )
    )
factors = stressed["sensitivity"]
if (factors["used_factor_per_pp"] <= 1.0).all():
    st.info(ui.t("investor.risk.stress.flat"))
if stressed["ead"] > 0:
    labels = [ui.t(f"investor.bucket.{s}") for s in by_state["state"]]
    fig = charts.money_bars(
        by_state,
        labels,
        [
            Series("el", ui.t("investor.risk.stress.before"), "#90a4ae"),
            Series("el_stressed", ui.t("investor.risk.stress.after"), "#c62828"),
        ],
        money,
        symbol,
        ui.t("investor.axis.bucket"),
        ui.t("investor.axis.el", symbol=symbol),
    )
    ui.chart(
        fig,
        by_state.assign(state=labels),
        "investor.risk.stress.chart.title",
        "investor.risk.stress.chart.explain",
        columns={
            "state": "investor.col.bucket",
            "el": "investor.col.el",
            "el_stressed": "investor.col.el_stressed",
        },
        file_name="my_stressed_expected_loss.csv",
    )

# --- loss distribution -----------------------------------------------------------------------
ui.header("investor.risk.dist")
inputs = (  # name, min, max, first value, step, shown as
    ("rho", 0.0, 0.9, 0.15, 0.05, "%.2f"),
    ("k", 0.5, 100.0, 5.0, 0.5, "%.1f"),
)
rho, k_pct = (
    column.number_input(
        ui.t(f"investor.risk.dist.{name}"),
        min_value=low,
        max_value=high,
        value=first,
        step=step,
        format=shown,
        key=f"risk_{name}",
        help=ui.t(f"investor.risk.dist.{name}_help"),
    )
    for column, (name, low, high, first, step, shown) in zip(st.columns(2), inputs, strict=True)
)
with ui.busy("investor.simulating"):
    dist = ui.cached(risk.loss_distribution, as_of, me, rho=float(rho))
exposure = dist["exposure"]
k = float(k_pct) / 100
ui.metric_rows(
    [
        (
            "investor.risk.dist.el12",
            money(dist["expected_loss_12m"]),
            {"share": pct(dist["expected_loss_12m"] / exposure if exposure > 0 else float("nan"))},
        ),
        ("investor.risk.dist.var95", money(dist["var_95"]), {}),
        ("investor.risk.dist.var99", money(dist["var_99"]), {}),
        (
            "investor.risk.dist.p_k",
            pct(investor.tail_probability(dist["losses"], exposure, k)),
            {"k": fmt.number(k_pct, lang, 1), "amount": money(k * exposure)},
        ),
    ],
    per_row=4,
)
if exposure > 0:
    bins = investor.loss_histogram(dist["losses"])
    hover = [
        ui.t("investor.hover.loss_bin", low=money(a), high=money(b), share=pct(s, 2))
        for a, b, s in zip(bins["loss_from"], bins["loss_to"], bins["share"], strict=True)
    ]
    marks = [
        (ui.t(name, amount=money(value)), value, colour)
        for name, value, colour in (
            ("investor.risk.dist.mean_line", dist["mean"], "#1565c0"),
            ("investor.risk.dist.var95_line", dist["var_95"], "#ef6c00"),
            ("investor.risk.dist.var99_line", dist["var_99"], "#b71c1c"),
        )
    ]
    fig = charts.loss_histogram(
        bins,
        hover,
        marks,
        symbol,
        ui.t("investor.axis.loss", symbol=symbol),
        ui.t("investor.axis.share_of_runs"),
    )
    ui.chart(
        fig,
        bins,
        "investor.risk.dist.chart.title",
        "investor.risk.dist.chart.explain",
        columns={
            "loss_from": "investor.col.loss_from",
            "loss_to": "investor.col.loss_to",
            "runs": "investor.col.runs",
            "share": "investor.col.share_of_runs",
        },
        file_name="my_loss_distribution.csv",
        runs=fmt.number(len(dist["losses"]), lang),
    )
    tails = pd.DataFrame({"k": [0.01, 0.02, 0.05, 0.10, 0.20]})
    tails["amount"] = tails["k"] * exposure
    tails["probability"] = [investor.tail_probability(dist["losses"], exposure, x) for x in tails["k"]]
    st.caption(ui.t("investor.risk.dist.tail_explain"))
    ui.table(
        tails,
        {
            "k": "investor.col.k",
            "amount": "investor.col.loss_threshold",
            "probability": "investor.col.probability",
        },
        {"k": "pct", "amount": "money", "probability": "pct"},
        file_name="my_loss_tail_probabilities.csv",
        key="risk_tails",
    )

# --- expected cash flows ---------------------------------------------------------------------
st.header(ui.t("investor.risk.cash.title"))
with ui.busy("investor.computing"):
    flows = ui.cached(risk.expected_cash_flows, as_of, me)
contractual, expected = flows["contractual"].sum(), flows["expected"].sum()
ui.metric_rows(
    [
        ("investor.risk.cash.contractual", money(contractual), {}),
        ("investor.risk.cash.expected", money(expected), {}),
        ("investor.risk.cash.gap", money(contractual - expected), {}),
    ],
    per_row=3,
)
fig = charts.money_bars(
    flows,
    [fmt.month(m, lang) for m in flows["month_end"]],
    [
        Series("contractual", ui.t("investor.risk.cash.contractual"), "#90a4ae"),
        Series("expected", ui.t("investor.risk.cash.expected"), "#2e7d32"),
    ],
    money,
    symbol,
    ui.t("investor.axis.month"),
    ui.t("investor.axis.cash", symbol=symbol),
)
ui.chart(
    fig,
    flows,
    "investor.risk.cash.chart.title",
    "investor.risk.cash.chart.explain",
    columns={
        "month_end": "investor.col.month_end",
        "contractual": "investor.col.contractual",
        "expected": "investor.col.expected",
        "survival": "investor.col.survival",
    },
    file_name="my_expected_cash_flows.csv",
)
