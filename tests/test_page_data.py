"""AppTest of the Data and users page (admins only) on a copy of the tiny store: store status, account
management through the forms, and the upload import (validated, atomic) behind the uploader."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from apptest_helpers import APP, log_in, open_page, texts
from streamlit.testing.v1 import AppTest
from tiny import signed_session

from lendrisk import admin, auth, authstate, ingest, store

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each

ADMIN = ("admin", "demo-admin")
PAGE = str(Path(APP).parent / "pages" / "data.py")


def facts_shown(at: AppTest) -> dict[str, str]:
    """The store facts table: fact -> value."""
    frame = at.dataframe[0].value
    return dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_page(
    tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch, username: str = "admin", lang: str = "en"
) -> AppTest:
    """The Data page script run directly for a logged-in account (its forms are driven this way)."""
    monkeypatch.setenv("LENDRISK_DB", str(tiny_db_copy))
    monkeypatch.setenv("LENDRISK_SECRET", "test-secret")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["_auth"] = signed_session(tiny_db_copy, username)
    at.session_state["lang"] = lang
    return at.run()


def upload(at: AppTest, name: str, content: bytes, mode: str = "append") -> AppTest:
    """Upload one file through the import form and submit it."""
    at.file_uploader(key="data_files").set_value((name, content, "text/csv"))
    at.radio(key="data_mode").set_value(mode)
    next(b for b in at.button if b.key.startswith("FormSubmitter:upload-")).click()
    return at.run()


def test_admin_opens_the_page_through_the_navigation(
    tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(tiny_db_copy, monkeypatch, "admin", "pages/data.py", as_of=dt.date(2024, 12, 31))
    assert not at.exception
    assert "Data and users" in texts(at)
    assert at.get("file_uploader")


def test_store_status_and_accounts(tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(tiny_db_copy, monkeypatch)
    assert not at.exception
    facts = facts_shown(at)
    assert facts["Source of the last import"] == "tiny"
    assert facts["Observed to (last month-end covered)"] == "31 Dec 2024"
    assert facts["Loans originated between"] == "10 Jan 2024 – 1 Feb 2024"
    status = at.dataframe[1].value
    assert dict(zip(status["Table"], status["Rows in the store"], strict=True))["Loans"] == 3
    accounts = at.dataframe[2].value
    assert list(accounts.columns) == ["Username", "Role", "Investor id"]
    assert accounts["Username"].tolist() == ["admin", "investor1", "investor2", "investor3", "manager"]
    assert "password_hash" not in texts(at)


def test_add_reset_and_remove_an_account(tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(tiny_db_copy, monkeypatch)
    at.text_input(key="add_username").input("carol")
    at.text_input(key="add_password").input("carol-secret")
    at.selectbox(key="add_role").set_value("investor")
    at.selectbox(key="add_investor").set_value("I2")
    at.button(key="FormSubmitter:add_user-Add account").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["Account added."]
    accounts = at.dataframe[2].value
    assert accounts[accounts["Username"] == "carol"].values.tolist() == [["carol", "investor", "I2"]]
    con = store.connect(tiny_db_copy, read_only=True)
    state = authstate.AuthState(tiny_db_copy.parent / "check.sqlite")
    assert auth.verify(con, "carol", "carol-secret", state).user == auth.User("carol", "investor", "I2")
    con.close()
    # a short password is refused and changes nothing
    before = digest(tiny_db_copy)
    at.selectbox(key="reset_username").set_value("carol")
    at.text_input(key="reset_password").input("short")
    at.button(key="FormSubmitter:reset_password-Reset password").click().run()
    assert [e.value for e in at.error] == ["The password is too short."]
    assert digest(tiny_db_copy) == before
    at.selectbox(key="reset_username").set_value("carol")
    at.text_input(key="reset_password").input("carol-new-secret")
    at.button(key="FormSubmitter:reset_password-Reset password").click().run()
    assert [s.value for s in at.success] == ["Password changed."]
    con = store.connect(tiny_db_copy, read_only=True)
    assert auth.verify(con, "carol", "carol-new-secret", state).user is not None
    con.close()
    # the admin cannot pick themself for removal
    assert "admin" not in at.selectbox(key="remove_username").options
    at.selectbox(key="remove_username").set_value("carol")
    at.checkbox(key="remove_confirm").check()
    at.button(key="FormSubmitter:remove_user-Remove account").click().run()
    assert [s.value for s in at.success] == ["Account removed."]
    assert "carol" not in at.dataframe[2].value["Username"].tolist()
    # the store keeps its provenance through account changes
    assert facts_shown(at)["Source of the last import"] == "tiny"


def test_upload_import_is_validated_and_atomic(tiny_db_copy: Path) -> None:
    before = digest(tiny_db_copy)
    bad = b"investor_id,segment,joined_on\nI1,retail,2024-01-01\nI9,whale,2024-13-01\n"
    with pytest.raises(ingest.ValidationFailed) as failed:
        admin.import_uploads(tiny_db_copy, [("investors.csv", bad)])
    problems = admin.problems_frame(failed.value)
    assert list(problems.columns) == ["file", "row", "column", "rule", "value"]
    assert set(problems["file"]) == {"investors.csv"}
    assert {(r.row, r.column) for r in problems.itertuples()} >= {
        (3, "segment"),
        (3, "joined_on"),
        (2, "investor_id"),
    }
    assert digest(tiny_db_copy) == before  # nothing changed
    good = b"investor_id,segment,joined_on\nI9,retail,2024-06-01\n"
    report = admin.import_uploads(tiny_db_copy, [("investors.csv", good)])
    assert report.added == {"investors": 1} and report.totals["investors"] == 3


def test_upload_problems_are_listed_in_chinese(tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = data_page(tiny_db_copy, monkeypatch, lang="zh")
    before = digest(tiny_db_copy)
    bad = b"investor_id,segment,joined_on\nI1,retail,2024-01-01\nI9,whale,2024-13-01\n"
    upload(at, "investors.csv", bad)
    assert not at.exception
    assert [e.value for e in at.error] == [
        "发现3个问题，未导入任何数据（下方列出前3个）。请修改文件后重新上传。"
    ]
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["文件", "行号", "列", "违反的规则", "实际值"]
    assert problems.values.tolist() == [
        ["investors.csv", 3, "joined_on", "必须是日期 YYYY-MM-DD", "2024-13-01"],
        ["investors.csv", 3, "segment", "未知代码（允许：retail, institutional）", "whale"],
        ["investors.csv", 2, "investor_id", "重复的键，数据库中已存在", "I1"],
    ]
    # replacing the investors by I9 alone orphans the store's holdings (H1-H5) and investor accounts (3)
    upload(at, "investors.csv", b"investor_id,segment\nI9,retail\n", mode="replace")
    problems = at.dataframe[0].value
    assert sorted(map(tuple, problems[["文件", "违反的规则", "实际值"]].values.tolist())) == [
        *[("holdings（数据库中已有的行）", "investors 中没有此 investor_id", "I1")] * 3,
        *[("holdings（数据库中已有的行）", "investors 中没有此 investor_id", "I2")] * 2,
        ("users（数据库中已有的行）", "investors 中没有此 investor_id", "I1"),
        *[("users（数据库中已有的行）", "investors 中没有此 investor_id", "I2")] * 2,
    ]
    assert problems["行号"].isna().all()
    assert digest(tiny_db_copy) == before


def test_manager_has_no_data_page(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENDRISK_DB", str(tiny_db))
    monkeypatch.setenv("LENDRISK_SECRET", "test-secret")
    at = AppTest.from_file(APP, default_timeout=60).run()
    log_in(at, "manager", "demo-manager")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data.py")
    # and the page itself refuses a manager even when run directly
    page = data_page(tiny_db, monkeypatch, "manager")
    assert [e.value for e in page.error] == ["This page is not available to your account."]
    assert not page.get("file_uploader") and not page.dataframe


def test_an_ignored_column_is_a_warning_in_the_page_language(
    tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = data_page(tiny_db_copy, monkeypatch, lang="zh")
    upload(at, "investors.csv", b"investor_id,segment,joined_on,nickname\nI9,retail,2024-06-01,Kim\n")
    assert not at.exception
    assert [w.value for w in at.warning] == ["investors.csv: 已忽略未知列：nickname"]
    assert store.read_tables(tiny_db_copy, ("investors",))["investors"]["investor_id"].tolist() == [
        "I1",
        "I2",
        "I9",
    ]
