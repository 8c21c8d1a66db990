"""S3xx: the shape of a note — title heading, required sections, heading hierarchy."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from proceedings import codes
from proceedings.check.facts import HeadingFact
from proceedings.check.rules import rule
from proceedings.check.rules.context import CheckContext, FileInput
from proceedings.diagnostics import Diagnostic
from proceedings.i18n import _
from proceedings.load.markdown import MAX_NESTING
from proceedings.load.workspace import Session
from proceedings.text import any_of, closest

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def normalize_heading(text: str) -> str:
    """Compare headings and section names ignoring case, width and repeated spaces."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def section_level(headings: list[HeadingFact]) -> int:
    """Sections are the headings one level under the note's H1 (or the top level without H1)."""
    if any(h.level == 1 for h in headings):
        return 2
    return min((h.level for h in headings), default=2)


@rule(codes.TITLE_MISMATCH, kind="note")
def title_matches_h1(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    title = doc.file.meta.get("title")
    h1 = next((h for h in doc.facts.headings if h.level == 1), None)
    if not isinstance(title, str) or not title.strip() or h1 is None:
        return
    if " ".join(title.split()) != " ".join(h1.text.split()):
        yield doc.diag(
            codes.TITLE_MISMATCH, h1.line,
            _("H1 `{heading}` differs from the title `{title}` in the front matter").format(
                heading=h1.text, title=title.strip()),
            _("make them the same: the build uses the front-matter title"), h1.col,
        )


@rule(codes.MISSING_H1, kind="note")
def has_h1(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    if not any(h.level == 1 for h in doc.facts.headings):
        title = doc.file.meta.get("title")
        shown = title.strip() if isinstance(title, str) and title.strip() else _("<title>")
        yield doc.diag(codes.MISSING_H1, first_body_line(doc), _("note has no `# title` heading"),
                       _("add `# {title}` as the first line after the front matter").format(
                           title=shown))


@rule(codes.MULTIPLE_H1, kind="note")
def single_h1(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    ones = [h for h in doc.facts.headings if h.level == 1]
    for extra in ones[1:]:
        yield doc.diag(codes.MULTIPLE_H1, extra.line,
                       _("second H1 `{heading}` (the title is at line {line})").format(
                           heading=extra.text, line=ones[0].line),
                       _("make it `## …` — a note has one title"), extra.col)


@rule(codes.MISSING_SECTION, kind="note")
def required_sections(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    headings = doc.facts.headings
    level = section_level(headings)
    present = [h for h in headings if h.level == level]
    names = {normalize_heading(h.text) for h in present}
    known = {normalize_heading(n) for group in ctx.config.sections.required
             + ctx.config.sections.optional for n in group}
    unknown = [h for h in present if normalize_heading(h.text) not in known]
    line = missing_section_line(doc)
    variant = name_variant(present, ctx.config.sections.required + ctx.config.sections.optional,
                           doc.session.language(ctx.config))
    for group in ctx.config.sections.required:
        if any(normalize_heading(name) in names for name in group):
            continue
        accepted = any_of([f"`{name}`" for name in group])
        hint = _("add a `{heading}` section; `proceedings check --fix` inserts it").format(
            heading=f"{'#' * level} {pick_name(group, variant)}")
        close = _closest(group, unknown)
        if close is not None:
            hint = _("`{heading}` (line {line}) is not a recognised name; rename it to "
                     "{accepted}").format(heading=close.text, line=close.line, accepted=accepted)
        yield doc.diag(codes.MISSING_SECTION, line,
                       _("missing required section {accepted}").format(accepted=accepted), hint)


def name_variant(present: list[HeadingFact], groups: list[list[str]], language: str) -> int | str:
    """Which of a section's names the note already uses (an index), else its language."""
    for heading in present:
        key = normalize_heading(heading.text)
        for group in groups:
            for index, name in enumerate(group):
                if normalize_heading(name) == key:
                    return index
    return language


def pick_name(group: list[str], variant: int | str) -> str:
    """The name to write for a missing section: the note's own variant, else by language."""
    if isinstance(variant, int):
        return group[variant] if variant < len(group) else group[0]
    if variant == "ja":
        return next((name for name in group if not name.isascii()), group[0])
    return next((name for name in group if name.isascii()), group[0])


def missing_section_line(doc: FileInput) -> int:
    """Where missing sections are reported: the H1, else the first body line."""
    h1 = next((h for h in doc.facts.headings if h.level == 1), None)
    return h1.line if h1 else first_body_line(doc)


def first_body_line(doc: FileInput) -> int:
    """The first non-blank line after the front matter (or the line after it)."""
    lines = doc.facts.lines
    start = doc.file.body_offset
    for index in range(start, len(lines)):
        if lines[index].strip():
            return index + 1
    return min(start + 1, max(len(lines), 1))


def _closest(group: list[str], candidates: list[HeadingFact]) -> HeadingFact | None:
    by_name = {normalize_heading(h.text): h for h in candidates}
    for name in group:
        match = closest(normalize_heading(name), by_name, cutoff=0.5)
        if match:
            return by_name[match]
    return None


@rule(codes.EMPTY_SECTION, kind="note")
def empty_sections(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    facts = doc.facts
    headings = facts.headings
    content = sorted(set(facts.content_lines) | set(facts.placeholder_lines))
    end_of_file = len(facts.lines) + 1
    for index, heading in enumerate(headings):
        if heading.level == 1:
            continue
        following = headings[index + 1] if index + 1 < len(headings) else None
        if following is not None and following.level > heading.level:
            continue  # it has subsections
        stop = following.line if following is not None else end_of_file
        if not any(heading.line < line < stop for line in content):
            yield doc.diag(codes.EMPTY_SECTION, heading.line,
                           _("section `{heading}` is empty").format(heading=heading.text),
                           _("write its content, or remove the heading"), heading.col)


@rule(codes.HEADING_JUMP, kind="markdown")
def heading_levels(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    previous: HeadingFact | None = None
    for heading in doc.facts.headings:
        if previous is not None and heading.level > previous.level + 1:
            yield doc.diag(
                codes.HEADING_JUMP, heading.line,
                _("heading level jumps from H{previous} to H{level}").format(
                    previous=previous.level, level=heading.level),
                _("use `{heading}`").format(heading=f"{'#' * (previous.level + 1)} {heading.text}"),
                heading.col,
            )
        previous = heading


@rule(codes.DUPLICATE_HEADING, kind="markdown")
def duplicate_siblings(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    # The same heading in *different* notes or under different parents is fine; only
    # siblings (same parent heading) with equal text are reported.
    parents: list[HeadingFact] = []
    seen: dict[tuple[int, int, str], HeadingFact] = {}
    for heading in doc.facts.headings:
        while parents and parents[-1].level >= heading.level:
            parents.pop()
        parent_line = parents[-1].line if parents else 0
        key = (parent_line, heading.level, normalize_heading(heading.text))
        first = seen.get(key)
        if first is not None:
            yield doc.diag(
                codes.DUPLICATE_HEADING, heading.line,
                _("heading `{heading}` repeats the one at line {line}").format(
                    heading=heading.text, line=first.line),
                _("merge the two sections or give them different names"), heading.col,
            )
        else:
            seen[key] = heading
        parents.append(heading)


@rule(codes.DUPLICATE_TITLE, kind="session")
def duplicate_titles(session: Session, ctx: CheckContext) -> Iterator[Diagnostic]:
    seen: dict[str, str] = {}
    for note in session.notes:
        title = note.file.meta.get("title")
        if not isinstance(title, str) or not title.strip():
            continue
        key = normalize_heading(title)
        if key in seen:
            yield Diagnostic(
                note.rel, note.file.key_lines.get("title", 1), 1, codes.DUPLICATE_TITLE.code,
                _("title `{title}` is also the title of {name}").format(
                    title=title.strip(), name=seen[key]),
                codes.DUPLICATE_TITLE.severity, _("give each topic its own title"),
            )
        else:
            seen[key] = note.file.path.name


@rule(codes.NESTED_TOO_DEEP, kind="markdown")
def nested_too_deep(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    for first, last in doc.facts.too_deep_lines:
        if last > first:
            message = _("nested more than {levels} levels deep (a list item counts two, a quote "
                        "one): Markdown stops parsing here, so lines {first}–{last} would be "
                        "missing from the outputs")
        else:
            message = _("nested more than {levels} levels deep (a list item counts two, a quote "
                        "one): Markdown stops parsing here, so line {first} would be missing "
                        "from the outputs")
        yield doc.diag(
            codes.NESTED_TOO_DEEP, first,
            message.format(levels=MAX_NESTING, first=first, last=last),
            _("nest less deeply, e.g. start a new list or quote at the top level"),
        )
