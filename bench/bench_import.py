"""Time importing LendingClub LoanStats3a (42,535 loans) end to end into a new store.

    python bench/bench_import.py [--file PATH] [--db bench/data/lc.duckdb] [--runs 3] [--validated]

Stages, each timed (median of --runs): the adapter (read the .csv.gz, rebuild schedules, infer
repayments, charge-offs, recoveries and simulated investors) and build_store (load the canonical
tables, build the loan_month tape, write meta, atomic swap). With --validated the same tables also go
through lendrisk.ingest.import_tables (every docs/design.md §2 rule checked, then the same store build), the
path the CLI takes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lendrisk import store
from lendrisk.ingest import import_tables, lendingclub

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
DEFAULT_FILE = REAL / "lendingclub_2007_2011" / "loanstats3a_2007_2011.csv.gz"


def once(path: Path, db: Path, validated: bool) -> dict[str, float]:
    """One end-to-end import: seconds per stage."""
    started = time.perf_counter()
    tables, observed_to = lendingclub.read_tables([path])
    adapted = time.perf_counter()
    store.build_store(db, tables, source="lendingclub", observed_to=observed_to)
    built = time.perf_counter()
    times = {"adapter": adapted - started, "build_store": built - adapted, "total": built - started}
    if validated:
        fresh = db.with_name(db.stem + "-validated.duckdb")
        fresh.unlink(missing_ok=True)
        begin = time.perf_counter()
        import_tables(fresh, tables, source="lendingclub", observed_to=observed_to, mode="replace")
        times["import_tables"] = time.perf_counter() - begin
        times["total_validated"] = times["adapter"] + times["import_tables"]
    return times


def main() -> None:
    """Parse arguments, run the import --runs times, print the median seconds per stage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--db", type=Path, default=Path("bench/data/lc.duckdb"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--validated", action="store_true")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    runs = [once(args.file, args.db, args.validated) for _ in range(args.runs)]
    print(f"{args.file.name}: median of {args.runs} runs")
    for stage in runs[0]:
        print(f"  {stage:16s} {statistics.median(r[stage] for r in runs):6.1f} s")


if __name__ == "__main__":
    main()
