"""Template guidance text that a scribe is meant to replace.

The note template writes its guidance as paragraphs that start with `✎ ` (U+270E, then a
space). The checker reports such a paragraph as C401 unfilled-placeholder, and a section whose
only content is placeholders is not also reported as empty. The build may drop them.
"""

from __future__ import annotations

PLACEHOLDER_MARK = "✎"


def is_placeholder(text: str) -> bool:
    """True when `text` (a paragraph's source or plain text) is template guidance."""
    return text.lstrip().startswith(PLACEHOLDER_MARK)
