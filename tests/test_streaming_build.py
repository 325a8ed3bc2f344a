"""The streaming demo build writes the same rows as the build before it, for the same seed.

tests/data/demo_fingerprints.json holds order-independent fingerprints (tests/fingerprints.py) of every
table and mart of 2,000-loan demo stores built by main's code before the build streamed (commit
71edb29, whole frames through store.build_store). Here the same stores are built in chunks of a few
thousand rows, so every table crosses many chunk boundaries, and must match row for row.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fingerprints import fingerprints

from lendrisk import auth, demo, simulate, store

RECORDED = {
    name: value
    for name, value in json.loads(
        (Path(__file__).parent / "data" / "demo_fingerprints.json").read_text()
    ).items()
    if not name.startswith("_")
}


def build_and_fingerprint(path: Path) -> dict[str, list[int]]:
    """Build the 2,000-loan demo store (seed 7) at path and fingerprint it."""
    demo.build_demo_store(path, loans=2_000, seed=7)
    con = store.connect(path)
    try:
        return recorded_part(fingerprints(con))
    finally:
        con.close()


def recorded_part(got: dict[str, list[int]]) -> dict[str, list[int]]:
    """The tables and marts that existed when the fingerprints were recorded (later marts are new)."""
    return {table: got[table] for table in RECORDED["demo_2000"]}


def test_streamed_demo_store_equals_the_recorded_build(tmp_path, monkeypatch):
    monkeypatch.setattr(simulate, "CHUNK_ROWS", 3_000)  # 27,111 schedule rows: ten chunks
    got = build_and_fingerprint(tmp_path / "demo.duckdb")
    assert got == RECORDED["demo_2000"]
    assert got["repayments"][0] == 16_887 and got["holdings"][0] == 17_005
    assert not list(tmp_path.glob("*.stage-*")) and not list(tmp_path.glob("*.spill-*"))
    con = store.connect(tmp_path / "demo.duckdb")
    try:
        # holdings come from the simulation in their stored order (six chunks) and are appended unsorted
        for table, order in (("holdings", "investor_id, loan_id"), ("repayments", "loan_id, paid_on")):
            stored = con.execute(f"select {order} from {table} order by rowid").fetchall()
            assert stored == sorted(stored), table
    finally:
        con.close()


def test_tape_built_in_loan_ranges_equals_the_recorded_build(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "TAPE_CHUNK_LOANS", 300)  # 2,000 loans: seven ranges, then one ORDER BY
    steps: list[str] = []
    path = tmp_path / "demo.duckdb"
    demo.build_demo_store(path, loans=2_000, seed=7, progress=lambda step, _f: steps.append(step))
    assert "building loan_month: loans 1,801-2,000 of 2,000" in steps
    con = store.connect(path)
    try:
        assert fingerprints(con)["loan_month"] == RECORDED["demo_2000"]["loan_month"]
        stored = con.execute("select month_end, loan_no from loan_month order by rowid").fetchall()
        assert stored == sorted(stored) and len(stored) == RECORDED["demo_2000"]["loan_month"][0]
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        assert "loan_month_chunks" not in tables and "loan_month" in tables
    finally:
        con.close()


@pytest.mark.slow
def test_streamed_large_book_demo_equals_the_recorded_build(tmp_path, monkeypatch):
    monkeypatch.setattr(simulate, "CHUNK_ROWS", 2_500)
    monkeypatch.setattr(simulate, "LARGE_BOOK", 1_000)  # the 4-9 holders per loan of big books
    got = build_and_fingerprint(tmp_path / "demo.duckdb")
    assert got == RECORDED["demo_2000_large_book"]
    assert got["holdings"][0] == 9_816


@pytest.mark.slow
def test_whole_frames_build_equals_the_streamed_one(tmp_path):
    tables = simulate.generate(2_000, seed=7)
    tables["users"] = auth.demo_user_rows(simulate.demo_investors(tables))
    path = tmp_path / "frames.duckdb"
    store.build_store(path, tables, source="frames", observed_to=simulate.OBSERVED_TO)
    con = store.connect(path)
    try:
        assert recorded_part(fingerprints(con)) == RECORDED["demo_2000"]
        assert demo.showcase_investors(con) == simulate.demo_investors(tables)
    finally:
        con.close()


def test_chunks_never_exceed_the_chunk_size(monkeypatch):
    sizes: dict[str, list[int]] = {}
    simulate.produce(
        1_000, 3, lambda table, frame: sizes.setdefault(table, []).append(len(frame)), chunk_rows=4_000
    )
    whole = simulate.generate(1_000, seed=3)
    for table, frame in whole.items():
        assert sum(sizes[table]) == len(frame), table
        # schedule and holdings are cut exactly; the walk's rows by month, one month past the limit at most
        limit = 4_000 if table in ("schedule", "holdings") else 6_000
        assert max(sizes[table]) <= limit, table
    assert len(sizes["schedule"]) >= len(whole["schedule"]) // 4_000


def test_tape_chunks_are_built_without_the_final_order_by():
    sql = "create table t as\nselect a, b from x\norder by month_end, loan_no\n"
    assert store.without_final_order(sql, "month_end, loan_no") == "create table t as\nselect a, b from x\n"
    assert store.without_final_order(sql.rstrip() + ";\n", "month_end, loan_no").endswith("from x\n")
    with pytest.raises(ValueError, match="order by loan_no"):
        store.without_final_order(sql, "loan_no")
