"""Benchmark the streaming demo build (demo.build_demo_store, with the demo accounts): time per step, peak RSS

Usage: python bench/bench_build.py --loans N [--seed S] [--keep PATH] [--memory-limit 2GB]
       [--chunk-rows 2000000]

The build runs in a child process so that its peak resident memory (ru_maxrss of the child, which
includes DuckDB's own allocations) is measured alone. --memory-limit sets LENDRISK_BUILD_MEMORY
(DuckDB's memory_limit on the build connection) for the child, --chunk-rows simulate.CHUNK_ROWS.
The load average (1 minute) is printed at the start and the end: the machine is shared.
Targets on the 2-core reference machine: 1,000,000 loans within 3 GB; 10,000,000 in 20 min within 12 GB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {40_000: (30.0, None), 1_000_000: (600.0, 3.0), 10_000_000: (1200.0, 12.0)}  # (s, GB)


def child(loans: int, seed: int, path: Path, chunk_rows: int | None) -> None:
    """Build the demo store and print one JSON line: seconds at which each progress message first came."""
    sys.path.insert(0, str(ROOT))
    from lendrisk import demo, simulate, store

    if chunk_rows:
        simulate.CHUNK_ROWS = chunk_rows
    start = time.perf_counter()
    marks: dict[str, float] = {}

    def mark(message: str, _fraction: float) -> None:
        if message not in marks:
            marks[message] = time.perf_counter() - start
            # each step as it starts, on stderr: the parent shows them live (long builds)
            rss = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM"))
            print(f"{time.strftime('%H:%M:%S')} {marks[message]:8.1f} s  {message}  ({rss})", file=sys.stderr)

    demo.build_demo_store(path, loans=loans, seed=seed, progress=mark)
    marks["end"] = time.perf_counter() - start
    con = store.connect(path)
    try:
        rows = {k[5:]: int(v) for k, v in store.read_meta(con).items() if k.startswith("rows.")}
    finally:
        con.close()
    print(json.dumps({"marks": marks, "rows": rows}))


def phases(marks: dict[str, float]) -> dict[str, float]:
    """Seconds per step of the streaming build: simulate + load in chunks, ordering, each mart, finish."""
    ordering = min(t for m, t in marks.items() if m.startswith("ordering "))
    accounts = marks.get("choosing the demo accounts", marks["building loan_key"])
    steps = {"simulate + load chunks": ordering, "order staged tables": accounts - ordering}
    steps["demo accounts"] = marks["building loan_key"] - accounts
    marts = [m for m in marks if m.startswith("building ")] + ["marts built"]
    for mart, after in itertools.pairwise(marts):
        steps[mart.removeprefix("building ")] = marks[after] - marks[mart]
    steps["meta, checkpoint, swap"] = marks["end"] - marks["marts built"]
    return steps


def main() -> None:
    """Run one build in a child process and print its phases, peak memory and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build here and keep the store (default: a temp dir)")
    parser.add_argument("--memory-limit", help="DuckDB memory_limit for the build (LENDRISK_BUILD_MEMORY)")
    parser.add_argument("--chunk-rows", type=int, help="rows per chunk (simulate.CHUNK_ROWS)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.loans, args.seed, args.keep, args.chunk_rows)
        return
    env = dict(os.environ)
    if args.memory_limit:
        env["LENDRISK_BUILD_MEMORY"] = args.memory_limit
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(dir=args.keep.parent if args.keep else None) as tmp:
        path = args.keep or Path(tmp) / "demo.duckdb"
        command = [sys.executable, __file__, "--child", "--loans", str(args.loans), "--seed", str(args.seed)]
        if args.chunk_rows:
            command += ["--chunk-rows", str(args.chunk_rows)]
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "--keep", str(path)], stdout=subprocess.PIPE, text=True, check=True, env=env
        )
        wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_gb = usage.ru_maxrss / 1024**2  # kB on Linux
    cpu = usage.ru_utime + usage.ru_stime  # every thread of the child (DuckDB's workers included)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    limit = env.get("LENDRISK_BUILD_MEMORY", "3GB (default)")
    print(f"demo build, {args.loans:,} loans (seed {args.seed}), DuckDB memory_limit {limit}")
    print(f"  load average (1 min): {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    for name, seconds in phases(report["marks"]).items():
        print(f"  {name:<18} {seconds:8.1f} s")
    print(f"  {'wall (process)':<18} {wall:8.1f} s")
    print(f"  {'CPU (user + sys)':<18} {cpu:8.1f} s")
    print(f"  {'peak RSS':<18} {peak_gb:8.2f} GB")
    print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in report["rows"].items()))
    if args.json:
        figures = {
            "loans": args.loans,
            "wall_s": wall,
            "cpu_s": cpu,
            "peak_gb": peak_gb,
            "memory_limit": limit,
        }
        figures |= {
            "steps": phases(report["marks"]),
            "load_start": load_start,
            "load_end": os.getloadavg()[0],
        }
        args.json.write_text(json.dumps(figures, indent=1))
    if args.loans in TARGETS:
        seconds, gigabytes = TARGETS[args.loans]
        verdict = wall <= seconds and (gigabytes is None or peak_gb <= gigabytes)
        target = f"{seconds:.0f} s" + (f", {gigabytes:.0f} GB" if gigabytes else "")
        print(f"  target {target}: {'met' if verdict else 'MISSED'}")


if __name__ == "__main__":
    main()
