"""A cache of per-file facts, so an unchanged note is not parsed again on the next run.

Facts (facts.py) depend only on a file's bytes and on the parser, so they are stored under
the BLAKE2 hash of the bytes, one pickle per session folder, in `.proceedings-cache/check/` at
the WG root. The folder holds a `.gitignore` of `*`, so git never sees it. Findings are never
cached: every rule runs on every run, because links and session-level rules depend on other
files.

The cache is only an accelerator: a missing, stale, corrupt or unwritable cache is silently
ignored (the facts are computed again). `PROCEEDINGS_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import fields
from pathlib import Path

from proceedings import __version__
from proceedings.rules.facts import Facts

try:  # hashlib's own BLAKE2, without the ~10 ms of loading OpenSSL that `import hashlib` costs
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import blake2b

CACHE_DIR = ".proceedings-cache"
FORMAT = 2  # bump when Facts changes shape or meaning
_STORED = tuple(f.name for f in fields(Facts) if f.name not in ("file", "lines"))


def enabled() -> bool:
    return not os.environ.get("PROCEEDINGS_NO_CACHE")


def _stamp(packages: tuple[str, ...] = ("markdown_it", "mdit_py_plugins")) -> tuple:
    """What the cached facts were computed with. The parser packages are identified by their
    installed files (size and mtime), so checking the stamp does not import them."""
    from importlib.util import find_spec

    parts: list = [FORMAT, __version__]
    for package in packages:
        spec = find_spec(package)
        origin = spec.origin if spec is not None else None
        try:
            info = os.stat(origin) if origin else None
        except OSError:
            info = None
        parts.append((package, info.st_size, info.st_mtime_ns) if info else (package, None))
    return tuple(parts)


class SessionCache:
    """Facts of the files of one session folder, keyed by the hash of their bytes."""

    def __init__(self, root: Path, session: str) -> None:
        self.path = root / CACHE_DIR / "check" / f"{session}.pickle"
        self.entries: dict[str, tuple] = {}
        self.used: set[str] = set()
        self.changed = False
        try:
            with open(self.path, "rb") as handle:
                stamp, entries = pickle.load(handle)
            if stamp == _stamp() and isinstance(entries, dict):
                self.entries = entries
        except Exception:  # missing, unreadable or from another version: start empty
            self.entries = {}

    @staticmethod
    def key(raw: bytes) -> str:
        return blake2b(raw, digest_size=20).hexdigest()

    def restore(self, facts: Facts) -> bool:
        """Fill `facts` (made with file and lines only) from the cache; False on a miss."""
        key = self.key(facts.file.raw)
        stored = self.entries.get(key)
        if stored is None or len(stored) != len(_STORED):
            return False
        for name, value in zip(_STORED, stored, strict=True):
            setattr(facts, name, value)
        self.used.add(key)
        return True

    def store(self, facts: Facts) -> None:
        key = self.key(facts.file.raw)
        self.entries[key] = tuple(getattr(facts, name) for name in _STORED)
        self.used.add(key)
        self.changed = True

    def save(self) -> None:
        """Write the entries used by this run (files that changed or left drop out)."""
        if not self.changed and set(self.entries) == self.used:
            return
        kept = {key: value for key, value in self.entries.items() if key in self.used}
        try:
            folder = self.path.parent
            folder.mkdir(parents=True, exist_ok=True)
            ignore = folder.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Written by proceedings: a cache, never commit it.\n*\n",
                                  encoding="utf-8")
            data = pickle.dumps((_stamp(), kept), protocol=pickle.HIGHEST_PROTOCOL)
            temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            temp.write_bytes(data)
            os.replace(temp, self.path)
        except OSError:
            pass  # a read-only checkout: run without a cache


# --- parsed front matter, for runs on a few files ----------------------------------------------
#
# A pre-commit run loads the few sessions it checks, and each file's YAML front matter would
# be parsed again — and PyYAML imported (~25 ms of a 150 ms budget). The loader
# (source.FrontMatterCache) keeps clean results by exact front-matter text in one file.

FRONT_MATTER_FILE = "front-matter.pickle"
MAX_FRONT_MATTER_ENTRIES = 50_000  # beyond this the file starts again (old notes drop out)


def load_front_matter(root: Path):
    """The stored front matter cache of the WG at `root` (empty when missing or stale)."""
    from proceedings.source import FrontMatterCache

    entries: dict = {}
    try:
        with open(root / CACHE_DIR / "check" / FRONT_MATTER_FILE, "rb") as handle:
            stamp, stored = pickle.load(handle)
        if stamp == _stamp(("yaml",)) and isinstance(stored, dict):
            entries = stored
    except Exception:  # missing, unreadable or from another version: start empty
        entries = {}
    return FrontMatterCache(entries)


def save_front_matter(root: Path, cache) -> None:
    if not cache.changed:
        return
    entries = cache.entries if len(cache.entries) <= MAX_FRONT_MATTER_ENTRIES else {}
    try:
        folder = root / CACHE_DIR / "check"
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Written by proceedings: a cache, never commit it.\n*\n",
                              encoding="utf-8")
        path = folder / FRONT_MATTER_FILE
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_bytes(pickle.dumps((_stamp(("yaml",)), entries),
                                      protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temp, path)
    except OSError:
        pass  # a read-only checkout: run without a cache
