"""The catalogue of diagnostic codes: stable code, short name, group, default severity.

Every code is registered here, and only here: the loader (load/), the rules (check/rules/),
the compiler (compile/) and the PDF renderer (render/) report with these entries; a rule
names its entry in `@rule(codes.X, ...)`. `proceedings rules` lists them and docs/rules.md
(made by check/rules/docs.py, which also holds each code's long description) documents each.
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

# Note structure (check/rules/structure.py)
TITLE_MISMATCH = register(
    "S301", "title-mismatch", "structure", E,
    "The note's H1 differs from its front-matter title.",
)
MISSING_H1 = register("S302", "missing-h1", "structure", W, "The note has no H1 title heading.")
MULTIPLE_H1 = register(
    "S303", "multiple-h1", "structure", W,
    "The note has more than one H1 heading.",
)
MISSING_SECTION = register(
    "S304", "missing-section", "structure", E,
    "A required section is missing.", True,
)
EMPTY_SECTION = register("S305", "empty-section", "structure", W, "A section has no content.")
HEADING_JUMP = register(
    "S306", "heading-jump", "structure", W,
    "A heading skips a level (e.g. ## then ####).",
)
DUPLICATE_HEADING = register(
    "S307", "duplicate-heading", "structure", W,
    "Two sibling headings have the same text.",
)
DUPLICATE_TITLE = register(
    "S308", "duplicate-title", "structure", W,
    "Two notes in one session have the same title.",
)
NESTED_TOO_DEEP = register(
    "S309", "nested-too-deep", "structure", E,
    "Lists or quotes are nested deeper than Markdown is parsed; the rest is dropped.",
)

# Content (check/rules/content.py)
UNFILLED_PLACEHOLDER = register(
    "C401", "unfilled-placeholder", "content", W,
    "Template guidance (✎ …) was left in the note.",
)
MISSING_LINK_TARGET = register(
    "C402", "missing-link-target", "content", E,
    "A relative link points at a missing file.",
)
MISSING_IMAGE_TARGET = register(
    "C403", "missing-image", "content", E,
    "An image points at a missing file.",
)
MISSING_ANCHOR = register(
    "C404", "missing-anchor", "content", E,
    "A link's #anchor is not a heading of its target.",
)
LINK_OUTSIDE_REPO = register(
    "C405", "link-outside-repo", "content", E,
    "A link leaves the repository, or an image the sessions folder.",
)
RAW_HTML = register(
    "C406", "raw-html", "content", W,
    "Raw HTML in a note (the build shows it as text).",
)
INVISIBLE_CONTROL = register(
    "C412", "invisible-control", "content", E,
    "A bidi override, another invisible character or a control character is in the text.",
)

# Privacy (check/rules/privacy.py)
EMAIL_ADDRESS = register(
    "C407", "email-address", "content", E,
    "An e-mail address would be published.",
)
PHONE_NUMBER = register("C408", "phone-number", "content", E, "A phone number would be published.")
PRIVATE_TERM = register(
    "C409", "private-term", "content", E,
    "A term from check.private_terms appears.",
)
UNUSED_FOOTNOTE = register(
    "C410", "unused-footnote", "content", W,
    "A footnote is defined but never cited, so the outputs leave it out.",
)
DUPLICATE_FOOTNOTE = register(
    "C411", "duplicate-footnote", "content", W,
    "A footnote label is defined twice; the outputs keep only the last definition.",
)

# Disable comments and the checker itself (check/rules/meta.py)
UNUSED_DISABLE = register(
    "X601", "unused-disable", "meta", W, "A disable comment suppresses nothing."
)
BAD_DISABLE = register(
    "X602", "unknown-code-in-disable", "meta", W, "A disable comment names an unknown rule."
)
RULE_CRASHED = register(
    "X603", "internal-error", "meta", E, "A rule failed on this file (a bug in proceedings)."
)

# Build (compile/: document, rewrite, assets)
MISSING_IMAGE = register(
    "B801", "missing-image", "build", E, "An image that a note shows does not exist."
)
IMAGE_OUTSIDE = register(
    "B802", "image-outside-sessions", "build", E,
    "An image path leads outside the sessions folder.",
)
UNSUPPORTED_IMAGE = register(
    "B803", "unsupported-image", "build", E,
    "An image is not SVG, PNG, JPEG, GIF, WebP or AVIF.",
)
REMOTE_IMAGE = register(
    "B804", "remote-image", "build", W,
    "An image is loaded from the network, so the outputs are not self-contained.",
)
LINK_NOT_BUILT = register(
    "B805", "link-not-in-build", "build", W,
    "A link points to a note or file that is not part of the build; it is shown as text.",
)
UNKNOWN_ANCHOR = register(
    "B806", "unknown-anchor", "build", W,
    "A link names a heading that does not exist; it points to the top of the note instead.",
)
UNSAFE_URL = register(
    "B807", "unsafe-url", "build", W,
    "A link or image uses a URL scheme other than http(s) or mailto; it is shown as text.",
)
RAW_HTML_DROPPED = register(
    "B808", "raw-html-dropped", "build", W,
    "Raw HTML outside the allowlist was removed (only with build.allow_raw_html).",
)
INSECURE_IMAGE = register(
    "B812", "insecure-image", "build", W,
    "An image is loaded over plain http://; it is left out of the outputs.",
)
SVG_CLEANED = register(
    "B813", "svg-active-content", "build", W,
    "An SVG holds scripts, event handlers or references to other files; the outputs get a "
    "copy without them.",
)
MANIFEST_IGNORED = register(
    "B810", "manifest-ignored", "build", W,
    "The output folder's record of the build's own files is not valid; it was ignored.",
)

# PDF (render/pdf.py)
MISSING_GLYPH = register(
    "P701", "missing-glyph", "pdf", E,
    "A character would be drawn as an empty box: no installed font has it.",
)
BLOCKED_RESOURCE = register(
    "P702", "blocked-resource", "pdf", W,
    "The PDF renderer refused a resource outside the WG repository (file, network, link).",
)

SLOW_SUBSETTING = register(
    "P703", "slow-font-subsetting", "pdf", W,
    "HarfBuzz subsetting (libharfbuzz-subset0) is missing, so PDF builds are much slower.",
)
