"""Everything the rules need to know about one Markdown file, gathered in one token walk.

Parsing happens once, in the loader (`source.py`); this module walks the tokens once more and
keeps plain facts (headings, content blocks, links, raw HTML, placeholders) with file lines and
columns, so no rule walks the token stream again.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from proceedings.load.anchors import heading_anchors
from proceedings.load.markdown import comments_only, inline_text
from proceedings.load.placeholders import is_placeholder
from proceedings.load.source import FENCE, MarkdownFile

if TYPE_CHECKING:
    from markdown_it.token import Token

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_HTML_ID = re.compile(r"""\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
_HTML_URL_ATTR = re.compile(r"""\b(href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
# Possessive `\s*+`: two greedy runs of spaces around `<?` split a long run in n² ways.
_FILE_LINK = re.compile(r"\]\(\s*+<?\s*+(file:[^)\s>]*)", re.I)


class HeadingFact(NamedTuple):
    level: int
    text: str
    line: int
    col: int


class LinkFact(NamedTuple):
    kind: str  # "link", "image", or "html" (an href/src attribute inside raw HTML)
    href: str  # as written after markdown-it's normalisation (may be percent-encoded)
    line: int
    col: int


class HtmlFact(NamedTuple):
    line: int
    col: int
    snippet: str
    block: bool


class Facts:
    """Facts about one file. Lines and columns are 1-based and count in the whole file.
    Made with the file and its lines; the token walk (or the facts cache) fills in the rest."""

    # What the facts cache stores (facts_cache.py): everything but the file and its lines.
    STORED = ("body_ok", "headings", "content_lines", "placeholder_lines", "links", "html",
              "html_ids", "code_lines", "too_deep_lines", "unused_footnotes",
              "replaced_footnotes")

    def __init__(self, file: MarkdownFile, lines: list[str], body_ok: bool) -> None:
        self.file = file
        self.lines = lines
        # False when the body cannot be trusted (undecodable, unclosed front matter)
        self.body_ok = body_ok
        self.headings: list[HeadingFact] = []
        self.content_lines: list[int] = []  # first line of each content block
        self.placeholder_lines: list[int] = []
        self.links: list[LinkFact] = []
        self.html: list[HtmlFact] = []
        self.html_ids: set[str] = set()
        self.code_lines: set[int] = set()  # lines inside code blocks
        # (first, last) line of each run of lines markdown-it dropped, nested too deep
        self.too_deep_lines: list[tuple[int, int]] = []
        self.unused_footnotes: list[tuple[int, str]] = []  # (line, label): defined, not cited
        # (line, label, line of the later definition of the same label that replaces it)
        self.replaced_footnotes: list[tuple[int, str, int]] = []

    def __repr__(self) -> str:
        return f"Facts({self.file.rel!r})"

    @cached_property
    def anchors(self) -> set[str]:
        return set(heading_anchors(h.text for h in self.headings)) | self.html_ids

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def find_col(self, line: int, needle: str, start: int = 0) -> int:
        """1-based column of `needle` on `line` (at or after `start`), or 1 if not found."""
        index = self.line_text(line).find(needle, start)
        return index + 1 if index >= 0 else 1


def collect(file: MarkdownFile) -> Facts:
    text = file.text
    if text is None:
        return Facts(file, [], False)
    lines = text.split("\n")
    unclosed = bool(lines) and FENCE.match(lines[0]) is not None and not file.has_front_matter
    facts = Facts(file, lines, not unclosed)
    if unclosed:
        return facts
    _walk(facts, file.check_tokens, file.body_offset)
    facts.too_deep_lines = [(first + 1 + file.body_offset, last + 1 + file.body_offset)
                            for first, last in file.too_deep]
    offset = 1 + file.body_offset
    facts.unused_footnotes = [(line + offset, label) for line, label in file.unused_footnotes]
    facts.replaced_footnotes = [(line + offset, label, later + offset)
                                for line, label, later in file.replaced_footnotes]
    return facts


def _walk(facts: Facts, tokens: list[Token], offset: int) -> None:
    in_footnotes = 0
    heading_level = 0
    previous = ""
    for token in tokens:
        opened_by, previous = previous, token.type
        kind = token.type
        if kind == "footnote_block_open":
            in_footnotes += 1
        elif kind == "footnote_block_close":
            in_footnotes -= 1
        elif kind == "heading_open":
            heading_level = int(token.tag[1:])
            continue
        elif kind == "inline":
            _inline(facts, token, offset, heading_level, opened_by == "paragraph_open")
            heading_level = 0
            continue
        if token.map is None:
            continue
        line = token.map[0] + 1 + offset
        if kind in ("fence", "code_block"):
            facts.code_lines.update(range(line, token.map[1] + 1 + offset))
        if kind == "html_block":
            _html(facts, token.content, line, block=True)
        if token.level == 0 and token.nesting >= 0 and not in_footnotes:
            if kind == "html_block" and comments_only(token.content):
                continue  # a comment is not content
            if kind != "heading_open":
                facts.content_lines.append(line)


def _inline(
    facts: Facts, token: Token, offset: int, heading_level: int, paragraph: bool
) -> None:
    line = (token.map[0] if token.map else 0) + 1 + offset
    if heading_level:
        col = facts.find_col(line, "#") if facts.line_text(line).lstrip().startswith("#") else 1
        facts.headings.append(HeadingFact(heading_level, inline_text(token), line, col))
    elif paragraph and is_placeholder(token.content):
        facts.placeholder_lines.append(line)
    content = token.content
    if "[" not in content and "<" not in content:
        return  # no link, image, autolink or HTML can be in it
    if "file:" in content.lower():
        _file_links(facts, content, line)
    cursor = 0  # column search position on the current line, so repeated links get their own
    for child in token.children or ():
        kind = child.type
        if kind in ("softbreak", "hardbreak"):
            line += 1
            cursor = 0
        elif kind in ("link_open", "image"):
            href = str(child.attrs.get("href" if kind == "link_open" else "src", ""))
            needle = "![" if kind == "image" else "["
            text = facts.line_text(line)
            index = text.find(needle, cursor)
            if index < 0 and kind == "link_open":
                index = text.find("<", cursor)  # autolink
            cursor = index + len(needle) if index >= 0 else cursor
            col = index + 1 if index >= 0 else 1
            facts.links.append(LinkFact("image" if kind == "image" else "link", href, line, col))
        elif kind == "html_inline":
            _html(facts, child.content, line, block=False, cursor=cursor)
            line += child.content.count("\n")


_NOT_NEWLINE = re.compile(r"[^\n]")


def _html(facts: Facts, content: str, line: int, *, block: bool, cursor: int = 0) -> None:
    # Blank out comments but keep their newlines, so offsets still map to lines.
    stripped = _COMMENT.sub(lambda m: _NOT_NEWLINE.sub(" ", m.group()), content)
    if not stripped.strip():
        return  # comments only: not reported as raw HTML
    for match in _HTML_ID.finditer(stripped):
        facts.html_ids.add(next(g for g in match.groups() if g is not None))
    first = stripped.strip().split("\n", 1)[0]
    tag_line = line + stripped[: stripped.find(first)].count("\n")
    col = facts.find_col(tag_line, first[:20], cursor if tag_line == line else 0)
    facts.html.append(HtmlFact(tag_line, col, first[:60], block))
    for match in _HTML_URL_ATTR.finditer(stripped):
        value = next(g for g in match.groups()[1:] if g is not None)
        at = line + stripped[: match.start()].count("\n")
        facts.links.append(LinkFact("html", value, at, facts.find_col(at, value)))


def _file_links(facts: Facts, content: str, line: int) -> None:
    """`[x](file:///…)` is not a link to markdown-it (it refuses the scheme); keep it anyway."""
    for match in _FILE_LINK.finditer(content):
        at = line + content[: match.start()].count("\n")
        facts.links.append(LinkFact("link", match.group(1), at, facts.find_col(at, match.group(1))))
