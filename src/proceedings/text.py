"""Words for the user: "did you mean …?" and counted nouns ("1 file", "3 files")."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most like `word` (difflib's ratio at least `cutoff`), or None."""
    import difflib  # only when there is a mistake to explain: most runs never need it

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def plural(count: int, noun: str) -> str:
    """`count` and `noun`, with an English plural `s` unless the count is 1: `1 file`, `2 files`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
