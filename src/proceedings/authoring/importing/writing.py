"""The text of the files an import creates: one note per topic and session.md, made of the
memo's own lines (headings re-levelled) under the WG's sections, with front matter."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from proceedings.authoring.importing.model import Report
from proceedings.authoring.importing.structure import Heading, MemoStructure, Section
from proceedings.authoring.importing.vocabulary import (
    DISCUSSION_NAMES,
    TOPIC_HEADING,
    md_escape,
    normal,
)
from proceedings.authoring.sections import section_kind, section_name
from proceedings.authoring.slugs import slugify
from proceedings.config import Config
from proceedings.i18n import _
from proceedings.load.placeholders import PLACEHOLDER_MARK

Note = tuple[str, str, str]  # file name, title, text


class MemoWriter:
    def __init__(
        self,
        memo: MemoStructure,
        title_heading: Heading | None,
        config: Config,
        report: Report,
        unlinked: list[str],
    ) -> None:
        self.memo = memo
        self.title_heading = title_heading
        self.config = config
        self.report = report
        self.unlinked = unlinked  # copied files the memo never linked
        self.preamble_lead = False  # topic-less memo: its opening paragraphs are the overview
        self.lead_end = 0
        self.definition_users: Counter[int] = Counter()

    def emit(self, start: int, end: int, base: int) -> list[str]:
        """Lines [start, end) minus removed ones, headings re-levelled under level `base`."""
        memo = self.memo
        out: list[str] = []
        stack: list[tuple[int, int]] = []  # (original level, new level)
        index = start
        while index < end:
            if index in memo.removed:
                index += 1
                continue
            heading = memo.heading_at.get(index)
            if heading is None:
                out.append(memo.lines[index])
                index += 1
                continue
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            level = min(stack[-1][1] + 1 if stack else base + 1, 6)
            if len(heading.lines) > 1 and level > 2:
                level = 2  # only setext keeps a heading's several lines, and it has 2 levels
                self.report.unmapped(
                    heading.start,
                    _("a heading written over several lines stays a level-2 heading"),
                )
            stack.append((heading.level, level))
            out += heading.render(level)
            index = heading.end
        return _trim(out)

    # ---- notes

    def notes(
        self,
        topics: list[Section],
        preamble_end: int,
        title: str,
        session_slug: str,
        language: str,
        scribes: list[str] | None,
    ) -> list[Note]:
        if not topics:
            return [self._single_note(preamble_end, title, session_slug, language, scribes)]
        notes: list[Note] = []
        used: Counter[str] = Counter()
        for number, section in enumerate(topics, start=1):
            heading = section.heading
            stripped = TOPIC_HEADING.sub("", normal(heading.text))
            slug = slugify(stripped) or f"topic-{number}"
            used[slug] += 1
            if used[slug] > 1:
                slug = f"{slug}-{used[slug]}"
            name = f"{number:02d}-{slug}.md"
            title = heading.text
            h1 = heading
            if not title:  # `##` with no text: the note still needs a title
                title = f"トピック {number}" if language == "ja" else f"Topic {number}"
                h1 = Heading(1, title, md_escape(title), heading.start, heading.end)
                self.report.decided(
                    heading.start,
                    _("a topic heading has no text; titled `{title}`").format(title=title))
            text = self._note_text(
                title, h1, (heading.end, section.end), language, scribes, section=section
            )
            notes.append((name, title, text))
        return notes

    def _single_note(
        self,
        preamble_end: int,
        title: str,
        session_slug: str,
        language: str,
        scribes: list[str] | None,
    ) -> Note:
        """A memo without topics: one note holding its text."""
        lead, rest = self._split_lead(0, preamble_end)
        self.preamble_lead = lead
        slug = slugify(title) or session_slug
        name = f"01-{slug}.md"
        heading = self.title_heading or Heading(1, title, md_escape(title), 0, 0)
        text = self._note_text(title, heading, (rest, preamble_end), language, scribes)
        self.report.decided(
            None,
            (_("no topic sections: the memo's text became one note, `{name}` (its opening "
               "paragraphs became the overview)") if lead
             else _("no topic sections: the memo's text became one note, `{name}`"))
            .format(name=name),
        )
        return name, title, text

    def _split_lead(self, start: int, end: int) -> tuple[bool, int]:
        """Opening paragraphs of a topic-less memo (overview) and where the rest starts."""
        blocks = [
            b for b in self.memo.blocks if start <= b[0] < end and b[0] not in self.memo.removed
        ]
        lead = 0
        while lead < len(blocks) and blocks[lead][2].type == "paragraph_open":
            lead += 1
        if lead == 0 or lead == len(blocks):
            self.lead_end = start
            return False, start
        self.lead_end = blocks[lead][0]
        return True, blocks[lead][0]

    def _subsections(self, section: Section) -> list[Heading]:
        """Direct sub-headings of a topic, if every one is named like a WG section."""
        inner = [h for h in self.memo.headings if section.heading.end <= h.start < section.end]
        if not inner:
            return []
        level = min(h.level for h in inner)
        direct = [h for h in inner if h.level == level]
        names = {normal(n) for group in self._groups() for n in group}
        if all(normal(h.text) in names for h in direct):
            return direct
        return []

    def _groups(self) -> list[list[str]]:
        return [g for g in self.config.sections.required + self.config.sections.optional if g]

    def _note_text(
        self,
        title: str,
        heading: Heading,
        body_range: tuple[int, int],
        language: str,
        scribes: list[str] | None,
        section: Section | None = None,
    ) -> str:
        front: dict[str, Any] = {"title": title}
        if scribes:
            front["scribes"] = scribes
        front["status"] = "draft"
        required = [g for g in self.config.sections.required if g]
        parts: list[list[str]] = [heading.render(1)]
        subsections = self._subsections(section) if section is not None else []
        if subsections and section is not None:
            parts += self._lifted(section, subsections, required, language)
        elif not required:  # a WG without required sections: the body as it is
            parts.append(self.emit(*body_range, 1))
        else:
            body_group = next(
                (g for g in required if {normal(n) for n in g} & DISCUSSION_NAMES),
                required[-1],
            )
            for group in required:
                name = section_name(group, language)
                if group is body_group:
                    body = self.emit(*body_range, 2)
                    parts.append(
                        [f"## {name}", ""]
                        + (body or [_placeholder(group, language, empty_memo=True)])
                    )
                else:
                    parts.append([f"## {name}", "", _placeholder(group, language)])
        text = "\n\n".join("\n".join(p) for p in parts if p)
        return document(front, self._with_definitions(text))

    def _lifted(
        self,
        section: Section,
        subsections: list[Heading],
        required: list[list[str]],
        language: str,
    ) -> list[list[str]]:
        """A topic whose sub-sections are already the WG's sections: they become H2s."""
        order = {id(g): i for i, g in enumerate(self._groups())}
        group_of = {}
        for heading in subsections:
            group_of[heading.start] = next(
                g for g in self._groups() if normal(heading.text) in {normal(n) for n in g}
            )
        present = {id(g) for g in group_of.values()}
        missing = [g for g in required if id(g) not in present]
        parts: list[list[str]] = []
        lead = self.emit(section.heading.end, subsections[0].start, 2)
        if lead:
            parts.append(lead)
        for index, heading in enumerate(subsections):
            end = subsections[index + 1].start if index + 1 < len(subsections) else section.end
            rank = order[id(group_of[heading.start])]
            while missing and order[id(missing[0])] < rank:
                group = missing.pop(0)
                parts.append(
                    [f"## {section_name(group, language)}", "", _placeholder(group, language)]
                )
            parts.append(self.emit(heading.start, end, 1))
        for group in missing:
            parts.append([f"## {section_name(group, language)}", "", _placeholder(group, language)])
        self.report.decided(
            section.start,
            _("topic `{topic}` already has the WG's sections; they became the note's sections")
            .format(topic=section.heading.text),
        )
        return parts

    # ---- session.md

    def session_text(
        self,
        front: dict[str, Any],
        title: str,
        date: dt.date,
        preamble_end: int,
        intro: list[Section],
        closing: list[Section],
        header_lines: set[int],
        *,
        no_topics: bool,
        language: str,
    ) -> str:
        meta: dict[str, Any] = {"title": title, "date": date}
        for key in ("event", "url", "location", "facilitators", "participants", "tags", "language"):
            if key in front:
                meta[key] = front[key]
        parts: list[list[str]] = []
        if no_topics:
            if self.preamble_lead:
                parts.append(self.emit(0, self.lead_end, 1))
        else:
            parts.append(self.emit(0, preamble_end, 1))
        for section in intro + closing:
            parts.append(self.emit(section.start, section.end, 1))
        if self.unlinked:
            label = "添付資料" if language == "ja" else "Attachments"
            parts.append(
                [f"## {label}", ""]
                + [f"- [{Path(inside).name}]({inside})" for inside in self.unlinked]
            )
        original = self._original_metadata(title, header_lines)
        if original:
            label = "元のメタデータ" if language == "ja" else "Original metadata"
            parts.append([f"## {label}", ""] + original)
        text = "\n\n".join("\n".join(p) for p in parts if p)
        return document(meta, self._with_definitions(text, session=True))

    def _original_metadata(self, title: str, header_lines: set[int]) -> list[str]:
        """The title (when it was changed) and metadata lines, verbatim, as a list."""
        original = []
        heading = self.title_heading
        if heading is not None and (heading.lines or [heading.source]) != [title]:
            original += [f"- {line}" for line in heading.lines or [heading.source]]
        original += [f"- {self.memo.lines[i].strip()}" for i in sorted(header_lines)]
        return original

    def _with_definitions(self, text: str, session: bool = False) -> str:
        """Append the link/footnote definitions this file uses (session.md: also unused ones)."""
        chosen = []
        for index, definition in enumerate(self.memo.definitions):
            if definition.used_in(text) or (session and not self.definition_users[index]):
                chosen.append(definition)
                self.definition_users[index] += 1
        if not chosen:
            return text
        lines = self.memo.lines
        refs = [d for d in chosen if not d.footnote]
        notes = [d for d in chosen if d.footnote]
        blocks = []
        if refs:
            blocks.append("\n".join(lines[i] for d in refs for i in d.lines))
        for d in notes:
            blocks.append("\n".join(lines[i] for i in d.lines).rstrip())
        return (text + "\n\n" if text else "") + "\n\n".join(blocks)


def document(front: dict[str, Any], body: str) -> str:
    """A Markdown file: YAML front matter, then the body."""
    dumped = yaml.dump(
        front,
        Dumper=_FrontMatterDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=2**31 - 1,
    )
    return f"---\n{dumped}---\n" + (f"\n{body.strip()}\n" if body.strip() else "")


class _FrontMatterDumper(yaml.SafeDumper):
    """Safe dumper that indents list items under their key, like the sample notes."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def _placeholder(group: list[str], language: str, empty_memo: bool = False) -> str:
    kind = section_kind(group)
    if language == "en":
        if empty_memo:
            text = "The original memo has no text for this topic. Write what was discussed."
        elif kind == "summary":
            text = (
                "The original memo has no summary for this topic. Summarise the outcome "
                "and the main points in 2–3 sentences."
            )
        else:
            text = "The original memo has no such section. Write it."
    elif empty_memo:
        text = "元のメモにはこの話題の本文がありません。議論の内容を書いてください。"
    elif kind == "summary":
        text = (
            "元のメモにはこの話題の概要がありません。結論と主な論点を 2〜3 文でまとめてください。"
        )
    else:
        text = "元のメモにはこの節がありません。内容を書いてください。"
    return f"{PLACEHOLDER_MARK} {text}"


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    out: list[str] = []
    for line in lines:  # at most one blank line in a row
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line.rstrip() if not line.strip() else line)
    return out
