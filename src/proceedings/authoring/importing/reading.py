"""Finding the memos under the paths given to `import`, and reading one memo's text."""

from __future__ import annotations

import re
from pathlib import Path

from proceedings.authoring.importing.model import MemoSource, Report
from proceedings.errors import ProceedingsError
from proceedings.i18n import _

_NOT_SHIFT_JIS = re.compile(r"[\x80-\x9f\ue000-\uf8ff]")

MEMO_SUFFIXES = (".md", ".markdown")
MAX_SEARCH_DEPTH = 6


def find_memos(paths: list[Path]) -> tuple[list[MemoSource], list[ProceedingsError]]:
    """Memo files under the given files/folders, in a stable order."""
    found: list[MemoSource] = []
    problems: list[ProceedingsError] = []
    for given in paths:
        if not given.exists():
            problems.append(ProceedingsError(_("no such file or folder"), path=given))
            continue
        given = given.resolve()
        if not given.is_file() and not given.is_dir():
            # Reading a FIFO waits forever and /dev/zero never ends: only files are memos.
            problems.append(
                ProceedingsError(
                    _("is not a regular file or a folder (a pipe, device or socket)"),
                    path=given,
                    hint=_("pass the memo file or the folder that holds it"),
                )
            )
            continue
        if given.is_file():
            if given.suffix.lower() not in MEMO_SUFFIXES:
                problems.append(
                    ProceedingsError(
                        _("not a Markdown memo (.md)"),
                        path=given,
                        hint=_("pass the memo file or the folder that holds it"),
                    )
                )
                continue
            found.append(MemoSource(given, given.parent, _only_memo(given)))
            continue
        before = len(found)
        _collect(given, given, found, depth=0)
        if len(found) == before:
            problems.append(
                ProceedingsError(_("no Markdown memo (.md) found in this folder"), path=given)
            )
    unique: dict[Path, MemoSource] = {}
    for memo in found:
        unique.setdefault(memo.path, memo)
    return list(unique.values()), problems


def _memo_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in MEMO_SUFFIXES and not p.name.startswith(".")
    )


def _only_memo(path: Path) -> bool:
    return _memo_files(path.parent) == [path]


def _collect(folder: Path, boundary: Path, found: list[MemoSource], depth: int) -> None:
    memos = _memo_files(folder)
    if memos:
        found += [MemoSource(m, boundary, len(memos) == 1) for m in memos]
        return
    if depth >= MAX_SEARCH_DEPTH:
        return
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and not child.is_symlink():
            _collect(child, boundary, found, depth + 1)


def read_memo(path: Path, report: Report) -> list[str]:
    """The memo's lines: UTF-8 (BOM dropped) or Shift_JIS, any line ending, no final blank."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise report.error(_("cannot be read: {problem}").format(problem=exc.strerror)) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = raw.decode("cp932")
            # Python's cp932 maps stray bytes to private-use or C1 characters rather than
            # failing; real Shift_JIS memos contain neither.
            if _NOT_SHIFT_JIS.search(text):
                raise UnicodeDecodeError("cp932", raw, 0, 1, "not Shift_JIS")
        except UnicodeDecodeError:
            line = raw[: exc.start].count(b"\n")
            raise report.error(
                _("is neither UTF-8 nor Shift_JIS (byte offset {offset})").format(
                    offset=exc.start),
                line,
                _("re-save the memo as UTF-8"),
            ) from None
        report.decided(None, _("read as Shift_JIS (cp932); the imported files are UTF-8"))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
