"""Locale-aware display of amounts, percentages, counts and dates (Babel; en and zh_CN): the policy.

- Amounts in sentences and tiles: Chinese from 10,000 in 万 / 亿 (¥123.46万, ¥1.23亿), below in
  full; English in full ("¥657,678.43"), or compact when asked (tiles: M / B from a million, so
  never "¥923.33K"). Tables show full amounts with cents; publishable tables (disclosure) too.
- Chart axes (axis_money): compact ticks in both languages, zh ¥500万 / ¥1亿, en ¥500K / ¥10M.
- Percentages with one decimal by default; counts grouped; dates en "31 Mar 2024", zh
  "2024年3月31日" (tables the same through TABLE_DATE); CSV downloads are machine-readable (export).
The currency symbol comes from $LENDRISK_CURRENCY (default ¥). Missing values show as an em dash.
"""

from __future__ import annotations

import datetime as dt
import os
import re

from babel.dates import format_date, format_skeleton
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent

LOCALE = {"en": "en", "zh": "zh_CN"}
# Day-month-year dates in English ("31 Mar 2024"; en_GB's medium form would write "Sept");
# zh_CN's medium form is 2024年3月31日.
DATE_PATTERN = {"en": "d MMM y", "zh": "medium"}
MONTH_SKELETON = "yMMM"  # "Mar 2024", "2024年3月"
# Table date columns (st.column_config, moment.js patterns) read like fmt.date / fmt.month.
TABLE_DATE = {"en": "D MMM YYYY", "zh": "YYYY年M月D日"}
TABLE_MONTH = {"en": "MMM YYYY", "zh": "YYYY年M月"}
# Smallest absolute amount shown compact in text: zh 万 starts at 10,000; en tiles go compact from a
# million (M / B), a thousand reads better in full than as "K".
COMPACT_FROM = {"en": 1_000_000, "zh": 10_000}
MISSING = "—"  # a missing value, in text and in a table's empty cell (Streamlit would show "None")


def currency_symbol() -> str:
    """The currency symbol from settings: $LENDRISK_CURRENCY, default ¥."""
    return os.environ.get("LENDRISK_CURRENCY") or "¥"


def missing(x: object) -> bool:
    """True for None, NaN, NaT and pandas NA (the only values unequal to themselves or unorderable)."""
    if x is None:
        return True
    try:
        return bool(x != x)
    except TypeError:
        return True


def money(x: float | None, lang: str, symbol: str | None = None, compact: bool | None = None) -> str:
    """An amount in currency units: en "¥1,234,567.89" (compact "¥1.23M"), zh "¥123.46万" / "¥1.23亿".

    compact None = the language's habit (zh: 万 / 亿 from 10,000; en: in full), True / False force it.
    """
    if missing(x):
        return MISSING
    symbol = symbol or currency_symbol()
    locale = LOCALE[lang]
    if compact is None:
        compact = lang == "zh"
    if compact and abs(x) >= COMPACT_FROM[lang]:
        return format_compact_currency(x, symbol, locale=locale, fraction_digits=2)
    return format_currency(x, symbol, locale=locale)


def pct(x: float | None, lang: str, digits: int = 1) -> str:
    """A ratio as a percentage: 0.1234 -> "12.3%"; a value rounding to zero shows unsigned."""
    if missing(x):
        return MISSING
    if round(float(x) * 100, digits) == 0:
        x = 0.0
    pattern = "#,##0." + "0" * digits + "%" if digits > 0 else "#,##0%"
    return format_percent(x, pattern, locale=LOCALE[lang])


def number(n: float | None, lang: str, digits: int | None = None) -> str:
    """A count or plain number with grouping: 1234567 -> "1,234,567" (digits fixes the decimals)."""
    if missing(n):
        return MISSING
    if digits is None:
        return format_decimal(n, locale=LOCALE[lang])
    return format_decimal(n, "#,##0." + "0" * digits if digits > 0 else "#,##0", locale=LOCALE[lang])


def date(d: dt.date | None, lang: str) -> str:
    """A calendar date: en "31 Mar 2024", zh "2024年3月31日"."""
    if missing(d):
        return MISSING
    return format_date(d, DATE_PATTERN[lang], locale=LOCALE[lang])


def month(d: dt.date | None, lang: str) -> str:
    """The month of a date: en "Mar 2024", zh "2024年3月"."""
    if missing(d):
        return MISSING
    return format_skeleton(MONTH_SKELETON, dt.datetime(d.year, d.month, d.day), locale=LOCALE[lang])


def axis_money(x: float, lang: str, symbol: str | None = None) -> str:
    """An axis tick amount, compact in both languages: zh "¥500万", "¥1.5亿", "¥2,000"; en "¥500K", "¥1.5M".

    Chinese ticks below 10,000 are in full (万 starts there); English from 1,000 in K / M / B.
    """
    symbol = symbol or currency_symbol()
    if abs(x) < (10_000 if lang == "zh" else 1_000):
        return format_currency(x, symbol, "¤#,##0.##", locale=LOCALE[lang], currency_digits=False)
    text = format_compact_currency(abs(x), symbol, locale=LOCALE[lang], fraction_digits=2)
    text = re.sub(r"\.0+(?=\D*$)", "", text)  # ¥5.00万 -> ¥5万
    text = re.sub(r"(\.\d*[1-9])0+(?=\D*$)", r"\1", text)  # ¥1.50亿 -> ¥1.5亿
    return ("-" if x < 0 else "") + text
