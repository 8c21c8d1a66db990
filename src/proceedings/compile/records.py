"""The records compiling produces: the Document and its sessions, notes, footnotes, key
points, assets, table of contents and sources, plus the options a build passes in.

`compile.document` fills them; the renderers (`render.markdown_out`, `render.html`,
`render.pdf`) and the build read them. They hold markdown-it tokens that are already
rewritten (ids namespaced, links resolved), so a renderer never looks at the source files.
This module also holds the two small helpers the compiler's parts share: the `Report`
signature through which they record a finding, and `short` for quoting long text in one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from markdown_it.token import Token

from proceedings import codes
from proceedings.diagnostics import Diagnostic, Severity
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.publish.provenance import NoteHistory, Provenance
from proceedings.render.sanitize import UnsafeSvgError, sanitize_svg


@dataclass(frozen=True)
class Asset:
    """A file from the sessions folder that the outputs need (an image, or a linked file)."""

    source: Path  # absolute path of the file
    rel: str  # path relative to the WG root (POSIX)
    output: str  # path relative to the output folder: assets/<session>/...
    mime: str  # media type (images: the data: URI type)
    image: bool

    def data(self) -> bytes:
        """The bytes the outputs hold: the file's own, or an SVG as `sanitize_svg` leaves
        it (no scripts, handlers or external references). OSError when unreadable."""
        raw = self.source.read_bytes()
        if self.source.suffix.lower() != ".svg":
            return raw
        try:
            return sanitize_svg(raw).data
        except UnsafeSvgError as exc:  # changed since it was compiled
            raise ProceedingsError(_("{problem}; not published").format(problem=exc),
                                   path=self.rel,
                                   hint=_("export the SVG again and rebuild")) from None


@dataclass(frozen=True)
class KeyPoint:
    id: str  # anchor of the ★ paragraph in the document
    text: str  # plain text, marker removed
    path: str  # source file, relative to the WG root
    line: int
    session_id: str
    note_id: str | None  # None: the key point stands in the session overview


@dataclass
class CompiledNote:
    id: str
    rel: str
    number: int
    slug: str
    title: str
    scribes: list[str]
    tags: list[str]
    status: str
    tokens: list[Token]  # the note's body, rewritten; footnote definitions separate
    footnotes: list[Footnote]
    key_points: list[KeyPoint]
    history: NoteHistory | None = None


@dataclass
class Footnote:
    label: str  # namespaced label, `<scope-id>--<label>`
    tokens: list[Token]  # block tokens of the definition, rewritten


@dataclass
class CompiledSession:
    id: str
    folder: str
    rel: str  # session folder relative to the WG root
    info_rel: str | None  # session.md relative to the WG root
    title: str
    date: str | None
    event: str | None
    url: str | None
    location: str | None
    facilitators: list[str]
    participants: int | list[str] | None
    tags: list[str]
    language: str
    overview: list[Token]
    overview_footnotes: list[Footnote]
    key_points: list[KeyPoint]  # key points in the overview itself
    notes: list[CompiledNote]

    def all_key_points(self) -> list[KeyPoint]:
        return self.key_points + [kp for note in self.notes for kp in note.key_points]


@dataclass(frozen=True)
class TocEntry:
    kind: str  # "session" or "topic"
    title: str
    target: str  # id


@dataclass(frozen=True)
class SourceEntry:
    path: str  # relative to the WG root
    kind: str  # "session" or "note"
    status: str | None  # notes: draft/final
    history: NoteHistory | None


@dataclass
class Document:
    root: Path
    wg_name: str
    title: str
    language: str
    date_from: str | None
    date_to: str | None
    created: str | None  # the latest session date: the document's date, never "now"
    keywords: list[str]
    sessions: list[CompiledSession]
    toc: list[TocEntry]
    key_points: list[KeyPoint]
    assets: list[Asset]
    sources: list[SourceEntry]
    allow_raw_html: bool
    provenance: Provenance | None
    generator: str
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def notes(self) -> list[CompiledNote]:
        return [note for session in self.sessions for note in session.notes]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity >= Severity.ERROR]

    def asset_by_output(self) -> dict[str, Asset]:
        return {asset.output: asset for asset in self.assets}


@dataclass(frozen=True)
class CompileOptions:
    provenance: Provenance | None = None
    allow_raw_html: bool | None = None  # None: the config's build.allow_raw_html


# ----------------------------------------------------------------------------- shared helpers


class Report(Protocol):
    """How the compiler's parts record a finding (collected on the Document)."""

    def __call__(
        self, code: codes.Code, path: str, line: int, message: str, hint: str = ""
    ) -> None: ...


def short(text: str, limit: int = 80) -> str:
    """`text`, cut to `limit` characters with an ellipsis, for quoting it in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
