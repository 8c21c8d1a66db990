"""Slugs from titles, and the validation that keeps user-given slugs inside sessions/."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proceedings.authoring.slugs import (
    MAX_SLUG_LENGTH,
    RESERVED_NAMES,
    SLUG_PATTERN,
    slug_problem,
    slugify,
    starts_with_date,
)
from proceedings.load.workspace import NOTE_FILE_PATTERN, SESSION_DIR_PATTERN


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Monitoring and Observability", "monitoring-and-observability"),
        ("MLOps 勉強会 2025", "mlops-2025"),  # mixed: the Japanese words drop out
        ("ＭＬ基盤の責任分界", "ml"),  # NFKC: full-width letters become ASCII
        ("Café  society!!", "cafe-society"),  # accents dropped, punctuation runs -> one hyphen
        ("  --Feature_Store--  ", "feature-store"),
        ("2025-06-01 meetup", "meetup"),  # a leading date would repeat the folder's date
        ("Q&A: what's next?", "q-a-what-s-next"),
    ],
)
def test_slugify_titles(title: str, slug: str) -> None:
    assert slugify(title) == slug


@pytest.mark.parametrize(
    "title", ["監視アーキテクチャ", "第3回 勉強会", "2025年", "", "!!!", "CON"]
)
def test_titles_without_ascii_letters_give_no_slug(title: str) -> None:
    # Digits alone ("3") say nothing about the title; a reserved name is no slug either.
    assert slugify(title) == ""


def test_long_titles_are_cut_at_a_word_boundary() -> None:
    title = "monitoring and observability architectures for machine learning systems"
    slug = slugify(title)
    assert slug == "monitoring-and-observability-architectures-for"
    assert len(slug) <= MAX_SLUG_LENGTH
    assert len(slugify("x" * 80)) == MAX_SLUG_LENGTH


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("../x", "outside the sessions folder"),
        ("a/../../b", "outside the sessions folder"),
        ("..\\x", "outside the sessions folder"),
        ("/etc", "absolute path"),
        ("\\\\server\\share", "absolute path"),
        ("C:evil", "absolute path"),
        ("a\x00b", "NUL"),
        ("a\nb", "control character"),
        ("tab\there", "control character"),
        ("a\u202eb", "control character"),  # right-to-left override
        (".", "not a name"),
        ("..", "not a name"),
        ("a/b", "is a path"),
        ("con", "reserved"),
        ("NUL", "reserved"),
        ("com1", "reserved"),
        ("lpt9.txt", "reserved"),
        ("", "empty"),
        ("Upper", "only a-z, 0-9"),
        ("with space", "only a-z, 0-9"),
        ("-lead", "only a-z, 0-9"),
        ("trail-", "only a-z, 0-9"),
        ("double--hyphen", "only a-z, 0-9"),
        ("監視", "only a-z, 0-9"),
        ("a" * (MAX_SLUG_LENGTH + 1), "at most 50"),
    ],
)
def test_bad_slugs_are_rejected_with_a_reason(value: str, message: str) -> None:
    problem = slug_problem(value)
    assert problem is not None and message in problem


@pytest.mark.parametrize("value", ["a", "workshop", "summer-camp-2024", "q3", "a" * 50, "console"])
def test_good_slugs_pass(value: str) -> None:
    assert slug_problem(value) is None


def test_reserved_names_cover_windows_devices() -> None:
    assert {"con", "prn", "aux", "nul", "com1", "lpt1"} <= RESERVED_NAMES


def test_starts_with_date() -> None:
    assert starts_with_date("2025-06-01-x")
    assert starts_with_date("2025-06-01")
    assert not starts_with_date("2025-summer")


@given(st.text())
def test_slugify_output_is_always_a_valid_slug_or_empty(title: str) -> None:
    slug = slugify(title)
    if slug:
        assert slug_problem(slug) is None
        assert SLUG_PATTERN.match(slug)
        # ...and it makes names the workspace loader accepts
        assert SESSION_DIR_PATTERN.match(f"2025-06-01-{slug}")
        assert NOTE_FILE_PATTERN.match(f"01-{slug}.md")


@given(st.text())
def test_an_accepted_slug_is_a_single_safe_name(value: str) -> None:
    if slug_problem(value) is None:
        assert "/" not in value and "\\" not in value and "\x00" not in value
        assert value not in (".", "..") and value.lower() not in RESERVED_NAMES
        assert value.isascii() and 0 < len(value) <= MAX_SLUG_LENGTH
