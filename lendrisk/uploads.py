"""Uploads only from an administrator's session.

Streamlit accepts a file PUT to /_stcore/upload_file/<session>/<file> from any open session, logged in
or not, and keeps it in memory until the session ends (up to server.maxUploadSize each). The only
uploader of lendrisk is on the Data page (admins only), so the runtime's upload store is wrapped once
per process: a file for a session in which no administrator is logged in is refused (HTTP 403).
lendrisk.ui marks a session on every run (note_session) and unmarks it on logout (forget_session).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

log = logging.getLogger(__name__)
_ADMIN_SESSIONS: set[str] = set()
_LOCK = threading.Lock()
_INSTALLED: list[object] = []  # the upload managers wrapped in this process


def _session_id() -> str | None:
    """The Streamlit session id of the running script (None outside a script run)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else None


def note_session(is_admin: bool) -> None:
    """Record whether an administrator is logged in to the running session (called on every run)."""
    install()
    session = _session_id()
    if session is None:
        return
    with _LOCK:
        (_ADMIN_SESSIONS.add if is_admin else _ADMIN_SESSIONS.discard)(session)


def forget_session() -> None:
    """The running session has logged out: no more uploads from it."""
    session = _session_id()
    with _LOCK:
        _ADMIN_SESSIONS.discard(session or "")


def allowed(session_id: str) -> bool:
    """Whether a session may upload files (an administrator is logged in to it)."""
    with _LOCK:
        return session_id in _ADMIN_SESSIONS


def install() -> None:
    """Wrap the running server's upload store (once per process; nothing under AppTest)."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return
    manager = Runtime.instance().uploaded_file_mgr
    with _LOCK:
        if manager in _INSTALLED:
            return
        _INSTALLED.append(manager)
    original = manager.add_file

    def add_file(session_id: str, file: Any) -> None:
        if not allowed(session_id):
            from starlette.exceptions import HTTPException

            log.warning("refused an upload of %d bytes from a session without an admin", len(file.data))
            raise HTTPException(status_code=403, detail="uploads need an administrator's login")
        original(session_id, file)

    manager.add_file = add_file  # type: ignore[method-assign]
