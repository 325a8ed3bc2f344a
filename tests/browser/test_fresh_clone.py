"""The README's first command on a fresh machine: a clean clone with an empty data/ folder.

`streamlit run app.py` in a new clone builds the demo store itself; then, in headless Chromium, an
investor and a manager log in, in English and in Chinese (the browser's language picks the interface
language), and open every page their sidebar lists. Every page must draw a title and content, and no
exception box, error box or traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit_server import free_port, serve, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]

BUILD_SECONDS = 600  # the demo build: about half a minute on a quiet machine, much more on a busy one
PAGE_MS = 180_000
ACCOUNTS = [("investor1", "demo-investor"), ("manager", "demo-manager")]
BROKEN = ("Traceback", "This app has encountered an error", "Error running app")


@pytest.fixture(scope="module")
def fresh_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of `streamlit run app.py` started in a new clone of this repository (committed HEAD)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    clone = tmp_path_factory.mktemp("fresh") / "lendrisk"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    assert not list((clone / "data").glob("*.duckdb")), "a clean clone holds no store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LENDRISK_")}
    log = tmp_path_factory.mktemp("fresh-log") / "streamlit.log"
    with serve(clone, env, free_port(), log) as url:
        yield url
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


def assert_page_sound(page, where: str) -> None:
    """The page drew a title and content, and no exception, error box or traceback."""
    main = page.locator("[data-testid='stMain']")
    main.locator("h1").first.wait_for(timeout=PAGE_MS)
    assert page.locator("[data-testid='stException']").count() == 0, where
    assert page.locator("[data-testid='stAlertContentError']").count() == 0, where
    text = main.inner_text()
    for sign in BROKEN:
        assert sign not in text, (where, sign)
    assert len(text.strip()) > 200, (where, text)


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
@pytest.mark.parametrize(("user", "password"), ACCOUNTS)
def test_every_page_of_the_role_renders(
    browser, fresh_app: str, login, shot, locale: str, user: str, password: str
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale=locale)
    context.set_default_timeout(PAGE_MS)
    page = context.new_page()
    try:
        page.goto(fresh_app)
        page.locator("input[type='password']").wait_for(timeout=BUILD_SECONDS * 1000)
        login(page, user, password)
        page.wait_for_function("document.cookie.includes('lendrisk_session=')")
        nav = page.locator("[data-testid='stSidebarNav'] a")
        nav.first.wait_for()
        wait_idle(page, PAGE_MS)
        names = nav.all_inner_texts()
        assert len(names) >= 5, names
        for index, name in enumerate(names):
            nav.nth(index).click()
            wait_idle(page, PAGE_MS)
            assert_page_sound(page, f"{user} {locale} {name}")
            shot(page, f"fresh-{user}-{locale}-{index:02d}")
    finally:
        context.close()
