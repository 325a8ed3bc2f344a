"""lendrisk.statement: investor1's monthly statement on the tiny platform, in both languages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from lendrisk import statement

MARCH = dt.date(2024, 3, 31)


def test_statement_of_i1_for_march(tiny_con) -> None:
    wb = load_workbook(io.BytesIO(statement.statement_excel(tiny_con, MARCH, "I1", "en")))
    assert wb.sheetnames == ["Summary", "Positions", "Cash flows this month", "Exposure by bucket"]
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=3, values_only=True)}
    # tests/tiny.py: I1 lent 600 + 2,400 + 1,000; exposure 354 + 2,400 + 666.67; overdue L1 and L3
    assert summary["Invested"] == 4000.0
    assert summary["Exposure (still owed to you)"] == pytest.approx(3420.67, abs=0.005)
    assert summary["Overdue balance"] == pytest.approx(1020.67, abs=0.005)
    # March: half of L1's 100 on 03-15 and L2's 24 on 03-01; nothing invested
    assert summary["Received this month"] == pytest.approx(74.0)
    assert summary["Invested this month"] == 0.0
    positions = list(wb["Positions"].iter_rows(values_only=True))
    assert positions[0][:3] == ("Loan", "State", "Days past due")
    assert [r[0] for r in positions[1:]] == ["L3", "L1", "L2"]  # overdue first, worst DPD first
    assert positions[1][5] == pytest.approx(2000 / 3)
    flows = list(wb["Cash flows this month"].iter_rows(values_only=True))
    assert [r[3] for r in flows[1:]] == pytest.approx([50.0, 24.0])
    assert flows[0][3] == "Cash to you"
    assert len(wb["Exposure by bucket"]._charts) == 1


def test_statement_in_chinese(tiny_con) -> None:
    wb = load_workbook(io.BytesIO(statement.statement_excel(tiny_con, MARCH, "I1", "zh")))
    assert wb.sheetnames == ["概览", "持仓", "本月现金流", "逾期分档"]
    assert wb["概览"]["A1"].value == "出借人 I1 月度对账单（截至 2024-03-31）"
    assert wb["持仓"]["B2"].value == "逾期1–30天（M1）"
