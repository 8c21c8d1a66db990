"""docs/configuration.md is generated from the config tables and must not drift."""

from __future__ import annotations

from pathlib import Path

from proceedings.config import reference_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_configuration_reference_matches_code() -> None:
    assert DOC.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/configuration.md is stale: run `python -m proceedings.config > docs/configuration.md`"
    )


def test_every_setting_is_documented() -> None:
    text = reference_markdown()
    for key in (
        "wg_name",
        "language",
        "key_point_marker",
        "fail_on",
        "private_terms",
        "allow_raw_html",
        "formats",
        "required",
    ):
        assert f"| `{key}` |" in text
