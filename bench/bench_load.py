"""Load test: N concurrent dashboard sessions (mixed roles) for a while, as browser contexts of ONE
headless Chromium (Playwright's async API), against `streamlit run app.py` on the demo store.

Usage: python bench/bench_load.py [--sessions 30] [--seconds 120] [--port 8624] [--db PATH]

Each session logs in (investor1..3, manager, admin in the ratio 6:3:1), then opens a random page of
its role from the sidebar again and again until the time is up. Recorded: login time (submit to the
"Signed in as" caption), page time (click to the end of the script run: no status widget, no stale
element), errors (timeouts, an exception box, a refused login), and the app's resident memory
(/proc/<pid>/status VmRSS) before the sessions, at the end, and 30 s after they closed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from streamlit_server import IDLE, launch  # noqa: E402

from lendrisk import i18n  # noqa: E402

ACCOUNTS = [
    ("investor1", "demo-investor"),
    ("investor2", "demo-investor"),
    ("investor3", "demo-investor"),
] * 2
ACCOUNTS += [("manager", "demo-manager")] * 3 + [("admin", "demo-admin")]
PAGES = {
    "investor": ["My portfolio", "My holdings", "My risk", "Learn", "Store"],
    "manager": [
        "Platform health",
        "Vintages",
        "Segments",
        "Collections",
        "Reserve fund",
        "Disclosure",
        "Store",
    ],
}
PAGES["admin"] = PAGES["manager"] + ["Data and users"]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, MB."""
    total = 0
    for p in [pid, *child_pids(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def child_pids(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


async def idle(page, timeout_ms: float = 60_000) -> None:
    """The end of the current script run (checked twice, 0.4 s apart)."""
    for _ in range(2):
        await page.wait_for_timeout(400)
        await page.wait_for_function(IDLE, timeout=timeout_ms)


async def session(browser, url: str, n: int, until: float, out: dict) -> None:
    """One user: log in, then open random pages of the role until the time is up."""
    user, password = ACCOUNTS[n % len(ACCOUNTS)]
    role = "investor" if user.startswith("investor") else user
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await asyncio.sleep(n * 0.5)  # arrivals spread over the first seconds, as real users come in
        await page.goto(url, timeout=120_000)
        await page.locator("input[autocomplete='username']").fill(user, timeout=120_000)
        await page.locator("input[type='password']").fill(password)
        started = time.monotonic()
        await page.locator("input[type='password']").press("Enter")
        await page.get_by_text(f"Signed in as {user}").wait_for(timeout=120_000)
        await idle(page, 120_000)
        out["login"].append(time.monotonic() - started)
        rng = random.Random(n)
        while time.monotonic() < until:
            title = i18n.t(f"common.page.{rng.choice(PAGES[role])}", "en")
            started = time.monotonic()
            try:
                await page.get_by_role("link", name=title).first.click(timeout=30_000)
                await idle(page)
                if await page.locator("[data-testid='stException']").count():
                    out["errors"].append(f"{user} {title}: exception box")
                out["pages"].append(time.monotonic() - started)
            except Exception as exc:  # a timeout is an error of the run, not of the bench
                out["errors"].append(f"{user} {title}: {type(exc).__name__}")
    except Exception as exc:
        out["errors"].append(f"{user} login: {type(exc).__name__}")
    finally:
        await context.close()


async def drive(url: str, sessions: int, seconds: float) -> dict:
    """Run the sessions in one Chromium; the recorded times and errors."""
    from playwright.async_api import async_playwright

    out: dict = {"login": [], "pages": [], "errors": []}
    async with async_playwright() as pw:
        browser = await launch(pw)
        until = time.monotonic() + seconds
        await asyncio.gather(*(session(browser, url, n, until, out) for n in range(sessions)))
        await browser.close()
    return out


def pct(values: list[float], q: float) -> float:
    """The q-quantile of values (nearest rank), or nan without values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    """Start the app, drive the sessions, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--port", type=int, default=8624)
    parser.add_argument("--db", type=Path, default=None, help="a store (default: build the demo)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lendrisk-load-"))
    db = args.db
    if db is None:
        from lendrisk.demo import build_demo_store

        db = folder / "demo.duckdb"
        build_demo_store(db)
    env = {**os.environ, "LENDRISK_DB": str(db), "LENDRISK_SECRET": "load-test"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.port", str(args.port), "--server.address", "127.0.0.1"]
    app = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        before = rss_mb(app.pid)
        out = asyncio.run(drive(url, args.sessions, args.seconds))
        end = rss_mb(app.pid)
        time.sleep(30)
        after = rss_mb(app.pid)
    finally:
        app.terminate()
        app.wait(30)
    pages, logins = out["pages"], out["login"]
    print(f"{args.sessions} sessions (browser contexts of one headless Chromium), {args.seconds:.0f} s")
    print(f"logins: {len(logins)}  median {statistics.median(logins):.1f} s  max {max(logins):.1f} s")
    print(f"page visits: {len(pages)}  p50 {pct(pages, 0.5):.2f} s  p95 {pct(pages, 0.95):.2f} s")
    print(f"errors: {len(out['errors'])}  {out['errors'][:10]}")
    print(
        f"app memory: before {before:.0f} MB, at the end {end:.0f} MB, 30 s after {after:.0f} MB "
        f"({after / before - 1:+.0%} vs before)"
    )


if __name__ == "__main__":
    main()
