"""The placeholder contract shared by the note templates and the checker.

A template's guidance text is a paragraph that starts with `✎ ` (U+270E, then a space), e.g.
`✎ 議論の要点を 2〜3 文で / Summarise in 2–3 sentences`. The checker reports such a paragraph as
C401 unfilled-placeholder (a warning), and a section holding only placeholders is not also
reported as empty.
"""

from __future__ import annotations

PLACEHOLDER_MARK = "✎"


def is_placeholder(text: str) -> bool:
    """True when a paragraph's text is template guidance still waiting to be replaced."""
    return text.lstrip().startswith(PLACEHOLDER_MARK)
