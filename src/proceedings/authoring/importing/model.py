"""The records an import passes around: the memos found, the plan per memo and for the whole
import, the findings reported to the user, and the result of writing a plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proceedings.errors import ProceedingsError


@dataclass(frozen=True)
class MemoSource:
    path: Path
    boundary: Path  # the folder given on the command line: nothing outside it is copied
    owns_folder: bool  # the only memo in its folder: every file beside it belongs to it


@dataclass
class Finding:
    """Something about a memo the user should know: unmapped content, or a mapping decision."""

    source: str  # the memo, as shown to the user
    line: int | None
    message: str
    unmapped: bool = True  # False: a decision worth knowing; nothing was left out

    def format(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "message": self.message}


@dataclass
class Report:
    """Collects one memo's findings, in the order they are made; lines are 0-based here."""

    shown: str  # the memo, as shown to the user
    findings: list[Finding] = field(default_factory=list)

    def unmapped(self, line: int | None, message: str) -> None:
        self.findings.append(Finding(self.shown, None if line is None else line + 1, message))

    def decided(self, line: int | None, message: str) -> None:
        self.findings.append(
            Finding(self.shown, None if line is None else line + 1, message, unmapped=False)
        )

    def error(
        self, message: str, line: int | None = None, hint: str | None = None
    ) -> ProceedingsError:
        return ProceedingsError(
            message, path=self.shown, line=None if line is None else line + 1, hint=hint
        )


@dataclass
class PlannedFile:
    rel: str  # relative to the WG root, POSIX
    kind: str  # "session" | "note" | "asset"
    text: str | None = None  # session.md and notes
    source: Path | None = None  # assets: copied from here
    title: str | None = None

    @property
    def name_in_session(self) -> str:
        return self.rel.split("/", 2)[-1]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.rel, "kind": self.kind}
        if self.title is not None:
            data["title"] = self.title
        if self.source is not None:
            data["source"] = str(self.source)
        return data


@dataclass
class MemoPlan:
    source: Path
    shown: str
    session_rel: str  # e.g. sessions/2020-07-04-summer-camp
    title: str
    date: dt.date
    slug: str
    files: list[PlannedFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Original link target -> target inside the session, for every rewritten link.
    rewrites: dict[str, str] = field(default_factory=dict)

    @property
    def unmapped(self) -> list[Finding]:
        return [f for f in self.findings if f.unmapped]

    @property
    def decisions(self) -> list[Finding]:
        return [f for f in self.findings if not f.unmapped]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.shown,
            "session": self.session_rel,
            "title": self.title,
            "date": self.date.isoformat(),
            "slug": self.slug,
            "files": [f.to_json() for f in self.files],
            "unmapped": [f.to_json() for f in self.unmapped],
            "decisions": [f.to_json() for f in self.decisions],
            "rewritten_links": dict(self.rewrites),
        }


@dataclass
class ImportPlan:
    root: Path
    sessions_dir: str
    memos: list[MemoPlan] = field(default_factory=list)
    problems: list[ProceedingsError] = field(default_factory=list)  # block the whole import

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportResult:
    plan: ImportPlan
    created: list[Path]  # the session folders
