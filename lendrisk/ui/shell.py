"""What app.py runs around every page: the store gate (first-start demo build, schema upgrade), the
login gate and session cookie, role checks, navigation by role and the shared sidebar."""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from lendrisk import auth, authstate, fmt, store, uploads
from lendrisk.ui.language import as_of_selector, lang, language_switch, t
from lendrisk.ui.session import connection, store_stamp

ROOT = Path(__file__).resolve().parents[2]
SESSION_COOKIE = "lendrisk_session"
_AUTH = "_auth"  # session_state: {"username", "token", "expires_at"} of the logged-in user
_CLEAR_COOKIE = "_clear_cookie"  # session_state: delete the browser cookie on the next run


class PageSpec(NamedTuple):
    """One screen of the navigation: file (relative to app.py), title key, icon, roles, section key."""

    path: str
    title_key: str
    icon: str
    roles: tuple[str, ...]
    section_key: str


def section(section_key: str, roles: tuple[str, ...], icons: Mapping[str, str]) -> list[PageSpec]:
    """One sidebar section's screens, page name -> icon: file pages/<name>.py, title common.page.<name>."""
    return [
        PageSpec(f"pages/{name}.py", f"common.page.{name}", icon, roles, section_key)
        for name, icon in icons.items()
    ]


# --- store gate --------------------------------------------------------------------------------


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


# --- login, session cookie, roles, navigation -------------------------------------------------


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
