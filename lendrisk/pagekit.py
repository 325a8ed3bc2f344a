"""Page patterns the screens share on top of lendrisk.ui: the page header with the role check, rows
of KPI tiles, the unemployment-shock slider, filter pickers, a note in place of an empty chart,
table heights that fit their rows, and a loan story's two charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import streamlit as st

from lendrisk import fmt, investor, ui
from lendrisk.vocab import PLATFORM_ROLES

ROW_PX, HEADER_PX = 35, 38  # st.dataframe's row height, and its header row with the borders, in pixels


def investor_page(prefix: str) -> tuple[str, dt.date, str]:
    """Investor page header: role check, title and intro (as-of date); (investor id, as-of, language)."""
    user = ui.require_role("investor")
    if not user.investor_id:
        st.error(ui.t("investor.no_investor"))
        st.stop()
    as_of, lang = ui.as_of(), ui.lang()
    st.title(ui.t(f"{prefix}.title"))
    st.caption(ui.t(f"{prefix}.intro", date=fmt.date(as_of, lang)))
    return user.investor_id, as_of, lang


def manager_page(prefix: str) -> tuple[dt.date, str]:
    """Manager/admin page header: role check, title and intro (as-of date); (as-of, language)."""
    ui.require_role(*PLATFORM_ROLES)
    as_of, lang = ui.as_of(), ui.lang()
    st.title(ui.t(f"{prefix}.title"))
    st.caption(ui.t(f"{prefix}.intro", as_of=fmt.date(as_of, lang)))
    return as_of, lang


def metric_rows(tiles: Sequence[tuple[str, str, dict[str, Any]]], per_row: int) -> None:
    """KPI tiles (label key, value, fields; caption key = label key + "_help"), per_row tiles a row."""
    for start in range(0, len(tiles), per_row):
        for col, (key, value, fields) in zip(
            st.columns(per_row), tiles[start : start + per_row], strict=False
        ):
            with col:
                ui.metric(key, value, f"{key}_help", **fields)


def shock_slider(prefix: str, maximum: float, key: str) -> float:
    """The unemployment shock slider in percentage points (0..maximum, +2.0 first); help key prefix_help."""
    return st.slider(
        ui.t(prefix),
        min_value=0.0,
        max_value=maximum,
        value=2.0,
        step=0.5,
        format="+%.1f",
        key=key,
        help=ui.t(f"{prefix}_help"),
    )


def multi_filter(label_key: str, options: Sequence[str], key: str, prefix: str | None = None) -> list[str]:
    """A multiselect filter, empty meaning all; prefix translates each option (message key prefix + value)."""
    return st.multiselect(
        ui.t(label_key),
        options,
        key=key,
        format_func=(lambda v: ui.t(f"{prefix}{v}")) if prefix else str,
        placeholder=ui.t("investor.filter.all"),
    )


def note(title_key: str, note_key: str, **fields: Any) -> None:
    """A chart's title with a note in place of a chart that would be empty."""
    st.subheader(ui.t(title_key, **fields))
    st.info(ui.t(note_key, **fields))


def fit_height(rows: int, max_rows: int = 12) -> int:
    """A table height in pixels showing all rows up to max_rows (then it scrolls): no empty rows."""
    return HEADER_PX + ROW_PX * max(1, min(rows, max_rows))


def loan_facts(loan: dict[str, Any], lang: str) -> dict[str, str]:
    """A loan's contract as message fields: product, grade, principal, rate, term, method, originated."""
    return {
        "product": ui.t(f"common.product.{loan['product']}"),
        "grade": loan["grade"],
        "principal": fmt.money(loan["principal"], lang),
        "rate": fmt.pct(loan["annual_rate"], lang, 1),
        "term": fmt.number(loan["term_months"], lang),
        "method": ui.t(f"common.method.{loan['repayment_method']}"),
        "originated": fmt.date(loan["originated_on"], lang),
    }


def story_charts(story: investor.LoanStory, lang: str, title_prefix: str, file_prefix: str) -> None:
    """A loan's payments against its schedule and its milestones, side by side, each with its CSV."""
    payments = {
        "date": "investor.col.date",
        "series": "investor.col.series",
        "cumulative": "investor.col.cumulative",
    }
    milestones = {
        "date": "investor.col.date",
        "kind": "investor.col.milestone",
        "amount": "investor.col.amount",
    }
    parts = (
        ("payments", investor.story_payments_figure, investor.timeline_table, payments, "payments"),
        ("milestones", investor.story_milestones_figure, investor.milestone_table, milestones, "timeline"),
    )
    for column, (name, figure, table, columns, file_name) in zip(st.columns(2), parts, strict=True):
        with column:
            ui.chart(
                figure(story, lang),
                table(story, lang),
                f"{title_prefix}.chart.{name}.title",
                f"investor.story.chart.{name}.explain",
                columns=columns,
                file_name=f"{file_prefix}_{file_name}.csv",
                symbol=fmt.currency_symbol(),
            )
