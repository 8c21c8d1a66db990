"""The WG's note sections as authoring shows them: a section's name in a note's language and
the kind of guidance it gets. Shared by `new-session` (scaffold) and `import`."""

from __future__ import annotations

from typing import Any

from proceedings.config import Config


def note_sections(config: Config, language: str) -> list[dict[str, Any]]:
    """The WG's sections in the note's language: `Summary` for en, `概要` for ja."""
    sections = []
    for required, groups in ((True, config.sections.required), (False, config.sections.optional)):
        for names in groups:
            if not names:
                continue
            sections.append(
                {
                    "name": section_name(names, language),
                    "kind": section_kind(names),
                    "required": required,
                }
            )
    return sections


def section_name(names: list[str], language: str) -> str:
    """The first ASCII name for en, the first non-ASCII one for ja; else the first listed."""
    wanted = (lambda n: n.isascii()) if language == "en" else (lambda n: not n.isascii())
    return next((name for name in names if wanted(name)), names[0])


_KINDS = {
    "summary": "summary",
    "概要": "summary",
    "discussion": "discussion",
    "議論": "discussion",
    "key points": "key-points",
    "要点": "key-points",
    "next steps": "next-steps",
    "今後の課題": "next-steps",
}


def section_kind(names: list[str]) -> str:
    """Which guidance a section gets; sections a WG invented get the generic one."""
    return next((_KINDS[n.strip().lower()] for n in names if n.strip().lower() in _KINDS), "other")
