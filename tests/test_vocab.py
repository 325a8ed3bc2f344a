"""lendrisk.vocab: month-end arithmetic by hand, and a guard that the vocabulary is defined only there."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from tiny import OBSERVED_TO

from lendrisk import store, vocab

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.glob("lendrisk/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])
HEX = re.compile(r"#[0-9a-fA-F]{6}")
# Names that only vocab.py may bind, and month-end helpers only vocab.py may define.
VOCAB_NAMES = {"STATES", "ACTIVE_STATES", "BUCKETS", "OVERDUE_BUCKETS", "ROLES", "STATE_COLOURS"}
VOCAB_NAMES |= {"STATE_COLORS", "GRADE_COLOURS", "GRADE_COLORS", "MILESTONE_COLOURS", "MONTHS_BEHIND"}
MONTH_HELPERS = re.compile(r"_?(month_end|require_month_end|last_month_end|previous_month_end|month_start)$")
MONTH_HELPERS_TOO = re.compile(r"_?(add_months\w*|observed_to|is_month_end)$")


def _strings(nodes: list[ast.expr | None]) -> list[str]:
    """The string constants among AST nodes."""
    return [n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _offences(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for every vocabulary definition in a module's syntax tree."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Call):
            values = set(_strings(list(node.args if isinstance(node, ast.Call) else node.elts)))
            if len(values & set(vocab.STATES)) >= 3:
                found.append((node.lineno, "a list of loan states"))
            if len(values & set(vocab.ROLES)) >= 2:
                found.append((node.lineno, "a list of roles"))
        elif isinstance(node, ast.Dict):
            if sum(k in vocab.STATES for k in _strings(node.keys)) >= 3:
                found.append((node.lineno, "a map keyed by loan state"))
            colours = [v for v in _strings(node.values) if HEX.fullmatch(v)]
            if len(colours) >= 3 and len(colours) == len(node.values):
                found.append((node.lineno, "a colour map"))
        elif isinstance(node, ast.FunctionDef) and (
            MONTH_HELPERS.fullmatch(node.name) or MONTH_HELPERS_TOO.fullmatch(node.name)
        ):
            found.append((node.lineno, f"month-end helper {node.name}"))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in VOCAB_NAMES:
                    found.append((node.lineno, f"vocabulary name {target.id}"))
    return found


def test_the_vocabulary_is_defined_only_in_vocab():
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in SOURCES
        if path.name != "vocab.py" or path.parent.name != "lendrisk"
        for line, what in _offences(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offences == []


def test_the_guard_finds_each_kind_of_copy():
    code = """
STATES = ("current", "1-30", "31-60")
colours = {"a": "#000000", "b": "#111111", "c": "#222222"}
steps = {"1-30": 0, "31-60": 1, "61-90": 2}
who = ("manager", "admin")
row = ("manager", "manager", None)
require_role("manager", "admin")
def _month_end(day): return day
def add_months(day, n): return day
"""
    assert sorted(_offences(ast.parse(code))) == [
        (2, "a list of loan states"),
        (2, "vocabulary name STATES"),
        (3, "a colour map"),
        (4, "a map keyed by loan state"),
        (5, "a list of roles"),
        (7, "a list of roles"),
        (8, "month-end helper _month_end"),
        (9, "month-end helper add_months"),
    ]


def test_states_buckets_and_their_indices():
    assert vocab.STATES[vocab.CURRENT] == "current"
    assert vocab.STATES[vocab.PAID_OFF] == "paid_off"
    assert vocab.STATES[vocab.CHARGED_OFF] == "charged_off"
    assert vocab.BUCKETS == ("current", "1-30", "31-60", "61-90", "90+")
    assert vocab.OVERDUE_BUCKETS == ("1-30", "31-60", "61-90", "90+")
    assert vocab.MONTHS_BEHIND == {"current": 0, "1-30": 1, "31-60": 2, "61-90": 3, "90+": 4}
    assert set(vocab.STATE_COLOURS) == set(vocab.STATES)
    assert set(vocab.GRADE_COLOURS) == set(vocab.GRADES)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 2, 10), dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 29), dt.date(2024, 2, 29)),
        (dt.date(2023, 3, 1), dt.date(2023, 2, 28)),
        (dt.date(2024, 1, 15), dt.date(2023, 12, 31)),
    ],
)
def test_last_month_end(day, expected):
    assert vocab.last_month_end(day) == expected


def test_add_months_steps_month_ends_both_ways():
    assert vocab.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert vocab.add_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)
    assert vocab.add_months(dt.date(2024, 12, 31), -12) == dt.date(2023, 12, 31)
    assert vocab.add_months(dt.date(2024, 11, 30), 3) == dt.date(2025, 2, 28)


def test_require_month_end_refuses_other_days():
    assert vocab.require_month_end(dt.date(2024, 4, 30)) == dt.date(2024, 4, 30)
    with pytest.raises(ValueError, match="2024-04-29 is not a month-end"):
        vocab.require_month_end(dt.date(2024, 4, 29))


def test_add_months_clipped_keeps_the_day_or_the_months_last():
    days = np.array(["2024-01-31", "2024-01-15", "2023-11-30"], dtype="datetime64[D]")
    out = vocab.add_months_clipped(days, np.array([1, 2, 3]))
    assert out.tolist() == [dt.date(2024, 2, 29), dt.date(2024, 3, 15), dt.date(2024, 2, 29)]


def test_month_start_of_month_ends():
    out = vocab.month_start(pd.Series([dt.date(2024, 2, 29), dt.date(2024, 12, 31)]))
    assert [d.date() for d in out] == [dt.date(2024, 2, 1), dt.date(2024, 12, 1)]


def test_observed_to_of_the_tiny_store_and_of_an_empty_one(tiny_con):
    assert vocab.observed_to(tiny_con) == OBSERVED_TO
    empty = duckdb.connect()
    store.create_schema(empty)
    empty.execute("create table loan_month (month_end date)")  # an empty tape, no observed_to in meta
    with pytest.raises(LookupError):
        vocab.observed_to(empty)
