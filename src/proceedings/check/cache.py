"""A cache of per-file facts, so an unchanged note is not parsed again on the next run.

Facts (facts.py) depend only on a file's bytes and on the parser, so they are stored under
the BLAKE2 hash of the bytes, one JSON file per session folder, in `.proceedings-cache/check/`
at the WG root. The folder holds a `.gitignore` of `*`, so git never sees it. Findings are never
cached: every rule runs on every run, because links and session-level rules depend on other
files.

The cache is only an accelerator: a missing, stale, corrupt, hostile or unwritable cache is
silently ignored (the facts are computed again). `PROCEEDINGS_NO_CACHE=1` turns it off. An
entry is rebuilt into the fact records only when every field has its exact type and every line
number lies in the file (see cache_store.py for why the file itself is not trusted).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from proceedings.check.facts import Facts, HeadingFact, HtmlFact, LinkFact
from proceedings.load.cache import CACHE_DIR, load_entries, make_stamp, save_entries

if TYPE_CHECKING:
    from proceedings.load.source import FrontMatterCache

try:  # hashlib's own BLAKE2, without the ~10 ms of loading OpenSSL that `import hashlib` costs
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Python builds
    from hashlib import blake2b


def stored_facts(facts: Facts) -> list[Any]:
    """What the cache keeps of a file's facts (everything but the file and its lines), as JSON
    values in the order of `Facts.STORED`; the code lines as [first, last] runs."""
    return [
        facts.body_ok,
        [list(heading) for heading in facts.headings],
        facts.content_lines,
        facts.placeholder_lines,
        [list(link) for link in facts.links],
        [list(html) for html in facts.html],
        sorted(facts.html_ids),
        _runs(facts.code_lines),
        [list(lines) for lines in facts.too_deep_lines],
        [list(footnote) for footnote in facts.unused_footnotes],
        [list(footnote) for footnote in facts.replaced_footnotes],
    ]


def restore_facts(facts: Facts, stored: Any) -> bool:
    """Fill `facts` (made with file and lines only) from `stored`, an entry read from a cache
    file; False, with `facts` untouched, unless it has exactly the shape `stored_facts`
    gives, with every line number inside the file."""
    try:
        values = _checked(stored, len(facts.lines) + 1)
    except (ValueError, TypeError):
        return False
    if len(values) != len(Facts.STORED):
        return False
    for name, value in zip(Facts.STORED, values, strict=True):
        setattr(facts, name, value)
    return True


def _runs(lines: set[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for line in sorted(lines):
        if runs and runs[-1][1] == line - 1:
            runs[-1][1] = line
        else:
            runs.append([line, line])
    return runs


def _line(value: Any, last: int) -> int:
    if type(value) is not int or not 1 <= value <= last:
        raise ValueError("not a line of the file")
    return value


def _col(value: Any) -> int:
    if type(value) is not int or value < 1:
        raise ValueError("not a column")
    return value


def _text(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("not a string")
    return value


def _items(value: Any) -> list[Any]:
    if type(value) is not list:
        raise ValueError("not a list")
    return value


_LINK_KINDS = frozenset(("link", "image", "html"))


def _checked(stored: Any, last: int) -> tuple[Any, ...]:
    """The values of a stored entry, in the order of `Facts.STORED`, rebuilt into their
    records; ValueError or TypeError at the first thing out of place."""
    (body_ok, headings, content_lines, placeholder_lines, links, html, html_ids,
     code_runs, too_deep, unused, replaced) = _items(stored)
    if type(body_ok) is not bool:
        raise ValueError("body_ok")
    made_headings: list[HeadingFact] = []
    for level, text, line, col in map(_items, _items(headings)):
        if type(level) is not int or not 1 <= level <= 6:
            raise ValueError("heading level")
        made_headings.append(HeadingFact(level, _text(text), _line(line, last), _col(col)))
    made_links: list[LinkFact] = []
    for kind, href, line, col in map(_items, _items(links)):
        if kind not in _LINK_KINDS:
            raise ValueError("link kind")
        made_links.append(LinkFact(kind, _text(href), _line(line, last), _col(col)))
    made_html: list[HtmlFact] = []
    for line, col, snippet, block in map(_items, _items(html)):
        if type(block) is not bool:
            raise ValueError("html block")
        made_html.append(HtmlFact(_line(line, last), _col(col), _text(snippet), block))
    code_lines: set[int] = set()
    previous = 0
    for first, end in map(_items, _items(code_runs)):
        if not previous < _line(first, last) <= _line(end, last):
            raise ValueError("code lines")  # runs in order, apart: at most `last` lines in all
        code_lines.update(range(first, end + 1))
        previous = end
    return (
        body_ok,
        made_headings,
        [_line(line, last) for line in _items(content_lines)],
        [_line(line, last) for line in _items(placeholder_lines)],
        made_links,
        made_html,
        {_text(name) for name in _items(html_ids)},
        code_lines,
        [(_line(first, last), _line(end, last)) for first, end in map(_items, _items(too_deep))],
        [(_line(line, last), _text(label)) for line, label in map(_items, _items(unused))],
        [
            (_line(line, last), _text(label), _line(later, last))
            for line, label, later in map(_items, _items(replaced))
        ],
    )


class SessionCache:
    """Facts of the files of one session folder, keyed by the hash of their bytes."""

    def __init__(self, root: Path, session: str) -> None:
        self.path = root / CACHE_DIR / "check" / f"facts-{session}.json"
        self.session = session
        self.used: set[str] = set()
        self.changed = False
        self.entries: dict[str, Any] = load_entries(self.path, make_stamp())

    @staticmethod
    def key(raw: bytes) -> str:
        return blake2b(raw, digest_size=20).hexdigest()

    def restore(self, facts: Facts) -> bool:
        """Fill `facts` (made with file and lines only) from the cache; False on a miss."""
        key = self.key(facts.file.raw)
        stored = self.entries.get(key)
        if stored is None or not restore_facts(facts, stored):
            return False
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
        save_entries(self.path, make_stamp(), kept, replaces=f"{self.session}.pickle")


# --- parsed front matter, for runs on a few files ----------------------------------------------
#
# A pre-commit run loads the few sessions it checks, and each file's YAML front matter would
# be parsed again — and PyYAML imported (~25 ms of a 150 ms budget). The loader
# (source.FrontMatterCache) keeps clean results by exact front-matter text in one file.

FRONT_MATTER_FILE = "front-matter.json"
MAX_FRONT_MATTER_ENTRIES = 50_000  # beyond this the file starts again (old notes drop out)


def load_front_matter(root: Path) -> FrontMatterCache:
    """The stored front matter cache of the WG at `root` (empty when missing or stale)."""
    from proceedings.load.source import FrontMatterCache

    return FrontMatterCache(load_entries(_front_matter_path(root), make_stamp(("yaml",))))


def save_front_matter(root: Path, cache: FrontMatterCache) -> None:
    if not cache.changed:
        return
    entries = cache.entries if len(cache.entries) <= MAX_FRONT_MATTER_ENTRIES else {}
    save_entries(_front_matter_path(root), make_stamp(("yaml",)), entries)


def _front_matter_path(root: Path) -> Path:
    return root / CACHE_DIR / "check" / FRONT_MATTER_FILE
