"""Risk (investor): how concentrated my money is, what an unemployment shock does to my expected
loss, how bad a year could get (simulated loss distribution, VaR), and the cash I should expect in
the next 12 months against the contract. The investor id comes from the logged-in user only."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lendrisk import fmt, investor, metrics, risk, ui

user = ui.require_role("investor")
if not user.investor_id:
    st.error(ui.t("investor.no_investor"))
    st.stop()
me, as_of, lang = user.investor_id, ui.as_of(), ui.lang()
symbol = fmt.currency_symbol()

st.title(ui.t("investor.risk.title"))
st.caption(ui.t("investor.risk.intro", date=fmt.date(as_of, lang)))


def money(x: float) -> str:
    """An amount in the interface language."""
    return fmt.money(x, lang)


def pct(x: float, digits: int = 1) -> str:
    """A ratio as a percentage."""
    return fmt.pct(x, lang, digits)


def look(fig: go.Figure, x_title: str, y_title: str) -> go.Figure:
    """Axis titles, legend above the plot, a light grid."""
    fig.update_layout(
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None},
        plot_bgcolor="white",
    )
    fig.update_yaxes(gridcolor="#eee", zerolinecolor="#bbb")
    return fig


# --- concentration ---------------------------------------------------------------------------
st.header(ui.t("investor.risk.conc.title"))
with ui.busy("investor.computing"):
    conc = ui.cached(metrics.concentration, as_of, investor_id=me)
    top = ui.cached(investor.top_borrowers, as_of, investor_id=me)
has_borrowers = conc["borrowers"] > 0


def share_or_missing(x: float) -> str:
    """A concentration share, or a dash when nothing is outstanding."""
    return pct(x) if has_borrowers else fmt.MISSING


cols = st.columns(4)
with cols[0]:
    ui.metric(
        "investor.risk.conc.hhi",
        fmt.number(conc["hhi"], lang, 3) if has_borrowers else fmt.MISSING,
        "investor.risk.conc.hhi_help",
        equivalent=fmt.number(1 / conc["hhi"], lang, 1) if has_borrowers else fmt.MISSING,
    )
with cols[1]:
    ui.metric("investor.risk.conc.top1", share_or_missing(conc["top1_share"]), "investor.risk.conc.top1_help")
with cols[2]:
    ui.metric(
        "investor.risk.conc.top10", share_or_missing(conc["top10_share"]), "investor.risk.conc.top10_help"
    )
with cols[3]:
    ui.metric(
        "investor.risk.conc.borrowers",
        fmt.number(conc["borrowers"], lang),
        "investor.risk.conc.borrowers_help",
        exposure=money(conc["exposure"]),
    )
if top.empty:
    st.info(ui.t("investor.risk.no_exposure"))
else:
    labels = [ui.t("investor.risk.conc.borrower", borrower=b) for b in top["borrower_id"]]
    hover = [
        ui.t("investor.hover.borrower", amount=money(e), share=pct(s), loans=fmt.number(n, lang))
        for e, s, n in zip(top["exposure"], top["share"], top["loans"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=top["share"],
            y=labels,
            orientation="h",
            marker_color="#1565c0",
            customdata=hover,
            hovertemplate="<b>%{y}</b><br>%{customdata}<extra></extra>",
        )
    )
    look(fig, ui.t("investor.axis.share_of_exposure"), ui.t("investor.axis.borrower"))
    fig.update_xaxes(tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=120 + 32 * len(top))
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
st.header(ui.t("investor.risk.stress.title"))
st.caption(ui.t("investor.risk.stress.intro"))
shock = st.slider(
    ui.t("investor.risk.stress.slider"),
    min_value=0.0,
    max_value=6.0,
    value=2.0,
    step=0.5,
    format="+%.1f",
    key="risk_shock_pp",
    help=ui.t("investor.risk.stress.slider_help"),
)
with ui.busy("investor.computing"):
    stressed = ui.cached(risk.stressed_expected_loss, as_of, shock, investor_id=me)
by_state = investor.stress_by_state(stressed)
before, after = stressed["el_after_guarantee"], stressed["el_after_guarantee_stressed"]
cols = st.columns(3)
with cols[0]:
    ui.metric("investor.risk.stress.el_before", money(before), "investor.risk.stress.el_before_help")
with cols[1]:
    ui.metric(
        "investor.risk.stress.el_after",
        money(after),
        "investor.risk.stress.el_after_help",
        shock=fmt.number(shock, lang, 1),
    )
with cols[2]:
    ui.metric(
        "investor.risk.stress.change",
        money(after - before),
        "investor.risk.stress.change_help",
        rate=pct((after - before) / before) if before > 0 else fmt.MISSING,
    )
factors = stressed["sensitivity"]
if (factors["used_factor_per_pp"] <= 1.0).all():
    st.info(ui.t("investor.risk.stress.flat"))
if stressed["ead"] > 0:
    names = {"el": ui.t("investor.risk.stress.before"), "el_stressed": ui.t("investor.risk.stress.after")}
    colours = {"el": "#90a4ae", "el_stressed": "#c62828"}
    labels = [ui.t(f"investor.bucket.{s}") for s in by_state["state"]]
    fig = go.Figure()
    for col, name in names.items():
        hover = [f"{name} · {lab}: {money(v)}" for lab, v in zip(labels, by_state[col], strict=True)]
        fig.add_trace(
            go.Bar(
                x=labels,
                y=by_state[col],
                name=name,
                marker_color=colours[col],
                customdata=hover,
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    look(fig, ui.t("investor.axis.bucket"), ui.t("investor.axis.el", symbol=symbol))
    fig.update_layout(barmode="group")
    fig.update_yaxes(tickprefix=symbol, tickformat=",.0f", rangemode="tozero")
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
        symbol=symbol,
    )

# --- loss distribution -----------------------------------------------------------------------
st.header(ui.t("investor.risk.dist.title"))
st.caption(ui.t("investor.risk.dist.intro"))
c1, c2 = st.columns(2)
with c1:
    rho = st.number_input(
        ui.t("investor.risk.dist.rho"),
        min_value=0.0,
        max_value=0.9,
        value=0.15,
        step=0.05,
        format="%.2f",
        key="risk_rho",
        help=ui.t("investor.risk.dist.rho_help"),
    )
with c2:
    k_pct = st.number_input(
        ui.t("investor.risk.dist.k"),
        min_value=0.5,
        max_value=100.0,
        value=5.0,
        step=0.5,
        format="%.1f",
        key="risk_k",
        help=ui.t("investor.risk.dist.k_help"),
    )
with ui.busy("investor.simulating"):
    dist = ui.cached(risk.loss_distribution, as_of, me, rho=float(rho))
exposure = dist["exposure"]
k = float(k_pct) / 100
cols = st.columns(4)
with cols[0]:
    ui.metric(
        "investor.risk.dist.el12",
        money(dist["expected_loss_12m"]),
        "investor.risk.dist.el12_help",
        share=pct(dist["expected_loss_12m"] / exposure if exposure > 0 else float("nan")),
    )
with cols[1]:
    ui.metric("investor.risk.dist.var95", money(dist["var_95"]), "investor.risk.dist.var95_help")
with cols[2]:
    ui.metric("investor.risk.dist.var99", money(dist["var_99"]), "investor.risk.dist.var99_help")
with cols[3]:
    ui.metric(
        "investor.risk.dist.p_k",
        pct(investor.tail_probability(dist["losses"], exposure, k)),
        "investor.risk.dist.p_k_help",
        k=fmt.number(k_pct, lang, 1),
        amount=money(k * exposure),
    )
if exposure > 0:
    bins = investor.loss_histogram(dist["losses"])
    hover = [
        ui.t("investor.hover.loss_bin", low=money(a), high=money(b), share=pct(s, 2))
        for a, b, s in zip(bins["loss_from"], bins["loss_to"], bins["share"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=(bins["loss_from"] + bins["loss_to"]) / 2,
            y=bins["share"],
            width=bins["loss_to"] - bins["loss_from"],
            marker_color="#90a4ae",
            marker_line={"width": 0.5, "color": "white"},
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    for name, value, colour in (
        ("investor.risk.dist.mean_line", dist["mean"], "#1565c0"),
        ("investor.risk.dist.var95_line", dist["var_95"], "#ef6c00"),
        ("investor.risk.dist.var99_line", dist["var_99"], "#b71c1c"),
    ):
        fig.add_vline(x=value, line={"color": colour, "width": 2, "dash": "dash"})
        fig.add_trace(
            go.Scatter(
                x=[value],
                y=[0],
                mode="markers",
                marker={"color": colour, "size": 9, "symbol": "diamond"},
                name=ui.t(name, amount=money(value)),
                hovertemplate=f"{ui.t(name, amount=money(value))}<extra></extra>",
            )
        )
    look(fig, ui.t("investor.axis.loss", symbol=symbol), ui.t("investor.axis.share_of_runs"))
    fig.update_xaxes(tickprefix=symbol, tickformat=",.0f")
    fig.update_yaxes(tickformat=".1%", rangemode="tozero")
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
        symbol=symbol,
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
cols = st.columns(3)
with cols[0]:
    ui.metric(
        "investor.risk.cash.contractual",
        money(flows["contractual"].sum()),
        "investor.risk.cash.contractual_help",
    )
with cols[1]:
    ui.metric(
        "investor.risk.cash.expected", money(flows["expected"].sum()), "investor.risk.cash.expected_help"
    )
with cols[2]:
    ui.metric(
        "investor.risk.cash.gap",
        money(flows["contractual"].sum() - flows["expected"].sum()),
        "investor.risk.cash.gap_help",
    )
names = {
    "contractual": ui.t("investor.risk.cash.contractual"),
    "expected": ui.t("investor.risk.cash.expected"),
}
colours = {"contractual": "#90a4ae", "expected": "#2e7d32"}
months = [fmt.month(m, lang) for m in flows["month_end"]]
fig = go.Figure()
for col, name in names.items():
    hover = [f"{name} · {m}: {money(v)}" for m, v in zip(months, flows[col], strict=True)]
    fig.add_trace(
        go.Bar(
            x=months,
            y=flows[col],
            name=name,
            marker_color=colours[col],
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
        )
    )
look(fig, ui.t("investor.axis.month"), ui.t("investor.axis.cash", symbol=symbol))
fig.update_layout(barmode="group")
fig.update_yaxes(tickprefix=symbol, tickformat=",.0f", rangemode="tozero")
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
    symbol=symbol,
)
