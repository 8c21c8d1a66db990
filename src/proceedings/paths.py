"""Paths as the project shows them: relative to the WG root, with `/` separators."""

from __future__ import annotations

from pathlib import Path


def relative_posix(path: Path, root: Path, *, resolve: bool = False) -> str:
    """`path` relative to `root` (POSIX separators), or `path` as given when it is outside.

    With `resolve`, both are made real paths first (symlinks and `..` followed) — right for
    outputs; the loader compares paths as found, so a link that leaves the repository shows.
    """
    inside, base = (path.resolve(), root.resolve()) if resolve else (path, root)
    try:
        return inside.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
