"""Pickled caches under `.proceedings-cache/` at the WG root: how they are stamped, read and
written.

A cache is only an accelerator: a missing, stale, corrupt or unwritable file is silently
ignored and the value computed again. `PROCEEDINGS_NO_CACHE=1` turns every cache off. The
folder holds a `.gitignore` of `*`, so git never sees it. What is cached lives with its users:
the checker's facts and front matter in facts_cache.py, the parsed config here.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

from proceedings import __version__

CACHE_DIR = ".proceedings-cache"
FORMAT = 6  # bump when Facts (or a record it holds), or what front matter is accepted, changes


def enabled() -> bool:
    return not os.environ.get("PROCEEDINGS_NO_CACHE")


def make_stamp(packages: tuple[str, ...] = ("markdown_it", "mdit_py_plugins")) -> tuple:
    """What the cached facts were computed with. The parser packages are identified by their
    installed files (size and mtime), so checking the stamp does not import them."""
    # PathFinder, not importlib.util.find_spec: importing importlib.util costs ~5 ms.
    from importlib.machinery import PathFinder

    parts: list = [FORMAT, __version__]
    for package in packages:
        spec = PathFinder.find_spec(package)
        origin = spec.origin if spec is not None else None
        try:
            info = os.stat(origin) if origin else None
        except OSError:
            info = None
        parts.append((package, info.st_size, info.st_mtime_ns) if info else (package, None))
    return tuple(parts)


def load_entries(path: Path, stamp: tuple) -> dict:
    """The entries pickled at `path` with `stamp`; empty when missing, unreadable or stale."""
    try:
        with open(path, "rb") as handle:
            stored_stamp, entries = pickle.load(handle)
    except Exception:  # missing, unreadable or from another version: start empty
        return {}
    return entries if stored_stamp == stamp and isinstance(entries, dict) else {}


def save_entries(path: Path, stamp: tuple, entries: dict) -> None:
    """Pickle `entries` to `path` (replacing it whole), creating the git-ignored cache folder."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Written by proceedings: a cache, never commit it.\n*\n",
                              encoding="utf-8")
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_bytes(pickle.dumps((stamp, entries), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temp, path)
    except OSError:
        pass  # a read-only checkout: run without a cache


# --- parsed proceedings.toml ------------------------------------------------------------------
#
# Every run reads the WG's config; parsing it means importing tomllib (~8 ms with what it
# imports). The parsed table is kept by the file's exact text: any edit parses it again, and a
# file with a TOML error is never stored. Only a WG that already has the cache folder (made by
# `check`) gets the entry: loading the config for a dry run, `list` or `init` writes nothing.

CONFIG_CACHE_FILE = "config.pickle"


def parsed_config(path: Path, text: str, parse: Callable[[str], dict]) -> dict:
    """`parse(text)` for the config file at `path`, remembered by exact text."""
    if not enabled():
        return parse(text)
    cache_path = path.parent / CACHE_DIR / "check" / CONFIG_CACHE_FILE
    stamp = make_stamp(())
    entries = load_entries(cache_path, stamp)
    stored = entries.get(path.name)
    if stored is not None and stored[0] == text:
        return stored[1]
    data = parse(text)
    if (path.parent / CACHE_DIR).is_dir():  # a check made the cache; loading alone never does
        entries[path.name] = (text, data)
        save_entries(cache_path, stamp, entries)
    return data
