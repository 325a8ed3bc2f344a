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
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from streamlit_server import IDLE, launch  # noqa: E402

from bench.ws_session import WsSession  # noqa: E402
from lendrisk import i18n  # noqa: E402

I1, I2, I3 = (("investor1", "demo-investor"), ("investor2", "demo-investor"), ("investor3", "demo-investor"))
MANAGER, ADMIN = ("manager", "demo-manager"), ("admin", "demo-admin")
# investor : manager : admin = 6 : 3 : 1, ordered so that sessions of one account arrive >= 1.5 s apart
# (a login to an account that is being checked at that moment is refused by the throttle, by design)
ACCOUNTS = [I1, MANAGER, I2, I3, MANAGER, I1, I2, ADMIN, I3, MANAGER]
PAGES = {  # common.page.<key> of app.py's pages, per role
    "investor": ["portfolio", "holdings", "investor_risk", "learn", "store"],
    "manager": ["health", "why", "vintages", "segments", "collections", "reserve", "disclosure", "store"],
}
PAGES["admin"] = PAGES["manager"] + ["data"]


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


def ws_session(base: str, n: int, until: float, out: dict, lock: threading.Lock) -> None:
    """One websocket user: log in, then open random pages of the role until the time is up."""
    user, password = ACCOUNTS[n % len(ACCOUNTS)]
    role = "investor" if user.startswith("investor") else user
    language = "zh" if n % 2 else "en"
    time.sleep(n * 0.5)  # arrivals spread over the first seconds, as real users come in
    try:
        client = WsSession(base, locale="zh-CN" if language == "zh" else "en-GB")
        login = client.login(user, password)
    except Exception as exc:
        with lock:
            out["errors"].append(f"{user} login: {type(exc).__name__}")
        return
    with lock:
        out["login"].append(login.seconds)
        out["errors"].extend(f"{user} login: {e}" for e in login.errors)
    rng = random.Random(n)
    try:
        while time.monotonic() < until:
            title = i18n.t(f"common.page.{rng.choice(PAGES[role])}", language)
            try:
                visit = client.run(page=client.pages[title])  # a KeyError: the role's sidebar lacks it
            except Exception as exc:  # a timeout or a closed socket is an error of the run
                with lock:
                    out["errors"].append(f"{user} {title}: {type(exc).__name__}")
                continue
            with lock:
                out["pages"].append(visit.seconds)
                out["errors"].extend(f"{user} {title}: {e}" for e in visit.errors)
    finally:
        client.close()


def drive_ws(url: str, sessions: int, seconds: float) -> dict:
    """Run the sessions as websocket clients, one thread each; the recorded times and errors."""
    out: dict = {"login": [], "pages": [], "errors": []}
    lock = threading.Lock()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=ws_session, args=(url, n, until, out, lock)) for n in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def pct(values: list[float], q: float) -> float:
    """The q-quantile of values (nearest rank), or nan without values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def warm_up(url: str) -> float:
    """One websocket session per role and language opening every page once; seconds taken.

    The app's "start" memory is taken after this, so that the comparison is of the load, not of
    the imports and caches that any first visitor pays for once per process.
    """
    started = time.monotonic()
    for user, password in (("investor1", "demo-investor"), ("admin", "demo-admin")):
        for locale in ("en-GB", "zh-CN"):
            client = WsSession(url, locale=locale)
            client.login(user, password)
            for page in list(client.pages.values()):
                client.run(page=page)
            client.close()
    return time.monotonic() - started


def start_app(db: Path, port: int) -> subprocess.Popen:
    """`streamlit run app.py` on the store, headless, on 127.0.0.1:port, once it answers."""
    env = {**os.environ, "LENDRISK_DB": str(db), "LENDRISK_SECRET": "load-test"}
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    app = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return app
        except OSError:
            time.sleep(0.5)
    app.terminate()
    raise RuntimeError("the app did not start")


def load_average() -> float:
    """The one-minute load average."""
    return os.getloadavg()[0]


def measure(args: argparse.Namespace, db: Path) -> dict:
    """Start the app, warm it up, drive the sessions; every figure of the run."""
    app = start_app(db, args.port)
    url = f"http://127.0.0.1:{args.port}"
    try:
        figures: dict = {"rss_cold_mb": rss_mb(app.pid), "warm_up_s": warm_up(url)}
        time.sleep(5)
        figures |= {"rss_start_mb": rss_mb(app.pid), "load_start": load_average()}
        if args.driver == "ws":
            out = drive_ws(url, args.sessions, args.seconds)
        else:
            out = asyncio.run(drive(url, args.sessions, args.seconds))
        figures |= {"rss_end_mb": rss_mb(app.pid), "load_end": load_average()}
        time.sleep(30)
        figures["rss_after_mb"] = rss_mb(app.pid)
    finally:
        app.terminate()
        app.wait(30)
    pages, logins = out["pages"], out["login"]
    return figures | {
        "driver": args.driver,
        "sessions": args.sessions,
        "seconds": args.seconds,
        "logins": len(logins),
        "login_p50_s": pct(logins, 0.5),
        "login_max_s": max(logins, default=float("nan")),
        "visits": len(pages),
        "page_p50_s": pct(pages, 0.5),
        "page_p95_s": pct(pages, 0.95),
        "page_max_s": max(pages, default=float("nan")),
        "errors": out["errors"],
    }


def report(f: dict) -> None:
    """Print the figures of a run."""
    how = "websocket clients" if f["driver"] == "ws" else "browser contexts of one headless Chromium"
    print(
        f"{f['sessions']} sessions ({how}), {f['seconds']:.0f} s; "
        f"load average {f['load_start']:.1f} -> {f['load_end']:.1f}"
    )
    print(f"logins: {f['logins']}  p50 {f['login_p50_s']:.2f} s  max {f['login_max_s']:.2f} s")
    print(
        f"page visits: {f['visits']}  p50 {f['page_p50_s']:.2f} s  p95 {f['page_p95_s']:.2f} s  "
        f"max {f['page_max_s']:.2f} s"
    )
    print(f"errors: {len(f['errors'])}  {f['errors'][:10]}")
    print(
        f"app memory: cold {f['rss_cold_mb']:.0f} MB, after warm-up (start) {f['rss_start_mb']:.0f} MB, "
        f"at the end {f['rss_end_mb']:.0f} MB, 30 s after {f['rss_after_mb']:.0f} MB "
        f"({f['rss_after_mb'] / f['rss_start_mb'] - 1:+.1%} vs start)"
    )


def main() -> None:
    """Parse the options, build the demo store if none is given, measure, print (and save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", choices=("ws", "browser"), default="ws")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--port", type=int, default=8624)
    parser.add_argument("--db", type=Path, default=None, help="a store (default: build the demo)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    db = args.db
    if db is None:
        from lendrisk.demo import build_demo_store

        db = Path(tempfile.mkdtemp(prefix="lendrisk-load-")) / "demo.duckdb"
        build_demo_store(db)
    figures = measure(args, db)
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
