"""AppTest of the shell: login gate, navigation by role, the Store page's numbers, the language switch."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from apptest_helpers import APP, TIMEOUT, log_in, start_app, texts
from streamlit.testing.v1 import AppTest
from tiny import OBSERVED_TO, signed_session

from lendrisk import store, ui

pytestmark = pytest.mark.slow  # AppTest runs of the whole dashboard: seconds each


@pytest.fixture
def app(tiny_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The dashboard on the tiny store, first run done (logged out)."""
    return start_app(tiny_db, monkeypatch)


def log_in_to_store(at: AppTest, username: str, password: str) -> AppTest:
    """Log in, then open the Store page (the landing page depends on which pages exist)."""
    log_in(at, username, password)
    assert "_auth" in at.session_state
    at.switch_page("pages/store.py").run()
    assert not at.exception
    return at


def test_before_login_only_the_login_form(app: AppTest) -> None:
    assert not app.exception
    assert [w.key for w in app.text_input] == ["login_username", "login_password"]
    assert (
        app.text_input(key="login_password").proto.type == app.text_input(key="login_password").proto.PASSWORD
    )
    assert [r.key for r in app.radio] == ["lang_switch"]
    assert len(app.button) == 1  # the form's submit button
    assert not app.selectbox and not app.metric and not app.dataframe
    assert "Log in to lendrisk" in texts(app)


def test_a_page_url_before_login_shows_only_the_login_form(tiny_db: Path, monkeypatch) -> None:
    # Streamlit runs pages/*.py straight from the directory until app.py has called st.navigation
    # in the process (AppTest: in every run); ui.require_role sends such a run through app.py.
    monkeypatch.setenv("LENDRISK_DB", str(tiny_db))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/store.py").run()
    assert not at.exception
    assert [w.key for w in at.text_input] == ["login_username", "login_password"]
    assert not at.metric and not at.dataframe


def first_call(body: list[ast.stmt]) -> tuple[str | None, str] | None:
    """(object, function) called by the first statement after imports, definitions and the docstring:
    ("ui", "require_role") for ui.require_role(...), (None, "require_role") for require_role(...)."""
    skipped = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    statements = [node for node in body if not isinstance(node, skipped)]
    if statements and isinstance(statements[0], ast.Expr) and isinstance(statements[0].value, ast.Constant):
        statements = statements[1:]  # the docstring
    first = statements[0] if statements else None
    call = first.value if isinstance(first, ast.Expr | ast.Assign) else None
    func = call.func if isinstance(call, ast.Call) else None
    if isinstance(func, ast.Attribute):
        return (func.value.id if isinstance(func.value, ast.Name) else None), func.attr
    return (None, func.id) if isinstance(func, ast.Name) else None


def test_every_page_checks_the_role_first() -> None:
    # A page starts with ui.require_role(...) or with a ui page header that starts with it.
    kit = ast.parse((Path(APP).parent / "lendrisk" / "ui" / "kit.py").read_text(encoding="utf-8"))
    headers = {f.name for f in kit.body if isinstance(f, ast.FunctionDef) and f.name.endswith("_page")}
    assert headers == {"investor_page", "manager_page"}
    for header in (f for f in kit.body if isinstance(f, ast.FunctionDef) and f.name in headers):
        func = first_call(header.body)
        assert func is not None and func[1] == "require_role", f"ui.kit.{header.name}: check the role first"
    pages = sorted((Path(APP).parent / "pages").glob("*.py"))
    assert pages
    for page in pages:
        func = first_call(ast.parse(page.read_text(encoding="utf-8")).body)
        assert func is not None and (
            func == ("ui", "require_role") or (func[0] == "ui" and func[1] in headers)
        ), f"{page.name}: the first statement must be ui.require_role(...) or a ui page header"


def test_wrong_password_is_refused(app: AppTest) -> None:
    log_in(app, "investor2", "wrong")
    assert not app.exception
    assert [e.value for e in app.error] == ["Wrong username or password."]
    assert not app.metric


def test_sidebar_after_login(app: AppTest) -> None:
    log_in_to_store(app, "manager", "demo-manager")
    assert [w.key for w in app.sidebar.children.values() if getattr(w, "key", None)] == [
        "as_of_select_en",
        "lang_switch",
        "logout",
    ]
    # the as-of selector offers the tape's month-ends through observed_to, newest first
    as_of = app.selectbox(key="as_of_select_en")
    assert as_of.value.isoformat() == "2024-12-31"
    assert as_of.options[:2] == ["31 Dec 2024", "30 Nov 2024"]
    assert as_of.options[-1] == "31 Jan 2024"
    assert len(as_of.options) == 12
    assert "Signed in as manager (platform manager)" in texts(app)
    as_of.set_value(dt.date(2024, 6, 30)).run()
    assert app.session_state["as_of"] == dt.date(2024, 6, 30)
    assert app.selectbox(key="as_of_select_en").value == dt.date(2024, 6, 30)


def test_store_page_shows_the_tiny_row_counts(app: AppTest) -> None:
    log_in_to_store(app, "manager", "demo-manager")
    frame = app.dataframe[0].value
    assert list(frame.columns) == ["Table", "Rows", "What one row is"]
    counts = dict(zip(frame["Table"], frame["Rows"], strict=True))
    assert counts == {
        "Borrowers": 3,
        "Loans": 3,
        "Repayment schedule": 12,
        "Repayments received": 10,
        "Post-loan events": 6,
        "Investors": 2,
        "Holdings": 5,
        "Economy (monthly)": 12,
        "Risk reserve balance": 12,
        "Dashboard accounts": 5,
        "Loan keys (derived)": 3,
        "Performance tape (derived)": 16,
        "Monthly transitions (derived)": 13,  # tests/test_marts.py derives each by hand
        # one row per active tape row here (3 loans, 3 grades): L1 Jan-Mar, L2 Feb-Mar, L3 Jan-Aug
        "Book by segment (derived)": 3 + 2 + 8,
        # the tape summed by month x grade x product x channel x state: 3 loans of 3 grades, one row each
        "Monthly platform summary (derived)": 16,
        # each loan's months in each of six dimensions: grade, product, region and score band tell the
        # three loans apart (3 + 2 + 8 rows each); channel and income verification put L1 and L2 together
        # (their 3 month-ends + L3's 8)
        "Segments by month (derived)": 4 * 13 + 2 * 11,
        "Credit scores by month (derived)": 6,  # tests/test_marts.py lists them
        "Early-repayment stories (derived)": 1,  # L2
        "Legal-action stories (derived)": 1,  # L3
        "Holdings with their loans (derived)": 5,
        "Big books by month-end (derived)": 0,  # no tiny investor has store.BIG_BOOK_HOLDINGS holdings
        "Big books' repayments (derived)": 0,  # nor here
        "Big books' installments (derived)": 0,
        "Delinquency spells (derived)": 2,  # L1 from 03-15, L3 from 03-10
        "Active book cells (derived)": 13,  # the 13 active tape rows, each loan its own grade
        "Reserve-guaranteed book (derived)": 5,  # L3 Jan-May, before the 06-10 buy-out
        "Monthly cash flows (derived)": 5,  # originations Jan, Feb; buy-out Jun; charge-off Sep; recovery Nov
        "Lifetime outcomes by segment (derived)": 3,
        "Vintage defaults (derived)": 3,
        "Charge-offs (derived)": 1,
        "Recovery payments (derived)": 1,
        "Loan contracts (derived)": 3,
        "Disclosure by month (derived)": 3,  # originations Jan, Feb; compensation Jun
        "Lender exposures at the last month-end (derived)": 0,  # every loan closed by 12-31
        "Repayments by loan number (derived)": 10,  # one per repayment, as above
        "Schedule by loan number (derived)": 12,  # one per installment, as above
        "Lawsuits (derived)": 1,  # L3, filed 07-01
        # the overdue tape rows: L1 at 03-31; L3 at 03-31 .. 08-31 (1-30, 31-60, 61-90, then 90+ x 3)
        "Collection work list by month (derived)": 1 + 6,
    }
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Loans"] == "3"
    assert metrics["First loan originated"] == "10 Jan 2024"
    assert metrics["Observed to"] == "31 Dec 2024"
    assert f"Source: tiny · schema version {store.SCHEMA_VERSION}" in texts(app)
    csv = app.download_button[0]
    assert csv.proto.label == "Download CSV"


def test_switching_to_chinese(app: AppTest) -> None:
    app.radio(key="lang_switch").set_value("zh").run()
    assert not app.exception
    assert "登录 lendrisk" in texts(app)
    assert app.text_input(key="login_password").label == "密码"
    log_in_to_store(app, "manager", "demo-manager")
    assert app.selectbox(key="as_of_select_zh").label == "数据截至（月末）"
    assert app.selectbox(key="as_of_select_zh").options[0] == "2024年12月31日"
    assert "当前用户：manager（平台管理层）" in texts(app)
    assert "数据存储概况" in texts(app)
    frame = app.dataframe[0].value
    assert list(frame.columns) == ["数据表", "行数", "每行含义"]
    assert dict(zip(frame["数据表"], frame["行数"], strict=True))["借款"] == 3
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["首笔放款日期"] == "2024年1月10日"
    assert metrics["观察截止日"] == "2024年12月31日"
    app.radio(key="lang_switch").set_value("en").run()
    assert not app.exception
    assert "What the store holds" in texts(app)


def test_investor_sees_a_summary_of_the_store(app: AppTest) -> None:
    log_in_to_store(app, "investor1", "demo-investor")
    assert "Signed in as investor1 (investor)" in texts(app)
    # the loans investor1 holds (L1, L2, L3) as of the latest month-end, not the platform's tables
    assert {m.label: m.value for m in app.metric}["Loans"] == "3"
    assert "Loans you hold a part of, as of 31 Dec 2024." in texts(app)
    assert not app.dataframe and not app.get("plotly_chart")
    app.selectbox(key="as_of_select_en").set_value(dt.date(2024, 1, 31)).run()
    assert {m.label: m.value for m in app.metric}["Loans"] == "2"  # L2 was invested in on 02-01


def test_logout_returns_to_the_login_form(app: AppTest) -> None:
    log_in_to_store(app, "admin", "demo-admin")
    app.button(key="logout").click().run()
    assert not app.exception
    assert [w.key for w in app.text_input] == ["login_username", "login_password"]
    assert not app.metric and not app.dataframe
    app.run()
    assert [w.key for w in app.text_input] == ["login_username", "login_password"]


@pytest.mark.slow
def test_first_start_builds_the_demo_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "data" / "lendrisk.duckdb"
    monkeypatch.setenv("LENDRISK_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception
    assert db.exists()
    assert [w.key for w in at.text_input] == ["login_username", "login_password"]
    log_in_to_store(at, "investor1", "demo-investor")
    assert "Signed in as investor1 (investor)" in texts(at)


def test_switching_language_keeps_the_as_of_date_and_redraws_it(app: AppTest) -> None:
    log_in_to_store(app, "manager", "demo-manager")
    app.selectbox(key="as_of_select_en").set_value(dt.date(2024, 6, 30)).run()
    app.radio(key="lang_switch").set_value("zh").run()
    as_of = app.selectbox(key="as_of_select_zh")
    assert as_of.value == dt.date(2024, 6, 30)
    assert as_of.format_func(as_of.value) == "2024年6月30日"


def test_a_restored_session_draws_the_whole_sidebar_in_the_browser_language(
    tiny_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reload restores the login from the cookie into a new session with no language chosen yet:
    # the as-of selector (drawn before the language switch) must already follow the browser.
    monkeypatch.setenv("LENDRISK_DB", str(tiny_db))
    monkeypatch.setenv("LENDRISK_SECRET", "test-secret")
    monkeypatch.setattr(ui.language, "browser_lang", lambda: "zh")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["_auth"] = signed_session(tiny_db, "manager")
    at.run()
    assert not at.exception
    assert at.selectbox(key=ui.as_of_key("zh")).label == "数据截至（月末）"
    assert at.selectbox(key=ui.as_of_key("zh")).format_func(OBSERVED_TO) == "2024年12月31日"
