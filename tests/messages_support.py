"""What the tests of Japanese messages share: how to tell Japanese text, and a shell in which
only the WG's settings can choose the message language."""

from __future__ import annotations

import re

import pytest

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def only_the_wg_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PROCEEDINGS_MESSAGES and the C locale: only the WG's stated `language` can make the
    messages Japanese (the rest of the suite pins English; see tests/conftest.py)."""
    for variable in ("PROCEEDINGS_MESSAGES", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def without_sentences(report: dict) -> dict:
    """A `check --format json` report without the sentences that follow the language
    (`message`, `hint`): what must be the same in English and Japanese."""
    return {**report, "diagnostics": [
        {key: value for key, value in item.items() if key not in ("message", "hint")}
        for item in report["diagnostics"]]}
