"""`proceedings list`: one summary row per session."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from proceedings.diagnostics import Severity
from proceedings.load.workspace import Workspace

if TYPE_CHECKING:
    from proceedings.diagnostics import Diagnostic


@dataclass(frozen=True)
class TopicRow:
    number: int
    title: str
    path: str
    status: str
    key_points: int


@dataclass(frozen=True)
class SessionRow:
    folder: str
    date: str | None
    title: str
    topics: list[TopicRow]
    key_points: int
    errors: int
    warnings: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def summarize(
    workspace: Workspace, diagnostics: list[Diagnostic] | None = None
) -> list[SessionRow]:
    """Rows for every session; `diagnostics` defaults to what the loader found."""
    diagnostics = workspace.all_diagnostics() if diagnostics is None else diagnostics
    marker = workspace.config.key_point_marker
    rows: list[SessionRow] = []
    for session in workspace.sessions:
        prefix = session.rel + "/"
        counts = Counter(
            d.severity for d in diagnostics if d.path == session.rel or d.path.startswith(prefix)
        )
        topics = [
            TopicRow(
                note.number, note.title, note.rel, note.status, len(note.key_point_lines(marker))
            )
            for note in session.notes
        ]
        rows.append(
            SessionRow(
                folder=session.name,
                date=session.date.isoformat() if session.date else None,
                title=session.title,
                topics=topics,
                key_points=sum(t.key_points for t in topics),
                errors=counts[Severity.ERROR],
                warnings=counts[Severity.WARNING],
            )
        )
    return rows
