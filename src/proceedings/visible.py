"""Untrusted text made safe to show on a terminal or in a CI log.

File names, titles, heading text and anything else quoted from a WG repository may hold
characters that a terminal obeys instead of showing (ESC sequences that clear the screen or set
the window title, C1 controls, bidi overrides that reorder what is shown), or lines that a CI
runner obeys: GitHub Actions reads a line that starts with `::` (after blanks) as a workflow
command, and `##[` anywhere in a line as an old-style one. Every piece of text from the
repository passes through `visible()` on its way to the user; the CLI's consoles
(`proceedings.cli.common`) also escape whatever reaches them unescaped, and guard each line
they write (`guard_lines`).

The escapes are visible and ASCII: `\\x1b` for ESC, `\\n` for a newline, `\\u202e` for a
right-to-left override. Backslashes themselves are left alone, so the escaping is for reading,
not for reversing. JSON outputs stay lossless instead (`json_safe`): the same characters are
written as JSON `\\u` escapes, which decode to the original text.

Light (only `re`; Rich is imported by the functions that need it): the pre-commit hook
imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import IO, TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from rich.console import Console

# Characters a terminal, a log viewer or a bidi algorithm acts on instead of showing:
# C0 controls except tab, DEL and C1 controls, the Arabic letter mark, the left-to-right and
# right-to-left marks, the bidi embeddings and overrides (U+202A–U+202E) and isolates
# (U+2066–U+2069), the line and paragraph separators, and the invisible zero-width space,
# word joiner and byte-order mark. Newline is in the set: a quoted name is one line.
# Zero-width (non-)joiners are not: emoji and some scripts need them, and they move nothing.
# Last, the surrogates: a file name whose bytes are not UTF-8 reaches Python with each such
# byte as a lone surrogate (U+DC80–U+DCFF), which would go out as the raw byte (a C1 control
# in some terminals; never valid UTF-8, so never valid JSON).
CONTROL_CHARS = (
    "\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2060\u2066-\u2069\ufeff\ud800-\udfff"
)
_CONTROL = re.compile(f"[{CONTROL_CHARS}]")
# The same without C0: json.dumps escapes those inside strings, and a raw newline in its output
# is layout (indent=2), not data.
_CONTROL_ABOVE_C0 = re.compile(f"[{CONTROL_CHARS[CONTROL_CHARS.index(chr(0x7f)):]}]")
_NAMED = {"\n": "\\n", "\r": "\\r"}
# A line a GitHub Actions runner takes for a command: `::name …::` at its start (after
# blanks), or the old `##[name]` anywhere in it.
_LINE_COMMAND = re.compile(r"^([^\S\n]*+):(?=:)", re.MULTILINE)
_OLD_COMMAND = "##["


def escape_char(char: str) -> str:
    """`\\x1b`, `\\u202e`, `\\n`: one character written as a visible escape; a byte of a
    file name that is not UTF-8 (U+DC80–U+DCFF) as the byte it stands for, `\\xff`."""
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:
        code -= 0xDC00
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control, bidi and invisible character escaped (see CONTROL_CHARS),
    `##[` broken up and a leading `::` escaped, so that it prints as one inert line."""
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: escape_char(m.group()), text)
    return guard_lines(text)


def guard_lines(text: str) -> str:
    """Each line of `text` made inert for a CI runner: a `::` that starts a line (after
    blanks) becomes `\\x3a:`, and `##[` becomes `#\\x23[`. Other text is unchanged."""
    if "::" in text:
        text = _LINE_COMMAND.sub(r"\1\\x3a", text)
    if _OLD_COMMAND in text:
        text = text.replace(_OLD_COMMAND, "#\\x23[")
    return text


def json_safe(dumped: str) -> str:
    """A JSON document (from `json.dumps(..., ensure_ascii=False)`) with the characters of
    CONTROL_CHARS above C0 (json.dumps escapes C0 itself) and the `#` of `##[` written as
    `\\uXXXX`. These can only occur inside JSON strings, so the document still decodes to
    exactly the same data."""
    if _CONTROL_ABOVE_C0.search(dumped):
        dumped = _CONTROL_ABOVE_C0.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
    if _OLD_COMMAND in dumped:
        dumped = dumped.replace(_OLD_COMMAND, "#\\u0023[")
    return dumped


# --- Rich ----------------------------------------------------------------------------------

_CONTROL_BUT_NEWLINE = re.compile(f"[{CONTROL_CHARS.replace(chr(0x0a) + '-', chr(0x0b) + '-')}]")


def markup(text: object) -> str:
    """`text` for a Rich markup string: visible (see `visible`), and with `[` escaped so that
    `[red]` or `[/]` in a file name prints as written instead of styling or failing."""
    from rich.markup import escape

    return escape(visible(str(text)))


def make_console(**options: Any) -> Console:
    """A Rich Console that shows what reaches it escaped: any control, bidi or invisible
    character in the text it renders (the styles it adds itself are not text), and a line
    that a CI runner would take as a command (`guard_lines`). Text from the repository should
    still go through `visible`/`markup` first: a newline in a name is a real line break by the
    time the console sees it. The console writes to sys.stdout or sys.stderr as they are when
    it prints (as Rich's own does when no file is given)."""
    return _safe_console_class()(**options)


@cache
def _safe_console_class() -> type[Console]:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.segment import Segment

    def escape_segment(segment: Segment) -> Segment:
        if segment.control is None and _CONTROL_BUT_NEWLINE.search(segment.text):
            text = _CONTROL_BUT_NEWLINE.sub(lambda m: escape_char(m.group()), segment.text)
            return Segment(text, segment.style)
        return segment

    class SafeConsole(Console):
        def render(
            self, renderable: RenderableType, options: ConsoleOptions | None = None
        ) -> Iterator[Segment]:
            for segment in super().render(renderable, options):
                yield escape_segment(segment)

        @property
        def file(self) -> IO[str]:
            return cast("IO[str]", _GuardedFile(Console.file.fget(self)))  # type: ignore[attr-defined]

        @file.setter
        def file(self, new_file: IO[str]) -> None:
            Console.file.fset(self, new_file)  # type: ignore[attr-defined]

    return SafeConsole


class _GuardedFile:
    """A text stream whose writes pass through `guard_lines` (Rich writes whole lines)."""

    def __init__(self, target: IO[str]) -> None:
        self._target = target

    def write(self, text: str) -> int:
        return self._target.write(guard_lines(text))

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding, …
        return getattr(self._target, name)
