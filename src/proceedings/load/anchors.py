"""Heading anchor ids, shared by the checker (cross-note link checks) and the build.

The rule is GitHub's, so a link written while previewing a note on GitHub keeps working:
lower-case the heading's plain text, drop every character that is not a Unicode letter, mark,
digit, connector punctuation (`_`), space or hyphen, then turn each space into `-`. Japanese
letters are kept as they are (`## 監視の構成` -> `監視の構成`); Japanese punctuation such as
`「」、。（）・` is dropped. Within one note a repeated anchor gets `-1`, `-2`, … appended.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache


def _kept(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LMN" or category == "Pc"  # letters, marks, numbers, `_`-like


@lru_cache(maxsize=4096)
def slugify_heading(text: str) -> str:
    """The anchor id of a heading with this plain text (before de-duplication)."""
    kept: list[str] = []
    for char in text.strip().lower():
        if char == " " or char == "-":
            kept.append("-")
        elif _kept(char):
            kept.append(char)
    return "".join(kept)


def heading_anchors(headings: Iterable[str]) -> list[str]:
    """Anchor ids for the headings of one note, in order, with -1, -2 … for repeats."""
    seen: dict[str, int] = {}
    used: set[str] = set()
    anchors: list[str] = []
    for text in headings:
        base = slugify_heading(text)
        anchor = base
        if anchor in used:
            count = seen.get(base, 0)
            while anchor in used:
                count += 1
                anchor = f"{base}-{count}"
            seen[base] = count
        used.add(anchor)
        anchors.append(anchor)
    return anchors
