"""Print bench/README's tables from saved result files (figures in the docs come from here, not typed).

    python bench/results_table.py builds bench/results/build_10m_v10.json [...]
    python bench/results_table.py queries bench/results/queries_1m_v9.json bench/results/queries_1m_v10.json
    python bench/results_table.py app bench/results/app_10m_v10.json

builds: one row per file (loans, wall, CPU, peak RSS, DuckDB memory_limit, load average at start/end),
then the steps over 1 s and the sums of the tape's steps and of the marts built after it. queries: one
row per result and scope, the warm median (ms) of each file in a column, the file names as headers.
app: the app's peak memory and every page load of a bench_app_memory.py run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lendrisk import store


def load(path: Path) -> dict[str, Any]:
    """One saved result file."""
    return json.loads(path.read_text(encoding="utf-8"))


def markdown(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def builds(paths: list[Path]) -> str:
    """Build figures of bench_build.py --json files, and each one's steps over a second."""
    rows, steps = [], []
    for p in paths:
        b = load(p)
        rows.append(
            [
                p.name,
                f"{b['loans']:,}",
                f"{b['wall_s']:,.1f} s",
                f"{b['cpu_s']:,.1f} s",
                f"{b['peak_gb']:.2f} GB",
                b.get("memory_limit") or "-",
                f"{b['load_start']:.1f} / {b['load_end']:.1f}",
            ]
        )
        steps += [[p.name, name, f"{s:,.1f} s"] for name, s in b["steps"].items() if s >= 1.0]
        steps += [[p.name, f"Σ {group}", f"{s:,.1f} s"] for group, s in step_groups(b["steps"]).items()]
    head = ["file", "loans", "wall", "CPU", "peak RSS", "memory_limit", "load avg start / end"]
    return markdown(head, rows) + "\n\n" + markdown(["file", "step", "wall"], steps)


def step_groups(steps: dict[str, float]) -> dict[str, float]:
    """Seconds of the tape (its ranges and their ordering) and of the marts built after it."""
    tape = sum(s for name, s in steps.items() if name.startswith("loan_month"))
    after = [name for name in steps if name in store.MARTS and name not in ("loan_key", "loan_month")]
    return {"the tape": tape, f"the {len(after)} marts after the tape": sum(steps[n] for n in after)}


def queries(paths: list[Path]) -> str:
    """Warm medians (ms) of bench_queries.py --json files side by side."""
    runs = [load(p) for p in paths]
    keys: list[tuple[str, str]] = []
    for run in runs:
        keys += [(q["result"], q["scope"]) for q in run["queries"] if (q["result"], q["scope"]) not in keys]
    rows = []
    for result, scope in keys:
        cells = []
        for run in runs:
            warm = [q["warm_s"] for q in run["queries"] if (q["result"], q["scope"]) == (result, scope)]
            cells.append(f"{warm[0] * 1000:,.0f}" if warm else "-")
        rows.append([result, scope, *cells])
    header = [
        "result",
        "scope",
        *(f"{p.name} (loans {r['loans']:,})" for p, r in zip(paths, runs, strict=True)),
    ]
    return markdown(header, rows)


def app(paths: list[Path]) -> str:
    """The app's peak memory and page loads of bench_app_memory.py --out files."""
    out = []
    for p in paths:
        a = load(p)
        out.append(f"{p.name}: peak RSS {a['peak_rss_gb']:.2f} GB, median {a['median_rss_gb']:.2f} GB")
        rows = [
            [
                x["role"],
                x["page"],
                *(f"{x[k]:.1f} s" if x[k] is not None else "never" for k in ("interactive", "drawn")),
            ]
            for x in a["loads"]
        ]
        out.append(markdown(["role", "page", "interactive", "drawn"], rows))
    return "\n\n".join(out)


def main() -> None:
    """Print the table of the kind asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("builds", "queries", "app"))
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    print({"builds": builds, "queries": queries, "app": app}[args.kind](args.files))


if __name__ == "__main__":
    main()
