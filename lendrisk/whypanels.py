"""Panels of the why-it-moved work that sit on shared pages: the growth-adjusted overdue rates beside
the plain one (Platform health, Disclosure, labelled as an extra), what changed this month for
managers (top of Platform health) and for an investor (My portfolio). Rendering only: the figures
come from lendrisk.attribution and lendrisk.alerts through ui.cached."""

from __future__ import annotations

import datetime as dt
import math

import streamlit as st

from lendrisk import alerts, attribution, fmt, ui, vocab

MAX_CHANGES = 10  # loans listed under "What changed" on My portfolio, most serious first


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
    ui.metric_rows(
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


def _vintage(first_day: str) -> str:
    """A vintage's label: its quarter ("2024 Q1") or month, from its first day (ISO text)."""
    day = dt.date.fromisoformat(first_day)
    if alerts.thresholds()["vintage"]["grain"] == "quarter":
        return ui.t("why.alert.quarter", year=day.year, quarter=(day.month - 1) // 3 + 1)
    return fmt.month(day, ui.lang())


def alerts_panel(as_of: dt.date, lang: str) -> None:
    """What changed this month: the ranked alerts at as_of, each with a link to the page explaining it."""
    found = ui.cached(alerts.manager_alerts, as_of)
    with st.container(border=True):
        st.markdown(f"**{ui.t('why.alerts.title', date=fmt.date(as_of, lang))}**")
        if found.empty:
            st.caption(ui.t("why.alerts.none"))
            return
        for n, row in enumerate(found.itertuples(), start=1):
            subject = _vintage(row.subject) if row.kind == "vintage" else row.subject
            digits = 2 if row.kind == "vintage" else 1  # vintages are close: show the gap
            text, link = st.columns([4, 1], vertical_alignment="center")
            text.markdown(
                f"{n}. "
                + ui.t(
                    f"why.alert.{row.kind}",
                    subject=subject,
                    value=fmt.pct(row.value, lang, digits),
                    usual=fmt.pct(row.usual, lang, digits),
                )
            )
            with link:
                page = row.page.removeprefix("pages/").removesuffix(".py")
                st.page_link(row.page, label=ui.t(f"common.page.{page}"), icon=":material/arrow_forward:")
        st.caption(ui.t("why.alerts.config"))


def _open_story(loan_id: str) -> None:
    """Preselect a loan in the story picker of My holdings (its selectbox key) before switching there."""
    st.session_state["holdings_story_loan"] = loan_id


def investor_changes_panel(investor_id: str, as_of: dt.date, lang: str) -> None:
    """My loans that changed since the month-end before as_of, each with a button to its story."""
    changes = ui.cached(alerts.investor_changes, as_of, investor_id)
    before = vocab.add_months(as_of, -1)
    with st.container(border=True):
        st.markdown(f"**{ui.t('why.changes.title', date=fmt.date(before, lang))}**")
        if changes.empty:
            st.caption(ui.t("why.changes.none"))
            return
        for n, row in enumerate(changes.head(MAX_CHANGES).itertuples()):
            text, button = st.columns([4, 1], vertical_alignment="center")
            fields = {"loan": row.loan_id, "date": fmt.date(row.on_date, lang)}
            if row.change == "rolled":
                fields |= {
                    "from": ui.t(f"common.state.{row.from_state}"),
                    "to": ui.t(f"common.state.{row.to_state}"),
                }
            else:
                fields["amount"] = fmt.money(row.amount, lang)
            text.markdown(ui.t(f"why.change.{row.change}", **fields))
            if button.button(
                ui.t("why.changes.open"), key=f"why_story_{n}", on_click=_open_story, args=(row.loan_id,)
            ):
                st.switch_page("pages/holdings.py")
        if len(changes) > MAX_CHANGES:
            st.caption(ui.t("why.changes.more", count=fmt.number(len(changes) - MAX_CHANGES, lang)))
