"""The shape of one diagnostic code's documentation (the entries are in docs_check_codes.py
and docs_build_codes.py; check/rules/docs.py makes `proceedings explain` and docs/rules.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleDoc:
    why: str  # what the rule finds and why it matters
    example: str  # a failing example (Markdown, a file listing, or a description)
    fix: str  # how to fix it (text, may contain a corrected example)
    example_lang: str = "markdown"

