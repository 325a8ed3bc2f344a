"""Size the Data page's upload limit: the canonical CSV files of a demo platform (export), in MB.

Usage: python bench/bench_uploads.py [--loans 40000] [--seed 7]

Builds the demo (the README's default 40,000 loans) into a temporary folder, exports its canonical
tables as CSV (`python -m lendrisk export`) and prints each file's size in MiB (Streamlit's "MB");
.streamlit/config.toml's server.maxUploadSize must exceed the largest with room for growth.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print the size of every exported canonical CSV of a demo store and the configured limit."""
    sys.path.insert(0, str(ROOT))
    import tomllib

    from lendrisk import ingest
    from lendrisk.demo import build_demo_store

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loans", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.duckdb"
        build_demo_store(db, loans=args.loans, seed=args.seed)
        files = ingest.export_store(db, Path(folder) / "export", fmt="csv")
        sizes = {p.name: p.stat().st_size / 2**20 for p in files}
    limit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    print(f"demo of {args.loans:,} loans, canonical CSV sizes (MiB):")
    for name, mb in sorted(sizes.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<18}{mb:>8.1f}")
    largest = max(sizes.values())
    print(f"largest {largest:.1f} MiB; server.maxUploadSize {limit} MiB = {limit / largest:.1f}x the largest")


if __name__ == "__main__":
    main()
