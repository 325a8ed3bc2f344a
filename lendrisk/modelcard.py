"""The model card: every figure docs/risk-model.md quotes, computed from a store (the demo, seed 7).

`python -m lendrisk report model-card` prints it as Markdown; `--write docs/risk-model.md` replaces
the generated block of the doc (between MARKERS), and a test fails when the doc and the code differ.
Amounts are printed in millions of currency units (m) with one decimal, rates as percentages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np

from lendrisk import liquidity, risk, sql

AS_OF = dt.date(2024, 12, 31)
MARKERS = {
    "demo": ("<!-- model-card:demo:start -->", "<!-- model-card:demo:end -->"),
    "loanstats3a": ("<!-- model-card:loanstats3a:start -->", "<!-- model-card:loanstats3a:end -->"),
}


def _m(value: float) -> str:
    """Millions with one decimal: 74.8 m."""
    return f"{value / 1e6:,.1f} m"


def _pct(value: float, sign: bool = False) -> str:
    """A fraction as a percentage with one decimal (+3.6 % with sign)."""
    return f"{value * 100:{'+' if sign else ''}.1f} %".replace("-", "−")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Markdown table lines."""
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def reserve_lines(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """Reserve coverage with the 90+ trigger, base and stressed, and the reserve page's figures."""
    base = risk.reserve_coverage(con, as_of)
    outlook = liquidity.reserve_outlook(con, as_of)
    rows = [
        ["reserve balance", _m(base["balance"])],
        ["expected buy-outs, next 12 months (risk.reserve_coverage)", _m(base["expected_buyouts"])],
        ["the same on the reserve page (liquidity.reserve_outlook)", _m(outlook["buyouts_base"])],
        ["coverage", f"{base['coverage']:.2f}"],
    ]
    for shock in (1, 2, 3):
        stressed = risk.stressed_expected_loss(con, as_of, shock)
        rows.append([f"coverage at +{shock} pp unemployment", f"{stressed['reserve_coverage_stressed']:.2f}"])
    partner = risk.partner_coverage(con, as_of)
    rows.append(
        [
            "partner guarantees: loans bought out of those that reached 90+ (coverage)",
            f"{partner['loans_bought_out']:,} of {partner['loans_90plus']:,} ({partner['coverage']:.2f})",
        ]
    )
    return ["### Guarantees (buy-out at 90+)", "", *_table(["figure", "value"], rows)]


def returns_lines(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """NAR (LendingClub's timing), Adjusted NAR and XIRR of the demo investor accounts."""
    users = sql.run(con, "users_all", {})
    users = users[users["investor_id"].notna()].sort_values("username")
    rows = []
    for user in users.itertuples():
        r = risk.investor_returns(con, as_of, user.investor_id)
        rows.append(
            [
                user.username,
                user.investor_id,
                f"{r['invested']:,.0f}",
                _pct(r["nar"]),
                _pct(r["adjusted_nar"]),
                _pct(r["xirr"]),
                _pct(r["xirr_realised"]),
            ]
        )
    header = [
        "account",
        "investor",
        "invested",
        "NAR",
        "Adjusted NAR",
        "XIRR expected",
        "XIRR realised (par)",
    ]
    return ["### Returns of the demo investors", "", *_table(header, rows)]


def lgd_lines(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """LGD by product from the recovery triangle, and the all-products LGD three ways."""
    frame = risk.lgd_by_product(con, as_of)
    rows = [
        [
            r.product,
            f"{r.charged_off_loans:,}",
            f"{r.seasoned_loans:,}",
            _m(r.charged_off_principal),
            _m(r.recoveries),
            _m(r.projected_recoveries),
            f"{r.lgd:.3f}",
            r.basis,
        ]
        for r in frame.itertuples()
    ]
    header = [
        "product",
        "charge-offs",
        "seasoned",
        "principal",
        "recovered so far",
        "projected",
        "LGD",
        "basis",
    ]
    ways = risk.seasoned_lgd(con, as_of)
    summary = [
        ["triangle (the model's)", f"{ways['triangle']:.3f}", f"{ways['charged_off_loans']:,}"],
        [
            "observed so far counted as final (censored)",
            f"{ways['observed']:.3f}",
            f"{ways['charged_off_loans']:,}",
        ],
        [
            "seasoned charge-offs only (24 months seen)",
            f"{ways['seasoned']:.3f}",
            f"{ways['seasoned_loans']:,}",
        ],
    ]
    return [
        "### LGD (recovery development triangle, 36-month window)",
        "",
        *_table(header, rows),
        "",
        *_table(["all products", "LGD", "charge-offs"], summary),
    ]


def backtest_lines(con: duckdb.DuckDBPyConnection, title: str) -> list[str]:
    """The back-test by prediction year and overall, plain and forward-looking, and its sensitivity."""
    frame = risk.backtest(con)
    if frame.empty:
        return [f"### {title}", "", "No prediction date has a full 12-month outcome."]
    frame = frame.assign(year=[day.year for day in frame["predicted_on"]])
    sums = ["realised_loss", "predicted_el_12m", "predicted_el_12m_forward", "charged_off_principal"]
    sums += ["predicted_default_12m", "predicted_default_12m_forward"]
    by_year = frame.groupby("year")[sums].sum()
    by_year.loc["overall"] = by_year.sum()
    rows = []
    for year, r in by_year.iterrows():
        rows.append(
            [
                f"**{year}**" if year == "overall" else str(year),
                _m(r["realised_loss"]),
                _m(r["predicted_el_12m"]),
                _pct(r["predicted_el_12m"] / r["realised_loss"] - 1, True),
                _m(r["predicted_el_12m_forward"]),
                _pct(r["predicted_el_12m_forward"] / r["realised_loss"] - 1, True),
                _pct(r["predicted_default_12m"] / r["charged_off_principal"] - 1, True),
                _pct(r["predicted_default_12m_forward"] / r["charged_off_principal"] - 1, True),
            ]
        )
    header = ["year", "realised loss", "plain EL", "error", "forward EL", "error", "PD part plain", "forward"]
    first, last = frame["predicted_on"].min(), frame["predicted_on"].max()
    return [
        f"### {title}",
        "",
        f"{len(frame)} prediction month-ends, {first:%Y-%m} to {last:%Y-%m}, 12-month horizon.",
        "",
        *_table(header, rows),
    ]


def sensitivity_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Overall back-test error (plain, forward-looking) with other matrix lookbacks."""
    rows = []
    for lookback in (6, 12, 24):
        frame = risk.backtest(con, lookback_months=lookback)
        rows.append(
            [
                f"{lookback} months" + (" (used)" if lookback == 12 else ""),
                _pct(risk.backtest_error(frame), True),
                _pct(risk.backtest_error(frame, "predicted_el_12m_forward"), True),
            ]
        )
    return ["Overall error by matrix lookback:", "", *_table(["lookback", "plain", "forward-looking"], rows)]


def _levels_only_factor(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[float]:
    """Factor per pp of each roll-forward with the old, levels-only regression (no time trend)."""
    macro = risk.macro_inputs(con, as_of)
    factors = []
    for rate in macro.rates:
        used = rate > 0
        slope = np.polyfit(macro.u_pp[used], np.log(rate[used]), 1)[0] if used.sum() >= 6 else 0.0
        factors.append(float(np.exp(slope)))
    return factors


def stress_lines(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """The stress sensitivity (with and without the trend) and EL under +1/+2/+3 pp."""
    sensitivity = risk.stress_sensitivity(con, as_of)
    old = _levels_only_factor(con, as_of)
    rows = [
        [
            f"{r.from_state} → {r.to_state}",
            f"{r.mean_rate:.3f}",
            f"{o:.3f}",
            f"**{r.factor_per_pp:.3f}**" + ("" if r.used_factor_per_pp == r.factor_per_pp else " (used: 1)"),
            f"{r.trend_per_year:.3f}",
            f"{r.r2:.2f}",
        ]
        for r, o in zip(sensitivity.itertuples(), old, strict=True)
    ]
    header = [
        "transition",
        "mean monthly rate",
        "factor/pp, no trend",
        "factor/pp, trend",
        "trend/year",
        "R²",
    ]
    el_rows = []
    for shock in (0, 1, 2, 3):
        s = risk.stressed_expected_loss(con, as_of, shock)
        change = "" if shock == 0 else f", {_pct(s['el_stressed'] / s['el'] - 1, True)}"
        el_rows.append(
            [
                "base" if shock == 0 else f"+{shock} pp",
                _m(s["el_stressed"]) + change,
                _m(s["el_after_guarantee_stressed"]),
                f"{s['reserve_coverage_stressed']:.2f}",
            ]
        )
    ead = risk.stressed_expected_loss(con, as_of, 0)["ead"]
    return [
        "### Stress",
        "",
        *_table(header, rows),
        "",
        f"Platform EL (EAD {_m(ead)}):",
        "",
        *_table(["unemployment", "EL", "EL after the guarantee", "reserve coverage"], el_rows),
    ]


def expected_loss_lines(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """Platform EL at as_of with the plain and the forward-looking PD."""
    plain = risk.expected_loss(con, as_of)
    forward = risk.expected_loss(con, as_of, forward_looking=True)
    macro = risk.macro_inputs(con, as_of)
    gap = risk.macro_gap(macro.months, macro.u_pp, as_of, 12)
    rows = [
        ["plain (last 12 months' roll rates)", _m(plain["ead"].sum()), _m(plain["el"].sum())],
        [
            f"forward-looking (unemployment gap {gap:+.2f} pp)",
            _m(forward["ead"].sum()),
            _m(forward["el"].sum()),
        ],
    ]
    return ["### Expected loss", "", *_table(["PD", "EAD", "EL"], rows)]


def demo_card(con: duckdb.DuckDBPyConnection, as_of: dt.date = AS_OF) -> str:
    """The generated block of docs/risk-model.md for the demo store (40,000 loans, seed 7)."""
    parts: list[Callable[[], list[str]]] = [
        lambda: reserve_lines(con, as_of),
        lambda: returns_lines(con, as_of),
        lambda: lgd_lines(con, as_of),
        lambda: expected_loss_lines(con, as_of),
        lambda: backtest_lines(con, "Back-test (demo)"),
        lambda: sensitivity_lines(con),
        lambda: stress_lines(con, as_of),
    ]
    lines = [f"Demo platform (`python -m lendrisk demo`: 40,000 loans, seed 7), as of {as_of:%Y-%m-%d}.", ""]
    for part in parts:
        lines += [*part(), ""]
    return "\n".join(lines).rstrip() + "\n"


def loanstats3a_card(con: duckdb.DuckDBPyConnection) -> str:
    """The generated LoanStats3a block: the back-test on LendingClub's 2007-2011 loans."""
    return "\n".join(backtest_lines(con, "Back-test (LendingClub LoanStats3a, 2007-2011)")).rstrip() + "\n"


def loanstats3a_card_from_file(path: Path) -> str:
    """loanstats3a_card of LendingClub's LoanStats3a file, imported into a temporary store."""
    import tempfile

    from lendrisk import store
    from lendrisk.ingest import lendingclub

    tables, observed_to = lendingclub.read_tables([path], seed=7)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "loanstats3a.duckdb"
        store.build_store(db, tables, source="lendingclub", observed_to=observed_to)
        con = store.connect(db, read_only=True)
        try:
            return loanstats3a_card(con)
        finally:
            con.close()


def replace_block(text: str, name: str, block: str) -> str:
    """The doc text with the generated block `name` replaced by block."""
    start, end = MARKERS[name]
    pattern = re.compile(re.escape(start) + r"\n.*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no {start} ... {end} block in the document")
    return pattern.sub(lambda _: f"{start}\n{block}{end}", text)


def read_block(text: str, name: str) -> str:
    """The generated block `name` of a doc text (without its markers)."""
    start, end = MARKERS[name]
    match = re.search(re.escape(start) + r"\n(.*?)" + re.escape(end), text, re.DOTALL)
    if match is None:
        raise ValueError(f"no {start} ... {end} block in the document")
    return match.group(1)


def write_doc(path: Path, blocks: dict[str, str]) -> None:
    """Replace the generated blocks of a doc file."""
    text = path.read_text(encoding="utf-8")
    for name, block in blocks.items():
        text = replace_block(text, name, block)
    path.write_text(text, encoding="utf-8")
