"""Parse the notes a pre-commit run was given in a forked child, while the run starts up.

A commit's check runs on a few edited notes. Most of its time goes into imports: the rule
modules (~35 ms), and, because an edited note's facts are not in the cache, markdown-it
(~35 ms) to parse it — plus PyYAML (~25 ms) when its front matter changed too. These two
halves do not depend on each other. So on a machine with a second core, `proceedings-hook`
forks a child as its first step: the child reads and parses the given notes while the parent
imports the rules and loads the notes' sessions.

The child's answer is cache entries, in the form the two caches of a file run store them
(facts_cache.py): facts by the hash of a file's bytes, front matter by its exact text. They
are consulted only on a cache miss, and only then does the parent wait for the child. So a
child that failed, was slow, or read a file that has changed since, only means that the parent
parses the file itself, as it would without a child.

No child is forked without fork (see parallel.py), with one core, with the cache off
(`PROCEEDINGS_NO_CACHE=1`), or for more than MAX_FILES notes (`pre-commit run --all-files`:
those are mostly cached, and the parent would wait for the child to parse them all).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

MAX_FILES = 10

# What the child sends: facts entries (hash -> stored facts), front matter entries (text ->
# pickled meta and key lines).
Entries = tuple[dict[str, tuple], dict[str, bytes]]
_NOTHING: Entries = ({}, {})


class Prefetch:
    """A forked child parsing `paths`; `entries()` waits for its answer (once)."""

    def __init__(self, paths: list[Path]) -> None:
        read_end, write_end = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:  # the child: never returns
            os.close(read_end)
            _child(paths, write_end)
        os.close(write_end)
        self._read_end: int | None = read_end
        self._answer: Entries | None = None

    def entries(self) -> Entries:
        if self._answer is None:
            self._answer = self._receive()
        return self._answer

    def _receive(self) -> Entries:
        import pickle

        if self._read_end is None:
            return _NOTHING
        chunks = []
        try:
            while chunk := os.read(self._read_end, 1 << 16):  # until the child exits
                chunks.append(chunk)
            facts, front_matter = pickle.loads(b"".join(chunks))
            return dict(facts), dict(front_matter)
        except Exception:  # noqa: BLE001 — no answer (the child failed): parse here
            return _NOTHING
        finally:
            self._close(kill=False)

    def stop(self) -> None:
        """Stop a child whose answer was never needed. It is killed rather than waited for:
        it holds the hook's output pipes open, and pre-commit waits for those to close."""
        self._close(kill=True)

    def _close(self, kill: bool) -> None:
        if self._read_end is None:
            return
        os.close(self._read_end)
        self._read_end = None
        if kill:
            os.kill(self._pid, signal.SIGKILL)
        os.waitpid(self._pid, 0)


_current: Prefetch | None = None


def start(argv: list[str]) -> None:
    """Fork a child for the Markdown files among `argv` (a hook's command line), if it helps."""
    global _current
    paths = [Path(arg) for arg in argv if arg.endswith(".md") and not arg.startswith("-")]
    if not paths or len(paths) > MAX_FILES or _current is not None:
        return
    if os.environ.get("PROCEEDINGS_NO_CACHE", "").strip() not in ("", "0"):
        return
    from proceedings.parallel import fork_is_safe, usable_cores

    if fork_is_safe() and usable_cores() >= 2:
        _current = Prefetch(paths)


def stop() -> None:
    global _current
    if _current is not None:
        _current.stop()
        _current = None


def facts_entries() -> dict[str, tuple]:
    """Facts parsed by the child, by the hash of the file's bytes ({} without a child)."""
    return _current.entries()[0] if _current is not None else {}


def front_matter_entries() -> dict[str, bytes]:
    """Front matter parsed by the child, by its exact text ({} without a child)."""
    return _current.entries()[1] if _current is not None else {}


def parse_notes(paths: list[Path]) -> Entries:
    """What the child computes: each readable note's facts, and the front matter that the
    WG's front matter cache did not have yet."""
    from proceedings import source
    from proceedings.config import find_root
    from proceedings.facts import collect
    from proceedings.facts_cache import SessionCache, load_front_matter, stored_facts

    root = find_root(Path.cwd())  # as the run finds it (a hook runs at the repository root)
    cache = load_front_matter(root) if root is not None else source.FrontMatterCache()
    known = set(cache.entries)
    facts: dict[str, tuple] = {}
    source.front_matter_cache = cache  # front matter an earlier run parsed is not parsed again
    try:
        for path in paths:
            try:
                raw = path.read_bytes()
            except OSError:
                continue
            facts[SessionCache.key(raw)] = stored_facts(
                collect(source.parse_markdown(raw, path, path.as_posix()))
            )
    finally:
        source.front_matter_cache = None
    return facts, {text: data for text, data in cache.entries.items() if text not in known}


def _child(paths: list[Path], write_end: int) -> None:
    status = 1
    try:
        import pickle

        data = pickle.dumps(parse_notes(paths), protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(write_end, view) :]
        status = 0
    except BaseException:  # noqa: BLE001 — Ctrl-C included: the parent parses instead
        pass
    finally:
        os._exit(status)
