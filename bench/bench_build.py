"""Benchmark the demo build (generate + store + loan_month): wall time per phase and peak memory.

Usage: python bench/bench_build.py --loans N [--seed S] [--keep PATH] [--duckdb-memory-limit 3GB]

The build runs in a child process so that its peak resident memory (ru_maxrss of the child, which
includes DuckDB's own allocations) is measured alone. --duckdb-memory-limit is an experiment: it
sets DuckDB's memory_limit on the store's build connection (as store.build_store could), to show what
the loan_month build needs when DuckDB may not take its default of 80 % of RAM.
Targets on the 2-core reference machine: 40,000 loans in 30 s; 1,000,000 in 10 min within 6 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {40_000: (30.0, None), 1_000_000: (600.0, 6.0)}  # loans -> (seconds, GB)


def child(loans: int, seed: int, path: Path, memory_limit: str | None) -> None:
    """Build the demo store and print one JSON line: seconds at which each progress message first came."""
    sys.path.insert(0, str(ROOT))
    from lendrisk import simulate, store

    if memory_limit:
        connect = store.duckdb.connect

        def limited(*args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
            con = connect(*args, **kwargs)
            con.execute("set memory_limit = $limit", {"limit": memory_limit})
            return con

        store.duckdb.connect = limited

    start = time.perf_counter()
    marks: dict[str, float] = {}

    def mark(message: str, _fraction: float) -> None:
        marks.setdefault(message, time.perf_counter() - start)

    simulate.build_demo(path, loans=loans, seed=seed, progress=mark)
    marks["end"] = time.perf_counter() - start
    con = store.connect(path)
    try:
        rows = {k[5:]: int(v) for k, v in store.read_meta(con).items() if k.startswith("rows.")}
    finally:
        con.close()
    print(json.dumps({"marks": marks, "rows": rows}))


def phases(marks: dict[str, float]) -> dict[str, float]:
    """Seconds spent generating, loading tables, building loan_month and finishing (checkpoint, swap)."""
    loading = min(t for m, t in marks.items() if m.startswith("loading "))
    return {
        "generate": loading,
        "load tables": marks["building loan_month"] - loading,
        "loan_month": marks["done"] - marks["building loan_month"],
        "checkpoint + swap": marks["end"] - marks["done"],
    }


def main() -> None:
    """Run one build in a child process and print its phases, peak memory and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="build here and keep the store (default: a temp dir)")
    parser.add_argument(
        "--duckdb-memory-limit", help="experiment: DuckDB memory_limit for the build, e.g. 3GB"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.loans, args.seed, args.keep, args.duckdb_memory_limit)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "demo.duckdb"
        command = [sys.executable, __file__, "--child", "--loans", str(args.loans), "--seed", str(args.seed)]
        if args.duckdb_memory_limit:
            command += ["--duckdb-memory-limit", args.duckdb_memory_limit]
        started = time.perf_counter()
        done = subprocess.run([*command, "--keep", str(path)], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024**2  # kB on Linux
    report = json.loads(done.stdout.strip().splitlines()[-1])
    limit = f", DuckDB memory_limit {args.duckdb_memory_limit}" if args.duckdb_memory_limit else ""
    print(f"demo build, {args.loans:,} loans (seed {args.seed}){limit}")
    for name, seconds in phases(report["marks"]).items():
        print(f"  {name:<18} {seconds:8.1f} s")
    print(f"  {'wall (process)':<18} {wall:8.1f} s")
    print(f"  {'peak RSS':<18} {peak_gb:8.2f} GB")
    print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in report["rows"].items()))
    if args.loans in TARGETS:
        seconds, gigabytes = TARGETS[args.loans]
        verdict = wall <= seconds and (gigabytes is None or peak_gb <= gigabytes)
        target = f"{seconds:.0f} s" + (f", {gigabytes:.0f} GB" if gigabytes else "")
        print(f"  target {target}: {'met' if verdict else 'MISSED'}")


if __name__ == "__main__":
    main()
