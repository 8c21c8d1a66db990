"""One build of a WG root at a time: an exclusive `flock` on the root folder."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from proceedings.errors import ProceedingsError
from proceedings.i18n import _

if TYPE_CHECKING:
    from proceedings.render.build import BuildOptions

_held: dict[str, tuple[int, int]] = {}  # real path -> (fd, depth): the locks this process holds


@contextlib.contextmanager
def exclusive_lock(
    folder: Path, *, timeout: float, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold an exclusive `flock` on `folder` (a directory, which always exists, so no lock
    file is left behind). Another process holding it makes this wait, calling `on_wait`
    once, up to `timeout` seconds; then LockTimeout. Re-entrant within a process. The kernel
    releases the lock when the holder exits, however it ends (kill -9 included)."""
    import fcntl
    import time

    key = os.path.realpath(folder)
    if key in _held:
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[key]
            _held[key] = (fd, depth - 1)
        return
    fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited and on_wait is not None:
                    on_wait()
                waited = True
                if time.monotonic() >= deadline:
                    raise LockTimeout(key, timeout) from None
                time.sleep(0.05)
        _held[key] = (fd, 1)
        try:
            yield
        finally:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class LockTimeout(Exception):
    def __init__(self, folder: str, timeout: float) -> None:
        super().__init__(folder, timeout)
        self.folder = folder
        self.timeout = timeout


@contextlib.contextmanager
def build_lock(root: Path, options: BuildOptions) -> Iterator[None]:
    """One build of a WG root at a time: a second one waits for the first (telling
    `options.progress` "wait for another build"), up to `options.lock_timeout` seconds."""
    step = options.progress or (lambda name: None)
    try:
        with exclusive_lock(
            root, timeout=options.lock_timeout,
            on_wait=lambda: step(_("wait for another build of this folder to finish")),
        ):
            yield
    except LockTimeout:
        raise ProceedingsError(
            _("another `proceedings build` of {root} is still running (waited {seconds:g} s)")
            .format(root=root, seconds=options.lock_timeout),
            hint=_("let it finish, then run the command again"),
        ) from None
