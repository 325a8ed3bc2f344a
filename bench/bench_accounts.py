"""Benchmark an account change (accounts.add_user) on a store: patched copy vs full validate-and-rebuild.

Usage: python bench/bench_accounts.py --db PATH [--skip-rebuild]

Each way runs in its own child process on its own copy of the store (PATH is not changed), and
reports wall seconds and the child's peak RSS. "patch" is what the dashboard and the CLI do: the users
table is validated against the investors alone and rewritten in a copy of the store file, marts kept
(store.replace_tables). "rebuild" is the general import path every other change takes: every canonical
table read and validated, then the whole store (tape and marts included) rebuilt.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(path: Path, way: str) -> None:
    """Add one manager account to the store at path, the given way."""
    sys.path.insert(0, str(ROOT))
    from lendrisk import accounts, store

    if way == "rebuild":
        store.STANDALONE_TABLES = {}  # no table may be patched: the general import path
    accounts.add_user(path, f"bench_{way}", "long-enough-1", "manager")
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # peak RSS of this child, KB


def measure(db: Path, way: str) -> tuple[float, float]:
    """(wall seconds, peak RSS in GB) of one account change on a copy of db."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / db.name
        shutil.copyfile(db, copy)
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(copy), way], check=True, capture_output=True, text=True
        ).stdout
        seconds = time.perf_counter() - start
    return seconds, int(out.split()[-1]) / 1024**2


def main() -> None:
    """Parse arguments, time both ways, print a markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("PATH", "WAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), args.child[1])
        return
    ways = ["patch"] if args.skip_rebuild else ["patch", "rebuild"]
    results = {way: measure(args.db, way) for way in ways}
    print("| way | wall s | peak RSS GB |\n|---|---|---|")
    for way, (seconds, gb) in results.items():
        print(f"| {way} | {seconds:.1f} | {gb:.2f} |")
    if len(results) == 2:
        print(f"\npatch is {results['rebuild'][0] / results['patch'][0]:.0f}x faster")


if __name__ == "__main__":
    main()
