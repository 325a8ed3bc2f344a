"""The rendering kit pages draw with: KPI tiles, translated tables and charts with their CSV, page
headers with the role check, filters, notes in place of empty charts, and a loan story's charts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import streamlit as st

from lendrisk import charts, export, fmt, investor
from lendrisk.ui.language import as_of, lang, t
from lendrisk.ui.shell import require_role
from lendrisk.vocab import INVESTOR_ROLES, PLATFORM_ROLES

ROW_PX, HEADER_PX = 35, 38  # st.dataframe's row height, and its header row with the borders, in pixels


def metric(
    label_key: str, value: str, help_key: str | None = None, delta: str | None = None, **fields: Any
) -> None:
    """A KPI: translated label, a formatted value (fmt.*), and a plain-language caption under it."""
    st.metric(t(label_key, **fields), value, delta=delta, border=True)
    if help_key:
        st.caption(t(help_key, **fields))


def _column_config(kind: str, label: str) -> Any:
    cc = st.column_config
    symbol = fmt.currency_symbol().replace("%", "%%")
    return {
        "money": lambda: cc.NumberColumn(label, format=f"{symbol}%,.2f"),
        "signed": lambda: cc.NumberColumn(label, format="%+,.2f"),  # cash in (+) and out (−)
        "pct": lambda: cc.NumberColumn(label, format="%.1f%%", width="small"),
        "int": lambda: cc.NumberColumn(label, format="%,d", width="small"),
        "number": lambda: cc.NumberColumn(label, format="%,.2f"),
        "date": lambda: cc.DateColumn(label, format=fmt.TABLE_DATE[lang()]),
        "month": lambda: cc.DateColumn(label, format=fmt.TABLE_MONTH[lang()]),
        "text": lambda: cc.TextColumn(label),
    }[kind]()


def labelled(
    df: pd.DataFrame,
    columns: Mapping[str, str],
    codes: Mapping[str, str] | None = None,
    fields: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The listed columns in order, headers translated, code values (e.g. states) translated.

    codes maps a column to a message-key prefix: value "90+" in column state with prefix
    "common.state." shows t("common.state.90+"). fields fill {placeholders} in the headers.
    """
    out = df.loc[:, list(columns)].copy()
    for col, prefix in (codes or {}).items():
        out[col] = out[col].map(lambda v, p=prefix: v if pd.isna(v) else t(f"{p}{v}"))
    return out.rename(columns={col: t(key, **(fields or {})) for col, key in columns.items()})


# Streamlit hashes a frame of 50,000 rows or more by a sample of its rows: such files are never cached.
CACHED_CSV_ROWS = 50_000


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _csv_bytes(df: pd.DataFrame, kinds: tuple[tuple[str, str], ...]) -> bytes:
    """export.csv_bytes of a frame, kept by the frame's content: a page's every run offers the same
    file, and formatting it cell by cell cost about a tenth of a run's CPU under load (bench/README)."""
    return export.csv_bytes(df, dict(kinds) or None)


def download(df: pd.DataFrame, file_name: str, key: str, kinds: Mapping[str, str] | None = None) -> None:
    """A CSV download button for a frame (export.csv_bytes: ISO dates, cents; no rerun on click)."""
    st.download_button(
        t("common.download_csv"),
        _csv_bytes(df, tuple(sorted((kinds or {}).items())))
        if len(df) < CACHED_CSV_ROWS
        else export.csv_bytes(df, kinds),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


def table(
    df: pd.DataFrame,
    columns: Mapping[str, str],
    formats: Mapping[str, str] | None = None,
    *,
    codes: Mapping[str, str] | None = None,
    file_name: str = "table.csv",
    key: str | None = None,
    height: int | str = "auto",
    fields: Mapping[str, Any] | None = None,
    csv_only: Sequence[str] = (),
) -> None:
    """A dataframe with translated headers, units per column and a CSV download of what it shows.

    columns: source column -> header message key (only these columns are shown, in this order).
    formats: source column -> "money", "signed" (an amount with its sign, unit in the header), "pct"
    (a ratio 0..1 shown as %), "int", "number",
    "date", "month" or "text". codes: source column -> message-key prefix for coded values.
    fields fill {placeholders} in headers. height: "auto" (scrolls after ~10 rows), "content"
    (every row) or pixels. The CSV has the same headers and machine-readable values (export), plus
    the csv_only columns, which the screen leaves out so a wide table fits.
    """
    formats = formats or {}
    key = key or f"table-{file_name}"
    on_screen = {col: k for col, k in columns.items() if col not in csv_only}
    shown = labelled(df, on_screen, {c: p for c, p in (codes or {}).items() if c in on_screen}, fields)
    config: dict[str, Any] = {}
    for col, kind in formats.items():
        if col not in on_screen:
            continue
        label = t(columns[col], **(fields or {}))
        config[label] = _column_config(kind, label)
        if kind == "pct":
            shown[label] = shown[label] * 100
        if kind in ("date", "month"):
            shown[label] = pd.to_datetime(shown[label])
    st.dataframe(
        shown, column_config=config, hide_index=True, height=height, key=f"{key}-df", placeholder=fmt.MISSING
    )
    kinds = {t(columns[col], **(fields or {})): kind for col, kind in formats.items()}
    download(labelled(df, columns, codes, fields), file_name, key=f"{key}-csv", kinds=kinds)


def chart(
    fig: Any,
    data: pd.DataFrame,
    title_key: str,
    explain_key: str,
    *,
    columns: Mapping[str, str] | None = None,
    file_name: str | None = None,
    formats: Mapping[str, str] | None = None,
    **fields: Any,
) -> None:
    """A plotly figure under a title (with units) and a one-line explanation, plus its data as CSV.

    columns (source column -> header key) selects and translates the CSV's columns; without it the
    CSV has the frame as given. formats (source column -> kind, as in table) fix the CSV's units;
    other columns are inferred (export). Amount axes get the language's compact ticks
    (charts.compact_money_axes). fields fill {placeholders} in the title, explanation and CSV
    headers; {symbol} is the store's currency symbol unless given.
    """
    fields = {"symbol": fmt.currency_symbol(), **fields}
    st.subheader(t(title_key, **fields))
    st.caption(t(explain_key, **fields))
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, title=None)
    charts.compact_money_axes(fig, lang(), fmt.currency_symbol())
    st.plotly_chart(fig, key=f"chart-{title_key}", config={"displaylogo": False})
    csv = labelled(data, columns, fields=fields) if columns else data
    kinds = {t(columns[c], **fields) if columns else c: k for c, k in (formats or {}).items()}
    name = file_name or f"{title_key.rsplit('.', 1)[-1]}.csv"
    download(csv, name, key=f"chart-{title_key}-csv", kinds=kinds)


def header(prefix: str) -> None:
    """A section of a page: the header t(prefix.title) and its one-line intro t(prefix.intro) under it."""
    st.header(t(f"{prefix}.title"))
    st.caption(t(f"{prefix}.intro"))


@contextmanager
def busy(message_key: str, **fields: Any) -> Iterator[None]:
    """A translated spinner around long work: `with ui.busy("risk.computing"): ...`."""
    with st.spinner(t(message_key, **fields)):
        yield


# --- page patterns ----------------------------------------------------------------------------


def investor_page(prefix: str) -> tuple[str, dt.date, str]:
    """Investor page header: role check, title and intro (as-of date); (investor id, as-of, language)."""
    user = require_role(*INVESTOR_ROLES)
    if not user.investor_id:
        st.error(t("investor.no_investor"))
        st.stop()
    day, language = as_of(), lang()
    st.title(t(f"{prefix}.title"))
    st.caption(t(f"{prefix}.intro", date=fmt.date(day, language)))
    return user.investor_id, day, language


def manager_page(prefix: str) -> tuple[dt.date, str]:
    """Manager/admin page header: role check, title and intro (as-of date); (as-of, language)."""
    require_role(*PLATFORM_ROLES)
    day, language = as_of(), lang()
    st.title(t(f"{prefix}.title"))
    st.caption(t(f"{prefix}.intro", as_of=fmt.date(day, language)))
    return day, language


def metric_rows(tiles: Sequence[tuple[str, str, dict[str, Any]]], per_row: int) -> None:
    """KPI tiles (label key, value, fields; caption key = label key + "_help"), per_row tiles a row."""
    for start in range(0, len(tiles), per_row):
        for col, (key, value, fields) in zip(
            st.columns(per_row), tiles[start : start + per_row], strict=False
        ):
            with col:
                metric(key, value, f"{key}_help", **fields)


def shock_slider(prefix: str, maximum: float, key: str) -> float:
    """The unemployment shock slider in percentage points (0..maximum, +2.0 first); help key prefix_help."""
    return st.slider(
        t(prefix),
        min_value=0.0,
        max_value=maximum,
        value=2.0,
        step=0.5,
        format="+%.1f",
        key=key,
        help=t(f"{prefix}_help"),
    )


def language_key(key: str) -> str:
    """A widget key of the page's language: a multiselect's browser side keeps its chips' labels, so
    after a language switch the same key showed the options chosen before in the old language."""
    return f"{key}-{lang()}"


def multi_filter(label_key: str, options: Sequence[str], key: str, prefix: str | None = None) -> list[str]:
    """A multiselect filter, empty meaning all; prefix translates each option (message key prefix + value).
    The widget is keyed per language (language_key): its chips keep the labels they were chosen with."""
    return st.multiselect(
        t(label_key),
        options,
        key=language_key(key),
        format_func=(lambda v: t(f"{prefix}{v}")) if prefix else str,
        placeholder=t("investor.filter.all"),
    )


def note(title_key: str, note_key: str, **fields: Any) -> None:
    """A chart's title with a note in place of a chart that would be empty."""
    st.subheader(t(title_key, **fields))
    st.info(t(note_key, **fields))


def fit_height(rows: int, max_rows: int = 12) -> int:
    """A table height in pixels showing all rows up to max_rows (then it scrolls): no empty rows."""
    return HEADER_PX + ROW_PX * max(1, min(rows, max_rows))


def loan_facts(loan: dict[str, Any], lang: str) -> dict[str, str]:
    """A loan's contract as message fields: product, grade, principal, rate, term, method, originated."""
    return {
        "product": t(f"common.product.{loan['product']}"),
        "grade": loan["grade"],
        "principal": fmt.money(loan["principal"], lang),
        "rate": fmt.pct(loan["annual_rate"], lang, 1),
        "term": fmt.number(loan["term_months"], lang),
        "method": t(f"common.method.{loan['repayment_method']}"),
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
        ("payments", charts.story_payments_figure, investor.timeline_table, payments, "payments"),
        ("milestones", charts.story_milestones_figure, investor.milestone_table, milestones, "timeline"),
    )
    for column, (name, figure, table, columns, file_name) in zip(st.columns(2), parts, strict=True):
        with column:
            chart(
                figure(story, lang),
                table(story, lang),
                f"{title_prefix}.chart.{name}.title",
                f"investor.story.chart.{name}.explain",
                columns=columns,
                file_name=f"{file_prefix}_{file_name}.csv",
                symbol=fmt.currency_symbol(),
            )
