"""Real-browser fixtures: a dashboard server on a tiny store with the demo accounts, headless Chromium.

The server is `streamlit run app.py` on a free port with $LENDRISK_DB pointing at a store of
tests/tiny.py (investor1 -> I1, investor2 and investor3 -> I2). Chromium is Debian's
/usr/bin/chromium driven by Playwright. Without it the tests skip locally but fail in CI ($CI set).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from apptest_helpers import build_tiny_store
from streamlit_server import CHROMIUM, free_port, launch, serve

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file of the tiny platform with the demo accounts."""
    return build_tiny_store(tmp_path_factory.mktemp("browser-store") / "tiny.duckdb")


@pytest.fixture(scope="session")
def app_url(tiny_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a dashboard server on the tiny store (stopped after the session)."""
    port = free_port()
    env = {
        **os.environ,
        "LENDRISK_DB": str(tiny_store),
        "LENDRISK_STRICT_I18N": "1",
        "LENDRISK_SESSION_HOURS": "8",
    }
    env.pop("LENDRISK_SECRET", None)  # exercise the secret file beside the store
    log = tmp_path_factory.mktemp("browser-log") / "streamlit.log"
    with serve(ROOT, env, port, log) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through Playwright."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: browser tests must run in CI")
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium to run browser tests)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch(pw)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url: str) -> Iterator[object]:
    """A fresh browser context (no cookies, English browser) with one tab, 1400x1600."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="en-GB")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page, user: str, password: str) -> None:
    """Fill the login form (either language) and submit it with Enter."""
    page.locator("input[autocomplete='username']").fill(user)
    password_box = page.locator("input[type='password']")
    password_box.fill(password)
    password_box.press("Enter")


def screenshot(page, name: str) -> Path:
    """Save a screenshot of the page as artifacts/screenshots/<name>.png (after the app is idle)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(1500)  # let charts finish drawing
    # Streamlit scrolls inside its main block, so grow the window to the content for the picture.
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], section')]"
        ".map(e => e.scrollHeight), window.innerHeight)"
    )
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 6000)})
    page.wait_for_timeout(500)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path


@pytest.fixture
def login():
    """The helper login(page, user, password)."""
    return log_in


@pytest.fixture
def shot():
    """The helper shot(page, name) -> path of artifacts/screenshots/<name>.png."""
    return screenshot
