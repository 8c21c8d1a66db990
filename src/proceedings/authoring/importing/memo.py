"""One memo → its planned session: read, rewrite links, find title, metadata, sections and
topics, write the files' text in memory, and refuse the plan if a line would go missing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from proceedings.authoring.importing.assets import MemoAssets
from proceedings.authoring.importing.lost import lost_lines
from proceedings.authoring.importing.metadata import (
    Metadata,
    bullet_metadata,
    front_matter,
    header_metadata,
)
from proceedings.authoring.importing.model import MemoPlan, MemoSource, PlannedFile, Report
from proceedings.authoring.importing.naming import MemoNaming
from proceedings.authoring.importing.reading import read_memo
from proceedings.authoring.importing.structure import (
    Heading,
    MemoStructure,
    Section,
    classify,
    code_lines,
)
from proceedings.authoring.importing.writing import MemoWriter
from proceedings.config import Config
from proceedings.i18n import _
from proceedings.load.workspace import SESSION_FILE
from proceedings.paths import display_path

_DASHES_ONLY = re.compile(r"^---\s*$")


@dataclass
class _Layout:
    """Where the memo's parts are: title, metadata lines, and its sections by role."""

    title_heading: Heading | None
    metadata: list[Metadata]
    header_lines: set[int]
    intro: list[Section]
    topics: list[Section]
    closing: list[Section]
    preamble_end: int  # the first section's line: text above it is the overview


def plan_memo(
    memo: MemoSource, config: Config, *, date: dt.date | None, slug: str | None
) -> MemoPlan:
    """Work out the session one memo becomes. Raises ProceedingsError; writes nothing."""
    report = Report(display_path(memo.path))
    lines = read_memo(memo.path, report)
    if lines and _DASHES_ONLY.match(lines[0]):
        raise report.error(
            _("starts with front matter, so it looks like it is in a structured format already"),
            0,
            _("import handles free-form memos; copy structured notes into sessions/ by hand"),
        )
    assets = MemoAssets(memo, report)
    assets.rewrite_links(lines, code_lines(lines))
    structure = MemoStructure(lines)
    layout = _layout(structure, report)
    naming = MemoNaming(memo, report, date=date, slug=slug)
    front, title = front_matter(layout.metadata, layout.title_heading, naming.name(), report)
    session_date = naming.date(layout.metadata, title)
    session_slug = naming.slug(title)
    session_rel = f"{config.sessions_dir}/{session_date.isoformat()}-{session_slug}"
    writer = MemoWriter(structure, layout.title_heading, config, report, assets.unlinked)
    files = _files(writer, layout, front, title, session_date, session_slug, session_rel, config)
    files += [
        PlannedFile(f"{session_rel}/{inside}", "asset", None, source)
        for source, inside in sorted(assets.assets.items(), key=lambda item: item[1])
    ]
    # Links were rewritten on purpose; everything else must be there, line for line.
    lost = lost_lines("\n".join(lines), [f.text for f in files if f.text is not None])
    if lost:
        number, text = lost[0]
        raise report.error(
            _("the import would lose this line: {text!r}").format(text=text),
            number - 1,
            _("please report this memo's layout so the importer can learn it"),
        )
    return MemoPlan(
        memo.path,
        report.shown,
        session_rel,
        title,
        session_date,
        session_slug,
        files,
        report.findings,
        dict(assets.rewrites),
    )


def _layout(structure: MemoStructure, report: Report) -> _Layout:
    title_heading = structure.title_heading()
    metadata, header_lines = header_metadata(structure, title_heading, report)
    if title_heading is not None:
        structure.removed.update(range(title_heading.start, title_heading.end))
    structure.removed.update(header_lines)
    after = [h for h in structure.headings if h is not title_heading]
    sections = structure.sections(after)
    intro, topics, closing = classify(sections, report)
    preamble_end = sections[0].start if sections else len(structure.lines)
    metadata += bullet_metadata(
        structure, [(0, preamble_end)] + [(s.start, s.end) for s in intro], header_lines
    )
    return _Layout(title_heading, metadata, header_lines, intro, topics, closing, preamble_end)


def _files(
    writer: MemoWriter,
    layout: _Layout,
    front: dict[str, Any],
    title: str,
    session_date: dt.date,
    session_slug: str,
    session_rel: str,
    config: Config,
) -> list[PlannedFile]:
    """session.md and the notes (their text; assets are added by the caller)."""
    language = front.get("language", config.language)
    scribes = front.pop("scribes", None)
    notes = writer.notes(layout.topics, layout.preamble_end, title, session_slug, language, scribes)
    session_text = writer.session_text(
        front,
        title,
        session_date,
        layout.preamble_end,
        layout.intro,
        layout.closing,
        layout.header_lines,
        no_topics=not layout.topics,
        language=language,
    )
    files = [PlannedFile(f"{session_rel}/{SESSION_FILE}", "session", session_text, None, title)]
    files += [
        PlannedFile(f"{session_rel}/{name}", "note", text, None, note_title)
        for name, note_title, text in notes
    ]
    return files
