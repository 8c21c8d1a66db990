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
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from proceedings.compile.document import (
    CompiledNote,
    CompiledSession,
    Document,
    Footnote,
    copy_tokens,
)
from proceedings.compile.labels import labels_for
from proceedings.load.markdown import closing_index
from proceedings.templates import render_template

TEMPLATE = "proceedings.md.j2"

_ALWAYS = frozenset("\\`*[]<~")
_NEEDS_ESCAPE = re.compile(r"[\\`*\[\]<~|_&\n]")  # _ALWAYS and the characters handled below
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])")
_HEADING_TRAILING_ATTRS = re.compile(r"(^|[ \t])\{([^{}]*)\}[ \t]*$")
_HEADING_CLOSING_HASHES = re.compile(r"(^|[ \t])(#+)[ \t]*$")


def escape_text(text: str, *, line_start: bool = False, brace: bool = False) -> str:
    """Escape `text` so that Markdown reads it back as this exact text.

    `line_start`: the text begins a line (block markers matter there); `brace`: the text
    follows a link, where `{…}` would be read as attributes.
    """
    if _NEEDS_ESCAPE.search(text) is None:  # most text: nothing to escape in the loop below
        escaped = text
    else:
        escaped = _escape_chars(text)
    if brace and escaped.startswith("{"):
        escaped = "\\" + escaped
    if line_start:
        escaped = _escape_line_start(escaped)
    return escaped


def _escape_chars(text: str) -> str:
    out: list[str] = []
    for index, char in enumerate(text):
        if char in _ALWAYS:
            out.append("\\" + char)
        elif char == "|":
            # not `\|`: any `|` on a line may make it a table row when read back
            out.append("&#124;")
        elif char == "_":
            # inside a word (snake_case) `_` cannot start or end emphasis
            inside_word = 0 < index < len(text) - 1 and text[index - 1].isalnum() and (
                text[index + 1].isalnum()
            )
            out.append("_" if inside_word else "\\_")
        elif char == "&" and _ENTITY.match(text, index):
            out.append("\\&")
        elif char == "\n":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def _escape_line_start(text: str) -> str:
    if not text:
        return text
    first = text[0]
    if first in "#>+-={":
        return "\\" + text
    if first == ":" and text.startswith(":::"):
        return "\\" + text
    if first in " \t":
        return "&#32;" + text[1:] if first == " " else "&#9;" + text[1:]
    match = _ORDERED_START.match(text)
    if match:
        return match.group(1) + "\\" + match.group(2) + text[match.end() :]
    return text


_BARE_ATTRIBUTE = re.compile(r"[\w:-]+")


def attributes(
    id: str | None = None, classes: list[str] | tuple[str, ...] | str = (), **extra: str
) -> str:
    """`{#id .class key=value}` — Pandoc attribute syntax (empty string when nothing)."""
    if isinstance(classes, str):
        classes = classes.split()
    parts = [f"#{id}"] if id else []
    parts += [f".{name}" for name in classes]
    for key, value in extra.items():
        if value:
            parts.append(f'{key}="{value}"' if not _BARE_ATTRIBUTE.fullmatch(value) else
                         f"{key}={value}")
    return "{" + " ".join(parts) + "}" if parts else ""


_NEEDS_BRACKETS = re.compile(r"[\s()<>\\]")
_BRACKET_ESCAPE = re.compile(r"([<>\\])")


def destination(url: str) -> str:
    """A link destination as Markdown: bare when safe, else in angle brackets."""
    if url and not _NEEDS_BRACKETS.search(url):
        return url
    return "<" + _BRACKET_ESCAPE.sub(r"\\\1", url) + ">"


def _title(title: str) -> str:
    return ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""


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
                    f"[{label}]: {destination(href)}{_title(title)}"
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
                out.append(("fence", _fence(token)))
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
        suffix = attributes(attrs.pop("id", None), classes, **{k: str(v) for k, v in attrs.items()})
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
        lines.append("| " + " | ".join(_delimiter(style) for style in aligns) + " |")
        width = len(rows[0])
        for row in rows[1:]:
            cells = (row + [""] * width)[:width]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    # -- inline ---------------------------------------------------------------------------

    def inline(self, token: Token, *, line_start: bool, table: bool = False) -> str:
        return self._inline(token.children or [], line_start=line_start, table=table)

    def _inline(self, children: list[Token], *, line_start: bool, table: bool) -> str:
        out: list[str] = []
        links: list[Token] = []
        at_start = line_start
        previous = ""
        skip_until_close = 0
        for position, child in enumerate(children):
            kind = child.type
            if skip_until_close:
                if kind == "link_close":
                    skip_until_close -= 1
                elif kind == "link_open":
                    skip_until_close += 1
                if skip_until_close:
                    continue
                previous, at_start = "link_close", False
                continue
            piece = ""
            if kind == "text":
                piece = escape_text(
                    child.content,
                    line_start=at_start,
                    brace=previous in ("link_close", "span_close", "footnote_ref"),
                )
                if previous == "footnote_ref" and piece[:1] in ("(", ":"):
                    piece = "\\" + piece  # `[^a](x)` would be a link, `[^a]:` a definition
            elif kind == "softbreak":
                piece = "\n"
            elif kind == "hardbreak":
                piece = "\\\n"
            elif kind == "code_inline":
                piece = _code_span(child.content, table)
            elif kind in ("em_open", "em_close", "strong_open", "strong_close", "s_open",
                          "s_close"):
                piece = child.markup
            elif kind == "link_open":
                if child.markup == "autolink":
                    text = ""
                    for inner in children[position + 1 :]:
                        if inner.type == "link_close":
                            break
                        text += inner.content
                    piece = "<" + _autolink_text(child, text) + ">"
                    skip_until_close = 1
                else:
                    links.append(child)
                    piece = "["
                    _unbang(out)
            elif kind == "link_close":
                opening = links.pop() if links else None
                piece = "]" + (self._link_target(opening) if opening else "()")
            elif kind == "image":
                alt = self._inline(child.children or [], line_start=False, table=table)
                src = str(child.attrGet("src") or "")
                piece = f"![{alt}]({destination(src)}{_title(str(child.attrGet('title') or ''))})"
            elif kind == "html_inline":
                piece = child.content
            elif kind == "footnote_ref":
                piece = f"[^{child.meta.get('label', '')}]"
                _unbang(out)
            elif kind == "span_open":
                piece = "["
                _unbang(out)
            elif kind == "span_close":
                piece = "]" + attributes(**_span_attrs(children, child))
            else:
                piece = escape_text(child.content, line_start=at_start)
            if piece:
                out.append(piece)
                at_start = kind in ("softbreak", "hardbreak")
            previous = kind
        return "".join(out)

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
        return f"({destination(href)}{_title(title)}){suffix}"


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
                child.meta["label"] = labels.get(child.meta.get("id"), child.meta.get("label"))
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
        match = _ORDERED_START.match(first)
        return match.group(2) if match else "."
    return first[:1]


_BACKTICKS = re.compile("`+")
_FENCE_RUNS = {"`": _BACKTICKS, "~": re.compile("~+")}


def _fence(token: Token) -> str:
    content = token.content
    if content and not content.endswith("\n"):
        content += "\n"
    info = token.info.strip() if token.type == "fence" else ""
    char = "~" if (token.markup.startswith("~") or "`" in info) else "`"
    longest = max((len(run) for run in _FENCE_RUNS[char].findall(content)), default=0)
    fence = char * max(3, longest + 1)
    gap = " " if info.startswith(char) else ""  # `~~~~ ~~`: the info is `~~`
    return f"{fence}{gap}{info}\n{content}{fence}"


def _code_span(content: str, table: bool) -> str:
    if table:
        content = content.replace("|", "\\|")
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=0)
    ticks = "`" * (longest + 1)
    pad = ""
    if content.startswith("`") or content.endswith("`") or (
        content.startswith(" ") and content.endswith(" ") and content.strip()
    ):
        pad = " "
    return f"{ticks}{pad}{content}{pad}{ticks}"


def _autolink_text(opening: Token, text: str) -> str:
    href = str(opening.attrGet("href") or "")
    if href.startswith("mailto:") and not text.startswith("mailto:"):
        return text
    return text or href


def _span_attrs(children: list[Token], closing: Token) -> dict:
    # the matching span_open is the nearest unmatched one before `closing`
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


def _delimiter(style: str) -> str:
    if "left" in style:
        return ":---"
    if "right" in style:
        return "---:"
    if "center" in style:
        return ":---:"
    return "---"


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

