"""Atomic writes: a file is either the old version or the complete new one, never half.
(A build's whole output set is replaced all or nothing by render/output_set.py.)"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def stage_beside(path: Path, data: bytes) -> str:
    """Write `data` to a synced temporary file next to `path` (with `path`'s mode, or 0644)
    and return its name; `os.replace(name, path)` then swaps it in atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, path.lstat().st_mode & 0o777 if _is_file(path) else 0o644)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return temp_name


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace the file `path` with `data`. Never writes through a symlink: the rename
    replaces a link at `path` itself, so the file it pointed to is left as it was. (A caller
    that means to update a link's target — `check --fix` on a linked note — resolves and
    confines the path first; see fix.py.)"""
    temp_name = stage_beside(path, data)
    try:
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _is_file(path: Path) -> bool:
    """A regular file (not a link) whose mode the new version keeps."""
    return not path.is_symlink() and path.is_file()


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))
