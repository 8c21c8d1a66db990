"""Slugs: the ASCII names of session folders and note files.

A slug is `[a-z0-9]` words joined by single hyphens, at most 50 characters — exactly what the
workspace loader accepts in `YYYY-MM-DD-<slug>/` and `NN-<slug>.md`. `slugify` derives one from
a title; `validate_slug` checks one a user typed, so that no input can name a path outside
`sessions/` (no `/`, `..`, NUL or control characters, no names Windows reserves).
"""

from __future__ import annotations

import re
import unicodedata

from proceedings.errors import ProceedingsError
from proceedings.i18n import _

MAX_SLUG_LENGTH = 50
SESSION_FALLBACK_SLUG = "session"  # for a session whose title gives no slug: 2025-06-01-session
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NOT_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_STARTS_WITH_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:-|$)")

# Names Windows cannot create as files or folders (with or without an extension). A WG repo is
# cloned on every member's machine, so these are refused everywhere.
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


_LETTER = re.compile(r"[a-z]")


def slugify(title: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """ASCII slug from a title, or "" when the title has no ASCII letter to build one from.

    NFKC first (full-width `ＭＬ` becomes `ML`), then accents are dropped (`Café` -> `cafe`),
    lower-cased, and every run of other characters becomes one hyphen. A result without any
    letter (`第3回` -> `3`) says nothing about the title, so it counts as no slug.
    """
    text = unicodedata.normalize("NFKC", title)
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    slug = _NOT_SLUG_CHARS.sub("-", text.lower()).strip("-")
    # A leading date would repeat the folder's date: `2025-06-01 meetup` -> `meetup`.
    slug = _STARTS_WITH_DATE.sub("", slug)
    if not _LETTER.search(slug):
        return ""
    slug = _shorten(slug, max_length)
    return "" if slug in RESERVED_NAMES else slug


def _shorten(slug: str, max_length: int) -> str:
    if len(slug) <= max_length:
        return slug
    cut = slug[:max_length]
    # Prefer ending at a word boundary, unless that throws away most of the slug.
    if "-" in cut and slug[max_length] != "-":
        head = cut.rsplit("-", 1)[0]
        if len(head) >= max_length // 2:
            cut = head
    return cut.strip("-")


def validate_slug(value: str, *, flag: str = "--slug") -> str:
    """Return `value` if it is a safe slug, else raise a ProceedingsError saying what to pass."""
    shown = _printable(value)
    problem = slug_problem(value)
    if problem is None:
        return value
    suggestion = slugify(value)
    hint = (
        _("try {flag} {suggestion}").format(flag=flag, suggestion=suggestion)
        if suggestion and suggestion != value and slug_problem(suggestion) is None
        else _("use lower-case a-z, 0-9 and single hyphens, e.g. `summer-camp`")
    )
    raise ProceedingsError(
        _("{flag} {value}: {problem}").format(flag=flag, value=shown, problem=problem),
        hint=hint)


_DRIVE = re.compile(r"^[A-Za-z]:")
_PATH_SEPARATORS = re.compile(r"[/\\]")


def slug_problem(value: str) -> str | None:
    """Why `value` cannot be a slug (None when it can). Checks the dangerous cases first.

    The reason reads after the slug it is about (`slug `x` (--slug) is not a name`); in
    Japanese it is a clause of its own, after a colon."""
    if value == "":
        return _("a slug cannot be empty")
    if "\x00" in value:
        return _("contains a NUL character")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        return _("contains a control character")
    if value.startswith(("/", "\\")) or _DRIVE.match(value):
        return _("is an absolute path; a slug is a single name inside the sessions folder")
    if value in (".", ".."):
        return _("is not a name")
    if ".." in _PATH_SEPARATORS.split(value):
        return _("points outside the sessions folder (`..`)")
    if "/" in value or "\\" in value:
        return _("is a path; a slug is a single name without `/` or `\\`")
    if ".." in value:
        return _("contains `..`")
    if value.lower() in RESERVED_NAMES or value.lower().split(".")[0] in RESERVED_NAMES:
        return _("`{name}` is a reserved name on Windows").format(
            name=value.lower().split(".")[0])
    if not SLUG_PATTERN.match(value):
        return _("may contain only a-z, 0-9 and single hyphens (not at the start or end)")
    if len(value) > MAX_SLUG_LENGTH:
        return _("is {length} characters long; at most {limit} are allowed").format(
            length=len(value), limit=MAX_SLUG_LENGTH)
    return None


def starts_with_date(value: str) -> bool:
    return bool(_STARTS_WITH_DATE.match(value))


def _printable(value: str) -> str:
    """The value quoted for an error message, with control characters made visible."""
    return repr(value) if any(unicodedata.category(ch) == "Cc" for ch in value) else f"`{value}`"
