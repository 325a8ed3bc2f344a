"""Shared AppTest helpers for page tests: open a page logged in, at an as-of date, in a language.

A page test builds the tiny store with the demo accounts once (investor1 -> I1, investor2 and
investor3 -> I2, as test_app_store's tiny_db) and opens pages on it:

    @pytest.fixture(scope="module")
    def db(tmp_path_factory):
        return build_tiny_store(tmp_path_factory.mktemp("store") / "tiny.duckdb")

    at = open_page(db, monkeypatch, "investor1", "pages/portfolio.py", as_of=MARCH)
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
from test_app_store import APP, log_in
from tiny import OBSERVED_TO, tiny_tables

from lendrisk import auth, store, ui

TIMEOUT = 60
PASSWORDS = {"investor1": "demo-investor", "investor2": "demo-investor", "investor3": "demo-investor"}
PASSWORDS |= {"manager": "demo-manager", "admin": "demo-admin"}


def build_tiny_store(path: Path) -> Path:
    """A store file of the tiny platform with the demo accounts."""
    tables = tiny_tables()
    tables["users"] = auth.demo_user_rows({"investor1": "I1", "investor2": "I2", "investor3": "I2"})
    store.build_store(path, tables, source="tiny", observed_to=OBSERVED_TO)
    return path


def open_page(
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    username: str,
    page: str,
    as_of: dt.date | None = None,
    lang: str | None = None,
) -> AppTest:
    """The dashboard on store db, logged in as a demo user, with language and as-of set, on page."""
    monkeypatch.setenv("LENDRISK_DB", str(db))
    monkeypatch.setenv("LENDRISK_SECRET", "test-secret")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    log_in(at, username, PASSWORDS[username])
    if lang is not None:
        at.radio(key="lang_switch").set_value(lang).run()
    if as_of is not None:
        at.selectbox(key=ui.as_of_key(lang or "en")).set_value(as_of).run()
    return at.switch_page(page).run()


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
