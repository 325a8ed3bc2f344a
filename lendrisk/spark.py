"""Build the performance tape and every mart with Apache Spark from the canonical tables as Parquet.

The steps (README "Scale: marts on Apache Spark"): export_canonical writes the canonical tables a
mart reads as Parquet (DuckDB COPY); build_marts runs each mart's SQL on Spark (the DuckDB file of
queries/marts/ transpiled by sqlglot, or its Spark variant of the same name in queries/spark/marts/)
and writes every mart as Parquet; load_marts rebuilds the store with its own canonical tables and
those marts, in DuckDB's column types and row order, into a new file swapped in atomically.
pyspark and sqlglot (requirements-spark.txt) are imported only when a Spark step runs.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from lendrisk import store
from lendrisk.sql import QUERIES_DIR, query_info

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SPARK_QUERIES = QUERIES_DIR / "spark"
# The canonical tables handed to Spark: all but the standalone ones (users: password hashes no mart reads).
EXPORTED: tuple[str, ...] = tuple(t for t in store.TABLES if t not in store.STANDALONE_TABLES)
INSTALL_HINT = (
    "pip install -r requirements-spark.txt, and a Java runtime (apt-get install openjdk-17-jre-headless)"
)


class SparkMissing(RuntimeError):
    """pyspark, sqlglot or a Java runtime is missing on this machine."""


def export_canonical(store_path: Path | str, parquet_dir: Path | str) -> list[Path]:
    """Write each EXPORTED table of a store as parquet_dir/<table>.parquet; the files written."""
    out = Path(parquet_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = store.connect_fresh(store_path)
    written = []
    try:
        for table in EXPORTED:
            path = out / f"{table}.parquet"
            con.table(table).write_parquet(str(path))  # DuckDB's COPY ... (format parquet), streamed
            os.chmod(path, store.FILE_MODE)
            written.append(path)
    finally:
        con.close()
    return written


def spark_session(master: str | None = None, memory: str | None = None) -> SparkSession:
    """A Spark session for mart builds: $LENDRISK_SPARK_MASTER (local[*]), driver memory
    $LENDRISK_SPARK_MEMORY (4g), no UI, UTC; SparkMissing when pyspark or Java is absent."""
    try:
        with warnings.catch_warnings():
            # pyspark warns that it does not yet fully support pandas 3 when it first imports its
            # testing helpers (on the first bound parameter); lendrisk hands it no pandas frames
            warnings.simplefilter("ignore", FutureWarning)
            import pyspark.testing.utils  # noqa: F401
            from pyspark.sql import SparkSession
        import sqlglot  # noqa: F401  (needed by mart_sql: fail here, before Spark starts)
    except ImportError as exc:
        raise SparkMissing(f"Spark mart builds need {exc.name}: {INSTALL_HINT}") from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise SparkMissing(f"Spark needs a Java runtime and none is on PATH: {INSTALL_HINT}")
    config = {
        "spark.driver.memory": memory or os.environ.get("LENDRISK_SPARK_MEMORY", "4g"),
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.ansi.enabled": "true",
    }
    builder = SparkSession.builder.master(master or os.environ.get("LENDRISK_SPARK_MASTER", "local[*]"))
    for key, value in config.items():
        builder = builder.config(key, value)
    session = builder.appName("lendrisk marts").getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def mart_sql(name: str) -> str:
    """Spark SQL selecting mart name: queries/spark/marts/<name>.sql if it exists, else the DuckDB file
    transpiled by sqlglot; without its create table and final order by (load_marts orders the rows)."""
    import sqlglot
    from sqlglot import exp

    variant = SPARK_QUERIES / "marts" / f"{name}.sql"
    if variant.is_file():
        tree = sqlglot.parse_one(variant.read_text(encoding="utf-8"), read="spark")
    else:
        tree = sqlglot.parse_one(
            (QUERIES_DIR / "marts" / f"{name}.sql").read_text(encoding="utf-8"), read="duckdb"
        )
    select = (tree.expression if isinstance(tree, exp.Create) else tree).copy()
    select.set("order", None)
    return select.sql(dialect="spark")


def mart_order(name: str) -> str:
    """The final ORDER BY of queries/marts/<name>.sql (DuckDB SQL, without the keywords): the stored order."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(
        (QUERIES_DIR / "marts" / f"{name}.sql").read_text(encoding="utf-8"), read="duckdb"
    )
    order = (tree.expression if isinstance(tree, exp.Create) else tree).args.get("order")
    return ", ".join(e.this.sql(dialect="duckdb") for e in order.expressions) if order else ""


def define_functions(session: SparkSession) -> None:
    """Create the Spark twins of the marts' DuckDB macros (queries/spark/schema/002_views.sql)."""
    text = re.sub(r"--[^\n]*", "", (SPARK_QUERIES / "schema" / "002_views.sql").read_text(encoding="utf-8"))
    for statement in text.split(";"):
        if statement.strip():
            session.sql(statement)


def build_marts(
    parquet_dir: Path | str,
    out_dir: Path | str,
    observed_to: dt.date,
    progress: store.Progress | None = None,
    session: SparkSession | None = None,
) -> dict[str, Path]:
    """Build every mart of store.MARTS with Spark from parquet_dir/<table>.parquet into out_dir/<mart>/
    (Parquet folders), in build order; the folder of each mart. Stops its own session, not a given one."""
    spark = session or spark_session()
    say = progress or (lambda _msg, _frac: None)
    # the DuckDB tape is built in loan ranges (store.build_tape); Spark builds it whole
    available: dict[str, Any] = {
        "observed_to": observed_to,
        "first_loan_no": 1,
        "last_loan_no": 2**31 - 1,
        "big_book_holdings": store.BIG_BOOK_HOLDINGS,
    }
    written: dict[str, Path] = {}
    try:
        for table in EXPORTED:
            spark.read.parquet(str(Path(parquet_dir) / f"{table}.parquet")).createOrReplaceTempView(table)
        define_functions(spark)
        for i, mart in enumerate(store.MARTS):
            say(f"building {mart} (Spark)", i / len(store.MARTS))
            args = {p: available[p] for p in query_info(f"marts/{mart}").params}
            target = Path(out_dir) / mart
            spark.sql(mart_sql(mart), args=args or None).write.mode("overwrite").parquet(str(target))
            spark.read.parquet(str(target)).createOrReplaceTempView(mart)  # the next marts read it
            written[mart] = target
        say("marts built (Spark)", 1.0)
    finally:
        if session is None:
            spark.stop()
    return written


def mart_tables(observed_to: dt.date) -> dict[str, str]:
    """CREATE TABLE statement of every mart as DuckDB types it (built over an empty in-memory store)."""
    con = duckdb.connect()
    try:
        store.create_schema(con)
        store.build_marts(con, observed_to)
        rows = con.execute(
            "select table_name, sql from duckdb_tables() where list_contains($marts, table_name)",
            {"marts": list(store.MARTS)},
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def insert_marts(
    con: duckdb.DuckDBPyConnection, marts_dir: Path | str, observed_to: dt.date, progress: store.Progress
) -> None:
    """Create every mart in a store being built with DuckDB's column types and fill it from
    marts_dir/<mart>/*.parquet in the mart's stored order (a store.MartBuilder)."""
    tables = mart_tables(observed_to)
    for i, mart in enumerate(store.MARTS):
        progress(f"loading {mart} (built by Spark)", i / len(store.MARTS))
        files = sorted(str(p) for p in (Path(marts_dir) / mart).glob("*.parquet"))
        if not files:
            raise FileNotFoundError(
                f"{Path(marts_dir) / mart}: no Parquet files of mart {mart} (build them first)"
            )
        con.execute(f"drop table if exists {mart}")  # mart names from store.MARTS, never from input
        con.execute(tables[mart])
        wanted = store.columns(con, mart)
        parquet = con.read_parquet(files)
        if sorted(parquet.columns) != sorted(wanted):
            raise ValueError(f"{Path(marts_dir) / mart}: columns {parquet.columns}, the mart has {wanted}")
        ordered = parquet.order(mart_order(mart)) if mart_order(mart) else parquet
        ordered.select(*wanted).insert_into(mart)
    store.create_mart_views(con)  # as build_marts does: they bind to the marts
    progress("marts loaded", 1.0)


def load_marts(store_path: Path | str, marts_dir: Path | str, progress: store.Progress | None = None) -> None:
    """Rebuild the store from its own canonical tables with the marts of marts_dir (atomic swap)."""

    def load(con: duckdb.DuckDBPyConnection, observed_to: dt.date, say: store.Progress) -> None:
        insert_marts(con, marts_dir, observed_to, say)

    store.rebuild(store_path, progress, marts=load)


def rebuild_with_spark(
    store_path: Path | str,
    work_dir: Path | str | None = None,
    progress: store.Progress | None = None,
    session: SparkSession | None = None,
) -> None:
    """Export the store's canonical tables, build its marts on Spark, load them back (writer lock held
    throughout); work files in work_dir (kept) or a folder beside the store (removed). A session
    given is used and left running; else one is started and stopped."""
    store_path = Path(store_path)
    work = Path(work_dir) if work_dir else store_path.with_name(f"{store_path.name}.spark-{os.getpid()}")
    say = progress or (lambda _msg, _frac: None)
    try:
        with store.writer_lock(store_path, "Spark mart build"):
            con = store.connect_fresh(store_path)
            try:
                meta = store.read_meta(con)
                observed_to = (
                    dt.date.fromisoformat(meta["observed_to"])
                    if "observed_to" in meta
                    else store.infer_observed_to(con)
                )
            finally:
                con.close()
            spark = session or spark_session()  # fails early (SparkMissing) before anything is written
            say("exporting canonical tables", 0.0)
            export_canonical(store_path, work / "canonical")
            try:
                build_marts(work / "canonical", work / "marts", observed_to, _part(say, 0.05, 0.6), spark)
            finally:
                if session is None:
                    spark.stop()
            load_marts(store_path, work / "marts", _part(say, 0.6, 0.4))
    finally:
        if work_dir is None:
            shutil.rmtree(work, ignore_errors=True)


def _part(progress: store.Progress, start: float, share: float) -> store.Progress:
    """A progress callback reporting into the share of the whole that starts at start."""
    return lambda message, fraction: progress(message, start + share * fraction)
