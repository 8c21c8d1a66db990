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
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markdown_it.token import Token

from proceedings import __version__, codes
from proceedings.codes import UNSAFE_URL
from proceedings.compile.assets import AssetResolver
from proceedings.compile.captions import CaptionNumbers
from proceedings.compile.labels import DEFAULT_TITLES, labels_for
from proceedings.compile.records import (
    Asset,
    CompiledNote,
    CompiledSession,
    CompileOptions,
    Document,
    Footnote,
    KeyPoint,
    SourceEntry,
    TocEntry,
    short,
)
from proceedings.compile.rewrite import (
    LINK_SCHEMES,
    RESERVED_IDS,
    FilePlan,
    FileRewriter,
    IdRegistry,
    copy_tokens,
)
from proceedings.diagnostics import Diagnostic
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.load.anchors import heading_anchors
from proceedings.load.source import MarkdownFile
from proceedings.load.workspace import Note, Session, Workspace
from proceedings.paths import real_path

# The records and helpers that lived here before the split, still importable from here.
__all__ = [
    "LINK_SCHEMES",
    "RESERVED_IDS",
    "Asset",
    "CompileOptions",
    "CompiledNote",
    "CompiledSession",
    "Document",
    "Footnote",
    "KeyPoint",
    "SourceEntry",
    "TocEntry",
    "compile_workspace",
    "copy_tokens",
    "select_sessions",
]


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
                known = ", ".join(s.name for s in workspace.sessions) or _("none")
                raise ProceedingsError(
                    _("no session `{name}` in {folder}/").format(
                        name=name, folder=workspace.config.sessions_dir),
                    hint=_("sessions: {known}").format(known=known),
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
            _("there is nothing to build: no sessions selected"),
            hint=_("add a session with `proceedings new-session`, or widen the selection"),
        )
    compiler = _Compiler(workspace, sessions, options)
    return compiler.run()


class _Compiler:
    """One build's compilation: plans every file's ids, then rewrites each file (the shared
    state a `FileRewriter` uses is the `compile.rewrite.Compilation` protocol)."""

    def __init__(
        self, workspace: Workspace, sessions: list[Session], options: CompileOptions
    ) -> None:
        self.workspace = workspace
        self.config = workspace.config
        self.root = real_path(workspace.root)
        self.sessions_path = real_path(workspace.sessions_path)
        self.sessions = sessions
        self.options = options
        self.allow_raw_html = (
            self.config.build.allow_raw_html
            if options.allow_raw_html is None
            else options.allow_raw_html
        )
        self.labels = labels_for(self.config.language)
        self.ids = IdRegistry()
        self.plans: dict[Path, FilePlan] = {}  # by resolved file path
        self.session_ids: dict[Path, str] = {}  # by resolved session folder
        self.note_ids: dict[Path, str] = {}
        self.assets = AssetResolver(self.root, self.sessions_path, self.report)
        self.diagnostics: list[Diagnostic] = []
        self.loaded_files = {real_path(f.path) for f in workspace.markdown_files()}
        self.loaded_dirs = {real_path(s.path) for s in workspace.sessions}

    # -- phase 1: ids ---------------------------------------------------------------------

    def plan(self) -> None:
        for session in self.sessions:
            session_id = self.ids.claim(session.name)
            self.session_ids[real_path(session.path)] = session_id
            if session.info is not None and session.info.readable:
                self.plans[real_path(session.info.path)] = self._plan_file(
                    session.info, session_id
                )
            slugs = [note.slug for note in session.notes]
            for note in session.notes:
                slug = note.slug
                if slugs.count(note.slug) > 1:
                    slug = f"{note.number:02d}-{note.slug}"
                note_id = self.ids.claim(f"{session.name}--{slug}")
                self.note_ids[real_path(note.file.path)] = note_id
                if note.file.readable:
                    self.plans[real_path(note.file.path)] = self._plan_file(note.file, note_id)

    def _plan_file(self, file: MarkdownFile, scope: str) -> FilePlan:
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
        return FilePlan(file, scope, ids, mapping, drop_first_h1)

    # -- phase 2: rewrite -----------------------------------------------------------------

    def run(self) -> Document:
        self.plan()
        compiled = [self._session(session) for session in self.sessions]
        _number_captions(compiled)
        return self._document(compiled)

    def _session(self, session: Session) -> CompiledSession:
        session_id = self.session_ids[real_path(session.path)]
        info = session.info
        meta = info.meta if info is not None else {}
        overview: list[Token] = []
        footnotes: list[Footnote] = []
        key_points: list[KeyPoint] = []
        if info is not None and info.readable:
            plan = self.plans[real_path(info.path)]
            overview, footnotes, key_points = FileRewriter(self, plan, session_id, None).run()
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
        if info is None:
            return None
        url = _text(info.meta.get("url"))
        if url is None or urlsplit(url).scheme.lower() in ("http", "https"):
            return url
        self.report(
            UNSAFE_URL, info.rel, info.key_lines.get("url", 1),
            _("`url: {url}` is not an http(s) address; left out").format(url=short(url)),
        )
        return None

    def _note(self, session_id: str, note: Note) -> CompiledNote | None:
        file = note.file
        note_id = self.note_ids[real_path(file.path)]
        if not file.readable:
            return None  # the loader reported it (F101/F105); --force builds the rest
        plan = self.plans[real_path(file.path)]
        tokens, footnotes, key_points = FileRewriter(self, plan, session_id, note_id).run()
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
            title=self.config.title or DEFAULT_TITLES[self.config.language],
            language=self.config.language,
            date_from=dates[0] if dates else None,
            date_to=dates[-1] if dates else None,
            created=dates[-1] if dates else None,
            keywords=keywords,
            sessions=sessions,
            toc=toc,
            key_points=[kp for s in sessions for kp in s.all_key_points()],
            assets=self.assets.collected(),
            sources=sources,
            allow_raw_html=self.allow_raw_html,
            provenance=provenance,
            generator=f"proceedings {provenance.tool_version if provenance else __version__}",
            diagnostics=sorted(set(self.diagnostics)),
        )

    # -- shared services for the rewriter ------------------------------------------------

    def report(
        self, code: codes.Code, path: str, line: int, message: str, hint: str = ""
    ) -> None:
        self.diagnostics.append(Diagnostic(path, line, 1, code.code, message, code.severity, hint))


# ----------------------------------------------------------------------------- helpers


def _number_captions(sessions: list[CompiledSession]) -> None:
    """Figure and table captions (`compile.captions`), numbered in reading order."""
    numbers = CaptionNumbers()
    for session in sessions:
        session.overview = numbers.add(session.overview, session.language)
        for note in session.notes:
            note.tokens = numbers.add(note.tokens, session.language)


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
