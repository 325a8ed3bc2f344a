"""Display formatting through Babel: amounts (万 / 亿 in Chinese), percentages, counts, dates."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from lendrisk import fmt


@pytest.fixture(autouse=True)
def default_currency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LENDRISK_CURRENCY", raising=False)


@pytest.mark.parametrize(
    ("x", "en", "zh"),
    [
        (1234567.89, "¥1,234,567.89", "¥123.46万"),
        (123456789, "¥123,456,789.00", "¥1.23亿"),
        (12345.67, "¥12,345.67", "¥1.23万"),
        (9999.5, "¥9,999.50", "¥9,999.50"),
        (0, "¥0.00", "¥0.00"),
        (-1234567.89, "-¥1,234,567.89", "-¥123.46万"),
    ],
)
def test_money(x: float, en: str, zh: str) -> None:
    assert fmt.money(x, "en") == en
    assert fmt.money(x, "zh") == zh


def test_money_compact_and_full() -> None:
    assert fmt.money(1234567.89, "en", compact=True) == "¥1.23M"
    assert fmt.money(923330.0, "en", compact=True) == "¥923,330.00"  # no "K" in text: M / B only
    assert fmt.money(999.0, "en", compact=True) == "¥999.00"
    assert fmt.money(1234567.89, "zh", compact=False) == "¥1,234,567.89"


def test_money_symbol_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENDRISK_CURRENCY", "$")
    assert fmt.money(1234.5, "en") == "$1,234.50"
    assert fmt.money(123456789, "zh") == "$1.23亿"
    assert fmt.money(5, "en", symbol="€") == "€5.00"


def test_missing_values() -> None:
    for value in (None, float("nan"), pd.NA, pd.NaT):
        assert fmt.money(value, "en") == "—"
        assert fmt.pct(value, "zh") == "—"
        assert fmt.number(value, "en") == "—"
        assert fmt.date(value, "zh") == "—"


def test_pct() -> None:
    assert fmt.pct(0.1234, "en") == "12.3%"
    assert fmt.pct(0.1234, "zh") == "12.3%"
    assert fmt.pct(0.05, "en", digits=2) == "5.00%"
    assert fmt.pct(0.5, "en", digits=0) == "50%"
    assert fmt.pct(-0.0004, "en") == "0.0%"
    assert fmt.pct(-0.012, "en") == "-1.2%"


def test_number() -> None:
    assert fmt.number(1234567, "en") == "1,234,567"
    assert fmt.number(1234567, "zh") == "1,234,567"
    assert fmt.number(3.14159, "en", digits=2) == "3.14"
    assert fmt.number(2.6, "en", digits=0) == "3"


def test_dates() -> None:
    d = dt.date(2024, 3, 31)
    assert fmt.date(d, "en") == "31 Mar 2024"
    assert fmt.date(d, "zh") == "2024年3月31日"
    assert fmt.date(dt.date(2024, 9, 30), "en") == "30 Sep 2024"
    assert fmt.date(pd.Timestamp("2024-03-31"), "en") == "31 Mar 2024"
    assert fmt.month(d, "en") == "Mar 2024"
    assert fmt.month(d, "zh") == "2024年3月"


@pytest.mark.parametrize(
    ("x", "en", "zh"),
    [
        (0, "¥0", "¥0"),
        (2000, "¥2K", "¥2,000"),
        (15000, "¥15K", "¥1.5万"),
        (5_000_000, "¥5M", "¥500万"),
        (150_000_000, "¥150M", "¥1.5亿"),
        (2_500_000_000, "¥2.5B", "¥25亿"),
        (-2_000_000, "-¥2M", "-¥200万"),
    ],
)
def test_axis_money(x: float, en: str, zh: str) -> None:
    assert fmt.axis_money(x, "en") == en
    assert fmt.axis_money(x, "zh") == zh
