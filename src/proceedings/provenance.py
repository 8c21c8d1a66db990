"""Where the built proceedings come from: the source commit and each note's history."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NoteHistory:
    path: str  # note path relative to the WG root
    commit: str  # short hash of the last commit that touched the note
    date: str  # ISO date of that commit
    authors: tuple[str, ...]  # everyone who committed to the note, oldest first


@dataclass(frozen=True)
class Provenance:
    source_commit: str | None  # short hash of HEAD, with "+dirty" when notes had changes
    commit_date: str | None  # ISO date-time of HEAD's commit
    tool_version: str
    notes: dict[str, NoteHistory] = field(default_factory=dict)
