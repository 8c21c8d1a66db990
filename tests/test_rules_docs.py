"""docs/rules.md documents every code (loader and rules alike) and stays generated."""

from __future__ import annotations

import re
from pathlib import Path

from proceedings.check.rules.docs import DOCS, load_all_codes, reference_markdown

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_every_registered_code_is_documented_with_an_example_and_a_fix() -> None:
    registered = {entry.code for entry in load_all_codes()}
    assert registered == set(DOCS)
    for code, doc in DOCS.items():
        assert doc.why and doc.example and doc.fix, code


def test_docs_rules_md_is_up_to_date() -> None:
    assert DOC_PATH.read_text("utf-8") == reference_markdown(), (
        "docs/rules.md is stale: run `python -m proceedings.check.rules.docs > docs/rules.md`"
    )


def test_each_code_has_its_own_section_with_example_and_fix() -> None:
    text = DOC_PATH.read_text("utf-8")
    for entry in load_all_codes():
        after = text.split(f"\n### {entry.code} {entry.name}\n", 1)[1]
        section = re.split(r"\n### [A-Z]\d{3} ", after, maxsplit=1)[0]
        assert "Fails:" in section and "```" in section and "Fix: " in section, entry.code


def test_exit_codes_are_documented() -> None:
    text = (DOC_PATH.parent / "exit-codes.md").read_text("utf-8")
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in text
