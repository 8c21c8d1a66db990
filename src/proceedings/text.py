"""Words for the user: "did you mean …?", lists read as prose ("a and b", "a or b") and
counted nouns ("1 file", "3 files"), in the reader's language where they are messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from proceedings.i18n import _, ngettext


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most like `word` (difflib's ratio at least `cutoff`), or None."""
    import difflib  # only when there is a mistake to explain: most runs never need it

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(name: str) -> str:
    """The hint for a near miss: "did you mean `name`?"."""
    return _("did you mean `{name}`?").format(name=name)


def all_of(items: Sequence[str]) -> str:
    """`a and b`, `a and b and c` (in Japanese `a と b`)."""
    text = items[0] if items else ""
    for item in items[1:]:
        text = _("{first} and {second}").format(first=text, second=item)
    return text


def any_of(items: Sequence[str]) -> str:
    """`a or b`, `a or b or c` (in Japanese `a または b`)."""
    text = items[0] if items else ""
    for item in items[1:]:
        text = _("{first} or {second}").format(first=text, second=item)
    return text


def file_count(count: int) -> str:
    """`1 file`, `3 files` in the reader's language."""
    return ngettext("{count} file", "{count} files", count).format(count=count)


def plural(count: int, noun: str) -> str:
    """`count` and `noun`, with an English plural `s` unless the count is 1: `1 file`, `2 files`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
