"""The Streamlit shell, imported by app.py and every page as `ui`. Pages hold no SQL and no business
logic: they read widgets, call lendrisk functions through `ui.cached`, and render with the kit.

One module per job:
- ui.session: the store connection (read-only, one per store file version) and the page cache;
- ui.language: interface language and the as-of month-end;
- ui.shell: the store gate, login and session cookie, role checks, navigation, sidebar;
- ui.kit: rendering (KPI tiles, tables, charts with CSV, page headers, filters, loan stories).
"""

from lendrisk.ui.kit import (
    busy,
    chart,
    download,
    fit_height,
    header,
    investor_page,
    labelled,
    language_key,
    loan_facts,
    manager_page,
    metric,
    metric_rows,
    multi_filter,
    note,
    shock_slider,
    story_charts,
    table,
)
from lendrisk.ui.language import LANG_NAMES, as_of, as_of_key, browser_lang, lang, month_ends, t
from lendrisk.ui.session import cached, connection, store_stamp
from lendrisk.ui.shell import PageSpec, ensure_store, login_gate, navigation, require_role, section, sidebar

__all__ = [
    "LANG_NAMES",
    "PageSpec",
    "as_of",
    "as_of_key",
    "browser_lang",
    "busy",
    "cached",
    "chart",
    "connection",
    "download",
    "ensure_store",
    "fit_height",
    "header",
    "investor_page",
    "labelled",
    "lang",
    "language_key",
    "loan_facts",
    "login_gate",
    "manager_page",
    "metric",
    "metric_rows",
    "month_ends",
    "multi_filter",
    "navigation",
    "note",
    "require_role",
    "section",
    "shock_slider",
    "sidebar",
    "store_stamp",
    "story_charts",
    "t",
    "table",
]
