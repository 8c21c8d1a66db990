"""Paths as the project shows them: relative to the WG root, with `/` separators."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path


def real_path(path: Path | str) -> Path:
    """`path` with every symbolic link followed, like Path.resolve(), except that a link loop
    gives the path where the loop was found instead of raising (a repository may hold one)."""
    return Path(os.path.realpath(path))


def relative_posix(path: Path, root: Path, *, resolve: bool = False) -> str:
    """`path` relative to `root` (POSIX separators), or `path` as given when it is outside.

    With `resolve`, both are made real paths first (symlinks and `..` followed) — right for
    outputs; the loader compares paths as found, so a link that leaves the repository shows.
    """
    inside, base = (real_path(path), real_path(root)) if resolve else (path, root)
    try:
        return inside.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def display_path(path: Path, *bases: Path) -> str:
    """`path` as a user should see it: relative to the first of `bases` it lies in (default:
    the current folder), both resolved, with `/` separators; else as given."""
    real = real_path(path)
    for base in bases or (Path.cwd(),):
        if real.is_relative_to(real_path(base)):
            return relative_posix(path, base, resolve=True)
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


# --- confinement: what the tool reads from (and writes to) a WG repository ---------------

GIT_DIR = ".git"


def real_inside(real: str, base: str) -> bool:
    """Whether the real path `real` is `base` or below it (both already real paths)."""
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def confinement_problem(path: Path | str, root: Path | str) -> str | None:
    """Why `path` is not repository content, or None when it is.

    Judged on its real path (every symlink followed, `..` resolved): it must lie inside the
    real path of `root` and not inside a `.git` folder there (git's own files, which may
    hold credentials, are never repository content). Said as the end of a sentence.
    """
    return _problem(os.path.realpath(path), _real_root(os.fspath(root)))


@lru_cache(maxsize=8)
def _real_root(root: str) -> str:
    """The real path of a WG root: resolved once per run (it is asked for every file)."""
    return os.path.realpath(root)


# What `confinement_problem` returns: the end of an English sentence, and a key for whole
# sentences in the message language (`refused_link_message`).
OUTSIDE = "leads outside the repository"
INTO_GIT = "leads into the repository's .git folder"


def _problem(real: str, base: str) -> str | None:
    if not real_inside(real, base):
        return OUTSIDE
    if GIT_DIR in real[len(base):].split(os.sep):
        return INTO_GIT
    return None


def refused_link_message(problem: str | None) -> str:
    """"is a symbolic link that … ; it is not read" for a file that `problem` (from
    `confinement_problem` or an `OutsideRepository`'s strerror) says is not repository
    content, as a whole sentence in the message language (shown after the file's path)."""
    from proceedings.i18n import _

    if problem == INTO_GIT:
        return _("is a symbolic link that leads into the repository's .git folder; it is not "
                 "read")
    if problem == OUTSIDE or problem is None:
        return _("is a symbolic link that leads outside the repository; it is not read")
    return _("is a symbolic link that {problem}; it is not read").format(problem=problem)


class OutsideRepository(OSError):
    """A file the tool was asked to read is not repository content (see
    `confinement_problem`); `strerror` says why."""


def read_inside(path: Path | str, root: Path | str, limit: int = -1) -> bytes:
    """The bytes of the regular file `path`, read only when it is repository content.

    The real path is checked just before reading and then opened with O_NOFOLLOW, so a
    final component swapped for a symlink in between is refused rather than followed; a
    pipe or device is refused without blocking (O_NONBLOCK). At most `limit` bytes are read
    when it is given. Raises OutsideRepository for a file outside the repository, OSError
    when it cannot be read.
    """
    real = os.path.realpath(path)
    problem = _problem(real, _real_root(os.fspath(root)))
    if problem is not None:
        raise OutsideRepository(errno.EPERM, problem, os.fspath(path))
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(real, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit)
    finally:
        os.close(fd)
