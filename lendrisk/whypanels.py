"""Panels of the why-it-moved work that sit on shared pages: the growth-adjusted overdue rates beside
the plain one (Platform health, Disclosure, labelled as an extra). Rendering only: the figures come
from lendrisk.attribution through ui.cached."""

from __future__ import annotations

import datetime as dt
import math

import streamlit as st

from lendrisk import attribution, fmt, pagekit, ui, vocab


def _pct(value: float, lang: str) -> str:
    """A rate as %, the missing mark when it cannot be computed (NaN)."""
    return fmt.MISSING if math.isnan(value) else fmt.pct(value, lang)


def growth_sentence(rates: dict[str, float], as_of: dt.date, lang: str) -> str:
    """One sentence on how far growth hides risk at as_of (lagged 3-month rate against the plain)."""
    if math.isnan(rates["lagged_3"]):
        return ui.t("why.growth.too_young")
    gap = (rates["lagged_3"] - rates["plain"]) * 100
    return ui.t(
        "why.growth.sentence",
        lagged=fmt.pct(rates["lagged_3"], lang),
        plain=fmt.pct(rates["plain"], lang),
        gap=fmt.number(gap, lang, 1),
        year_before=fmt.date(vocab.add_months(as_of, -12), lang),
        vintage=_pct(rates["vintage"], lang),
    )


def growth_panel(as_of: dt.date, lang: str) -> None:
    """The growth-adjusted rates at as_of as three tiles under an "extra" heading, a sentence, a link."""
    try:
        rates = ui.cached(attribution.growth_rates, as_of)
    except ValueError:
        return  # nothing active at as_of: the page already says so
    st.subheader(ui.t("why.growth.title"))
    st.caption(ui.t("why.growth.extra"))
    pagekit.metric_rows(
        [
            ("why.growth.lagged_3", _pct(rates["lagged_3"], lang), {}),
            ("why.growth.lagged_6", _pct(rates["lagged_6"], lang), {}),
            (
                "why.growth.vintage",
                _pct(rates["vintage"], lang),
                {"year_before": fmt.date(vocab.add_months(as_of, -12), lang)},
            ),
        ],
        per_row=3,
    )
    st.markdown(growth_sentence(rates, as_of, lang))
    st.page_link("pages/why.py", label=ui.t("why.growth.link"), icon=":material/waterfall_chart:")
