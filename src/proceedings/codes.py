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
OUTSIDE_REPOSITORY = register(
    "F107", "outside-repository", "file", E,
    "A file or folder is a link that leads outside the repository (or into .git).",
)
LEGACY_ENCODING = register(
    "F110", "legacy-encoding", "file", E,
    "File is in a legacy encoding (Shift_JIS, EUC-JP, UTF-16, …) that converts to UTF-8 "
    "losslessly.", True,
)
UNREADABLE_FOLDER = register(
    "F109", "unreadable-folder", "file", E, "A folder in the sessions tree cannot be listed."
)
TOO_LARGE = register(
    "F108", "file-too-large", "file", E, "File is larger than check.max_note_size; not read."
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
UNQUOTED_VALUE = register(
    "M212", "unquoted-value", "front-matter", E,
    "A front-matter value needs quotes (it contains `: ` or starts with `@`).",
)
UNCLOSED = register(
    "M213", "unclosed-bracket", "front-matter", E,
    "A `[`, `{` or quote in the front matter is never closed.",
)
MERGE_KEY = register(
    "M211", "yaml-merge-key", "front-matter", E, "Front matter uses a YAML merge key (`<<`)."
)

# Full-width slips (the loader reports them; the rule code lives with the structure rules)
FULL_WIDTH_SYNTAX = register(
    "S310", "full-width-syntax", "structure", E,
    "A full-width space, colon or `＃` stands where the format needs an ASCII one.", True,
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
