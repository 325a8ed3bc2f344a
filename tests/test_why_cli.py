"""`python -m lendrisk why`: prints the attribution of the roll-rate platform (tests/platforms.py)."""

from __future__ import annotations

from pathlib import Path

import platforms
import pytest

from lendrisk import cli, store


@pytest.fixture(scope="module")
def roll_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The roll-rate platform as a store file."""
    path = tmp_path_factory.mktemp("cli") / "roll.duckdb"
    store.build_store(
        path, platforms.platform(platforms.roll_cohorts()), source="tiny", observed_to=platforms.D1
    )
    return path


def test_why_prints_the_bars_and_their_sum(roll_file: Path, capsys) -> None:
    assert cli.main(["--db", str(roll_file), "why", "2023-12-31", "2024-12-31"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "overdue rate 2023-12-31: 1.6667 %  2024-12-31: 5.0000 %"
    assert "  collections                  +3.3333 pp" in out
    assert "sum of the bars:               +3.3333 pp" in out
    assert "plain - growth-adjusted:       +0.0000 pp" in out
    assert "2024-12-31 lagged_3   6.6667 %" in out  # 6 overdue of the 90 loans 3+ months on book
    assert out[-1] == "unemployment change: +0.00 pp (not_identified)"


def test_why_with_dates_the_wrong_way_is_bad_input(roll_file: Path, capsys) -> None:
    assert cli.main(["--db", str(roll_file), "why", "2024-12-31", "2023-12-31"]) == 2
    assert "must come after" in capsys.readouterr().err
