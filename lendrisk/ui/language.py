"""Language and as-of date: the interface language (sidebar switch, else the browser's) and the
month-end every figure is as of (sidebar selector), both kept in the session."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import streamlit as st

from lendrisk import fmt, i18n, metrics, vocab
from lendrisk.ui.session import cached

LANG_NAMES = {"en": "English", "zh": "简体中文"}


def lang() -> str:
    """The interface language chosen in the sidebar ("en" or "zh"); before any choice, the browser's."""
    value = st.session_state.get("lang")
    return value if value in LANG_NAMES else browser_lang()


def t(key: str, **fields: Any) -> str:
    """The message for key in the current language (i18n.t)."""
    return i18n.t(key, lang(), **fields)


def browser_lang() -> str:
    """Chinese ("zh") when the browser prefers it, else English ("en")."""
    locale = st.context.locale or ""
    return "zh" if locale.lower().startswith("zh") else "en"


def _remember(widget_key: str, state_key: str) -> None:
    """Copy a sidebar widget's value to the session key pages read (survives widget id changes)."""
    st.session_state[state_key] = st.session_state[widget_key]


def language_switch() -> None:
    """The English / 简体中文 switch (sidebar); the first choice follows the browser's language."""
    if st.session_state.get("lang") not in LANG_NAMES:
        st.session_state["lang"] = browser_lang()
    options = list(LANG_NAMES)
    st.radio(
        t("common.language"),
        options,
        index=options.index(lang()),
        key="lang_switch",
        format_func=LANG_NAMES.get,
        horizontal=True,
        on_change=_remember,
        args=("lang_switch", "lang"),
    )


def month_ends() -> list[dt.date]:
    """The month-ends the store can show, newest first (the current month-end for an empty store)."""
    return cached(metrics.month_ends)[::-1] or [vocab.last_month_end(dt.date.today())]


def as_of_key(language: str) -> str:
    """The as-of selector's widget key: one per language, so a switch redraws its dates in that language."""
    return f"as_of_select_{language}"


def as_of_selector() -> None:
    """The as-of month-end selectbox (sidebar), defaulting to the latest month-end of the store."""
    options = month_ends()
    if st.session_state.get("as_of") not in options:
        st.session_state["as_of"] = options[0]
    st.selectbox(
        t("common.as_of"),
        options,
        index=options.index(st.session_state["as_of"]),
        key=as_of_key(lang()),
        format_func=partial(fmt.date, lang=lang()),
        help=t("common.as_of_help"),
        on_change=_remember,
        args=(as_of_key(lang()), "as_of"),
    )


def as_of() -> dt.date:
    """The month-end every figure on the page is as of (end of that day)."""
    value = st.session_state.get("as_of")
    return value if isinstance(value, dt.date) else month_ends()[0]
