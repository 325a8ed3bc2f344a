"""The built-in demo store: the simulated platform plus its demo accounts."""

from __future__ import annotations

from pathlib import Path

import duckdb

from lendrisk import auth, simulate, store
from lendrisk.sql import run


def build_demo_store(
    path: Path | str,
    loans: int = 40_000,
    seed: int = 7,
    progress: store.Progress | None = None,
) -> None:
    """Simulate the demo platform into a new store chunk by chunk, with the demo accounts (README)."""

    def fill(loader: store.Loader, say: store.Progress) -> None:
        simulate.produce_into(loader, loans, seed, say)
        loader.finish(lambda message, _fraction: say(message, 1.0))  # named steps, the bar held still
        say("choosing the demo accounts", 1.0)
        loader.append("users", auth.demo_user_rows(showcase_investors(loader.con)))

    store.build_streaming(
        path,
        fill,
        source=f"demo platform (seed {seed}, {loans} loans)",
        observed_to=simulate.OBSERVED_TO,
        progress=progress,
    )


def showcase_investors(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The investor id each demo login (investor1..3) signs in as, read from a store's tables."""
    picks = run(con, "demo_investors")
    return dict(zip(picks["login"], picks["investor_id"], strict=True))
