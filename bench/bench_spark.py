"""Benchmark the tape and mart build on DuckDB against the same build on Apache Spark (local mode).

    python bench/bench_spark.py --db STORE [--db STORE ...] [--runs N] [--json PATH]

For each store, a private copy is rebuilt from its own canonical tables by each engine in turn, in a
child process doing what `python -m lendrisk build-marts --engine duckdb|spark` does (store.rebuild,
spark.rebuild_with_spark), `--runs` times, engines alternating. The child prints every progress step
with its time; the parent samples the resident memory of the child and all its descendants (Spark's
JVM is one) every 0.2 s and reports the peak of their sum. Phases:
  DuckDB: copy (canonical tables into the new file), marts (loan_key .. book_segment), total
  Spark:  start (JVM + session), export (Parquet), marts on Spark, load (canonical copy + marts
          loaded in DuckDB's types and order), total
The marts of every run are compared with the first DuckDB run's (same counts, EXCEPT ALL empty).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lendrisk import store  # noqa: E402

PHASES = {
    "duckdb": [("copy", None, "building loan_key"), ("marts", "building loan_key", "marts built")],
    "spark": [
        ("start", None, "exporting canonical tables"),
        ("export", "exporting canonical tables", "building loan_key (Spark)"),
        ("marts", "building loan_key (Spark)", "marts built (Spark)"),
        ("load", "marts built (Spark)", "done"),
    ],
}


def child(engine: str, db: str) -> None:
    """Rebuild db's marts with engine, printing '<seconds> <step>' for every progress step."""
    start = time.perf_counter()
    seen: set[str] = set()

    def say(message: str, _fraction: float) -> None:
        if message not in seen:
            seen.add(message)
            print(f"{time.perf_counter() - start:.2f} {message}", flush=True)

    if engine == "duckdb":
        store.rebuild(db, say)
    else:
        from lendrisk import spark

        spark.rebuild_with_spark(db, progress=say)
    print(f"{time.perf_counter() - start:.2f} end", flush=True)


def tree_rss_kb(root: int) -> int:
    """Resident memory (kB) of a process and all its descendants, summed."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        kids = [p for p, pp in parents.items() if pp == pid and p not in tree]
        tree.update(kids)
        frontier.extend(kids)
    total = 0
    for pid in tree:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            continue
        total += next((int(x.split()[1]) for x in lines if x.startswith("VmRSS:")), 0)
    return total


def run_once(engine: str, db: Path) -> dict:
    """One rebuild of db by engine in a child: wall seconds, phases, peak tree RSS (GB)."""
    cmd = [sys.executable, __file__, "--child", engine, str(db)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], tree_rss_kb(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    marks = {}
    for line in proc.stdout:
        seconds, _, message = line.strip().partition(" ")
        marks[message] = float(seconds)
    sampler.join()
    if proc.wait() != 0:
        raise RuntimeError(f"{engine} build of {db} failed")
    phases = {
        name: round(marks[end] - (marks[begin] if begin else 0.0), 1) for name, begin, end in PHASES[engine]
    }
    return {
        "engine": engine,
        "wall_s": round(marks["end"], 1),
        **phases,
        "peak_gb": round(peak[0] / 1024**2, 2),
    }


def same_marts(db: Path, reference: Path) -> bool:
    """Whether every mart of db holds the same rows as reference's (equal counts, EXCEPT ALL empty)."""
    con = store.connect(db)
    try:
        con.execute("attach $path as reference (read_only)", {"path": str(reference)})
        for mart in store.MARTS:  # mart names from the fixed list of lendrisk.store
            ours, theirs = (
                con.execute(f"select count(*) from {s}.{mart}").fetchone()[0] for s in ("main", "reference")
            )
            missing = con.execute(
                f"select count(*) from (select * from main.{mart} except all select * from reference.{mart})"
            ).fetchone()[0]
            if ours != theirs or missing:
                return False
        return True
    finally:
        con.close()


def bench_store(source: Path, runs: int, scratch: Path) -> list[dict]:
    """Every run of both engines on copies of one store, with the loan count and the equality check."""
    con = store.connect(source)
    try:
        loans = con.execute("select count(*) from loans").fetchone()[0]
    finally:
        con.close()
    results = []
    reference = scratch / "reference.duckdb"  # the first DuckDB run's store
    for i in range(runs):
        for engine in ("duckdb", "spark"):
            copy = scratch / f"{engine}.duckdb"
            shutil.copyfile(source, copy)
            load = os.getloadavg()[0]
            row = {"loans": loans, "run": i + 1, "load_avg": round(load, 1), **run_once(engine, copy)}
            if not reference.exists():
                shutil.copyfile(copy, reference)
            row["equal_to_duckdb"] = same_marts(copy, reference)
            print(json.dumps(row), flush=True)
            results.append(row)
            for leftover in scratch.glob(f"{engine}.duckdb*"):
                leftover.unlink()
    reference.unlink()
    return results


def summary(results: list[dict]) -> str:
    """A markdown table of the medians per store size and engine."""
    lines = [
        "| loans | engine | runs | wall s (median) | phases, s (median) | peak RSS GB (max) | marts equal |",
        "|---|---|---|---|---|---|---|",
    ]
    for loans in sorted({r["loans"] for r in results}):
        for engine in ("duckdb", "spark"):
            rows = [r for r in results if r["loans"] == loans and r["engine"] == engine]
            phases = ", ".join(
                f"{name} {statistics.median(r[name] for r in rows):.1f}" for name, _, _ in PHASES[engine]
            )
            lines.append(
                f"| {loans:,} | {engine} | {len(rows)} | {statistics.median(r['wall_s'] for r in rows):.1f} "
                f"| {phases} | {max(r['peak_gb'] for r in rows):.2f} "
                f"| {'yes' if all(r['equal_to_duckdb'] for r in rows) else 'NO'} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run the benchmark, print the table (and save JSON)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--db", type=Path, action="append", default=[], help="a store to rebuild (repeatable)"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write every run here")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-spark-", dir="/tmp") as scratch:
        for db in args.db:
            results += bench_store(db, args.runs, Path(scratch))
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    print(summary(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
