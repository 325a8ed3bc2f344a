"""Message catalogues: every file's keys in both languages, translation and strict mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lendrisk import i18n, store


def test_every_catalogue_is_complete() -> None:
    assert i18n.check_catalogues() == []


def test_every_table_and_mart_is_named_on_the_store_page_in_both_languages() -> None:
    names = {
        (t, lang): i18n.t(f"store.table.{t}", lang)
        for t in store.TABLES + store.MARTS
        for lang in ("en", "zh")
    }
    holds = {
        (t, lang): i18n.t(f"store.holds.{t}", lang)
        for t in store.TABLES + store.MARTS
        for lang in ("en", "zh")
    }
    assert names[("holding_book", "en")] == "Holdings with their loans (derived)"
    assert holds[("segment_month", "zh")] == "某客群在某月末的放款、违约、在贷与逾期笔数和金额"
    assert all(text and not text.startswith("store.") for text in [*names.values(), *holds.values()])


def test_translation_and_placeholders() -> None:
    assert i18n.t("common.login.submit", "en") == "Log in"
    assert i18n.t("common.login.submit", "zh") == "登录"
    assert (
        i18n.t("common.signed_in_as", "zh", user="admin", role="系统管理员")
        == "当前用户：admin（系统管理员）"
    )


def test_missing_key_raises_in_strict_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LENDRISK_STRICT_I18N", "1")
    with pytest.raises(i18n.MissingMessage):
        i18n.t("common.no_such_key", "en")


def test_missing_key_shows_the_key_in_production(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LENDRISK_STRICT_I18N", "0")
    assert i18n.t("common.no_such_key", "zh") == "common.no_such_key"
    assert "common.no_such_key" in caplog.text


def test_strict_under_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LENDRISK_STRICT_I18N", raising=False)
    assert i18n.strict()


def test_check_catalogues_reports_every_problem(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "a.ok": {"en": "Hi {name}", "zh": "你好 {name}"},
                "a.no_zh": {"en": "Only English"},
                "a.empty": {"en": "x", "zh": " "},
                "a.fields": {"en": "{count} loans", "zh": "{n} 笔"},
                "a.lang": {"en": "x", "zh": "x", "fr": "x"},
                "a.shared": {"en": "x", "zh": "x"},
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "b.json").write_text(json.dumps({"a.shared": {"en": "y", "zh": "y"}}), encoding="utf-8")
    (tmp_path / "c.json").write_text("{not json", encoding="utf-8")
    problems = i18n.check_catalogues(tmp_path)
    assert problems[:4] == [
        "a.json: 'a.no_zh' has no zh text",
        "a.json: 'a.empty' has no zh text",
        "a.json: 'a.fields' placeholders differ between languages: [{'count'}, {'n'}]",
        "a.json: 'a.lang' has unknown languages ['fr']",
    ]
    assert problems[4] == "b.json: 'a.shared' is also defined in a.json"
    assert problems[5].startswith("c.json: not a valid catalogue")
    assert len(problems) == 6
