"""The tape and every mart built by Apache Spark (local mode) equal DuckDB's, row for row and type for type.

A store is built by DuckDB; a copy of it is rebuilt by `lendrisk.spark.rebuild_with_spark` (canonical
tables exported as Parquet, marts built on Spark from queries/marts/ transpiled by sqlglot or their
queries/spark/ variants, loaded back into a new store file). Every mart of the two stores, sorted by
all its columns, must be the same Arrow table: same column names and types, same values.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from fingerprints import fingerprints

from lendrisk import cli, demo, spark, sql, store
from lendrisk.vocab import STATES

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="module")
def session() -> Iterator[SparkSession]:
    """One local Spark session for the module (it takes seconds to start)."""
    started = spark.spark_session(master="local[2]", memory="2g")
    yield started
    started.stop()


def sorted_mart(path: Path, mart: str) -> pa.Table:
    """Every row of a mart of the store at path, sorted by all its columns."""
    con = store.connect(path)
    try:
        return con.sql(f"select * from {mart} order by all").to_arrow_table()  # mart from store.MARTS
    finally:
        con.close()


# Marts whose doubles are sums of doubles (shares of loans x claims, as the query they stand in for
# adds them up): the engines add them in different orders, so those columns agree within 1e-12 relative.
SUMMED_IN_DOUBLE = {"investor_month"}


def assert_equal_but_double_sums(mart: str, expected: pa.Table, got: pa.Table) -> None:
    """The two builds of mart equal column by column, its double columns within 1e-12 relative."""
    for name in expected.column_names:
        want, have = expected.column(name), got.column(name)
        if pa.types.is_floating(want.type):
            np.testing.assert_allclose(have.to_numpy(), want.to_numpy(), rtol=1e-12, atol=0, err_msg=mart)
        else:
            assert have.equals(want), f"{mart}.{name}: the Spark build differs from DuckDB's"


def assert_same_marts(duck: Path, sparked: Path) -> dict[str, int]:
    """Every mart of the two stores equal (columns, types, rows; SUMMED_IN_DOUBLE's doubles within
    1e-12 relative); the row count of each."""
    rows = {}
    for mart in store.MARTS:
        expected, got = sorted_mart(duck, mart), sorted_mart(sparked, mart)
        assert got.schema == expected.schema, mart
        assert got.num_rows == expected.num_rows, mart
        if mart in SUMMED_IN_DOUBLE:
            assert_equal_but_double_sums(mart, expected, got)
        else:
            assert got.equals(expected), f"{mart}: the Spark build differs from DuckDB's"
        rows[mart] = got.num_rows
    con_duck, con_spark = store.connect(duck), store.connect(sparked)
    try:
        canonical = lambda con: {t: v for t, v in fingerprints(con).items() if t in store.TABLES}  # noqa: E731
        assert canonical(con_spark) == canonical(con_duck)
        assert store.read_meta(con_spark)["observed_to"] == store.read_meta(con_duck)["observed_to"]
    finally:
        con_duck.close()
        con_spark.close()
    return rows


@pytest.mark.slow
def test_spark_marts_equal_duckdb_on_the_tiny_platform(
    session: SparkSession, tiny_db: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "tiny.duckdb"
    shutil.copyfile(tiny_db, copy)
    spark.rebuild_with_spark(copy, tmp_path / "work", session=session)
    rows = assert_same_marts(tiny_db, copy)
    assert rows["loan_key"] == 3 and rows["loan_month"] > 0
    assert (tmp_path / "work" / "marts" / "loan_month").is_dir()  # --work keeps the Parquet


@pytest.mark.slow
def test_spark_marts_equal_duckdb_on_the_40000_loan_demo(
    session: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("spark40k")
    duck = folder / "duckdb.duckdb"
    demo.build_demo_store(duck, loans=40_000, seed=7)
    sparked = folder / "spark.duckdb"
    shutil.copyfile(duck, sparked)
    spark.rebuild_with_spark(sparked, session=session)
    rows = assert_same_marts(duck, sparked)
    assert rows["loan_key"] == 40_000
    assert rows["month_flow"] == rows["disclosure_month"] == 96  # one per month-end, 2017-01 .. 2024-12
    assert min(n for mart, n in rows.items() if mart not in ("month_flow", "disclosure_month")) > 300
    assert not list(folder.glob("*.spark-*"))  # the work folder beside the store is gone


@pytest.mark.slow
def test_spark_functions_equal_the_duckdb_macros(session: SparkSession) -> None:
    spark.define_functions(session)
    values = [*STATES, "unknown", None]
    rows = [(v,) for v in values]
    got = session.createDataFrame(rows, "state string").selectExpr(
        "is_active_state(state) as active", "state_order(state) as position"
    )
    con = duckdb.connect()
    try:
        store.create_schema(con)
        expected = [
            con.execute("select is_active_state($s), state_order($s)", {"s": v}).fetchone() for v in values
        ]
    finally:
        con.close()
    assert [tuple(r) for r in got.collect()] == expected
    assert expected[0] == (True, 1) and expected[6] == (False, 7) and expected[-1] == (None, None)


@pytest.mark.slow
def test_spark_segment_functions_equal_the_duckdb_macros(session: SparkSession) -> None:
    spark.define_functions(session)
    cases = [
        (599, True),
        (600, False),
        (649, None),
        (650, True),
        (699, True),
        (700, False),
        (749, None),
        (750, True),
    ]
    got = session.createDataFrame(cases, "score int, verified boolean").selectExpr(
        "score_band(score) as band", "income_verification(verified) as verification"
    )
    con = duckdb.connect()
    try:
        store.create_schema(con)
        expected = [
            con.execute("select score_band($s), income_verification($v)", {"s": s, "v": v}).fetchone()
            for s, v in cases
        ]
    finally:
        con.close()
    assert [tuple(r) for r in got.collect()] == expected
    assert [band for band, _ in expected] == [
        "lt600",
        "600-649",
        "600-649",
        "650-699",
        "650-699",
        "700-749",
        "700-749",
        "ge750",
    ]
    assert [v for _, v in expected[:3]] == ["verified", "not_verified", "unknown"]


def test_a_spark_variant_exists_only_where_the_duckdb_file_has_the_same_name() -> None:
    variants = sorted(p.stem for p in (spark.SPARK_QUERIES / "marts").glob("*.sql"))
    # loan_month: ASOF joins and generate_series; lender_exposure: a fold over a sorted list
    # (list_reduce; Spark's aggregate over array_sort);
    # collection_month: an ASOF join (each overdue month-end's latest contact)
    assert variants == ["collection_month", "lender_exposure", "loan_month"]
    assert all((sql.QUERIES_DIR / "marts" / f"{v}.sql").is_file() for v in variants)
    for mart in store.MARTS:
        text = spark.mart_sql(mart).lower()
        assert "asof" not in text and "create table" not in text and "$observed_to" not in text
    assert spark.mart_order("loan_month") == "month_end, loan_no"  # loan_no follows loan_id (loan_key)
    assert spark.mart_order("loan_month") == store.TAPE_ORDER  # build_tape's final order is the file's


def test_the_cli_says_what_to_install_when_pyspark_is_missing(
    tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tiny_db_copy.read_bytes()
    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    code = cli.main(["--db", str(tiny_db_copy), "build-marts", "--engine", "spark"])
    assert code == cli.EXIT_ERROR
    err = capsys.readouterr().err
    assert "requirements-spark.txt" in err and "Traceback" not in err
    assert tiny_db_copy.read_bytes() == before
    assert not list(tiny_db_copy.parent.glob("*.spark-*"))
