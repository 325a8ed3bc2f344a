"""Load test: N concurrent dashboard sessions (mixed roles and languages) for a while, against
`streamlit run app.py` on a copy of a store with one account per session.

Usage: python bench/bench_load.py [--driver ws|browser] [--sessions 30] [--seconds 120] [--think 0]
    [--arrival 0.5] [--port 8624] [--db PATH] [--json PATH]

Each session logs in with its own account (investor : manager : admin = 6 : 3 : 1; every other
session in Chinese), then opens a random page of its role again and again until the time is up,
after a think time drawn uniformly from 0 to 2 x --think seconds (0: clicks back to back).
- `--driver ws` (default): each session is a websocket client (bench/ws_session.py) sending the
  BackMsgs Streamlit's front end sends, one thread per session, nothing drawn. Page time = request
  to the end of the script run (the run's last ForwardMsg received).
- `--driver browser`: each session is a browser context of ONE headless Chromium (Playwright async);
  page time = sidebar click to the end of the run (no status widget, no stale element), drawing
  included. On 2 cores the browser's own drawing competes with the app for the CPU.
Recorded: login time (submit to the end of the run that follows), page times, errors (timeouts, an
exception box, an error alert, a refused login), and the app's resident memory (VmRSS of the server
and its children): cold, after a warm-up (one session per role and language opening every page:
the imports and caches any first visitor pays once per process), at the end, and 30 s after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from streamlit_server import IDLE, launch, serve_process  # noqa: E402

from bench.ws_session import Run, WsSession  # noqa: E402
from lendrisk import i18n  # noqa: E402

ROLE_MIX = (
    "investor",
    "manager",
    "investor",
    "investor",
    "manager",
    "investor",
    "investor",
    "admin",
    "investor",
    "manager",
)  # investor : manager : admin = 6 : 3 : 1
PASSWORD = "load-test-password"
PAGES = {  # common.page.<key> of app.py's pages, per role
    "investor": ["portfolio", "holdings", "investor_risk", "learn", "store"],
    "manager": ["health", "why", "vintages", "segments", "collections", "reserve", "disclosure", "store"],
}
PAGES["admin"] = PAGES["manager"] + ["data"]


ARRIVAL_GAP_S = 0.5  # --arrival
THINK_S = 0.0  # --think: mean seconds a user reads a page before the next click (uniform 0..2x)


def account(n: int) -> tuple[str, str]:
    """(username, role) of session n: one account per session (prepare_store makes them)."""
    return f"load{n:02d}", ROLE_MIX[n % len(ROLE_MIX)]


def prepare_store(db: Path, sessions: int) -> Path:
    """A copy of the store with one account per session (roles by ROLE_MIX, investors on distinct
    investor ids), so that no two sessions share an account: a login to an account that is being
    checked at that moment is refused by the throttle, by design, which is not what this measures."""
    from lendrisk import accounts, store

    copy = Path(tempfile.mkdtemp(prefix="lendrisk-load-")) / "store.duckdb"
    shutil.copyfile(db, copy)
    store.upgrade(copy)  # a store of an older schema version is rebuilt first, as the app would
    con = store.connect(copy, read_only=True)
    investors = accounts.investor_ids(con)
    con.close()
    for n in range(sessions):
        user, role = account(n)
        accounts.add_user(copy, user, PASSWORD, role, investors[n] if role == "investor" else None)
    return copy


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
    user, role = account(n)
    password = PASSWORD
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await asyncio.sleep(n * ARRIVAL_GAP_S)  # arrivals spread out, as real users come in
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
            await asyncio.sleep(rng.uniform(0, 2 * THINK_S))  # reading the page before the next click
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


def record(out: dict, lock: threading.Lock, kind: str, label: str, run: Run) -> None:
    """Note a run's time under kind ("login" or "pages") and its errors, labelled."""
    with lock:
        out[kind].append(run.seconds)
        out["errors"].extend(f"{label}: {e}" for e in run.errors)


def ws_session(base: str, n: int, until: float, out: dict, lock: threading.Lock) -> None:
    """One websocket user: log in, then open random pages of the role until the time is up."""
    user, role = account(n)
    password = PASSWORD
    language = "zh" if n % 2 else "en"
    time.sleep(n * ARRIVAL_GAP_S)  # arrivals spread out, as real users come in
    try:
        client = WsSession(base, locale="zh-CN" if language == "zh" else "en-GB")
        login = client.login(user, password)
    except Exception as exc:
        with lock:
            out["errors"].append(f"{user} login: {type(exc).__name__}")
        return
    record(out, lock, "login", f"{user} login", login)
    rng = random.Random(n)
    try:
        while time.monotonic() < until:
            time.sleep(rng.uniform(0, 2 * THINK_S))  # reading the page before the next click
            title = i18n.t(f"common.page.{rng.choice(PAGES[role])}", language)
            try:
                visit = client.run(page=client.pages[title])  # a KeyError: the role's sidebar lacks it
            except Exception as exc:  # a timeout or a closed socket is an error of the run
                with lock:
                    out["errors"].append(f"{user} {title}: {type(exc).__name__}")
                continue
            record(out, lock, "pages", f"{user} {title}", visit)
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


def load_average() -> float:
    """The one-minute load average."""
    return os.getloadavg()[0]


def measure(args: argparse.Namespace, db: Path) -> dict:
    """Start the app, warm it up, drive the sessions; every figure of the run."""
    env = {**os.environ, "LENDRISK_DB": str(db), "LENDRISK_SECRET": "load-test"}
    with serve_process(ROOT, env, args.port, None, seconds=120) as (url, app):
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
    print(
        f"arrivals {f['arrival_s']} s apart, think time {f['think_s']} s on average, one account per session"
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


def table(paths: list[Path]) -> None:
    """Print the markdown table of bench/README.md ("Load") from saved runs (--json files)."""
    head = ["run", "sessions, think", "logins p50 / max", "visits", "page p50 / p95 / max", "errors"]
    print("| " + " | ".join([*head, "memory start -> end -> +30 s"]) + " |")
    print("|---" * (len(head) + 1) + "|")
    for path in paths:
        f = json.loads(path.read_text())
        memory = f"{f['rss_start_mb']:.0f} -> {f['rss_end_mb']:.0f} -> {f['rss_after_mb']:.0f} MB"
        cells = [
            f"`{path.name}`",
            f"{f['sessions']}, {f['think_s']:g} s",
            f"{f['login_p50_s']:.2f} / {f['login_max_s']:.2f} s",
            str(f["visits"]),
            f"{f['page_p50_s']:.2f} / {f['page_p95_s']:.2f} / {f['page_max_s']:.2f} s",
            str(len(f["errors"])),
            f"{memory} ({f['rss_after_mb'] / f['rss_start_mb'] - 1:+.1%})",
        ]
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    """Parse the options, build the demo store if none is given, measure, print (and save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", choices=("ws", "browser"), default="ws")
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--port", type=int, default=8624)
    parser.add_argument("--db", type=Path, default=None, help="a store (default: build the demo)")
    parser.add_argument("--arrival", type=float, default=0.5, help="seconds between session arrivals")
    parser.add_argument("--think", type=float, default=0.0, help="mean think time between clicks, s")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--table", type=Path, nargs="+", help="print the table of saved runs and stop")
    args = parser.parse_args()
    if args.table:
        table(args.table)
        return
    global ARRIVAL_GAP_S, THINK_S
    ARRIVAL_GAP_S, THINK_S = args.arrival, args.think
    db = args.db
    if db is None:
        from lendrisk.demo import build_demo_store

        db = Path(tempfile.mkdtemp(prefix="lendrisk-load-")) / "demo.duckdb"
        build_demo_store(db)
    figures = measure(args, prepare_store(db, args.sessions)) | {
        "arrival_s": args.arrival,
        "think_s": args.think,
    }
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
