"""The investor's monthly statement as an Excel workbook, in the interface language (text cells
neutralised against formulas by export.excel_row).

Sheets: summary (returns and risk figures at the month-end, the month's cash in and out), positions
(every holding: state, DPD, exposure, received, next payment, expected loss), cash flows of the
month and exposure by days-past-due bucket with a native Excel bar chart. Amounts are currency
units with cents, rates fractions shown as %; the figures are those of the investor pages.
"""

from __future__ import annotations

import datetime as dt
import io

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from lendrisk import export, i18n, investor, metrics

MONEY, PCT, DATE = "#,##0.00", "0.00%", "yyyy-mm-dd"
HEADER = PatternFill("solid", fgColor="DDE5F0")
# summary rows: message key, figure in portfolio_summary / month_flows; the figures in SUMMARY_PCT are
# percentages, the others money
SUMMARY = (
    ("investor.kpi.invested", "invested"),
    ("investor.kpi.exposure", "exposure"),
    ("investor.kpi.overdue", "overdue_balance"),
    ("investor.statement.overdue_share", "overdue_share"),
    ("investor.kpi.el", "expected_loss"),
    ("investor.kpi.realised_loss", "realised_loss"),
    ("investor.kpi.interest", "interest_received"),
    ("investor.kpi.nar", "nar"),
    ("investor.kpi.adjusted_nar", "adjusted_nar"),
    ("investor.kpi.xirr", "xirr"),
    ("investor.statement.month_invested", "month_invested"),
    ("investor.statement.month_received", "month_received"),
)
SUMMARY_PCT = frozenset({"overdue_share", "nar", "adjusted_nar", "xirr"})
POSITIONS = (
    ("loan_id", "investor.col.loan", None),
    ("state", "investor.col.state", None),
    ("dpd", "investor.col.dpd", "0"),
    ("annual_rate", "investor.col.annual_rate", PCT),
    ("invested", "investor.col.invested", MONEY),
    ("exposure", "investor.col.exposure", MONEY),
    ("received", "investor.col.received", MONEY),
    ("next_due_on", "investor.col.next_due_on", DATE),
    ("next_due", "investor.col.next_due", MONEY),
    ("el", "investor.col.el", MONEY),
)
FLOWS = (
    ("flow_on", "investor.col.flow_on", DATE),
    ("kind", "investor.col.flow_kind", None),
    ("loan_id", "investor.col.loan", None),
    ("amount", "investor.col.cash", MONEY),
)


def month_flows(flows: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The cash flows (investor.cash_flows rows) dated in the calendar month of as_of."""
    dates = pd.to_datetime(flows["flow_on"])
    return flows[(dates.dt.year == as_of.year) & (dates.dt.month == as_of.month)]


def _header(ws: Worksheet, titles: list[str]) -> None:
    """A bold, shaded header row."""
    ws.append(titles)
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = Font(bold=True), HEADER


def _table(ws: Worksheet, frame: pd.DataFrame, spec: tuple, lang: str, codes: dict[str, str]) -> None:
    """Rows of frame under translated headers: spec = (column, header key, Excel format or None)."""
    _header(ws, [i18n.t(key, lang, symbol="").strip(" ()（）") for _, key, _ in spec])
    for row in frame.itertuples(index=False):
        values = []
        for col, _, _ in spec:
            v = getattr(row, col)
            v = None if pd.isna(v) else v
            values.append(i18n.t(f"{codes[col]}{v}", lang) if col in codes and v is not None else v)
        ws.append(export.excel_row(values))
        for i, (_, _, number_format) in enumerate(spec, start=1):
            if number_format:
                ws.cell(ws.max_row, i).number_format = number_format
    for i in range(len(spec)):
        ws.column_dimensions[chr(ord("A") + i)].width = 16


def _summary(ws: Worksheet, figures: dict[str, float], as_of: dt.date, lang: str, investor_id: str) -> None:
    """The statement's title and its summary figures."""
    ws.append([i18n.t("investor.statement.title", lang, investor=investor_id, date=as_of.isoformat())])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    for key, name in SUMMARY:
        ws.append([i18n.t(key, lang), figures[name]])
        ws.cell(ws.max_row, 2).number_format = PCT if name in SUMMARY_PCT else MONEY
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 40, 18


def _buckets(ws: Worksheet, buckets: pd.DataFrame, lang: str) -> None:
    """Exposure by bucket with a native bar chart beside it."""
    _header(ws, [i18n.t("investor.col.bucket", lang), i18n.t("investor.col.exposure", lang)])
    for row in buckets.itertuples(index=False):
        ws.append([i18n.t(f"common.state.{row.bucket}", lang), float(row.outstanding_principal)])
        ws.cell(ws.max_row, 2).number_format = MONEY
    chart = BarChart()
    chart.title = i18n.t("investor.statement.buckets", lang)
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=ws.max_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=ws.max_row))
    ws.add_chart(chart, "D2")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 18


def statement_excel(con: duckdb.DuckDBPyConnection, as_of: dt.date, investor_id: str, lang: str) -> bytes:
    """The investor's statement for the month ending as_of as .xlsx bytes (see the module docstring)."""
    kpi = investor.portfolio_summary(con, as_of, investor_id)
    flows = investor.cash_flows(con, as_of, investor_id)
    month = month_flows(flows, as_of)
    figures = {
        **kpi,
        "month_invested": float(-month.loc[month["kind"] == "investment", "amount"].sum()),
        "month_received": float(month.loc[month["kind"] == "repayment", "amount"].sum()),
    }
    wb = Workbook()
    sheets = [wb.active, *(wb.create_sheet() for _ in range(3))]
    names = ("summary", "positions", "flows", "buckets")
    for ws, name in zip(sheets, names, strict=True):
        ws.title = i18n.t(f"investor.statement.sheet.{name}", lang)
    _summary(sheets[0], figures, as_of, lang, investor_id)
    holdings = investor.filter_holdings(investor.holdings(con, as_of, investor_id))
    _table(sheets[1], holdings, POSITIONS, lang, {"state": "common.state."})
    _table(sheets[2], month, FLOWS, lang, {"kind": "investor.flow_kind."})
    _buckets(sheets[3], metrics.overdue_by_bucket(con, as_of, investor_id=investor_id), lang)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
