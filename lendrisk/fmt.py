"""Locale-aware display of amounts, percentages, counts and dates (Babel; en and zh_CN).

Chinese amounts of 10,000 and more read in 万 / 亿 (Babel's zh_CN compact patterns); English amounts
are in full unless compact is asked for (then K / M / B from 1,000). The currency symbol comes from
$LENDRISK_CURRENCY (default ¥). Missing values (None, NaN) show as an em dash.
"""

from __future__ import annotations

import datetime as dt
import os

from babel.dates import format_date, format_skeleton
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent

LOCALE = {"en": "en", "zh": "zh_CN"}
# Day-month-year dates in English ("31 Mar 2024"; en_GB's medium form would write "Sept");
# zh_CN's medium form is 2024年3月31日.
DATE_PATTERN = {"en": "d MMM y", "zh": "medium"}
MONTH_SKELETON = "yMMM"  # "Mar 2024", "2024年3月"
# Smallest absolute amount shown compact: below it compact forms add nothing (zh: 万 starts at 10,000).
COMPACT_FROM = {"en": 1_000, "zh": 10_000}
MISSING = "—"


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
