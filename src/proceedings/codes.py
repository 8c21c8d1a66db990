"""The catalogue of diagnostic codes: stable code, short name, group, default severity.

The loader (workspace.py) and the rules (rules/) report with these codes; `proceedings rules`
lists them and docs/rules.md documents each one.
"""

from __future__ import annotations

from typing import NamedTuple

from proceedings.diagnostics import Severity


class Code(NamedTuple):
    code: str
    name: str
    group: str
    severity: Severity
    summary: str
    fixable: bool = False


_CODES: dict[str, Code] = {}


def register(
    code: str, name: str, group: str, severity: Severity, summary: str, fixable: bool = False
) -> Code:
    entry = Code(code, name, group, severity, summary, fixable)
    _CODES[code] = entry
    return entry


def get(code: str) -> Code:
    return _CODES[code]


def all_codes() -> list[Code]:
    return sorted(_CODES.values(), key=lambda c: c.code)


E, W = Severity.ERROR, Severity.WARNING

# File and encoding
NOT_UTF8 = register("F101", "not-utf8", "file", E, "File is not valid UTF-8.")
BOM = register("F102", "bom", "file", W, "File starts with a UTF-8 byte-order mark.", True)
CRLF = register(
    "F103", "crlf", "file", W, "File uses CRLF (Windows) or CR (old Mac) line endings.", True
)
NO_FINAL_NEWLINE = register(
    "F104", "no-final-newline", "file", W, "File does not end with a newline.", True
)
UNREADABLE = register("F105", "unreadable", "file", E, "File cannot be read.")
NUL_BYTE = register(
    "F106", "nul-byte", "file", E, "File contains a NUL byte, which the outputs would show as �.",
    True,
)

# Front matter
NO_FRONT_MATTER = register("M201", "missing-front-matter", "front-matter", E, "No front matter.")
YAML_SYNTAX = register("M202", "yaml-syntax", "front-matter", E, "Front matter is not valid YAML.")
MISSING_KEY = register("M203", "missing-key", "front-matter", E, "A required key is missing.")
UNKNOWN_KEY = register("M204", "unknown-key", "front-matter", E, "Key is not part of the format.")
WRONG_TYPE = register("M205", "wrong-type", "front-matter", E, "Value has the wrong type.")
INVALID_DATE = register("M206", "invalid-date", "front-matter", E, "Date is not a real date.")
DATE_MISMATCH = register(
    "M207", "date-mismatch", "front-matter", E, "Session date differs from the folder's date."
)
NOT_MAPPING = register(
    "M208", "not-a-mapping", "front-matter", E, "Front matter is not a key: value mapping."
)
UNSAFE_YAML = register(
    "M209", "unsafe-yaml", "front-matter", E, "Front matter uses aliases or is too large."
)

# Session tree
BAD_NOTE_NAME = register(
    "T501", "bad-note-name", "tree", E, "Markdown file name is not NN-slug.md."
)
NUMBER_GAP = register("T502", "number-gap", "tree", W, "Note numbers have a gap.")
DUPLICATE_NUMBER = register(
    "T503", "duplicate-number", "tree", E, "Two notes share a number."
)
STRAY_FILE = register("T504", "stray-file", "tree", E, "File is neither a note nor an asset.")
MISSING_SESSION_FILE = register(
    "T505", "missing-session-file", "tree", E, "Session folder has no session.md."
)
BAD_SESSION_NAME = register(
    "T506", "bad-session-name", "tree", E, "Session folder name is not YYYY-MM-DD-slug."
)
EMPTY_SESSION = register("T507", "empty-session", "tree", W, "Session has no topic notes.")
