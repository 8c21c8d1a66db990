"""Paths as the project shows them: relative to the WG root, with `/` separators."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
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


def within(paths: Sequence[Path | str] | None) -> Callable[[Path], bool] | None:
    """A test: is a file one of `paths` or inside one of them (compared as real paths)?
    None without paths: every file is."""
    if not paths:
        return None
    given = [Path(os.path.realpath(path)) for path in paths]

    def test(path: Path) -> bool:
        real = Path(os.path.realpath(path))
        return any(real == item or (item.is_dir() and real.is_relative_to(item))
                   for item in given)

    return test
