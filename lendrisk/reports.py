"""Management reports: platform-health KPIs, macro and grade-mix series, the EL back-test up to an
as-of date, and the monthly disclosure report (layout, rates after compensation, Excel bytes).

Amounts are currency units (floats), rates and shares fractions 0..1, dates month-ends.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Literal, NamedTuple

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from lendrisk import cache, export, liquidity, metrics, risk, sql
from lendrisk.vocab import add_months

# --- platform health --------------------------------------------------------------------------

KPI_RATES = ("overdue_rate_amount", "overdue_rate_count", "m3plus_rate")


def health_kpis(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Two rows (month_end = the month-end before as_of, then as_of; the first only when observed).

    Columns: month_end, outstanding_principal, overdue_rate_amount, overdue_rate_count, m3plus_rate,
    industry_overdue_rate (metrics.overdue_trend), industry_gap (overdue_rate_amount minus the
    industry's, fractions), expected_loss (Σ el of risk.expected_loss: risk.expected_loss_total,
    currency units), and the risk
    reserve as the Risk reserve page reads it (liquidity.reserve_outlook): reserve_balance,
    expected_buyouts (next 12 months, currency units), reserve_coverage = balance / expected
    buy-outs, not capped (inf when none is expected), reserve_months (months of coverage).
    """
    trend = metrics.overdue_trend(con, add_months(as_of, -1), as_of)
    rows = []
    for day in pd.to_datetime(trend["month_end"]).dt.date:
        row = trend[pd.to_datetime(trend["month_end"]).dt.date == day].iloc[0]
        outlook = liquidity.reserve_outlook(con, day)
        buyouts = outlook["buyouts_base"]
        industry = pd.to_numeric(pd.Series([row["industry_overdue_rate"]]), errors="coerce").iloc[0]
        rows.append(
            {
                "month_end": day,
                "outstanding_principal": float(row["outstanding_principal"]),
                **{k: float(row[k]) for k in KPI_RATES},
                "industry_overdue_rate": float(industry),
                "industry_gap": float(row["overdue_rate_amount"]) - float(industry),
                "expected_loss": risk.expected_loss_total(con, day),
                "reserve_balance": outlook["balance"],
                "expected_buyouts": buyouts,
                "reserve_coverage": outlook["balance"] / buyouts if buyouts > 0 else float("inf"),
                "reserve_months": outlook["months_of_coverage_base"],
            }
        )
    return pd.DataFrame(rows)


def health_trend(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per observed month-end up to as_of: overdue and M3+ rates, industry benchmark,
    unemployment and GDP growth (fractions), originations (loans, principal in currency units)."""
    trend = metrics.overdue_trend(con, dt.date(1900, 1, 31), as_of)
    macro = sql.run(con, "macro_by_month", {"as_of": as_of})
    trend["month_end"] = pd.to_datetime(trend["month_end"])
    macro["month_end"] = pd.to_datetime(macro["month_end"])
    frame = trend.merge(macro[["month_end", "unemployment_rate", "gdp_growth"]], on="month_end", how="left")
    return frame[
        [
            "month_end",
            "overdue_rate_amount",
            "overdue_rate_count",
            "m3plus_rate",
            "industry_overdue_rate",
            "unemployment_rate",
            "gdp_growth",
            "originated_loans",
            "originated_principal",
        ]
    ]


def originations_by_grade(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """One row per origination month-end × grade up to as_of: loans, principal, share of the month."""
    return sql.run(con, "originations_by_grade", {"as_of": as_of})


def backtest_until(con: duckdb.DuckDBPyConnection, as_of: dt.date, months: int = 36) -> pd.DataFrame:
    """risk.backtest of the last `months` predictions whose 12-month window ends by as_of: predicted vs
    realised loss, currency units."""
    return risk.backtest(con, months=months, until=as_of)


# --- disclosure -------------------------------------------------------------------------------


class Item(NamedTuple):
    """One line of the disclosure report: source column, Chinese item name, kind of value, its base.

    basis names what an amount or count counts (principal, interest, principal_interest, loans,
    people); a ratio (basis "ratio") is numerator / denominator (RATIO_PARTS).
    """

    column: str
    zh: str
    kind: str  # money, count, pct
    basis: str


# The order and Chinese names of the 2017 guideline's operating items (queries/disclosure_monthly.sql).
DISCLOSURE_ITEMS: tuple[Item, ...] = (
    Item("cumulative_lending_amount", "累计借贷金额", "money", "principal"),
    Item("cumulative_lending_count", "累计借贷笔数", "count", "loans"),
    Item("outstanding_amount", "借贷余额", "money", "principal"),
    Item("outstanding_count", "借贷余额笔数", "count", "loans"),
    Item("interest_outstanding", "利息余额", "money", "interest"),
    Item("cumulative_lenders", "累计出借人数量", "count", "people"),
    Item("current_lenders", "当前出借人数量", "count", "people"),
    Item("cumulative_borrowers", "累计借款人数量", "count", "people"),
    Item("current_borrowers", "当前借款人数量", "count", "people"),
    Item("avg_borrowing_per_borrower", "人均累计借款金额", "money", "ratio"),
    Item("avg_lending_per_lender", "人均累计出借金额", "money", "ratio"),
    Item("top10_borrower_share", "前十大借款人待还金额占比", "pct", "ratio"),
    Item("largest_borrower_share", "最大单一借款人待还金额占比", "pct", "ratio"),
    Item("top10_lender_share", "前十大出借人待收金额占比", "pct", "ratio"),
    Item("largest_lender_share", "最大单一出借人待收金额占比", "pct", "ratio"),
    Item("overdue_amount", "逾期金额", "money", "principal"),
    Item("overdue_count", "逾期笔数", "count", "loans"),
    Item("overdue_90_amount", "逾期90天(不含)以上金额", "money", "principal"),
    Item("overdue_90_count", "逾期90天(不含)以上笔数", "count", "loans"),
    Item("cumulative_compensation_amount", "累计代偿金额", "money", "principal_interest"),
    Item("cumulative_compensation_count", "累计代偿笔数", "count", "loans"),
    Item("project_overdue_rate", "项目逾期率", "pct", "ratio"),
    Item("amount_overdue_rate", "金额逾期率", "pct", "ratio"),
)

# Each disclosed ratio as numerator / denominator: two columns of disclosure_monthly (an item of the
# report, or a base column shown beside it).
RATIO_PARTS: dict[str, tuple[str, str]] = {
    "avg_borrowing_per_borrower": ("cumulative_lending_amount", "cumulative_borrowers"),
    "avg_lending_per_lender": ("cumulative_lending_amount", "cumulative_lenders"),
    "top10_borrower_share": ("top10_borrower_outstanding", "outstanding_amount"),
    "largest_borrower_share": ("largest_borrower_outstanding", "outstanding_amount"),
    "top10_lender_share": ("top10_lender_claims", "lender_claims"),
    "largest_lender_share": ("largest_lender_claims", "lender_claims"),
    "project_overdue_rate": ("overdue_count", "outstanding_count"),
    "amount_overdue_rate": ("overdue_amount", "outstanding_amount"),
}

# Parts of the shares that are not items themselves (columns of disclosure_monthly): shown as bases.
DISCLOSURE_BASES: dict[str, str] = {
    "top10_borrower_outstanding": "前十大借款人待还本金",
    "largest_borrower_outstanding": "最大单一借款人待还本金",
    "lender_claims": "出借人待收本金",
    "top10_lender_claims": "前十大出借人待收本金",
    "largest_lender_claims": "最大单一出借人待收本金",
}

# Rates shown twice: before guarantor compensation (the disclosure) and after it.
COMPENSATION_RATES: tuple[Item, ...] = (
    Item("project_overdue_rate", "项目逾期率", "pct", "ratio"),
    Item("amount_overdue_rate", "金额逾期率", "pct", "ratio"),
    Item("m3plus_rate", "M3+逾期率（金额）", "pct", "ratio"),
)


def _disclosure_row(con: duckdb.DuckDBPyConnection, month_end: dt.date) -> pd.Series:
    """disclosure_monthly's one row at month_end, computed once per store version (cache.memo): the
    disclosure page's report and compensation rates both read it (seconds at ten million loans). Read only."""
    return cache.memo(
        con, "disclosure_row", (month_end,), lambda: metrics.disclosure_monthly(con, month_end).iloc[0]
    )


def disclosure_report(con: duckdb.DuckDBPyConnection, month_end: dt.date) -> pd.DataFrame:
    """One row per disclosure item at month_end, in the guideline's order: item, zh, kind, value,
    basis, and for ratios numerator / denominator (column names) with their values (value = their
    quotient, 0 when the denominator is 0)."""
    row = _disclosure_row(con, month_end)
    rows = []
    for i in DISCLOSURE_ITEMS:
        numerator, denominator = RATIO_PARTS.get(i.column, (None, None))
        rows.append(
            {
                "item": i.column,
                "zh": i.zh,
                "kind": i.kind,
                "value": float(row[i.column]),
                "basis": i.basis,
                "numerator": numerator,
                "denominator": denominator,
                "numerator_value": float(row[numerator]) if numerator else None,
                "denominator_value": float(row[denominator]) if denominator else None,
            }
        )
    return pd.DataFrame(rows)


def compensation_rates(con: duckdb.DuckDBPyConnection, month_end: dt.date) -> pd.DataFrame:
    """One row per overdue rate at month_end: item, zh, before (guarantor payments ignored, as
    disclosed), after (buy-outs treated as settling the loan: queries/disclosure_after_compensation.sql)."""
    before = _disclosure_row(con, month_end)
    trend = metrics.overdue_trend(con, month_end, month_end)
    after = sql.run(con, "disclosure_after_compensation", {"month_end": month_end}).iloc[0]
    m3plus = float(trend["m3plus_rate"].iloc[0]) if len(trend) else 0.0
    values = {
        "project_overdue_rate": float(before["project_overdue_rate"]),
        "amount_overdue_rate": float(before["amount_overdue_rate"]),
        "m3plus_rate": m3plus,
    }
    return pd.DataFrame(
        [
            {"item": i.column, "zh": i.zh, "before": values[i.column], "after": float(after[i.column])}
            for i in COMPENSATION_RATES
        ]
    )


EXCEL_FORMATS = {"money": "#,##0.00", "count": "#,##0", "pct": "0.00%"}


def disclosure_excel(
    report: pd.DataFrame,
    rates: pd.DataFrame,
    month_end: dt.date,
    english: dict[str, str],
    headers: dict[str, str],
    title: str,
    bases: list[str] | None = None,
) -> bytes:
    """The disclosure report as an .xlsx file (one sheet): title, items with Chinese and English
    names, values and (given bases, one text per item) their bases, then the overdue rates before
    and after guarantor compensation.

    english maps item column -> English name; headers maps "zh", "en", "value", "before", "after",
    "rates" (and "base" with bases) -> header text (the page passes translated texts).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = month_end.strftime("%Y-%m")
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE5F0")
    ws.append(export.excel_row([title]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(
        export.excel_row(
            [headers["zh"], headers["en"], headers["value"], *([headers["base"]] if bases else [])]
        )
    )
    for cell in ws[3]:
        cell.font, cell.fill = bold, fill
    for i, row in enumerate(report.itertuples(index=False)):
        ws.append(export.excel_row([row.zh, english[row.item], row.value, *([bases[i]] if bases else [])]))
        ws.cell(ws.max_row, 3).number_format = EXCEL_FORMATS[row.kind]
    ws.append([])
    ws.append(export.excel_row([headers["rates"]]))
    ws.cell(ws.max_row, 1).font = bold
    ws.append(export.excel_row([headers["zh"], headers["en"], headers["before"], headers["after"]]))
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = bold, fill
    for row in rates.itertuples(index=False):
        ws.append(export.excel_row([row.zh, english[row.item], row.before, row.after]))
        for col in (3, 4):
            ws.cell(ws.max_row, col).number_format = EXCEL_FORMATS["pct"]
    for col, width in zip("ABCD", (30, 52, 20, 60 if bases else 20), strict=True):
        ws.column_dimensions[col].width = width
    for cells in ws.iter_rows(min_col=3, max_col=4):
        for cell in cells:
            cell.alignment = Alignment(horizontal="right")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- vintages ---------------------------------------------------------------------------------


VINTAGE_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _by_year(curves: pd.DataFrame) -> pd.DataFrame:
    """Monthly vintage curves summed into calendar-year vintages (vintage = 1 January of the year).

    A point (year, m) sums the year's monthly vintages at m; it is complete once every month of the
    year has been observed m months, which the as-of cut below guarantees.
    """
    frame = curves.assign(vintage=pd.to_datetime(curves["vintage"]).dt.to_period("Y").dt.to_timestamp())
    size = frame[frame["months_on_book"] == 0].groupby("vintage")[["loans", "originated_principal"]].sum()
    out = frame.groupby(["vintage", "months_on_book"], as_index=False)[
        ["defaulted_principal", "defaulted_loans"]
    ].sum()
    out = out.join(size, on="vintage")
    out["cumulative_default_rate"] = out["defaulted_principal"] / out["originated_principal"]
    return out[list(curves.columns)]


VINTAGE_COMPARE_MOB = 12  # vintages are compared at 12 months on book (or their longest common age)


def vintage_highlights(curves: pd.DataFrame) -> dict[str, object]:
    """The vintages a chart should point at: newest, and worst = the highest cumulative default rate
    at VINTAGE_COMPARE_MOB months on book among vintages observed that long (else at the longest age
    every vintage reached); at_mob is that age, worst_rate the worst vintage's rate there (0..1)."""
    reached = curves.groupby("vintage")["months_on_book"].max()
    older = reached[reached >= VINTAGE_COMPARE_MOB]
    at_mob = VINTAGE_COMPARE_MOB if len(older) else int(reached.min())
    pool = older.index if len(older) else reached.index
    at_age = curves[(curves["months_on_book"] == at_mob) & curves["vintage"].isin(pool)]
    worst = at_age.sort_values(["cumulative_default_rate", "vintage"], ascending=[False, True]).iloc[0]
    return {
        "newest": reached.index.max(),
        "worst": worst["vintage"],
        "at_mob": at_mob,
        "worst_rate": float(worst["cumulative_default_rate"]),
    }


def vintage_curves_as_of(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    grain: Literal["month", "quarter", "year"] = "month",
    grade: str | None = None,
    product: str | None = None,
    channel: str | None = None,
) -> pd.DataFrame:
    """metrics.vintage_curves cut at as_of: one row per vintage × months on book already observed then.

    grain "year" sums the monthly curves by calendar year. A point (vintage, m) is kept when the
    vintage's last origination month-end + m months ≤ as_of, so every loan of the vintage has been
    on book m months by as_of.
    """
    curves = metrics.vintage_curves(con, "month" if grain == "year" else grain, grade, product, channel)
    if curves.empty:
        return curves
    if grain == "year":
        curves = _by_year(curves)
    start = pd.to_datetime(curves["vintage"])
    span = VINTAGE_MONTHS[grain]
    vintage_end = start + pd.offsets.MonthEnd(span)
    months_between = (as_of.year - vintage_end.dt.year) * 12 + (as_of.month - vintage_end.dt.month)
    kept = curves[curves["months_on_book"] <= months_between].copy()
    kept["vintage"] = pd.to_datetime(kept["vintage"]).dt.date
    return kept.reset_index(drop=True)
