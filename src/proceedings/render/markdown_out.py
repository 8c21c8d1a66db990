"""proceedings.md: the compiled document written as Markdown.

Two parts:

- `MarkdownWriter` turns (rewritten) markdown-it tokens back into Markdown text that parses
  to the same tokens. Text is escaped where a character could start markup, so nothing a
  scribe wrote can turn into HTML, a heading, a list, or an attribute when read again.
- `render_markdown` fills `templates/proceedings.md.j2` with the document and the notes'
  Markdown. The result uses three Pandoc-compatible extensions, read by
  `render.dialect.dialect_parser()`: heading attributes `# Title {#id .class}`, fenced divs
  `::: {.class}` … `:::`, and anchor spans `[]{#id}`.

Reference links keep their reference form with labels prefixed by the note's id, and the
note's definitions follow its text; footnotes likewise. Nothing here depends on the clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from proceedings.compile.labels import labels_for
from proceedings.compile.records import CompiledNote, CompiledSession, Document, Footnote
from proceedings.compile.rewrite import copy_tokens
from proceedings.load.markdown import closing_index
from proceedings.render.markdown_syntax import (
    ORDERED_START,
    attributes,
    code_span,
    destination,
    escape_text,
    fenced_code,
    link_title,
    table_delimiter,
)
from proceedings.templates import render_template

TEMPLATE = "proceedings.md.j2"

_HEADING_TRAILING_ATTRS = re.compile(r"(^|[ \t])\{([^{}]*)\}[ \t]*$")
_HEADING_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+)[ \t]*$")


@dataclass
class WrittenPart:
    """One note (or overview) as Markdown: its text, link definitions, and footnotes."""

    body: str
    definitions: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> href, title
    footnotes: list[str] = field(default_factory=list)

    def text(self) -> str:
        parts = [self.body] if self.body else []
        if self.definitions:
            parts.append(
                "\n".join(
                    f"[{label}]: {destination(href)}{link_title(title)}"
                    for label, (href, title) in self.definitions.items()
                )
            )
        parts += self.footnotes
        return "\n\n".join(parts)


_LINE_BREAK = re.compile(r"\\?\n")


class MarkdownWriter:
    """Markdown for a list of block tokens (CommonMark + tables, strikethrough, footnotes)."""

    def __init__(self) -> None:
        self.definitions: dict[str, tuple[str, str]] = {}

    # -- entry points ---------------------------------------------------------------------

    def part(self, tokens: list[Token], footnotes: list[Footnote] | None = None) -> WrittenPart:
        """A note's Markdown. `footnotes`: the note's definitions, already split off (as
        compile does); None: take them from the token stream's footnote block."""
        if footnotes is None:
            tokens, footnotes = split_footnotes(tokens)
        self.definitions = {}
        body = self.blocks(tokens)
        written = [self.footnote(note) for note in footnotes]
        return WrittenPart(body, dict(self.definitions), written)

    def blocks(self, tokens: list[Token]) -> str:
        return "\n\n".join(text for _, text in self._blocks(tokens))

    def footnote(self, note: Footnote) -> str:
        text = self.blocks(note.tokens)
        return _indent(f"[^{note.label}]: ", text, "    ")

    # -- blocks ---------------------------------------------------------------------------

    def _blocks(self, tokens: list[Token]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "paragraph_open":
                out.append(("paragraph", self.inline(tokens[index + 1], line_start=True)))
                index += 3
            elif kind == "heading_open":
                out.append(("heading", self._heading(token, tokens[index + 1])))
                index += 3
            elif kind in ("bullet_list_open", "ordered_list_open"):
                close = closing_index(tokens, index)
                previous = out[-1] if out else None
                out.append((kind, self._list(tokens, index, close, previous)))
                index = close + 1
            elif kind == "blockquote_open":
                close = closing_index(tokens, index)
                inner = self.blocks(tokens[index + 1 : close])
                out.append(("blockquote", _prefix_lines(inner, "> ", ">")))
                index = close + 1
            elif kind in ("fence", "code_block"):
                out.append(("fence", fenced_code(token)))
                index += 1
            elif kind == "hr":
                out.append(("hr", "***"))
                index += 1
            elif kind == "html_block":
                out.append(("html", token.content.rstrip("\n")))
                index += 1
            elif kind == "table_open":
                close = closing_index(tokens, index)
                out.append(("table", self._table(tokens[index : close + 1])))
                index = close + 1
            elif kind == "inline":  # a bare inline (e.g. in a tight list without paragraph)
                out.append(("paragraph", self.inline(token, line_start=True)))
                index += 1
            else:
                index += 1  # closing tokens of skipped containers; nothing else is expected
        return out

    def _heading(self, token: Token, inline: Token) -> str:
        level = int(token.tag[1:])
        text = self.inline(inline, line_start=False)
        match = _HEADING_CLOSING_HASHES.search(text)
        if match:
            text = text[: match.start(2)] + "\\" + text[match.start(2) :]
        match = _HEADING_TRAILING_ATTRS.search(text)
        if match:
            brace = text.rfind("{")
            text = text[:brace] + "\\" + text[brace:]
        attrs = dict(token.attrs)
        classes = str(attrs.pop("class", "")).split()
        heading_id = attrs.pop("id", None)
        extra = {k: str(v) for k, v in attrs.items()}
        suffix = attributes(str(heading_id) if heading_id else None, classes, **extra)
        if "\n" in text:
            if level <= 2:  # a heading over several lines: only the setext form keeps them
                text = f"{text} {suffix}" if suffix else text
                return text + "\n" + ("===" if level == 1 else "---")
            text = _LINE_BREAK.sub(" ", text)  # an ATX heading is one line
        line = "#" * level + (" " + text if text else "")
        return f"{line} {suffix}" if suffix else line

    def _list(
        self, tokens: list[Token], start: int, end: int, previous: tuple[str, str] | None
    ) -> str:
        opening = tokens[start]
        ordered = opening.type == "ordered_list_open"
        marker = opening.markup or ("." if ordered else "-")
        if previous is not None and previous[0] == opening.type and previous[1]:
            # Two lists in a row with the same marker would merge into one when read back.
            last_marker = _list_marker(previous[1], ordered)
            if last_marker == marker:
                marker = {"-": "*", "*": "-", "+": "-", ".": ")", ")": "."}[marker]
        number = int(opening.attrGet("start") or 1) if ordered else 0
        items: list[list[Token]] = []
        index = start + 1
        while index < end:
            if tokens[index].type == "list_item_open":
                close = closing_index(tokens, index)
                items.append(tokens[index + 1 : close])
                index = close + 1
            else:
                index += 1
        tight = not any(
            t.type == "paragraph_open" and not t.hidden and t.level == opening.level + 2
            for t in tokens[start:end]
        )
        rendered: list[str] = []
        for item in items:
            prefix = f"{number}{marker} " if ordered else f"{marker} "
            number += 1
            blocks = self._blocks(item)
            joiner = "\n" if tight else "\n\n"
            content = joiner.join(text for _, text in blocks)
            if not content:
                rendered.append(prefix.rstrip())
            else:
                rendered.append(_indent(prefix, content, " " * len(prefix)))
        return ("\n" if tight else "\n\n").join(rendered)

    def _table(self, tokens: list[Token]) -> str:
        rows: list[list[str]] = []
        aligns: list[str] = []
        current: list[str] | None = None
        for index, token in enumerate(tokens):
            if token.type == "tr_open":
                current = []
                rows.append(current)
            elif token.type in ("th_open", "td_open"):
                if token.type == "th_open":
                    aligns.append(str(token.attrGet("style") or ""))
                inline = tokens[index + 1]
                cell = self.inline(inline, line_start=False, table=True) if (
                    inline.type == "inline") else ""
                assert current is not None
                current.append(cell)
        if not rows:
            return ""
        lines = ["| " + " | ".join(rows[0]) + " |"]
        lines.append("| " + " | ".join(table_delimiter(style) for style in aligns) + " |")
        width = len(rows[0])
        for row in rows[1:]:
            cells = (row + [""] * width)[:width]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    # -- inline ---------------------------------------------------------------------------

    def inline(self, token: Token, *, line_start: bool, table: bool = False) -> str:
        return self._inline(token.children or [], line_start=line_start, table=table)

    def _inline(self, children: list[Token], *, line_start: bool, table: bool) -> str:
        return _InlineRun(self, children, line_start=line_start, table=table).render()

    def _link_target(self, opening: Token) -> str:
        href = str(opening.attrGet("href") or "")
        title = str(opening.attrGet("title") or "")
        classes = str(opening.attrGet("class") or "").split()
        suffix = attributes(classes=classes) if classes else ""
        label = opening.meta.get("label") if opening.meta else None
        if label:
            self.definitions.setdefault(label, (href, title))
            if self.definitions[label] == (href, title):
                return f"[{label}]{suffix}"
        return f"({destination(href)}{link_title(title)}){suffix}"


class _InlineRun:
    """Markdown for one run of inline tokens. Each token kind has its writer (the table
    `_INLINE_WRITERS`); what a token becomes may depend on what came before it, kept here."""

    def __init__(
        self, writer: MarkdownWriter, children: list[Token], *, line_start: bool, table: bool
    ) -> None:
        self.writer = writer  # collects reference-link definitions
        self.children = children
        self.table = table  # inside a table cell
        self.out: list[str] = []
        self.links: list[Token] = []  # the open (non-auto) links
        self.at_start = line_start  # the next piece starts a line
        self.previous = ""  # the kind of the token before
        self.skip_until_close = 0  # inside an autolink, which is written whole at its opening

    def render(self) -> str:
        for position, child in enumerate(self.children):
            if self.skip_until_close:
                self._skip(child)
                continue
            piece = _INLINE_WRITERS.get(child.type, _InlineRun.other)(self, child, position)
            if piece:
                self.out.append(piece)
                self.at_start = child.type in ("softbreak", "hardbreak")
            self.previous = child.type
        return "".join(self.out)

    def _skip(self, child: Token) -> None:
        if child.type == "link_close":
            self.skip_until_close -= 1
        elif child.type == "link_open":
            self.skip_until_close += 1
        if not self.skip_until_close:
            self.previous, self.at_start = "link_close", False

    # -- one writer per token kind: (token, its position) -> its Markdown -------------------

    def text(self, child: Token, position: int) -> str:
        piece = escape_text(
            child.content,
            line_start=self.at_start,
            brace=self.previous in ("link_close", "span_close", "footnote_ref"),
        )
        if self.previous == "footnote_ref" and piece[:1] in ("(", ":"):
            piece = "\\" + piece  # `[^a](x)` would be a link, `[^a]:` a definition
        return piece

    def code(self, child: Token, position: int) -> str:
        return code_span(child.content, self.table)

    def markup(self, child: Token, position: int) -> str:
        return child.markup

    def raw(self, child: Token, position: int) -> str:
        return child.content

    def link_open(self, child: Token, position: int) -> str:
        if child.markup == "autolink":
            text = ""
            for inner in self.children[position + 1 :]:
                if inner.type == "link_close":
                    break
                text += inner.content
            self.skip_until_close = 1
            return "<" + _autolink_text(child, text) + ">"
        self.links.append(child)
        _unbang(self.out)
        return "["

    def link_close(self, child: Token, position: int) -> str:
        opening = self.links.pop() if self.links else None
        return "]" + (self.writer._link_target(opening) if opening else "()")

    def image(self, child: Token, position: int) -> str:
        alt = self.writer._inline(child.children or [], line_start=False, table=self.table)
        src = str(child.attrGet("src") or "")
        title = str(child.attrGet("title") or "")
        return f"![{alt}]({destination(src)}{link_title(title)})"

    def footnote_ref(self, child: Token, position: int) -> str:
        _unbang(self.out)
        return f"[^{child.meta.get('label', '')}]"

    def span_open(self, child: Token, position: int) -> str:
        _unbang(self.out)
        return "["

    def span_close(self, child: Token, position: int) -> str:
        return "]" + attributes(**_span_attrs(self.children, child))

    def other(self, child: Token, position: int) -> str:
        return escape_text(child.content, line_start=self.at_start)


_INLINE_WRITERS: dict[str, Callable[[_InlineRun, Token, int], str]] = {
    "text": _InlineRun.text,
    "softbreak": lambda run, child, position: "\n",
    "hardbreak": lambda run, child, position: "\\\n",
    "code_inline": _InlineRun.code,
    **dict.fromkeys(
        ("em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"),
        _InlineRun.markup,
    ),
    "link_open": _InlineRun.link_open,
    "link_close": _InlineRun.link_close,
    "image": _InlineRun.image,
    "html_inline": _InlineRun.raw,
    "footnote_ref": _InlineRun.footnote_ref,
    "span_open": _InlineRun.span_open,
    "span_close": _InlineRun.span_close,
}


def split_footnotes(tokens: list[Token]) -> tuple[list[Token], list[Footnote]]:
    """Body tokens and footnotes of a parsed (not compiled) token stream; inline footnotes
    get the label `_N`."""
    tokens = copy_tokens(tokens)
    labels: dict[int, str] = {}
    body: list[Token] = []
    notes: list[Footnote] = []
    current: Footnote | None = None
    for token in tokens:
        if token.type == "footnote_open":
            number = token.meta.get("id", len(notes))
            labels[number] = token.meta.get("label") or f"_{number}"
            current = Footnote(labels[number], [])
            notes.append(current)
        elif token.type == "footnote_close":
            current = None
        elif token.type in ("footnote_block_open", "footnote_block_close", "footnote_anchor"):
            continue
        elif current is not None:
            current.tokens.append(token)
        else:
            body.append(token)
    for token in tokens:
        for child in token.children or []:
            if child.type == "footnote_ref":
                number, label = child.meta.get("id"), child.meta.get("label")
                if isinstance(number, int):
                    label = labels.get(number, label)
                child.meta["label"] = label
    return body, notes


# ----------------------------------------------------------------------------- helpers


def _unbang(out: list[str]) -> None:
    """A text `!` or `^` right before `[` would make an image or an inline footnote."""
    if out and out[-1][-1:] in ("!", "^"):
        head = out[-1][:-1]
        if (len(head) - len(head.rstrip("\\"))) % 2 == 0:  # the `!` is not escaped yet
            out[-1] = head + "\\" + out[-1][-1]


def _indent(first: str, text: str, rest: str) -> str:
    lines = text.split("\n")
    out = [first + lines[0] if lines[0] else first.rstrip()]
    out += [rest + line if line else "" for line in lines[1:]]
    return "\n".join(out)


def _prefix_lines(text: str, prefix: str, empty: str) -> str:
    return "\n".join(prefix + line if line else empty for line in text.split("\n"))


def _list_marker(text: str, ordered: bool) -> str:
    first = text.lstrip()
    if ordered:
        match = ORDERED_START.match(first)
        return match.group(2) if match else "."
    return first[:1]


def _autolink_text(opening: Token, text: str) -> str:
    href = str(opening.attrGet("href") or "")
    if href.startswith("mailto:") and not text.startswith("mailto:"):
        return text
    return text or href


def _span_attrs(children: list[Token], closing: Token) -> dict[str, Any]:
    """The `attributes` arguments of the span `closing` ends: those of the nearest unmatched
    span_open before it."""
    depth = 0
    for token in reversed(children[: children.index(closing)]):
        if token.type == "span_close":
            depth += 1
        elif token.type == "span_open":
            if depth == 0:
                attrs = dict(token.attrs)
                classes = str(attrs.pop("class", "")).split()
                return {"id": attrs.pop("id", None), "classes": classes,
                        **{k: str(v) for k, v in attrs.items()}}
            depth -= 1
    return {}


# ----------------------------------------------------------------------------- the document


@dataclass
class SessionView:
    session: CompiledSession
    overview: str
    notes: list[NoteView]


@dataclass
class NoteView:
    note: CompiledNote
    markdown: str


def render_markdown(document: Document, *, override_dir: Path | None = None) -> str:
    """proceedings.md for `document`, from the (WG-overridable) Markdown template."""
    writer = MarkdownWriter()
    sessions = []
    for session in document.sessions:
        overview = writer.part(session.overview, session.overview_footnotes).text()
        notes = [NoteView(note, writer.part(note.tokens, note.footnotes).text())
                 for note in session.notes]
        sessions.append(SessionView(session, overview, notes))
    labels = labels_for(document.language)
    context = {
        "document": document,
        "sessions": sessions,
        "labels": labels,
        "md": markdown_inline,
        "cell": lambda text: markdown_inline(text),
        "attrs": attributes,
        "dest": destination,
        "heading": heading,
        "date_range": _date_range(document, labels.date_range),
    }
    text = render_template(TEMPLATE, context, override_dir=override_dir)
    return _tidy(text)


def markdown_inline(value: object) -> str:
    """A value from front matter or config as inline Markdown text (escaped)."""
    return escape_text(" ".join(str(value).split()), line_start=True)


def heading(level: int, text: str, id: str | None = None, classes: str = "", **extra: str) -> str:
    """`## text {#id .class}` with the text escaped (used by the Markdown template)."""
    token = Token("heading_open", f"h{level}", 1)
    token.attrs = {k: v for k, v in {"id": id, "class": classes, **extra}.items() if v}
    inline = Token("inline", "", 0, children=[Token("text", "", 0, content=" ".join(
        str(text).split()))])
    return MarkdownWriter()._heading(token, inline)


def _date_range(document: Document, pattern: str) -> str:
    if not document.date_from:
        return ""
    if document.date_from == document.date_to:
        return document.date_from
    return pattern.format(start=document.date_from, end=document.date_to)


_FENCE_OPENING = re.compile(r"^\s*(`{3,}|~{3,})")


def _tidy(text: str) -> str:
    """At most one blank line in a row outside code, and exactly one final newline."""
    out: list[str] = []
    fence: str | None = None
    blank = 0
    for line in text.split("\n"):
        stripped = line.strip()
        match = _FENCE_OPENING.match(line)
        if fence is None and match:
            fence = match.group(1)
        elif fence is not None and stripped.startswith(fence[0] * len(fence)) and (
            stripped.strip(fence[0]) == ""
        ):
            fence = None
        if fence is None and not stripped:
            blank += 1
            if blank > 1:
                continue
        else:
            blank = 0
        out.append(line.rstrip() if fence is None else line)
    return "\n".join(out).strip("\n") + "\n"
