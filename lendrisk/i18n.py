"""Message catalogues (lendrisk/messages/*.json, {"key": {"en": ..., "zh": ...}}) and translation.

Conventions: one file per namespace, owned by one contributor; keys are dotted and should start
with the file's namespace ("store.title" lives in store.json); a key exists in exactly one file
(checked); both languages are non-empty and use the same {placeholders} (checked).
A missing key raises MissingMessage in strict mode ($LENDRISK_STRICT_I18N=1, or under pytest) and
otherwise shows the key and logs a warning.
"""

from __future__ import annotations

import json
import logging
import os
import string
from functools import cache
from pathlib import Path
from typing import Any, Literal

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
LANGS: tuple[str, ...] = ("en", "zh")
Lang = Literal["en", "zh"]

log = logging.getLogger(__name__)


class MissingMessage(KeyError):
    """A message key (or one of its languages) absent from every catalogue."""


def strict() -> bool:
    """Whether missing keys raise: $LENDRISK_STRICT_I18N=1, or while pytest runs a test."""
    flag = os.environ.get("LENDRISK_STRICT_I18N")
    if flag is not None:
        return flag == "1"
    return "PYTEST_CURRENT_TEST" in os.environ


def load_file(path: Path) -> dict[str, dict[str, str]]:
    """One catalogue file: key -> {lang: text}."""
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: a catalogue is a JSON object of key -> {{en, zh}}")
    return data


@cache
def catalogue(folder: Path = MESSAGES_DIR) -> dict[str, dict[str, str]]:
    """Every message of every catalogue file in the folder, loaded once per process."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.json")):
        merged.update(load_file(path))
    return merged


def t(key: str, lang: str = "en", **fmt: Any) -> str:
    """The message for key in lang, with {placeholders} filled from fmt."""
    entry = catalogue().get(key)
    text = entry.get(lang) if entry else None
    if not text:
        if strict():
            raise MissingMessage(f"no {lang!r} message for key {key!r}")
        log.warning("missing %s message for key %r", lang, key)
        return key
    return text.format(**fmt) if fmt else text


def placeholders(text: str) -> set[str]:
    """The {named} fields of a format string."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def check_catalogues(folder: Path = MESSAGES_DIR) -> list[str]:
    """Every problem in the catalogue files (empty list = all good): one line per problem."""
    problems: list[str] = []
    owner: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            data = load_file(path)
        except (ValueError, json.JSONDecodeError) as exc:
            problems.append(f"{path.name}: not a valid catalogue ({exc})")
            continue
        for key, entry in data.items():
            where = f"{path.name}: {key!r}"
            if key in owner:
                problems.append(f"{where} is also defined in {owner[key]}")
            owner[key] = path.name
            if not isinstance(entry, dict):
                problems.append(f"{where} is not an object of languages")
                continue
            for lang in LANGS:
                if not isinstance(entry.get(lang), str) or not entry[lang].strip():
                    problems.append(f"{where} has no {lang} text")
            extra = set(entry) - set(LANGS)
            if extra:
                problems.append(f"{where} has unknown languages {sorted(extra)}")
            texts = [entry.get(lang) for lang in LANGS]
            if all(isinstance(x, str) for x in texts):
                try:
                    fields = [placeholders(x) for x in texts]
                except ValueError as exc:
                    problems.append(f"{where} has a broken format string ({exc})")
                    continue
                if fields[0] != fields[1]:
                    problems.append(f"{where} placeholders differ between languages: {fields}")
    return problems
