"""The front-matter schema of session.md and topic notes, and its validation."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from proceedings import codes
from proceedings.diagnostics import Diagnostic
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.text import closest, did_you_mean

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class KeySpec(NamedTuple):
    name: str
    kind: str  # "text", "date", "text-list", "count-or-list", "choice"
    required: bool = False
    choices: tuple[str, ...] = ()
    doc: str = ""


SESSION_KEYS: tuple[KeySpec, ...] = (
    KeySpec("title", "text", True, doc="Session title."),
    KeySpec("date", "date", True, doc="Session date, YYYY-MM-DD; equals the folder's date."),
    KeySpec("event", "text", doc="The event the session was part of."),
    KeySpec("url", "text", doc="Event page."),
    KeySpec("location", "text", doc="Where it took place (or `online`)."),
    KeySpec("facilitators", "text-list", doc="Who facilitated."),
    KeySpec("participants", "count-or-list", doc="Number of participants, or their names."),
    KeySpec("tags", "text-list", doc="Free-form tags."),
    KeySpec("language", "choice", choices=("ja", "en"), doc="Language of the session's notes."),
)

NOTE_KEYS: tuple[KeySpec, ...] = (
    KeySpec("title", "text", True, doc="Topic title; the note's H1 must match it."),
    KeySpec("scribes", "text-list", doc="Who took the notes."),
    KeySpec("tags", "text-list", doc="Free-form tags."),
    KeySpec("status", "choice", choices=("draft", "final"), doc="Editing state of the note."),
)


def parse_iso_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def parse_date_option(text: str, flag: str = "--date") -> dt.date:
    """A date typed by the user (`--date`, `--since`, `--until`, a prompt): YYYY-MM-DD and a
    real day. Raises ProceedingsError naming the option."""
    text = text.strip()
    if not ISO_DATE.match(text):
        raise ProceedingsError(
            _("{option} {text} is not a date in the form YYYY-MM-DD").format(
                option=flag, text=text),
            hint=_("e.g. 2025-06-01"),
        )
    parsed = parse_iso_date(text)
    if parsed is None:
        raise ProceedingsError(_("{option} {text} is not a real date").format(
            option=flag, text=text), hint=_("check day and month"))
    return parsed


def validate(
    meta: dict[str, Any],
    key_lines: dict[str, int],
    closing_line: int,
    specs: tuple[KeySpec, ...],
    path: str,
) -> list[Diagnostic]:
    """Check keys and value types. Missing keys point at the closing `---` line."""
    by_name = {spec.name: spec for spec in specs}
    found: list[Diagnostic] = []
    for key, value in meta.items():
        line = key_lines.get(str(key), 1)
        spec = by_name.get(str(key))
        if spec is None:
            close = closest(str(key), by_name)
            hint = (did_you_mean(close) if close else
                    _("allowed: {keys}").format(keys=", ".join(by_name)))
            found.append(_diag(codes.UNKNOWN_KEY, path, line,
                               _("unknown key `{key}`").format(key=key), hint))
            continue
        found += _check_value(spec, value, path, line)
    for spec in specs:
        if spec.required and spec.name not in meta:
            found.append(
                _diag(
                    codes.MISSING_KEY,
                    path,
                    closing_line,
                    _("missing required key `{key}`").format(key=spec.name),
                    _("add `{key}: …` before this line").format(key=spec.name),
                )
            )
    return found


def _check_value(spec: KeySpec, value: Any, path: str, line: int) -> list[Diagnostic]:
    def wrong(expected: str) -> list[Diagnostic]:
        message = _("`{key}` must be {expected}, not {value}").format(
            key=spec.name, expected=expected, value=_describe(value))
        return [_diag(codes.WRONG_TYPE, path, line, message)]

    if spec.kind == "text":
        if not isinstance(value, str) or not value.strip():
            return wrong(_("non-empty text"))
    elif spec.kind == "date":
        if parse_iso_date(value) is None:
            if isinstance(value, str) and ISO_DATE.match(value):
                return [_diag(codes.INVALID_DATE, path, line,
                              _("`{value}` is not a real date").format(value=value))]
            return [
                _diag(
                    codes.INVALID_DATE,
                    path,
                    line,
                    _("`{key}` must be a date like 2024-03-16, not {value}").format(
                        key=spec.name, value=_describe(value)),
                )
            ]
    elif spec.kind == "text-list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return wrong(_("a list of text"))
    elif spec.kind == "count-or-list":
        is_count = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        is_list = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not (is_count or is_list):
            return wrong(_("a count or a list of names"))
    elif spec.kind == "choice" and value not in spec.choices:
        return wrong(_("one of {choices}").format(choices=", ".join(spec.choices)))
    return []


def _describe(value: Any) -> str:
    if value is None:
        return _("empty")
    if isinstance(value, str):
        return f'"{value}"'
    return f"{type(value).__name__} {value!r}"


def _diag(code: codes.Code, path: str, line: int, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(path, line, 1, code.code, message, code.severity, hint)
