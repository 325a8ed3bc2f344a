"""The app's memory while a manager and an investor browse every page of the same server, in Chromium.

    python bench/bench_app_memory.py --db PATH [--rounds 2] [--out bench/results/app_memory.json]

Starts one `streamlit run app.py` on the store, logs in `manager` and `investor1` in two browser
contexts (Debian's headless Chromium through Playwright, as bench/bench_pages.py) and visits every page
of each role in turn, --rounds times. The server's resident memory is sampled every 0.2 s from
/proc/PID/status (VmRSS) and its peak (VmHWM) is read before it stops. Each page load is timed as
bench_pages.py times it (interactive = first KPI, drawn = quiet for 1.5 s). Target: <= 4 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_pages import ROOT, log_in, nav_pages, new_tab, uptime, visit
from streamlit_server import free_port, launch, serve_process

TARGET_GB = 4.0


def status_kb(pid: int, field: str) -> int:
    """A kB field (VmRSS, VmHWM) of /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def browse(store_path: Path, rounds: int, log_path: Path, port: int) -> dict[str, Any]:
    """Both roles browse every page rounds times on one server; memory samples and page timings."""
    from playwright.sync_api import sync_playwright

    samples: list[int] = []
    loads: list[dict[str, Any]] = []
    env = {**os.environ, "LENDRISK_DB": str(store_path)}
    with serve_process(ROOT, env, port, log_path, seconds=120) as (url, proc), sync_playwright() as pw:
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                samples.append(status_kb(proc.pid, "VmRSS"))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        browser = launch(pw)
        tabs = {}
        for role in ("manager", "investor"):
            tabs[role] = new_tab(browser)
            loads.append({"role": role, "page": "(login)", **log_in(tabs[role], url, role)})
        # every page in turn, the landing page last (never click the page already shown)
        order = {}
        for role, tab in tabs.items():
            paths = [path for _, path in nav_pages(tab)]
            order[role] = paths[1:] + paths[:1]
        for run in range(rounds):
            for i in range(max(len(paths) for paths in order.values())):
                for role, tab in tabs.items():
                    if i < len(order[role]):
                        path = order[role][i]
                        loads.append({"role": role, "page": path, "round": run + 1, **visit(tab, path)})
        peak_kb = status_kb(proc.pid, "VmHWM")
        stop.set()
        sampler.join()
        browser.close()
    drawn = [s["drawn"] for s in loads if s["drawn"] is not None]
    return {
        "peak_rss_gb": round(peak_kb / 1024**2, 3),
        "median_rss_gb": round(statistics.median(samples) / 1024**2, 3),
        "samples": len(samples),
        "page_loads": len(loads),
        "median_drawn_s": round(statistics.median(drawn), 2) if drawn else None,
        "loads": loads,
    }


def main() -> None:
    """Browse as manager and investor at once; print and save the server's peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="the store the app serves")
    parser.add_argument("--rounds", type=int, default=2, help="times each role visits every page")
    parser.add_argument("--port", type=int, default=0, help="the app's port (default: a free one)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "app_memory.json")
    args = parser.parse_args()
    start = uptime()
    log = args.out.with_suffix(".log")
    result = {
        "store": str(args.db),
        "uptime_start": start,
        **browse(args.db, args.rounds, log, args.port or free_port()),
    }
    result["uptime_end"] = uptime()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    verdict = "met" if result["peak_rss_gb"] <= TARGET_GB else "MISSED"
    print(f"{start}\napp peak RSS {result['peak_rss_gb']} GB (median {result['median_rss_gb']} GB) over")
    print(f"{result['page_loads']} page loads, median drawn {result['median_drawn_s']} s")
    print(f"target {TARGET_GB:.0f} GB: {verdict}")
    print(result["uptime_end"])


if __name__ == "__main__":
    main()
