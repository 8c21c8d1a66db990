"""Checks of single setting values: a page size, a folder path, a count, a marker.

Each `*_problem(value)` returns None for a good value, or what a good value looks like (the
config loader puts it in its one-line error, after the file and line). Plain functions of the
text, so the table of settings in `proceedings.config` can name them and other stages (the
PDF fonts check) can reuse them; where a folder's symlinks lead is judged when the config is
loaded (`proceedings.config.check_folder`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath

from proceedings.i18n import _
from proceedings.paths import GIT_DIR

# Page sizes WeasyPrint knows by name: the ISO A, B and C series, JIS B, and three US sizes.
PAGE_SIZE_NAMES = frozenset(
    [f"{series}{n}" for series in ("a", "b", "c", "jis-b") for n in range(11)]
    + ["letter", "legal", "ledger"]
)
_PAGE_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(mm|cm|in|pt|pc|px|q)$")
_MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6,
                "px": 25.4 / 96, "q": 0.25}
# A page outside these bounds is a typo; a 0 mm page would make the layout run away.
SMALLEST_PAGE_MM, LARGEST_PAGE_MM = 50, 2000


def page_size_problem(value: str) -> str | None:
    """None when `value` is a page size for the PDF: a known name, optionally `portrait` or
    `landscape`, or one or two lengths of 50–2000 mm (`182mm 257mm`)."""
    words = value.lower().split()
    named = (len(words) == 1 and words[0] in PAGE_SIZE_NAMES) or (
        len(words) == 2 and words[0] in PAGE_SIZE_NAMES and words[1] in ("portrait", "landscape")
    )
    if named:
        return None
    lengths = [_PAGE_LENGTH.match(word) for word in words]
    if words and len(words) <= 2 and all(lengths):
        sizes = [float(m.group(1)) * _MM_PER_UNIT[m.group(2)] for m in lengths if m]
        if all(SMALLEST_PAGE_MM <= size <= LARGEST_PAGE_MM for size in sizes):
            return None
    return _("a CSS page size such as A4, B5, JIS-B5, letter, `A4 landscape` or `182mm 257mm` "
             "({smallest}–{largest} mm a side)").format(smallest=SMALLEST_PAGE_MM,
                                                       largest=LARGEST_PAGE_MM)


# The longest file or folder name Linux, macOS and Windows file systems accept (NAME_MAX).
LONGEST_NAME_BYTES = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_DRIVE = re.compile(r"^[A-Za-z]:")
_PATH_PARTS = re.compile(r"[/\\]")


def folder_problem(value: str) -> str | None:
    """None when `value` can name a folder under the WG root: relative, no control characters
    (a NUL makes every file call fail), no name longer than the file system allows."""
    if _CONTROL.search(value):
        return _("a folder path without control characters (NUL, newline, …)")
    if value.startswith(("/", "\\")) or _DRIVE.match(value):
        return _("a folder path relative to the WG root (e.g. \"sessions\")")
    if any(len(part.encode("utf-8")) > LONGEST_NAME_BYTES for part in _PATH_PARTS.split(value)):
        return _("a folder path whose names are at most {count} bytes long").format(
            count=LONGEST_NAME_BYTES)
    return inside_problem(value)


def positive_problem(value: int) -> str | None:
    """None when `value` is a count of at least one."""
    return None if value >= 1 else _("a whole number of at least 1")


def marker_problem(value: str) -> str | None:
    """None when `value` can mark a key point."""
    # An empty marker would be found in every paragraph: each would become a key point.
    return None if value.strip() else _("a marker with at least one visible character")


def inside_problem(value: str) -> str | None:
    """None when `value` names a folder inside the WG repository: relative, without `..`,
    not in .git. (Where a symlink on the way leads is judged when the config is loaded:
    `check_folder`.)"""
    path = PurePosixPath(value.replace("\\", "/"))
    if "\0" in value or path.is_absolute() or ".." in path.parts or PureWindowsPath(value).drive:
        return _("a folder inside the WG repository, relative to it and without `..`")
    if any(part.lower() == GIT_DIR for part in path.parts):
        return _("a folder outside .git")
    return None
