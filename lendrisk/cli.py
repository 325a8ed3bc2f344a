"""Command-line interface: build the demo, import/export, inspect the store, rebuild marts, queries, users."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from lendrisk import sql, store
from lendrisk.vocab import ROLES

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """A problem with what the user asked for (exit code 2, message only, no traceback)."""


@contextmanager
def progress_bar(desc: str) -> Iterator[store.Progress]:
    """A tqdm bar on stderr driven by a (message, fraction) progress callback."""
    from tqdm import tqdm

    with tqdm(total=100, desc=desc, unit="%", file=sys.stderr, leave=True) as bar:

        def update(message: str, fraction: float) -> None:
            bar.set_postfix_str(message)
            bar.update(max(0, round(fraction * 100) - bar.n))

        yield update


def parse_value(text: str) -> Any:
    """A --param value: null, true/false, integer, number, ISO date, else the string itself."""
    lowered = text.lower()
    if lowered in ("null", "none", ""):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d*", text):
        return float(text)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise BadInput(f"bad date {text!r}: {exc}") from None
    return text


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo platform (with demo accounts) into --db."""
    from lendrisk.demo import build_demo_store

    with progress_bar("demo platform") as progress:
        build_demo_store(args.db, loans=args.loans, seed=args.seed, progress=progress)
    print(f"built {args.db}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """Validate files and import them into --db (the store is untouched when anything is wrong)."""
    from lendrisk import ingest  # registers the platform adapters too

    for path in args.paths:
        if not Path(path).exists():
            raise BadInput(f"{path}: no such file")
    with progress_bar(f"import {args.format}") as progress:
        report = ingest.import_paths(args.db, args.paths, fmt=args.format, mode=args.mode, progress=progress)
    print(report)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Write every canonical table of --db to a folder."""
    from lendrisk import ingest  # registers the platform adapters too

    require_store(args.db)
    for path in ingest.export_store(args.db, args.dir, fmt=args.format):
        print(path)
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    """Print what the store holds: source, build time, observation end, row counts, date range."""
    require_store(args.db)
    con = store.connect(args.db)
    try:
        meta = store.read_meta(con)
        first, last = con.execute("select min(originated_on), max(originated_on) from loans").fetchall()[0]
    finally:
        con.close()
    print(f"store:        {args.db}")
    for key in ("source", "built_at", "observed_to", "schema_version"):
        print(f"{key + ':':<14}{meta.get(key, '')}")
    print(f"originations: {first} .. {last}")
    for table in (*store.TABLES, *store.MARTS):
        print(f"  {table:<14}{int(meta.get('rows.' + table, 0)):>12,}")
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    """Run queries/NAME.sql with --param key=value pairs, or list the queries."""
    if args.list or not args.name:
        for info in sql.list_queries():
            params = ", ".join(f"${p}" for p in info.params) or "-"
            print(f"{info.name:<36} {params:<50} {info.grain}")
        return EXIT_OK
    params: dict[str, Any] = {}
    for pair in args.param:
        key, sep, value = pair.partition("=")
        if not sep:
            raise BadInput(f"--param {pair!r}: expected key=value")
        params[key] = parse_value(value)
    require_store(args.db)
    if store.schema_version(args.db) < store.SCHEMA_VERSION:
        raise BadInput(
            f"{args.db}: built with schema version {store.schema_version(args.db)}, this lendrisk reads "
            f"version {store.SCHEMA_VERSION}: run 'python -m lendrisk upgrade' first"
        )
    con = store.connect(args.db)
    try:
        frame = sql.run(con, args.name, params)
    finally:
        con.close()
    write_frame(frame, args.format)
    return EXIT_OK


def cmd_upgrade(args: argparse.Namespace) -> int:
    """Rebuild a store of an older schema version from its own canonical tables (atomic)."""
    require_store(args.db)
    with progress_bar("upgrade") as progress:
        upgraded = store.upgrade(args.db, progress=progress)
    print(
        f"{'upgraded' if upgraded else 'already current'}: {args.db} (schema version {store.SCHEMA_VERSION})"
    )
    return EXIT_OK


def cmd_build_marts(args: argparse.Namespace) -> int:
    """Rebuild the tape and every mart of --db from its canonical tables, on DuckDB or Spark (atomic)."""
    require_store(args.db)
    if args.engine == "duckdb":
        with progress_bar("marts on DuckDB") as progress:
            store.rebuild(args.db, progress)
    else:
        from lendrisk import spark

        try:
            with progress_bar("marts on Spark") as progress:
                spark.rebuild_with_spark(args.db, args.work, progress)
        except spark.SparkMissing as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR
    print(f"built the tape and marts of {args.db} on {args.engine}")
    return EXIT_OK


def cmd_why(args: argparse.Namespace) -> int:
    """Print the cause attribution of a rate between two month-ends and its growth-adjusted rates."""
    from lendrisk import attribution

    require_store(args.db)
    con = store.connect(args.db)
    try:
        result = attribution.attribute(con, args.start, args.end, args.metric)
        rates = attribution.growth_rates(con, args.end, args.metric)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    finally:
        con.close()
    pp = 100
    print(
        f"{args.metric} rate {args.start}: {result.start_rate * pp:.4f} %  "
        f"{args.end}: {result.end_rate * pp:.4f} %"
    )
    print(f"observed change:               {(result.end_rate - result.start_rate) * pp:+.4f} pp")
    for bar, value in zip(result.bars["bar"], result.bars["value"], strict=True):
        print(f"  {bar:<28} {value * pp:+.4f} pp")
    print(f"sum of the bars:               {result.bars['value'].sum() * pp:+.4f} pp")
    print(
        f"growth-adjusted rate {args.end} (age mix of {args.start}): {result.growth_adjusted_rate * pp:.4f} %"
    )
    print(f"plain - growth-adjusted:       {(result.end_rate - result.growth_adjusted_rate) * pp:+.4f} pp")
    for key, value in rates.items():
        print(f"{args.end} {key:<10} {value * pp:.4f} %")
    if result.unemployment_change_pp is None:
        print("macro: no unemployment series in the store, no macro bar")
    else:
        print(
            f"unemployment change: {result.unemployment_change_pp:+.2f} pp "
            f"({result.macro_reason or 'elasticity estimated'})"
        )
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Print the model card (every figure of docs/risk-model.md) of --db, or write it into a doc."""
    from lendrisk import modelcard

    require_store(args.db)
    blocks = {}
    con = store.connect(args.db, read_only=True)
    try:
        blocks["demo"] = modelcard.demo_card(con)
    finally:
        con.close()
    if args.loanstats3a:
        blocks["loanstats3a"] = modelcard.loanstats3a_card_from_file(Path(args.loanstats3a))
    if args.write:
        modelcard.write_doc(Path(args.write), blocks)
        print(f"wrote {args.write}")
    else:
        print("\n".join(blocks.values()))
    return EXIT_OK


def write_frame(frame: pd.DataFrame, fmt: str) -> None:
    """Print a result as an aligned table, CSV or JSON records."""
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif fmt == "json":
        print(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    else:
        with pd.option_context("display.max_rows", 500, "display.width", 200):
            print(frame.to_string(index=False))


def read_password(username: str, stdin: TextIO | None = None) -> str:
    """The new password: asked for twice on a terminal, else the first line of standard input.

    Never a command-line argument (it would show in `ps` and the shell history).
    """
    stdin = stdin or sys.stdin
    if stdin.isatty():
        password = getpass.getpass(f"password for {username}: ")
        if getpass.getpass("again: ") != password:
            raise BadInput("the two passwords differ")
        return password
    return stdin.readline().rstrip("\r\n")


def cmd_users(args: argparse.Namespace) -> int:
    """List, add, reset or remove dashboard users through lendrisk.accounts (the Data page's rules)."""
    from lendrisk import accounts

    require_store(args.db)
    if args.action == "list":
        con = store.connect(args.db)
        try:
            write_frame(accounts.users(con), "table")
        finally:
            con.close()
        return EXIT_OK
    username = accounts.check_username(args.username)
    if args.action == "add":
        if args.role == "investor" and not args.investor_id:
            raise BadInput("an investor account needs --investor-id")
        accounts.add_user(args.db, username, read_password(username), args.role, args.investor_id)
    elif args.action == "reset":
        accounts.reset_password(args.db, username, read_password(username))
    else:
        accounts.remove_user(args.db, username)
    print(f"{args.action}: {username}")
    return EXIT_OK


def require_store(db: Path) -> None:
    """Refuse to go on when the store file does not exist."""
    if not Path(db).exists():
        raise BadInput(f"{db}: no store here (build one with 'python -m lendrisk demo' or import files)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m lendrisk", description=__doc__)
    parser.add_argument(
        "--db", type=Path, default=None, help="store path (default: $LENDRISK_DB or data/lendrisk.duckdb)"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", type=Path, default=argparse.SUPPRESS, help="store path")
        p.set_defaults(func=func)
        return p

    p = add("demo", cmd_demo, "build the demo platform")
    p.add_argument("--loans", type=int, default=40_000, help="number of loans (default 40,000)")
    p.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")

    p = add("import", cmd_import, "validate and import files (the store changes only if all is valid)")
    p.add_argument(
        "paths", nargs="+", type=Path, help="canonical CSV/Parquet files, or a platform's loan file"
    )
    p.add_argument("--format", default="canonical", choices=["canonical", "lendingclub", "prosper"])
    p.add_argument(
        "--mode", default="append", choices=["append", "replace"], help="append rows or replace tables"
    )

    p = add("export", cmd_export, "write the canonical tables to a folder")
    p.add_argument("dir", type=Path)
    p.add_argument("--format", default="csv", choices=["csv", "parquet"])

    add("info", cmd_info, "what the store holds")
    add("upgrade", cmd_upgrade, "rebuild a store of an older schema version from its own tables")

    p = add("build-marts", cmd_build_marts, "rebuild the tape and every mart (DuckDB, or Spark via Parquet)")
    p.add_argument("--engine", default="duckdb", choices=["duckdb", "spark"])
    p.add_argument("--work", type=Path, help="Spark: keep its Parquet (canonical/, marts/) in this folder")

    p = add("query", cmd_query, "run queries/NAME.sql")
    p.add_argument("name", nargs="?", help="query name (see --list)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a named parameter")
    p.add_argument("--format", default="table", choices=["table", "csv", "json"])
    p.add_argument("--list", action="store_true", help="list the queries with their parameters")

    p = add("why", cmd_why, "why a rate moved between two month-ends (cause attribution)")
    p.add_argument("start", type=dt.date.fromisoformat, help="earlier month-end, YYYY-MM-DD")
    p.add_argument("end", type=dt.date.fromisoformat, help="later month-end, YYYY-MM-DD")
    p.add_argument("--metric", default="overdue", choices=["overdue", "m3plus"])

    p = add("report", cmd_report, "print the model card: every figure of docs/risk-model.md")
    p.add_argument("name", choices=["model-card"])
    p.add_argument("--write", metavar="DOC", help="replace the generated blocks of DOC instead of printing")
    p.add_argument(
        "--loanstats3a",
        metavar="PATH",
        help="also back-test LendingClub's LoanStats3a file (imported to a temp store)",
    )

    p = add("users", cmd_users, "manage dashboard users")
    p.add_argument("action", choices=["add", "list", "reset", "remove"])
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=ROLES, default="investor")
    p.add_argument("--investor-id")
    p.epilog = "add and reset read the password from the terminal (asked twice) or from standard input"
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit code 0 ok, 2 bad input, 1 anything else."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = Path(args.db) if args.db else store.db_path()
    if args.command == "users" and args.action != "list" and not args.username:
        parser.error("users add/reset/remove need a username")
    from lendrisk import ingest  # registers the platform adapters too
    from lendrisk.accounts import AccountError

    bad_input: tuple[type[BaseException], ...] = (
        BadInput,
        sql.QueryError,
        ingest.ValidationFailed,
        AccountError,
        store.WriterBusy,
    )
    try:
        return args.func(args)
    except bad_input as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR
