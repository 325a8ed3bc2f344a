"""The Streamlit shell shared by every page: store connection and caching, language, as-of date,
login and session cookie, navigation, and the rendering helpers pages use for numbers, tables and
charts. Pages hold no SQL and no business logic: they call lendrisk functions through `cached`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import duckdb
import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from lendrisk import auth, authstate, charts, export, fmt, i18n, metrics, store, uploads, vocab

ROOT = Path(__file__).resolve().parent.parent
SESSION_COOKIE = "lendrisk_session"
LANG_NAMES = {"en": "English", "zh": "简体中文"}
_AUTH = "_auth"  # session_state: {"username", "token", "expires_at"} of the logged-in user
_CLEAR_COOKIE = "_clear_cookie"  # session_state: delete the browser cookie on the next run

R = TypeVar("R")


class PageSpec(NamedTuple):
    """One screen of the navigation: file (relative to app.py), title key, icon, roles, section key."""

    path: str
    title_key: str
    icon: str
    roles: tuple[str, ...]
    section_key: str


# --- store connection and cached calls ---------------------------------------------------------


def store_stamp() -> tuple[str, int]:
    """The store path and its modification time: a rebuilt store gets new connections and caches."""
    path = store.db_path()
    return str(path), path.stat().st_mtime_ns


class _Connections:
    """The process's read-only connections, one per store path, reopened when the file is rebuilt."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: dict[str, tuple[int, duckdb.DuckDBPyConnection]] = {}

    def get(self, path: str, mtime_ns: int) -> duckdb.DuckDBPyConnection:
        """The connection to this version of the file; an older version's connection is closed first.

        DuckDB shares one database instance per path within a process, so a new connection would
        still see the replaced file while the old one stays open.
        """
        with self.lock:
            known = self.open.get(path)
            if known and known[0] == mtime_ns:
                return known[1]
            if known:
                known[1].close()
            con = store.connect(path, read_only=True)
            self.open[path] = (mtime_ns, con)
            return con


@st.cache_resource(show_spinner=False)
def _connections() -> _Connections:
    return _Connections()


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide read-only connection to the store (query through .cursor() / sql.run)."""
    return _connections().get(*store_stamp())


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _call(_fn: Callable[..., Any], name: str, stamp: tuple[str, int], args: tuple, kwargs: tuple) -> Any:
    """fn(connection, *args, **kwargs), cached by name (fn's qualified name: the leading underscore
    keeps Streamlit from hashing fn itself), the store version and the arguments."""
    return _fn(connection(), *args, **dict(kwargs))


def cached(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """fn(connection(), *args, **kwargs) through the data cache (10 min, 256 entries).

    Use for every lendrisk call a page makes: ui.cached(metrics.overdue_by_bucket, as_of,
    investor_id=user.investor_id). Arguments must be hashable by Streamlit (dates, str, numbers,
    None, tuples); the result must be picklable. Each call returns a fresh copy.
    """
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _call(fn, name, store_stamp(), args, tuple(sorted(kwargs.items())))


@st.cache_resource(show_spinner=False)
def _build_lock() -> threading.Lock:
    """Serialises the first-start demo build between sessions of this process."""
    return threading.Lock()


@st.cache_data(max_entries=8, show_spinner=False)
def _schema_version(path: str, mtime_ns: int) -> int:
    """The store file's schema version, read once per version of the file (mtime_ns keys the cache)."""
    return store.schema_version(path)


def _store_is_current() -> bool:
    """Whether the store file exists and was built with this code's schema."""
    return store.db_path().exists() and _schema_version(*store_stamp()) >= store.SCHEMA_VERSION


@st.cache_resource(show_spinner=False)
def _failed_upgrades() -> dict[tuple[str, int], str]:
    """Store file versions whose upgrade failed in this process, with the error: not retried."""
    return {}


def _build_store_page() -> None:
    """The page shown while the store is built (first start: the demo) or upgraded: a progress bar."""
    lock = _build_lock()
    if not lock.acquire(blocking=False):
        with st.spinner(t("common.store.waiting")):
            lock.acquire()
    try:
        if _store_is_current():
            return
        path = store.db_path()
        stamp = store_stamp() if path.exists() else None
        failed = _failed_upgrades()
        if stamp in failed:
            st.error(t("common.store.upgrade_failed", error=failed[stamp], path=str(path)))
            st.stop()
        message = "common.store.upgrading" if stamp else "common.store.building"
        bar = st.progress(0.0, text=t(message, done=fmt.pct(0.0, lang(), 0)))

        def progress(_message: str, fraction: float) -> None:
            fraction = min(max(fraction, 0.0), 1.0)
            bar.progress(fraction, text=t(message, done=fmt.pct(fraction, lang(), 0)))

        if stamp:
            try:
                store.upgrade(path, progress=progress)
            except Exception as exc:  # shown in one line, never as a traceback; the old file is intact
                first_line = next(iter(str(exc).splitlines()), "")
                failed[stamp] = f"{type(exc).__name__}: {first_line}"[:300]
                bar.empty()
                st.error(t("common.store.upgrade_failed", error=failed[stamp], path=str(path)))
                st.stop()
        else:
            from lendrisk import demo

            demo.build_demo_store(path, progress=progress)
    finally:
        lock.release()


def ensure_store() -> None:
    """Build the demo platform when there is no store; rebuild a store of an older schema from its tables.

    The demo comes with its demo accounts. The build runs as the only (hidden) page of this run, then
    the app starts over on the store.
    """
    if _store_is_current():
        return
    st.navigation(
        [st.Page(_build_store_page, title="lendrisk", url_path="building")], position="hidden"
    ).run()
    st.rerun()


# --- language and as-of date -------------------------------------------------------------------


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


# --- login, session cookie, roles --------------------------------------------------------------


def _secret() -> bytes:
    return auth.session_secret(store.db_path())


def _state() -> authstate.AuthState:
    return authstate.for_store(store.db_path())


def client_id() -> str:
    """Who is asking, for login throttling: the peer address, or the header a trusted reverse proxy
    sets ($LENDRISK_CLIENT_HEADER, e.g. X-Real-IP; README deployment). "local" without either."""
    header = os.environ.get("LENDRISK_CLIENT_HEADER")
    value = st.context.headers.get(header) if header else None
    return (value or st.context.ip_address or "local").split(",")[0].strip()


def _start_session(user: auth.User, expires_at: float, token: str) -> None:
    st.session_state[_AUTH] = {"username": user.username, "token": token, "expires_at": expires_at}
    st.session_state.pop(_CLEAR_COOKIE, None)


def _end_session(revoke: bool = True) -> None:
    """Forget the login in this session; revoke (logout) also ends every other session of the account."""
    session = st.session_state.pop(_AUTH, None)
    if session and revoke:
        _state().revoke(session["username"])
    st.session_state[_CLEAR_COOKIE] = True
    uploads.forget_session()


def current_user() -> auth.User | None:
    """The logged-in user, checked on every call: the token's signature and age, the account's
    session version and password (auth.session_user); role and investor_id from the users table.

    None when nobody is logged in, the login expired or was revoked, or the account is gone.
    """
    session = st.session_state.get(_AUTH)
    if not session:
        return None
    checked = auth.session_user(connection(), _state(), _secret(), session["token"])
    if checked is None:
        _end_session(revoke=False)
        return None
    user = checked[0]
    uploads.note_session(user.role == "admin")
    return user


def _restore_from_cookie() -> None:
    """Log in again from a genuine, unexpired, still current session cookie sent by the browser."""
    if st.session_state.get(_AUTH) or st.session_state.get(_CLEAR_COOKIE):
        return
    token = st.context.cookies.get(SESSION_COOKIE)
    if not token:
        return
    checked = auth.session_user(connection(), _state(), _secret(), token)
    if checked is None:
        st.session_state[_CLEAR_COOKIE] = True  # forged, expired, logged out, reset or removed
        return
    _start_session(checked[0], checked[1], token)


def _cookie_script(value: str, max_age: int) -> None:
    """Set (or, with max_age 0, delete) the session cookie in the browser."""
    cookie = f"{SESSION_COOKIE}={value}; Max-Age={max_age}; Path=/; SameSite=Strict"
    script = (
        f"<script>document.cookie = {json.dumps(cookie)}"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )
    st.html(script, unsafe_allow_javascript=True, width="content")


def _sync_cookie() -> None:
    """Make the browser's cookie match the session: set after login, delete after logout."""
    session = st.session_state.get(_AUTH)
    sent = st.context.cookies.get(SESSION_COOKIE)
    if session and sent != session["token"]:
        _cookie_script(session["token"], max(int(session["expires_at"] - time.time()), 0))
    elif not session and st.session_state.get(_CLEAR_COOKIE):
        _cookie_script("", 0)


def login_page() -> None:
    """The login form (username, password; Enter submits). Nothing else is shown before login."""
    st.title(t("common.login.title"))
    st.caption(t("common.login.intro"))
    with st.form("login", border=True, width=420):
        username = st.text_input(t("common.login.username"), key="login_username", autocomplete="username")
        password = st.text_input(
            t("common.login.password"), type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("common.login.submit"), type="primary")
    if not submitted:
        return
    attempt = auth.verify(connection(), username, password, _state(), client_id())
    if attempt.user is not None:
        token, expires_at = auth.new_session(connection(), _state(), _secret(), attempt.user.username)
        _start_session(attempt.user, expires_at, token)
        st.rerun()
    if attempt.checked:
        st.error(t("common.login.failed"))
    if not attempt.checked or attempt.wait > authstate.ACCOUNT_GAP:  # not after a single typo
        st.warning(t("common.login.wait", seconds=math.ceil(attempt.wait)))


def login_gate() -> auth.User | None:
    """The logged-in user; otherwise shows only the login form and the language switch, then None."""
    uploads.install()
    _restore_from_cookie()
    user = current_user()
    if user is None:
        uploads.forget_session()
        with st.sidebar:
            language_switch()
            _sync_cookie()
        page = st.navigation(
            [st.Page(login_page, title=t("common.login.title"), icon=":material/login:", url_path="login")],
            position="hidden",
        )
        page.run()
    return user


def leave_pages_directory_mode() -> None:
    """Rerun through app.py when Streamlit ran a page file directly (legacy pages/-directory mode).

    Streamlit 1.67 starts every process in that mode (a pages/ folder exists) and leaves it only
    when st.navigation is called; until then a request for /health runs pages/health.py without
    app.py (no login gate). Every page calls this through require_role before anything else.
    (A run of app.py in that mode is harmless: its own st.navigation replaces the automatic one.)
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def require_role(*roles: str) -> auth.User:
    """The logged-in user when their role is one of roles; otherwise a message and the page stops.

    Every page calls it first: it also sends a page that Streamlit ran without app.py (the first
    request after a restart going to /health, see leave_pages_directory_mode) through app.py.
    """
    leave_pages_directory_mode()
    user = current_user()
    if user is None or user.role not in roles:
        st.error(t("common.forbidden"))
        st.stop()
    return user


def navigation(pages: Sequence[PageSpec], user: auth.User) -> Any:
    """st.navigation over the pages the user's role may see whose files exist, grouped by section."""
    sections: dict[str, list[Any]] = {}
    for spec in pages:
        if user.role in spec.roles and (ROOT / spec.path).is_file():
            page = st.Page(spec.path, title=t(spec.title_key), icon=spec.icon)
            sections.setdefault(t(spec.section_key), []).append(page)
    return st.navigation(sections)


def sidebar(user: auth.User) -> None:
    """The shared sidebar: as-of month-end, language, who is logged in, logout."""
    with st.sidebar:
        as_of_selector()
        language_switch()
        st.divider()
        st.caption(t("common.signed_in_as", user=user.username, role=t(f"common.role.{user.role}")))
        st.button(t("common.logout"), key="logout", on_click=_end_session, icon=":material/logout:")
        _sync_cookie()


# --- rendering helpers -------------------------------------------------------------------------


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


def download(df: pd.DataFrame, file_name: str, key: str, kinds: Mapping[str, str] | None = None) -> None:
    """A CSV download button for a frame (export.csv_bytes: ISO dates, cents; no rerun on click)."""
    st.download_button(
        t("common.download_csv"),
        export.csv_bytes(df, kinds),
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
        if kind in ("date", "month"):  # missing dates show empty, not "None"
            shown[label] = pd.to_datetime(shown[label])
    st.dataframe(shown, column_config=config, hide_index=True, height=height, key=f"{key}-df")
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
    (charts.compact_money_axes). fields fill {placeholders} in the title and explanation.
    """
    st.subheader(t(title_key, **fields))
    st.caption(t(explain_key, **fields))
    fig.update_layout(margin={"l": 10, "r": 10, "t": 30, "b": 10}, title=None)
    charts.compact_money_axes(fig, lang(), fmt.currency_symbol())
    st.plotly_chart(fig, key=f"chart-{title_key}", config={"displaylogo": False})
    csv = labelled(data, columns, fields=fields) if columns else data
    kinds = {t(columns[c], **fields) if columns else c: k for c, k in (formats or {}).items()}
    name = file_name or f"{title_key.rsplit('.', 1)[-1]}.csv"
    download(csv, name, key=f"chart-{title_key}-csv", kinds=kinds)


@contextmanager
def busy(message_key: str, **fields: Any) -> Iterator[None]:
    """A translated spinner around long work: `with ui.busy("risk.computing"): ...`."""
    with st.spinner(t(message_key, **fields)):
        yield
