"""Compile a workspace into one Document: the merged proceedings, before any output format.

Merging notes naively breaks things that are only unique within one note. Here every note
becomes a namespaced part of one document:

- ids: a session is `<session-folder>`, a topic `<session-folder>--<note-slug>`, a heading in
  it `<topic-id>--<anchor>` where the anchor is the GitHub-style one (`proceedings.load.anchors`),
  so a link the checker accepts (`02-y.md#概要`) resolves here too; a heading whose text has
  no letters gets `sec-N`. Ids are claimed in one registry, so they are unique document-wide.
- links to other notes (`../2024-03-16-x/02-y.md#anchor`) become internal `#id` links; links
  to files that are not part of the build are shown as text (with a warning);
- footnote labels and reference-link labels are prefixed with the topic id;
- images resolve against their own note and become assets (`assets/<session>/…`);
- each ★ paragraph gets an anchor and lands in the key-points digest;
- raw HTML becomes visible text (or, when `build.allow_raw_html`, passes the allowlist).

The result holds markdown-it tokens per note (already rewritten); `render.markdown_out`
writes them as Markdown and `render.html` renders that Markdown. Nothing here prints or
writes files; problems come back as Diagnostics on the Document.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from proceedings import __version__, codes
from proceedings.codes import (
    IMAGE_OUTSIDE,
    INSECURE_IMAGE,
    LINK_NOT_BUILT,
    MISSING_IMAGE,
    RAW_HTML_DROPPED,
    REMOTE_IMAGE,
    SVG_CLEANED,
    UNKNOWN_ANCHOR,
    UNSAFE_URL,
    UNSUPPORTED_IMAGE,
)
from proceedings.compile.captions import CaptionNumbers
from proceedings.compile.labels import labels_for
from proceedings.diagnostics import Diagnostic, Severity
from proceedings.errors import ProceedingsError
from proceedings.load.anchors import heading_anchors, slugify_heading
from proceedings.load.markdown import (
    FootnoteDefinition,
    closing_index,
    comments_only,
    inline_text,
    split_footnotes,
    token_line,
)
from proceedings.load.placeholders import is_placeholder
from proceedings.load.source import MarkdownFile
from proceedings.load.workspace import IMAGE_TYPES, Note, Session, Workspace
from proceedings.publish.provenance import NoteHistory, Provenance
from proceedings.render.sanitize import UnsafeSvgError, sanitize_html, sanitize_svg

# How each raster type's file starts. SVG is text and is left to the renderer.
_MAGIC = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
}


def _content_fits_suffix(path: Path) -> bool:
    """Whether a raster image's first bytes match its name (a PDF would drop a mismatch
    without a word, and the HTML would embed it under the wrong type)."""
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return True  # unreadable: reported when it is copied or embedded
    if suffix in _MAGIC:
        return head.startswith(_MAGIC[suffix])
    if suffix == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if suffix == ".avif":
        return head[4:8] == b"ftyp"
    return True


RESERVED_IDS = ("cover", "toc", "digest", "colophon")
LINK_SCHEMES = ("http", "https", "mailto")
# Links markdown-it refuses to make at all (its own safety rule), so they stay plain text and
# never reach _link: `[x](javascript:…)`. Said here, as B807, so the author knows. (`file:`
# is the checker's C405; `data:image/png;…` and the like markdown-it does accept.)
_REFUSED_LINK = re.compile(
    r"\]\(\s*+<?\s*+((?:javascript|vbscript|data):(?:[^()\s>]|\([^()\s]*\))*)", re.I
)
_ACCEPTED_DATA = re.compile(r"data:image/(?:gif|png|jpeg|webp);", re.I)


# ----------------------------------------------------------------------------- the document


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
            raise ProceedingsError(f"{exc}; not published", path=self.rel,
                                   hint="export the SVG again and rebuild") from None


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


# ----------------------------------------------------------------------------- selection


def select_sessions(
    workspace: Workspace,
    names: Iterable[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Session]:
    """The sessions to build: all, or those named (folder name or its slug), within dates."""
    names = list(names)
    chosen = list(workspace.sessions)
    if names:
        picked: list[Session] = []
        for name in names:
            match = [s for s in workspace.sessions if name in (s.name, s.slug)]
            if not match:
                known = ", ".join(s.name for s in workspace.sessions) or "none"
                raise ProceedingsError(
                    f"no session `{name}` in {workspace.config.sessions_dir}/",
                    hint=f"sessions: {known}",
                )
            picked += [s for s in match if s not in picked]
        chosen = [s for s in workspace.sessions if s in picked]
    if since is not None:
        chosen = [s for s in chosen if s.date is not None and s.date >= since]
    if until is not None:
        chosen = [s for s in chosen if s.date is not None and s.date <= until]
    return chosen


# ----------------------------------------------------------------------------- compile


def compile_workspace(
    workspace: Workspace,
    sessions: list[Session] | None = None,
    options: CompileOptions | None = None,
) -> Document:
    """Merge `sessions` (default: all) of `workspace` into one Document."""
    options = options or CompileOptions()
    sessions = list(workspace.sessions if sessions is None else sessions)
    if not sessions:
        raise ProceedingsError(
            "there is nothing to build: no sessions selected",
            hint="add a session with `proceedings new-session`, or widen the selection",
        )
    compiler = _Compiler(workspace, sessions, options)
    return compiler.run()


class _IdRegistry:
    """Hands out document-wide unique ids; a taken id gets -2, -3, … appended."""

    def __init__(self) -> None:
        self.taken: set[str] = set(RESERVED_IDS)

    def claim(self, wanted: str) -> str:
        candidate, number = wanted, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{wanted}-{number}"
        self.taken.add(candidate)
        return candidate


@dataclass
class _FilePlan:
    """Ids decided before any link is rewritten, so links may point forward."""

    file: MarkdownFile
    scope: str  # the session or topic id
    heading_ids: list[str]  # per heading of the file, in order (the dropped H1 maps to scope)
    anchors: dict[str, str]  # GitHub-style anchor -> document id
    drop_first_h1: bool


class _Compiler:
    def __init__(self, workspace: Workspace, sessions: list[Session], options: CompileOptions):
        self.workspace = workspace
        self.config = workspace.config
        self.root = workspace.root.resolve()
        self.sessions_path = workspace.sessions_path.resolve()
        self.sessions = sessions
        self.options = options
        self.allow_raw_html = (
            self.config.build.allow_raw_html
            if options.allow_raw_html is None
            else options.allow_raw_html
        )
        self.labels = labels_for(self.config.language)
        self.ids = _IdRegistry()
        self.plans: dict[Path, _FilePlan] = {}  # by resolved file path
        self.session_ids: dict[Path, str] = {}  # by resolved session folder
        self.note_ids: dict[Path, str] = {}
        self.assets: dict[str, Asset] = {}
        self.svg_usable: dict[Path, bool] = {}  # SVGs already looked at (each reported once)
        self.diagnostics: list[Diagnostic] = []
        self.loaded_files = {f.path.resolve() for f in workspace.markdown_files()}
        self.loaded_dirs = {s.path.resolve() for s in workspace.sessions}

    # -- phase 1: ids ---------------------------------------------------------------------

    def plan(self) -> None:
        for session in self.sessions:
            session_id = self.ids.claim(session.name)
            self.session_ids[session.path.resolve()] = session_id
            if session.info is not None and session.info.readable:
                self.plans[session.info.path.resolve()] = self._plan_file(
                    session.info, session_id
                )
            slugs = [note.slug for note in session.notes]
            for note in session.notes:
                slug = note.slug
                if slugs.count(note.slug) > 1:
                    slug = f"{note.number:02d}-{note.slug}"
                note_id = self.ids.claim(f"{session.name}--{slug}")
                self.note_ids[note.file.path.resolve()] = note_id
                if note.file.readable:
                    self.plans[note.file.path.resolve()] = self._plan_file(note.file, note_id)

    def _plan_file(self, file: MarkdownFile, scope: str) -> _FilePlan:
        headings = file.headings
        anchors = heading_anchors([h.text for h in headings])
        drop_first_h1 = _first_block_is_h1(file.tokens)
        ids: list[str] = []
        mapping: dict[str, str] = {}
        for index, anchor in enumerate(anchors):
            if index == 0 and drop_first_h1:
                ids.append(scope)
            else:
                ids.append(self.ids.claim(f"{scope}--{anchor or f'sec-{index + 1}'}"))
            mapping.setdefault(anchor, ids[-1])
        return _FilePlan(file, scope, ids, mapping, drop_first_h1)

    # -- phase 2: rewrite -----------------------------------------------------------------

    def run(self) -> Document:
        self.plan()
        compiled = [self._session(session) for session in self.sessions]
        _number_captions(compiled)
        return self._document(compiled)

    def _session(self, session: Session) -> CompiledSession:
        session_id = self.session_ids[session.path.resolve()]
        info = session.info
        meta = info.meta if info is not None else {}
        overview: list[Token] = []
        footnotes: list[Footnote] = []
        key_points: list[KeyPoint] = []
        if info is not None and info.readable:
            plan = self.plans[info.path.resolve()]
            overview, footnotes, key_points = _FileRewriter(self, plan, session_id, None).run()
        notes = [self._note(session_id, note) for note in session.notes]
        date = session.date.isoformat() if session.date else None
        return CompiledSession(
            id=session_id,
            folder=session.name,
            rel=session.rel,
            info_rel=info.rel if info is not None else None,
            title=session.title,
            date=date,
            event=_text(meta.get("event")),
            url=self._session_url(info),
            location=_text(meta.get("location")),
            facilitators=_text_list(meta.get("facilitators")),
            participants=_participants(meta.get("participants")),
            tags=_text_list(meta.get("tags")),
            language=session.language(self.config),
            overview=overview,
            overview_footnotes=footnotes,
            key_points=key_points,
            notes=[note for note in notes if note is not None],
        )

    def _session_url(self, info: MarkdownFile | None) -> str | None:
        url = _text(info.meta.get("url")) if info is not None else None
        if url is None or urlsplit(url).scheme.lower() in ("http", "https"):
            return url
        self.report(
            UNSAFE_URL, info.rel, info.key_lines.get("url", 1),
            f"`url: {_short(url)}` is not an http(s) address; left out",
        )
        return None

    def _note(self, session_id: str, note: Note) -> CompiledNote | None:
        file = note.file
        note_id = self.note_ids[file.path.resolve()]
        if not file.readable:
            return None  # the loader reported it (F101/F105); --force builds the rest
        plan = self.plans[file.path.resolve()]
        tokens, footnotes, key_points = _FileRewriter(self, plan, session_id, note_id).run()
        history = None
        if self.options.provenance is not None:
            history = self.options.provenance.notes.get(file.rel)
        return CompiledNote(
            id=note_id,
            rel=file.rel,
            number=note.number,
            slug=note.slug,
            title=note.title,
            scribes=_text_list(file.meta.get("scribes")),
            tags=_text_list(file.meta.get("tags")),
            status=note.status,
            tokens=tokens,
            footnotes=footnotes,
            key_points=key_points,
            history=history,
        )

    def _document(self, sessions: list[CompiledSession]) -> Document:
        dates = sorted(s.date for s in sessions if s.date)
        keywords: list[str] = []
        for session in sessions:
            for tag in session.tags + [t for n in session.notes for t in n.tags]:
                if tag not in keywords:
                    keywords.append(tag)
        toc: list[TocEntry] = []
        sources: list[SourceEntry] = []
        provenance = self.options.provenance
        for session in sessions:
            toc.append(TocEntry("session", session.title, session.id))
            if session.info_rel:
                history = provenance.notes.get(session.info_rel) if provenance else None
                sources.append(SourceEntry(session.info_rel, "session", None, history))
            for note in session.notes:
                toc.append(TocEntry("topic", note.title, note.id))
                sources.append(SourceEntry(note.rel, "note", note.status, note.history))
        return Document(
            root=self.root,
            wg_name=self.config.wg_name,
            title=self.config.title,
            language=self.config.language,
            date_from=dates[0] if dates else None,
            date_to=dates[-1] if dates else None,
            created=dates[-1] if dates else None,
            keywords=keywords,
            sessions=sessions,
            toc=toc,
            key_points=[kp for s in sessions for kp in s.all_key_points()],
            assets=sorted(self.assets.values(), key=lambda a: a.output),
            sources=sources,
            allow_raw_html=self.allow_raw_html,
            provenance=provenance,
            generator=f"proceedings {provenance.tool_version if provenance else __version__}",
            diagnostics=sorted(set(self.diagnostics)),
        )

    # -- shared services for the rewriter ------------------------------------------------

    def report(self, code: codes.Code, path: str, line: int, message: str, hint: str = ""):
        self.diagnostics.append(Diagnostic(path, line, 1, code.code, message, code.severity, hint))

    def add_asset(self, target: Path, image: bool) -> Asset:
        rel = target.relative_to(self.root).as_posix()
        if rel not in self.assets:
            inside = target.relative_to(self.sessions_path).as_posix()
            mime = IMAGE_TYPES.get(target.suffix.lower()) or (
                mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            )
            self.assets[rel] = Asset(target, rel, f"assets/{inside}", mime, image)
        elif image and not self.assets[rel].image:
            old = self.assets[rel]
            self.assets[rel] = Asset(old.source, old.rel, old.output, old.mime, True)
        return self.assets[rel]

    def inside(self, path: Path, folder: Path) -> bool:
        try:
            path.relative_to(folder)
        except ValueError:
            return False
        return True


class _FileRewriter:
    """Rewrites the tokens of one file (a note, or a session's overview)."""

    def __init__(
        self, compiler: _Compiler, plan: _FilePlan, session_id: str, note_id: str | None
    ) -> None:
        self.c = compiler
        self.plan = plan
        self.file = plan.file
        self.scope = plan.scope
        self.session_id = session_id
        self.note_id = note_id
        self.lines = self.file.body.split("\n")
        self.key_points: list[KeyPoint] = []
        self.footnote_labels: dict[int, str] = {}
        self.heading_index = 0

    def run(self) -> tuple[list[Token], list[Footnote], list[KeyPoint]]:
        tokens = copy_tokens(self.file.tokens)
        body, definitions = split_footnotes(tokens)
        self._name_footnotes(definitions)
        body = self._blocks(body, top=True)
        footnotes = [
            Footnote(self.footnote_labels[d.number], self._blocks(d.tokens, top=False))
            for d in definitions
        ]
        return body, footnotes, self.key_points

    # -- footnotes ------------------------------------------------------------------------

    def _name_footnotes(self, definitions: list[FootnoteDefinition]) -> None:
        used = {d.label for d in definitions if d.label}
        counter = 0
        for definition in definitions:
            label = definition.label
            if label is None:  # an inline footnote ^[…] has no label: make one up
                counter += 1
                while f"note-{counter}" in used:
                    counter += 1
                label = f"note-{counter}"
            self.footnote_labels[definition.number] = f"{self.scope}--{label}"

    # -- blocks ---------------------------------------------------------------------------

    def _blocks(self, tokens: list[Token], *, top: bool) -> list[Token]:
        out: list[Token] = []
        index = 0
        skip_first_h1 = top and self.plan.drop_first_h1
        while index < len(tokens):
            token = tokens[index]
            if token.type == "heading_open":
                close = closing_index(tokens, index)
                heading_id = self.plan.heading_ids[self.heading_index]
                self.heading_index += 1
                if skip_first_h1:
                    skip_first_h1 = False
                    index = close + 1
                    continue
                level = int(token.tag[1:])
                new_level = 3 if level == 1 else min(level + 1, 6)
                token.tag = f"h{new_level}"
                token.markup = "#" * new_level
                tokens[close].tag = token.tag
                token.attrs = {"id": heading_id}
                out.append(token)
                out += [self._inline(t) for t in tokens[index + 1 : close]]
                out.append(tokens[close])
                index = close + 1
                continue
            skip_first_h1 = False
            if token.type == "paragraph_open":
                inline = tokens[index + 1]
                if is_placeholder(inline.content):
                    index += 3  # template guidance the scribe never replaced: leave it out
                    continue
                if self.c.config.key_point_marker in inline.content:
                    self._key_point(token, inline)
                out.append(token)
                index += 1
                continue
            if token.type == "html_block":
                out += self._html_block(token)
                index += 1
                continue
            if token.type == "code_block":
                token.type, token.markup, token.info = "fence", "```", ""
            if token.type == "inline":
                token = self._inline(token)
            out.append(token)
            index += 1
        return out

    def _key_point(self, paragraph: Token, inline: Token) -> None:
        marker = self.c.config.key_point_marker
        number = len(self.key_points) + 1
        point_id = self.c.ids.claim(f"{self.scope}--kp-{number}")
        text = " ".join(inline_text(inline).replace(marker, "", 1).split()) or marker
        line = token_line(paragraph, self.file.body_offset)
        self.key_points.append(
            KeyPoint(point_id, text, self.file.rel, line, self.session_id, self.note_id)
        )
        anchor = Token("span_open", "span", 1)
        anchor.attrs = {"id": point_id}
        inline.children = [anchor, Token("span_close", "span", -1), *(inline.children or [])]

    def _html_block(self, token: Token) -> list[Token]:
        if comments_only(token.content):
            return []  # notes to fellow scribes and disable directives are never published
        line = token_line(token, self.file.body_offset)
        if not self.c.allow_raw_html:
            # Shown, never interpreted: the reader sees the HTML the scribe wrote.
            fence = Token("fence", "code", 0, markup="```", info="html", content=token.content)
            fence.map = token.map
            return [fence]
        result = sanitize_html(token.content, lambda kind, url: self._raw_url(kind, url, line))
        self._report_dropped(result.dropped, line)
        if not result.html.strip():
            return []
        token.content = result.block_html()
        return [token]

    # -- inline ---------------------------------------------------------------------------

    def _inline(self, token: Token) -> Token:
        if token.type != "inline" or not token.children:
            return token
        for match in _REFUSED_LINK.finditer(token.content):
            url = match.group(1)
            if not _ACCEPTED_DATA.match(url):
                self.c.report(
                    UNSAFE_URL, self.file.rel, self._line(token, url),
                    f"link `{_short(url)}` is not http(s), mailto or relative; shown as text",
                )
        children: list[Token] = []
        dropped_links: list[bool] = []  # per open link: was it neutralised?
        for child in token.children:
            if child.type == "link_open":
                href = self._link(child.attrs.get("href", ""), token)
                if href is None:
                    dropped_links.append(True)
                    continue
                dropped_links.append(False)
                child.attrs["href"] = href
                if "label" in child.meta:
                    child.meta["label"] = f"{self.scope}--{child.meta['label'].lower()}"
                children.append(child)
            elif child.type == "link_close":
                if dropped_links and dropped_links.pop():
                    continue
                children.append(child)
            elif child.type == "image":
                children += self._image(child, token)
            elif child.type == "html_inline":
                children += self._html_inline(child, token)
            elif child.type == "footnote_ref":
                child.meta = dict(child.meta)
                child.meta["label"] = self.footnote_labels.get(child.meta.get("id"), "")
                children.append(child)
            else:
                children.append(child)
        token.children = children
        return token

    def _html_inline(self, child: Token, inline: Token) -> list[Token]:
        if comments_only(child.content):
            return []
        if not self.c.allow_raw_html:
            return [Token("text", "", 0, content=child.content)]
        line = self._line(inline, child.content)
        result = sanitize_html(child.content, lambda kind, url: self._raw_url(kind, url, line))
        self._report_dropped(result.dropped, line)
        if not result.html:
            return []
        child.content = result.html
        return [child]

    def _report_dropped(self, dropped: list[str], line: int) -> None:
        for what in dropped:
            self.c.report(
                RAW_HTML_DROPPED, self.file.rel, line, f"raw HTML {what} removed",
                "only the allowlisted tags and attributes of docs/build.md pass",
            )

    def _raw_url(self, kind: str, url: str, line: int) -> str | None:
        """URL policy for raw HTML (allow mode): the same rules as Markdown links/images."""
        if kind == "src":
            if url.lower().startswith("data:image/"):
                return url
            return self._image_src(url, line)
        return self._resolve_href(url, line)

    def _line(self, inline: Token, needle: str) -> int:
        """The file line in `inline`'s block that mentions `needle` (best effort)."""
        start, end = inline.map if inline.map else (0, 1)
        candidates = [needle, unquote(needle), unquote(needle).rsplit("/", 1)[-1]]
        for offset in range(start, min(end, len(self.lines))):
            if any(c and c in self.lines[offset] for c in candidates):
                return offset + 1 + self.file.body_offset
        return start + 1 + self.file.body_offset

    # -- links ----------------------------------------------------------------------------

    def _link(self, href: str, inline: Token) -> str | None:
        return self._resolve_href(href, self._line(inline, href))

    def _resolve_href(self, href: str, line: int) -> str | None:
        parts = urlsplit(href)
        scheme = parts.scheme.lower()
        if scheme in LINK_SCHEMES:
            return href
        if scheme or parts.netloc:
            self.c.report(
                UNSAFE_URL, self.file.rel, line,
                f"link `{_short(href)}` is not http(s), mailto or relative; shown as text",
            )
            return None
        path, fragment = unquote(parts.path), unquote(parts.fragment)
        if not path:
            return "#" + self._anchor(self.plan, fragment, line, href)
        target = (self.file.path.parent / path).resolve()
        if target in self.c.plans:
            return "#" + self._anchor(self.c.plans[target], fragment, line, href)
        if target in self.c.session_ids:
            return "#" + self.c.session_ids[target]
        if target in self.c.loaded_files or target in self.c.loaded_dirs:
            self.c.report(
                LINK_NOT_BUILT, self.file.rel, line,
                f"link to `{path}`, which is not part of this build; shown as text",
                "build that session too, or ignore this when building a selection",
            )
            return None
        if os.path.isfile(target) and self.c.inside(target, self.c.sessions_path):
            if not self._svg_usable(target, path, line):
                return None
            asset = self.c.add_asset(target, image=False)
            return asset.output
        self.c.report(
            LINK_NOT_BUILT, self.file.rel, line,
            f"link to `{path}`, which is not a note or a file in the sessions folder; "
            "shown as text",
            "link to notes and assets inside the sessions folder, or use a full https:// URL",
        )
        return None

    def _anchor(self, plan: _FilePlan, fragment: str, line: int, href: str) -> str:
        if not fragment:
            return plan.scope
        for candidate in (fragment, fragment.lower(), slugify_heading(fragment)):
            if candidate in plan.anchors:
                return plan.anchors[candidate]
        self.c.report(
            UNKNOWN_ANCHOR, self.file.rel, line,
            f"`{_short(unquote(href))}`: no heading with the anchor `#{fragment}` in "
            f"{plan.file.rel}",
            "use the anchor of an existing heading (see `proceedings check`)",
        )
        return plan.scope

    # -- images ---------------------------------------------------------------------------

    def _image(self, child: Token, inline: Token) -> list[Token]:
        src = child.attrs.get("src", "")
        line = self._line(inline, src)
        new_src = self._image_src(src, line)
        if new_src is None:
            alt = child.content or src
            return [Token("text", "", 0, content=f"[{self.c.labels.missing_image}: {alt}]")]
        child.attrs["src"] = new_src
        return [child]

    def _image_src(self, src: str, line: int) -> str | None:
        parts = urlsplit(src)
        scheme = parts.scheme.lower()
        if scheme == "data" and src.lower().startswith("data:image/"):
            return src
        if scheme == "http":
            self.c.report(
                INSECURE_IMAGE, self.file.rel, line,
                f"image `{_short(src)}` is loaded over plain http; left out",
                "use its https:// address, or download it into the session's images/ folder",
            )
            return None
        if scheme == "https":
            self.c.report(
                REMOTE_IMAGE, self.file.rel, line,
                f"image `{_short(src)}` is loaded from the network and not embedded",
                "download it into the session's images/ folder and link it relatively",
            )
            return src
        if scheme or parts.netloc:
            self.c.report(
                UNSAFE_URL, self.file.rel, line, f"image `{_short(src)}` is not a file or https URL"
            )
            return None
        path = unquote(parts.path)
        target = (self.file.path.parent / path).resolve()
        if not self.c.inside(target, self.c.sessions_path):
            self.c.report(
                IMAGE_OUTSIDE, self.file.rel, line,
                f"image `{path}` is outside the sessions folder",
                "put images in the session's folder (e.g. images/) and link them relatively",
            )
            return None
        if not os.path.isfile(target):  # (False, not an error, in a folder it may not enter)
            self.c.report(
                MISSING_IMAGE, self.file.rel, line, f"image `{path}` does not exist",
                "check the file name (it is relative to the note), or add the file",
            )
            return None
        if target.suffix.lower() not in IMAGE_TYPES:
            self.c.report(
                UNSUPPORTED_IMAGE, self.file.rel, line,
                f"image `{path}` is not SVG, PNG, JPEG, GIF, WebP or AVIF",
            )
            return None
        if not _content_fits_suffix(target):
            kind = IMAGE_TYPES[target.suffix.lower()].split("/")[1].upper()
            self.c.report(
                UNSUPPORTED_IMAGE, self.file.rel, line,
                f"image `{path}` is named .{target.suffix[1:]} but is not a {kind} file",
                "export the image again, or give it the name of its real type",
            )
            return None
        if not self._svg_usable(target, path, line):
            return None
        return self.c.add_asset(target, image=True).output

    def _svg_usable(self, target: Path, path: str, line: int) -> bool:
        """False (with B803) for an SVG that cannot be made safe; B813 when the published
        copy leaves something out. Other files: True. Each SVG is read and reported once."""
        if target.suffix.lower() != ".svg":
            return True
        if target in self.c.svg_usable:
            return self.c.svg_usable[target]
        usable = True
        try:
            cleaned = sanitize_svg(target.read_bytes())
        except OSError:
            cleaned = None  # reported when it is copied or embedded
        except UnsafeSvgError as exc:
            self.c.report(
                UNSUPPORTED_IMAGE, self.file.rel, line, f"SVG `{path}` is left out: {exc}",
                "export it again as a plain SVG file",
            )
            cleaned, usable = None, False
        if cleaned is not None and cleaned.dropped:
            shown = ", ".join(cleaned.dropped[:4]) + (", …" if len(cleaned.dropped) > 4 else "")
            self.c.report(
                SVG_CLEANED, self.file.rel, line,
                f"SVG `{path}`: removed from the published copy: {shown}",
                "export the image without scripts, event handlers or links to other files",
            )
        self.c.svg_usable[target] = usable
        return usable


# ----------------------------------------------------------------------------- helpers


def _number_captions(sessions: list[CompiledSession]) -> None:
    """Figure and table captions (`compile.captions`), numbered in reading order."""
    numbers = CaptionNumbers()
    for session in sessions:
        session.overview = numbers.add(session.overview, session.language)
        for note in session.notes:
            note.tokens = numbers.add(note.tokens, session.language)


def copy_tokens(tokens: list[Token]) -> list[Token]:
    """A copy to rewrite without touching the workspace's tokens (deepcopy is 10x slower)."""
    return [
        Token(
            t.type, t.tag, t.nesting, dict(t.attrs), list(t.map) if t.map else t.map, t.level,
            copy_tokens(t.children) if t.children else t.children, t.content, t.markup, t.info,
            dict(t.meta), t.block, t.hidden,
        )
        for t in tokens
    ]


def _first_block_is_h1(tokens: list[Token]) -> bool:
    return bool(tokens) and tokens[0].type == "heading_open" and tokens[0].tag == "h1"






def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _text_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [item.strip() for item in value if isinstance(item, str) and item.strip()]
    if isinstance(value, str) and value.strip():
        return [value.strip()]
    return []


def _participants(value: Any) -> int | list[str] | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    names = _text_list(value)
    return names or None


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
