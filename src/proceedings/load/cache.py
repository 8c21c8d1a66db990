"""Caches under `.proceedings-cache/` at the WG root: how they are stamped, read and written.

A cache is only an accelerator: a missing, stale, corrupt, hostile or unwritable file is
silently ignored and the value computed again. `PROCEEDINGS_NO_CACHE=1` turns every cache off.
The folder holds a `.gitignore` of `*`, so git never sees it.

Every file in a WG repository is untrusted, and that includes this folder: a member can commit
it with `git add -f`. So a cache file is JSON (reading it can only build lists, dicts, strings
and numbers, never run anything), read only when it is a regular file no larger than
`MAX_CACHE_BYTES`, and each value taken from it is checked for its exact shape and types by its
user before it is used (facts_cache.py, source.FrontMatterCache, `parsed_config` here). A file
is also tied to the folder it was written in (the device and inode of `check/`): a folder that
git checked out in a clone, or that was copied, is a different folder, so a committed cache
(however well formed) is ignored, and cannot make a run skip a finding. The file is two lines:
`{"stamp": …, "folder": …}`, checked before the second line (the entries) is even read. The
folders must be real folders: a symbolic link in their place means no cache, read or written.

What is cached lives with its users: the checker's facts and front matter in facts_cache.py,
the parsed config here. Pickle files left by releases before cache format 7 are never read;
writing a cache file removes the pickle it replaces.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from proceedings import __version__

CACHE_DIR = ".proceedings-cache"
FORMAT = 8  # bump when Facts (or a record it holds), or what front matter is accepted, changes
MAX_CACHE_BYTES = 64 * 1024 * 1024  # a larger file is not read (nor written)
MAX_HEADER_BYTES = 4096  # the first line: stamp and folder
MAX_DEPTH = 64  # nesting of a cached value (front matter, config) beyond this is not cached

Stamp = list[Any]  # JSON values: what a cache file was written with


def enabled() -> bool:
    return not os.environ.get("PROCEEDINGS_NO_CACHE")


def make_stamp(packages: tuple[str, ...] = ("markdown_it", "mdit_py_plugins")) -> Stamp:
    """What the cached values were computed with. The parser packages are identified by their
    installed files (size and mtime), so checking the stamp does not import them."""
    # PathFinder, not importlib.util.find_spec: importing importlib.util costs ~5 ms.
    from importlib.machinery import PathFinder

    parts: Stamp = [FORMAT, __version__]
    for package in packages:
        spec = PathFinder.find_spec(package)
        origin = spec.origin if spec is not None else None
        try:
            info = os.stat(origin) if origin else None
        except OSError:
            info = None
        parts.append([package, info.st_size, info.st_mtime_ns] if info else [package, None])
    return parts


def folder_identity(folder: Path) -> list[int] | None:
    """Device and inode of the cache folder `folder` (`.proceedings-cache/check`), or None
    when it or its parent is missing or is not a real folder (a symbolic link, a file)."""
    if not _is_real_folder(folder.parent):
        return None
    try:
        info = os.lstat(folder)
    except (OSError, ValueError):
        return None
    return [info.st_dev, info.st_ino] if stat.S_ISDIR(info.st_mode) else None


def _is_real_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not cached")  # NaN and infinities: not plain JSON


def load_entries(path: Path, stamp: Stamp) -> dict[str, Any]:
    """The entries stored at `path` with `stamp` by a run on this folder; empty when the file
    is missing, unreadable, too large, not JSON of the right shape, stale, or was written
    elsewhere (see the module docstring). The values are still unchecked."""
    identity = folder_identity(path.parent)
    if identity is None:
        return {}
    try:
        # O_NONBLOCK: opening a FIFO put in the file's place must not wait for a writer.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except (OSError, ValueError):
        return {}
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
            return {}
        with os.fdopen(handle, "rb", closefd=False) as reader:
            # The first line says what wrote the file: checked before the rest is read, so a
            # large file from elsewhere (committed, copied) costs one short line.
            if _loads(reader.readline(MAX_HEADER_BYTES)) != {"stamp": stamp, "folder": identity}:
                return {}
            entries = _loads(reader.read(MAX_CACHE_BYTES))
    except OSError:
        return {}
    finally:
        os.close(handle)
    return entries if type(entries) is dict else {}


def _loads(raw: bytes) -> Any:
    """The JSON value in `raw`, or None when it is not UTF-8 JSON (or is NaN, nested too deep
    for the parser, or holds a number too long to convert)."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None


def save_entries(
    path: Path, stamp: Stamp, entries: dict[str, Any], replaces: str | None = None
) -> None:
    """Write `entries` to `path` (replacing it whole), creating the git-ignored cache folder,
    and remove the pickle the file replaces (`replaces`, by default the same name ending in
    .pickle). Nothing is written into a folder that is a symbolic link, through a link in the
    temporary file's place, or beyond `MAX_CACHE_BYTES`."""
    try:
        path.parent.parent.mkdir(exist_ok=True)  # .proceedings-cache, in the WG root
        if not _is_real_folder(path.parent.parent):
            return
        path.parent.mkdir(exist_ok=True)
        identity = folder_identity(path.parent)
        if identity is None:
            return
        ignore = path.parent.parent / ".gitignore"
        if not os.path.lexists(ignore):
            _write_new(ignore, b"# Written by proceedings: a cache, never commit it.\n*\n")
        data = b"\n".join(
            json.dumps(part, ensure_ascii=False, separators=(",", ":"),
                       allow_nan=False).encode("utf-8")
            for part in ({"stamp": stamp, "folder": identity}, entries)
        )
        if len(data) > MAX_CACHE_BYTES:
            return
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        _write_new(temp, data)
        os.replace(temp, path)
        old = path.with_name(replaces or path.with_suffix(".pickle").name)
        if os.path.lexists(old):  # format 6 or before: never read again
            os.unlink(old)
    except (OSError, ValueError):  # read-only checkout, no space, a value JSON cannot hold
        pass


def _write_new(path: Path, data: bytes) -> None:
    """Write a new file at `path`; fails when anything (a file, a link) is already there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(path, flags, 0o644)
    try:
        with os.fdopen(handle, "wb", closefd=False) as writer:
            writer.write(data)
    except BaseException:
        os.close(handle)
        os.unlink(path)
        raise
    os.close(handle)


def plain_copy(value: Any, depth: int = 0) -> Any:
    """A fresh copy of `value` made only of JSON's own types, with str keys and finite floats,
    nested at most `MAX_DEPTH` deep; ValueError for anything else (a tuple, a set, bytes, a
    date, NaN, a non-string key). What goes into a cache and what comes out of it pass here,
    so a value comes back as it went in, or not at all."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        return value
    if kind is float:
        if value - value != 0.0:  # NaN or an infinity
            raise ValueError("not a finite number")
        return value
    if depth >= MAX_DEPTH:
        raise ValueError("nested too deep")
    if kind is list:
        return [plain_copy(item, depth + 1) for item in value]
    if kind is dict:
        copy: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise ValueError("a key that is not a string")
            copy[key] = plain_copy(item, depth + 1)
        return copy
    raise ValueError(f"{kind.__name__} is not cached")


# --- parsed proceedings.toml ------------------------------------------------------------------
#
# Every run reads the WG's config; parsing it means importing tomllib (~8 ms with what it
# imports). The parsed table is kept by the file's exact text: any edit parses it again, and a
# file with a TOML error is never stored. Only a WG that already has the cache folder (made by
# `check`) gets the entry: loading the config for a dry run, `list` or `init` writes nothing.

CONFIG_CACHE_FILE = "config.json"


def parsed_config(path: Path, text: str, parse: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """`parse(text)` for the config file at `path`, remembered by exact text. A table holding
    what JSON cannot (a TOML date, NaN) is parsed every time."""
    if not enabled():
        return parse(text)
    cache_path = path.parent / CACHE_DIR / "check" / CONFIG_CACHE_FILE
    stamp = make_stamp(())
    entries = load_entries(cache_path, stamp)
    stored = entries.get(path.name)
    if type(stored) is list and len(stored) == 2 and stored[0] == text:
        try:
            data = plain_copy(stored[1])
        except (ValueError, RecursionError):
            data = None
        if type(data) is dict:
            return data
    data = parse(text)
    if _is_real_folder(path.parent / CACHE_DIR):  # a check made it; loading alone never does
        try:
            entries[path.name] = [text, plain_copy(data)]
        except (ValueError, RecursionError):
            return data
        save_entries(cache_path, stamp, entries)
    return data
