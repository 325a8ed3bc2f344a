"""The shape of the test suite: fixtures in conftest.py, helpers in plain modules, no test module
importing from another test module (pytest would collect its tests twice and tie the modules together)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(tree: ast.AST) -> set[str]:
    """Every top-level module name a module imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_test_module_imports_another_test_module() -> None:
    offences = {
        str(path.relative_to(TESTS)): sorted(
            name
            for name in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
            if name.startswith("test_") or name == "conftest"
        )
        for path in sorted(TESTS.rglob("*.py"))
    }
    assert {path: names for path, names in offences.items() if names} == {}


def test_fixtures_live_in_conftest_or_in_their_own_test_module() -> None:
    # a plain helper module (tiny.py, apptest_helpers.py) defines no fixture: importing one would
    # need a noqa to keep the linter from removing it
    helpers = [p for p in TESTS.rglob("*.py") if not p.name.startswith("test_") and p.name != "conftest.py"]
    fixtures = {
        str(path.relative_to(TESTS)): [
            node.name
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef)
            and any("fixture" in ast.unparse(d) for d in node.decorator_list)
        ]
        for path in helpers
    }
    assert {path: names for path, names in fixtures.items() if names} == {}


def test_the_guard_sees_an_import_from_a_test_module() -> None:
    tree = ast.parse("from test_app_store import texts\nimport test_cli\nfrom tiny import OBSERVED_TO\n")
    assert imported_modules(tree) == {"test_app_store", "test_cli", "tiny"}


def test_the_readme_module_map_names_every_module() -> None:
    readme = (TESTS.parent / "README.md").read_text(encoding="utf-8")
    package = TESTS.parent / "lendrisk"
    modules = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py"))
    assert [m for m in modules if m not in readme] == []
