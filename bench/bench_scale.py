"""One command for the scale figures: build 100 k, 1 M and 10 M-loan demo stores and measure each.

    python bench/bench_scale.py [--sizes 100000,1000000,10000000] [--build-runs 3] [--big-build-runs 1]
        [--query-runs 5] [--dir bench/data] [--memory-limit 2GB] [--big-memory-limit 6GB] [--no-browser]

For every size: the streaming demo build (bench_build.py, in a child process: wall time and peak RSS,
the median of --build-runs runs; --big-build-runs above 1 M loans), every result the pages use, cold
and warm (bench_queries.py; the pandas baseline of the three heavy results at 1 M only), and the
app's peak memory with one manager and one investor browsing every page in Chromium, each page load
timed (bench_app_memory.py). Writes bench/results/scale.json and prints the table of bench/README.md:
the machine is shared, so the load average goes with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PANDAS_AT = 1_000_000


def run(script: str, *args: str) -> None:
    """Run one bench script with this Python, its output passed through."""
    subprocess.run([sys.executable, str(BENCH / script), *args], cwd=ROOT, check=True)


def machine() -> dict[str, Any]:
    """Cores, memory and CPU model of this machine."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {"cores": os.cpu_count(), "memory_gb": round(mem_kb / 1024**2, 1), "cpu": cpu}


def measure(loans: int, args: argparse.Namespace) -> dict[str, Any]:
    """Build, queries and browser figures of one size."""
    store_path = args.dir / f"scale_{loans}.duckdb"
    big = loans > 1_000_000
    limit = args.big_memory_limit if big else args.memory_limit
    builds = []
    for i in range(args.big_build_runs if big else args.build_runs):
        out = RESULTS / f"scale_build_{loans}_{i}.json"
        run(
            "bench_build.py",
            "--loans",
            str(loans),
            "--keep",
            str(store_path),
            "--memory-limit",
            limit,
            "--json",
            str(out),
        )
        builds.append(json.loads(out.read_text()))
    queries_out = RESULTS / f"scale_queries_{loans}.json"
    pandas_runs = "3" if loans == PANDAS_AT else "0"
    run(
        "bench_queries.py",
        "--db",
        str(store_path),
        "--runs",
        str(args.query_runs),
        "--pandas-runs",
        pandas_runs,
        "--json",
        str(queries_out),
    )
    figures: dict[str, Any] = {
        "loans": loans,
        "builds": builds,
        "build_s": statistics.median(b["wall_s"] for b in builds),
        "build_peak_gb": statistics.median(b["peak_gb"] for b in builds),
        "queries": json.loads(queries_out.read_text()),
    }
    if args.browser:
        port = ["--port", str(args.port)] if args.port else []
        app_out = RESULTS / f"scale_app_{loans}.json"
        run("bench_app_memory.py", "--db", str(store_path), "--rounds", "1", "--out", str(app_out), *port)
        app = json.loads(app_out.read_text())
        figures["app"] = {k: v for k, v in app.items() if k != "loads"}
    return figures


def row(f: dict[str, Any]) -> list[str]:
    """One table row: build, memory, per-million costs, slowest results, the app."""
    millions = f["loans"] / 1e6
    q = f["queries"]["queries"]
    worst = {scope: max(x["warm_s"] for x in q if x["scope"] == scope) for scope in ("platform", "investor")}
    cold = max(x["cold_s"] for x in q)
    app = f.get("app", {})
    loads = [b["load_start"] for b in f["builds"]] + [b["load_end"] for b in f["builds"]]
    return [
        f"{f['loans']:,}",
        f"{f['build_s']:,.0f} s",
        f"{f['build_peak_gb']:.2f} GB",
        f"{f['build_s'] / millions:,.0f} s, {f['build_peak_gb'] / millions:.2f} GB",
        f"{worst['platform'] * 1000:,.0f} ms",
        f"{worst['investor'] * 1000:,.0f} ms",
        f"{cold * 1000:,.0f} ms",
        f"{app['peak_rss_gb']:.2f} GB" if app else "-",
        f"{app['median_drawn_s']:.2f} s" if app else "-",
        f"{min(loads):.1f}-{max(loads):.1f}",
    ]


def main() -> None:
    """Measure every size, save the figures, print the markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--build-runs", type=int, default=3)
    parser.add_argument("--big-build-runs", type=int, default=1)
    parser.add_argument("--query-runs", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=BENCH / "data")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB memory_limit of builds up to 1 M")
    parser.add_argument("--big-memory-limit", default="6GB", help="DuckDB memory_limit of larger builds")
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument(
        "--port", type=int, default=0, help="port of the app under test (default: a free one)"
    )
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {"machine": machine(), "sizes": [measure(n, args) for n in sizes]}
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=1))
    header = [
        "loans",
        "build",
        "build peak",
        "per million loans",
        "platform warm (max)",
        "investor warm (max)",
        "cold (max)",
        "app peak",
        "page drawn (median)",
        "load avg",
    ]
    print(f"machine: {results['machine']}")
    print("| " + " | ".join(header) + " |\n|" + "---|" * len(header))
    for figures in results["sizes"]:
        print("| " + " | ".join(row(figures)) + " |")


if __name__ == "__main__":
    main()
