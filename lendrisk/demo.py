"""The built-in demo store: the simulated platform plus its demo accounts."""

from __future__ import annotations

from pathlib import Path

from lendrisk import auth, simulate, store


def build_demo_store(
    path: Path | str,
    loans: int = 40_000,
    seed: int = 7,
    progress: store.Progress | None = None,
) -> None:
    """Simulate the demo platform, add the demo accounts (README) and write the store atomically."""

    def simulating(message: str, fraction: float) -> None:
        if progress:
            progress(message, 0.5 * fraction)

    tables = simulate.generate(loans=loans, seed=seed, progress=simulating)
    tables["users"] = auth.demo_user_rows(simulate.demo_investors(tables))

    def storing(message: str, fraction: float) -> None:
        if progress:
            progress(message, 0.5 + 0.5 * fraction)

    store.build_store(
        path,
        tables,
        source=f"demo platform (seed {seed}, {loans} loans)",
        observed_to=simulate.OBSERVED_TO,
        progress=storing,
    )
