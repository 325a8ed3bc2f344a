"""Sessions end for good: logout (also across a server restart), a password reset, a removal and a
re-added account of the same name each refuse every older token, checked on every run (issue 14)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import streamlit as st
from apptest_helpers import APP, log_in
from streamlit.testing.v1 import AppTest

from lendrisk import accounts, auth, authstate, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

SECRET = b"test-secret"


@pytest.fixture
def db(tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the tiny store with the demo accounts (these tests change accounts)."""
    monkeypatch.setenv("LENDRISK_DB", str(tiny_db_copy))
    monkeypatch.setenv("LENDRISK_SECRET", SECRET.decode())
    return tiny_db_copy


def logged_in(username: str, password: str) -> tuple[AppTest, str]:
    """The app after a login through the form, and the session token its cookie carries."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    log_in(at, username, password)
    assert not at.exception and "_auth" in at.session_state
    return at, at.session_state["_auth"]["token"]


def restart() -> None:
    """What a server restart forgets: every object and cache of this process."""
    authstate._STATES.clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def token_works(db: Path, token: str) -> bool:
    """Whether a browser sending this cookie would be logged in (what every run checks)."""
    con = store.connect(db)
    try:
        return auth.session_user(con, authstate.for_store(db), SECRET, token) is not None
    finally:
        con.close()


def shows_login(token: str, username: str) -> bool:
    """A new session presenting the token: does it get the login form instead of a page?"""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["_auth"] = {"username": username, "token": token, "expires_at": time.time() + 600}
    at.run()
    assert not at.exception
    return any(w.key == "login_username" for w in at.text_input)


def test_logout_then_restart_refuses_the_old_cookie(db: Path) -> None:
    at, token = logged_in("investor1", "demo-investor")
    other, second = logged_in("investor1", "demo-investor")  # the same account in another browser
    at.button(key="logout").click().run()
    assert any(w.key == "login_username" for w in at.text_input)
    restart()
    assert not token_works(db, token) and shows_login(token, "investor1")
    assert not token_works(db, second)  # logout ends every session of the account
    other.run()
    assert any(w.key == "login_username" for w in other.text_input)
    _, fresh = logged_in("investor1", "demo-investor")  # a new login works
    assert token_works(db, fresh)


def test_a_password_reset_ends_the_accounts_sessions(db: Path) -> None:
    at, token = logged_in("investor2", "demo-investor")
    _, manager = logged_in("manager", "demo-manager")
    accounts.reset_password(db, "investor2", "a-new-password")
    restart()
    assert not token_works(db, token) and shows_login(token, "investor2")
    at.run()  # the open session is checked on its next run
    assert any(w.key == "login_username" for w in at.text_input)
    assert token_works(db, manager)  # other accounts keep their sessions


def test_removing_and_re_adding_a_name_does_not_revive_its_sessions(db: Path) -> None:
    _, token = logged_in("investor3", "demo-investor")
    accounts.remove_user(db, "investor3", acting_user="admin")
    assert not token_works(db, token)
    accounts.add_user(db, "investor3", "demo-investor", "investor", "I2")  # same name, same password
    restart()
    assert not token_works(db, token) and shows_login(token, "investor3")


def test_an_edited_token_is_refused(db: Path) -> None:
    _, token = logged_in("investor1", "demo-investor")
    payload, rest = token.split(".", 1)
    forged = auth.issue_token(b"guessed-key", "admin", 0, "whatever")
    assert not token_works(db, forged) and shows_login(forged, "admin")
    assert not token_works(db, payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + rest)
