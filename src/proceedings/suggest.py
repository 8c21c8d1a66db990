""""Did you mean …?": the closest known word to a mistyped one."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most like `word` (difflib's ratio at least `cutoff`), or None."""
    import difflib  # only when there is a mistake to explain: most runs never need it

    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None
