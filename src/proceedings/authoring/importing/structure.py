"""A memo's Markdown structure as the importer needs it: top-level blocks, headings, link and
footnote definitions, and the memo's sections (introduction, topics, wrap-up)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from markdown_it.token import Token

from proceedings.authoring.importing.model import Report
from proceedings.authoring.importing.vocabulary import (
    ATX,
    CLOSING_NAMES,
    INTRO_NAMES,
    REF_DEF,
    TOPIC_HEADING,
    matches,
    normal,
)
from proceedings.i18n import _
from proceedings.load.markdown import inline_text, parser


@dataclass
class Heading:
    level: int
    text: str  # plain text
    source: str  # the heading's Markdown, without the `#`s
    start: int  # 0-based line
    end: int  # exclusive; a setext heading spans its underline
    lines: list[str] = field(default_factory=list)  # setext: its text lines, stripped

    def render(self, level: int) -> list[str]:
        """The heading at `level`. Setext text over several lines keeps its lines (level <= 2)."""
        if len(self.lines) > 1:
            return self.lines + ["===" if level == 1 else "---"]
        return [f"{'#' * level} {self.source}".rstrip()]


@dataclass
class Definition:
    label: str  # as written
    lines: list[int]
    footnote: bool

    def used_in(self, text: str) -> bool:
        return label_use_pattern(self.label, self.footnote).search(text) is not None


@lru_cache(maxsize=256)
def label_use_pattern(label: str, footnote: bool) -> re.Pattern[str]:
    """A use of a reference or footnote label (`[label]`, `[^label]`), not its definition.
    The label is escaped; tests/test_linear_patterns.py runs these on hostile text."""
    words = r"\s+".join(re.escape(part) for part in label.split())
    if footnote:
        return re.compile(r"\[\^" + words + r"\](?!:)")
    return re.compile(r"\[\s*" + words + r"\s*\](?!:)", re.IGNORECASE)


@lru_cache(maxsize=256)
def footnote_def_pattern(label: str) -> re.Pattern[str]:
    """The start of the definition of footnote `label` (escaped) on a line."""
    return re.compile(r"^ {0,3}\[\^" + re.escape(label) + r"\]:")


@dataclass
class Section:
    heading: Heading
    end: int  # exclusive line

    @property
    def start(self) -> int:
        return self.heading.start


Block = tuple[int, int, Token]  # first line, end line (exclusive), opening token


def code_lines(lines: list[str]) -> set[int]:
    """Lines inside fenced or indented code: links there are not links."""
    found: set[int] = set()
    for token in parser().parse("\n".join(lines), {}):
        if token.type in ("fence", "code_block") and token.map:
            found.update(range(token.map[0], token.map[1]))
    return found


class MemoStructure:
    """The parsed memo. `removed` collects the lines that move elsewhere (title, metadata,
    definitions) and so are left out where the memo's text is copied."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        env: dict[str, Any] = {}
        self.tokens = parser().parse("\n".join(lines), env)
        self.blocks = self._top_level_blocks()
        self.definitions = self._definitions(env)
        self.removed: set[int] = {i for d in self.definitions for i in d.lines}
        self.headings = self._headings()
        self.heading_at = {h.start: h for h in self.headings}

    def _top_level_blocks(self) -> list[Block]:
        blocks = []
        for token in self.tokens:
            if token.level == 0 and token.map and token.nesting in (0, 1):
                blocks.append((token.map[0], token.map[1], token))
        return blocks

    def in_block(self, line: int) -> bool:
        return any(start <= line < end for start, end, _token in self.blocks)

    def _definitions(self, env: dict[str, Any]) -> list[Definition]:
        found: list[Definition] = []
        for info in env.get("references", {}).values():
            start, end = info["map"]
            match = REF_DEF.match(self.lines[start])
            if self.in_block(start) or not match:
                continue  # a definition inside a list or quote stays where it is
            found.append(Definition(match.group(1), list(range(start, end)), footnote=False))
        # Footnote definitions: the footnote plugin moves their blocks to the end, keeping maps.
        label: str | None = None
        content: list[int] = []
        for token in self.tokens:
            if token.type == "footnote_open":
                label, content = token.meta.get("label"), []
            elif token.type == "footnote_close" and label is not None:
                definition = self._footnote_lines(label, content)
                if definition:
                    found.append(Definition(label, definition, footnote=True))
                label = None
            elif label is not None and token.map:
                content += [token.map[0], token.map[1]]
        found.sort(key=lambda d: d.lines[0])
        return found

    def _footnote_lines(self, label: str, content: list[int]) -> list[int]:
        first = min(content) if content else None
        pattern = footnote_def_pattern(label)
        candidates = [
            i
            for i, line in enumerate(self.lines)
            if pattern.match(line) and not self.in_block(i) and (first is None or i <= first)
        ]
        if not candidates:
            return []
        start = candidates[-1]
        end = max(content) if content else start + 1
        return list(range(start, max(end, start + 1)))

    def _headings(self) -> list[Heading]:
        found: list[Heading] = []
        for index, token in enumerate(self.tokens):
            if token.type != "heading_open" or token.level != 0 or not token.map:
                continue
            start, end = token.map
            inline = self.tokens[index + 1]
            match = ATX.match(self.lines[start])
            lines: list[str] = []
            if match and end - start == 1:
                source = match.group(2).strip()
            else:  # setext: the text lines, then the underline
                lines = [line.strip() for line in self.lines[start : end - 1]]
                source = " ".join(lines)
            heading = Heading(int(token.tag[1:]), inline_text(inline), source, start, end, lines)
            found.append(heading)
        return found

    def title_heading(self) -> Heading | None:
        """The memo's title: its first block, when that is an H1 that names no section."""
        first = next((b for b in self.blocks if b[0] not in self.removed), None)
        if first is None or first[2].type != "heading_open" or first[2].tag != "h1":
            return None
        heading = self.heading_at[first[0]]
        # `# 概要` or `# トピック1` first: the memo has no title, only sections.
        name = normal(heading.text)
        if TOPIC_HEADING.match(name) or matches(name, INTRO_NAMES):
            return None
        return heading

    def sections(self, headings: list[Heading]) -> list[Section]:
        """The sections made by the shallowest of `headings`, each up to the next one."""
        if not headings:
            return []
        level = min(h.level for h in headings)
        tops = [h for h in headings if h.level == level]
        sections = []
        for index, heading in enumerate(tops):
            end = tops[index + 1].start if index + 1 < len(tops) else len(self.lines)
            sections.append(Section(heading, end))
        return sections


def classify(
    sections: list[Section], report: Report
) -> tuple[list[Section], list[Section], list[Section]]:
    """(introduction, topics, wrap-up): explicit topic headings, else the names around them."""
    names = [normal(s.heading.text) for s in sections]
    explicit = [i for i, name in enumerate(names) if TOPIC_HEADING.match(name)]
    if explicit:
        first, last = explicit[0], explicit[-1] + 1
    else:
        first = 0
        while first < len(sections) and matches(names[first], INTRO_NAMES):
            first += 1
        last = len(sections)
        while last > first and matches(names[last - 1], CLOSING_NAMES):
            last -= 1
    intro, topics, closing = sections[:first], sections[first:last], sections[last:]
    for section in closing:
        report.decided(
            section.start,
            _("section `{section}` follows the topics; kept in session.md").format(
                section=section.heading.text),
        )
    return intro, topics, closing
