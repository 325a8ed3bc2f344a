"""Plain helpers for AppTest page tests: build the tiny store file, log in, open a page at an as-of date
in a language, and read what a run shows (texts, metrics, plotly figures).

The tiny store file itself is the `tiny_db` fixture of tests/conftest.py; a page test opens pages on it:

    at = open_page(tiny_db, monkeypatch, "investor1", "pages/portfolio.py", as_of=MARCH)
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test
from tiny import OBSERVED_TO, signed_session, tiny_tables

from lendrisk import auth, store

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60
PASSWORDS = {"investor1": "demo-investor", "investor2": "demo-investor", "investor3": "demo-investor"}
PASSWORDS |= {"manager": "demo-manager", "admin": "demo-admin"}
# The demo accounts' investors on the tiny platform.
TINY_INVESTORS = {"investor1": "I1", "investor2": "I2", "investor3": "I2"}


def build_tiny_store(path: Path) -> Path:
    """A store file of the tiny platform with the demo accounts (investor1 -> I1, investor2/3 -> I2)."""
    tables = tiny_tables()
    tables["users"] = auth.demo_user_rows(TINY_INVESTORS)
    store.build_store(path, tables, source="tiny", observed_to=OBSERVED_TO)
    return path


def start_app(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The dashboard on store db, first run done (logged out)."""
    monkeypatch.setenv("LENDRISK_DB", str(db))
    monkeypatch.setenv("LENDRISK_SECRET", "test-secret")
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def log_in(at: AppTest, username: str, password: str | None = None) -> AppTest:
    """Fill the login form and submit it (a demo account's password when none is given)."""
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORDS[username] if password is None else password)
    return at.button[0].click().run()


def open_page(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    username: str,
    page: str,
    as_of: dt.date | None = None,
    lang: str | None = None,
) -> AppTest:
    """The dashboard on store db, logged in as a user of the store, with language and as-of set, on page.

    Two runs (the landing page, then page): the session starts logged in (as a restored session cookie
    would: the user is read from the store's users table) with its language and as-of date chosen; the
    login form and the sidebar widgets themselves are tested in test_app_store.py. A page the user's
    role may not see raises ValueError ("Could not find a navigation page").
    """
    monkeypatch.setenv("LENDRISK_DB", str(db))
    monkeypatch.setenv("LENDRISK_SECRET", "test-secret")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["_auth"] = signed_session(db, username)
    if lang is not None:
        at.session_state["lang"] = lang
    if as_of is not None:
        at.session_state["as_of"] = as_of
    return at.run().switch_page(page).run()


def texts(at: AppTest) -> str:
    """Every markdown, caption, title, subheader and metric text of the current run, joined."""
    parts = [e.value for e in (*at.markdown, *at.caption, *at.title, *at.subheader)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def shown_metrics(at: AppTest) -> dict[str, str]:
    """Metric label -> value as shown."""
    return {m.label: m.value for m in at.metric}


def figures(at: AppTest) -> list[dict[str, Any]]:
    """The plotly figures of the run (JSON specs), in page order."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def values(data: Any) -> list:
    """A trace's x / y values as a list (decodes plotly's base64 typed arrays)."""
    if isinstance(data, dict) and "bdata" in data:
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        if "shape" in data:
            array = array.reshape([int(n) for n in str(data["shape"]).split(",")])
        return array.tolist()
    if isinstance(data, list):
        return [values(v) for v in data]
    return data


class _KeptMediaStorage(MemoryMediaFileStorage):
    """The in-memory media storage of an AppTest run, remembered so a test can read its downloads."""

    last: MemoryMediaFileStorage | None = None

    def __init__(self, media_endpoint: str) -> None:
        super().__init__(media_endpoint)
        _KeptMediaStorage.last = self


def keep_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep each AppTest run's media files (call before opening the page) for download_data."""
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", _KeptMediaStorage)


def download_data(at: AppTest, label_or_name: str) -> tuple[str, bytes]:
    """File name and bytes of the run's first download whose file name starts with label_or_name."""
    assert _KeptMediaStorage.last is not None, "call keep_downloads(monkeypatch) before opening the page"
    for button in at.get("download_button"):
        url = button.proto.url
        stored = _KeptMediaStorage.last.get_file(url.rsplit("/", 1)[-1])
        if (stored.filename or "").startswith(label_or_name):
            return stored.filename or "", stored.content
    raise AssertionError(f"no download named {label_or_name}*")
