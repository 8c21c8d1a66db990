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

from pathlib import Path

from proceedings.check.facts import Facts
from proceedings.load.cache import CACHE_DIR, load_entries, make_stamp, save_entries

try:  # hashlib's own BLAKE2, without the ~10 ms of loading OpenSSL that `import hashlib` costs
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import blake2b


def stored_facts(facts: Facts) -> tuple:
    """What the cache keeps of a file's facts (everything but the file and its lines)."""
    return tuple(getattr(facts, name) for name in Facts.STORED)


class SessionCache:
    """Facts of the files of one session folder, keyed by the hash of their bytes."""

    def __init__(self, root: Path, session: str) -> None:
        self.path = root / CACHE_DIR / "check" / f"{session}.pickle"
        self.used: set[str] = set()
        self.changed = False
        self.entries = load_entries(self.path, make_stamp())

    @staticmethod
    def key(raw: bytes) -> str:
        return blake2b(raw, digest_size=20).hexdigest()

    def restore(self, facts: Facts) -> bool:
        """Fill `facts` (made with file and lines only) from the cache; False on a miss."""
        key = self.key(facts.file.raw)
        stored = self.entries.get(key)
        if stored is None or len(stored) != len(Facts.STORED):
            return False
        for name, value in zip(Facts.STORED, stored, strict=True):
            setattr(facts, name, value)
        self.used.add(key)
        return True

    def store(self, facts: Facts) -> None:
        key = self.key(facts.file.raw)
        self.entries[key] = stored_facts(facts)
        self.used.add(key)
        self.changed = True

    def save(self) -> None:
        """Write the entries used by this run (files that changed or left drop out)."""
        if not self.changed and set(self.entries) == self.used:
            return
        kept = {key: value for key, value in self.entries.items() if key in self.used}
        save_entries(self.path, make_stamp(), kept)


# --- parsed front matter, for runs on a few files ----------------------------------------------
#
# A pre-commit run loads the few sessions it checks, and each file's YAML front matter would
# be parsed again — and PyYAML imported (~25 ms of a 150 ms budget). The loader
# (source.FrontMatterCache) keeps clean results by exact front-matter text in one file.

FRONT_MATTER_FILE = "front-matter.pickle"
MAX_FRONT_MATTER_ENTRIES = 50_000  # beyond this the file starts again (old notes drop out)


def load_front_matter(root: Path):
    """The stored front matter cache of the WG at `root` (empty when missing or stale)."""
    from proceedings.load.source import FrontMatterCache

    return FrontMatterCache(load_entries(_front_matter_path(root), make_stamp(("yaml",))))


def save_front_matter(root: Path, cache) -> None:
    if not cache.changed:
        return
    entries = cache.entries if len(cache.entries) <= MAX_FRONT_MATTER_ENTRIES else {}
    save_entries(_front_matter_path(root), make_stamp(("yaml",)), entries)


def _front_matter_path(root: Path) -> Path:
    return root / CACHE_DIR / "check" / FRONT_MATTER_FILE
