"""Where each link destination of a Markdown body is written: line, column and exact text.

The project's parser (load/markdown.py) decides what is a link; a few of its rules are wrapped
so that each records where it found the destination: inline links and images
(`[x](dest "title")`, `![x](<dest>)`), reference definitions (`[x]: dest`), and the
`href`/`src` of raw HTML. Nothing here is a pattern over the raw text: a `](…)` inside a code
span, an escaped `\\[` or a reference link's label is never taken for a destination.

Inline rules see a block's inline text (container markers and indentation removed), so their
positions are mapped back to the line and verified: a destination whose text is not found at
the mapped place is returned as `Unlocated` instead of guessed at.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from proceedings.load.markdown import new_parser

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block.state_block import StateBlock
    from markdown_it.rules_core.state_core import StateCore
    from markdown_it.rules_inline.state_inline import StateInline
    from markdown_it.token import Token


class Destination(NamedTuple):
    """One destination as written in the body."""

    kind: str  # "link", "image", "definition" (`[x]: dest`) or "html" (href/src attribute)
    line: int  # 0-based line of the body
    col: int  # 0-based character index in that line
    raw: str  # the exact text, `<…>` included for an angle-bracket destination
    href: str  # what it means: markdown-it's normalized href, or the attribute's value


class Unlocated(NamedTuple):
    """A destination the parser found but whose text could not be placed on a line."""

    kind: str
    line: int  # 0-based first line of its block
    href: str


_SPANS = "proceedings_destination_spans"  # env: (inline token, _Span) per inline destination
_DEFINITIONS = "proceedings_definition_spans"  # env: (start, end, href) in the block source
_CURRENT = "proceedings_current_inline"  # env: the inline token being parsed
_HTML_URL_ATTR = re.compile(r"""\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)


class _Span(NamedTuple):
    kind: str
    start: int  # in the inline source (the token's content)
    end: int
    href: str


def destinations(body: str) -> tuple[list[Destination], list[Unlocated]]:
    """Every link, image, reference-definition and HTML destination of a Markdown body (LF
    line endings), located on its line; those that cannot be located, separately."""
    env: dict[str, Any] = {_SPANS: [], _DEFINITIONS: []}
    tokens = _parser().parse(body, env)
    lines = body.split("\n")
    # markdown-it reads NUL as U+FFFD (one character for one): the text it saw, same columns
    seen = body.replace("\x00", "\ufffd").split("\n") if "\x00" in body else lines
    found: list[Destination] = []
    lost: list[Unlocated] = []
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    for start, end, href in env[_DEFINITIONS]:
        number = bisect.bisect_right(starts, start) - 1
        found.append(Destination("definition", number, start - starts[number], body[start:end],
                                 href))
    by_token: dict[int, list[_Span]] = {}
    for token, span in env[_SPANS]:
        by_token.setdefault(id(token), []).append(span)
    cursors: dict[int, int] = {}  # per line: where the next table cell is searched from
    previous = ""
    for token in tokens:
        opened_by, previous = previous, token.type
        if token.type == "html_block" and token.map is not None:
            spans = [_Span("html", *_attr_span(match), _attr_value(match))
                     for match in _HTML_URL_ATTR.finditer(token.content)]
            _place(token, spans, seen, cursors, False, found, lost)
        elif token.type == "inline" and id(token) in by_token:
            cell = opened_by in ("td_open", "th_open")
            _place(token, by_token[id(token)], seen, cursors, cell, found, lost)
    if seen is not lines:  # the text as written, NUL and all
        found = [d._replace(raw=lines[d.line][d.col:d.col + len(d.raw)]) for d in found]
    found.sort(key=lambda d: (d.line, d.col))
    return found, lost


def _place(
    token: Token, spans: list[_Span], lines: list[str], cursors: dict[int, int], cell: bool,
    found: list[Destination], lost: list[Unlocated],
) -> None:
    """Map each span of a block's inline text (or raw HTML) to its line and column."""
    first = token.map[0] if token.map else 0
    content = token.content
    content_lines = content.split("\n")
    offsets = [0]
    for text in content_lines[:-1]:
        offsets.append(offsets[-1] + len(text) + 1)
    located: dict[int, int] = {}  # content line -> column of its start in the body line
    for span in spans:
        index = bisect.bisect_right(offsets, span.start) - 1
        line = first + index
        raw = content[span.start:span.end]
        if span.start < 0 or token.map is None or line >= len(lines) or "\n" in raw:
            lost.append(Unlocated(span.kind, first, span.href))
            continue
        if index not in located:
            located[index] = _line_start(lines[line], content_lines[index], cursors, line, cell)
        col = located[index] + span.start - offsets[index]
        if located[index] < 0 or lines[line][col:col + len(raw)] != raw:
            lost.append(Unlocated(span.kind, line, span.href))
            continue
        found.append(Destination(span.kind, line, col, raw, span.href))


def _line_start(line: str, text: str, cursors: dict[int, int], number: int, cell: bool) -> int:
    """Column in `line` where the inline text's line `text` starts (-1 when not found).

    A paragraph's line is the end of the body line (before trailing spaces on its last line),
    so the last occurrence is the one; a table cell is searched left to right, so that equal
    cells get their own places."""
    if cell:
        at = line.find(text, cursors.get(number, 0))
        if at >= 0:
            cursors[number] = at + len(text)
        return at
    at = line.rfind(text)
    if at < 0:  # a tab partly used as indentation became spaces in the inline text
        stripped = text.lstrip(" ")
        at = line.rfind(stripped)
        at = at - (len(text) - len(stripped)) if at >= 0 else -1
    return at


def _attr_span(match: re.Match[str]) -> tuple[int, int]:
    group = next(i for i in (1, 2, 3) if match.group(i) is not None)
    return match.start(group), match.end(group)


def _attr_value(match: re.Match[str]) -> str:
    return next(g for g in match.groups() if g is not None)


# --- the parser with recording rules ------------------------------------------------------


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = new_parser()
    _wrap(md.inline.ruler, "link", _recording_link(image=False))
    _wrap(md.inline.ruler, "image", _recording_link(image=True))
    _wrap(md.inline.ruler, "html_inline", _recording_html)
    _wrap(md.block.ruler, "reference", _recording_definition)
    md.core.ruler.at("inline", _inline_in_order)
    return md


def _wrap(ruler: Any, name: str, make: Callable[[Any], Any]) -> None:
    rule = ruler.__rules__[ruler.__find__(name)]
    ruler.at(name, make(rule.fn), {"alt": list(rule.alt)})


def _inline_in_order(state: StateCore) -> None:
    """markdown-it's core `inline` rule, telling the recording rules which token they are in."""
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            state.env[_CURRENT] = token
            state.md.inline.parse(token.content, state.md, state.env, token.children)
    state.env.pop(_CURRENT, None)


def _record(state: StateInline, span: _Span) -> None:
    token = state.env.get(_CURRENT)
    # Only spans in the token's own text: an inline footnote `^[…]` is parsed from a slice,
    # whose positions would point elsewhere; its links stay unlocated.
    if token is not None and state.src is token.content:
        state.env[_SPANS].append((token, span))
    elif token is not None:
        state.env[_SPANS].append((token, _Span(span.kind, -1, -1, span.href)))


def _recording_link(*, image: bool) -> Callable[[Any], Any]:
    def make(original: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
        def rule(state: StateInline, silent: bool) -> bool:
            start, maximum = state.pos, state.posMax
            if not original(state, silent):
                return False
            if not silent:
                span = _inline_destination(state, start + 1 if image else start, maximum)
                if span is not None:
                    _record(state, span._replace(kind="image" if image else "link"))
            return True

        return rule

    return make


def _inline_destination(state: StateInline, label_start: int, maximum: int) -> _Span | None:
    """The destination of the inline link whose label starts at `label_start`, found the way
    markdown-it's link rule finds it; None for a reference link or an empty destination."""
    from markdown_it.common.utils import isStrSpace

    src = state.src
    helpers = state.md.helpers
    label_end = helpers.parseLinkLabel(state, label_start, src[label_start - 1] != "!")
    pos = label_end + 1
    if label_end < 0 or pos >= maximum or src[pos] != "(":
        return None
    pos += 1
    while pos < maximum and (isStrSpace(src[pos]) or src[pos] == "\n"):
        pos += 1
    result = helpers.parseLinkDestination(src, pos, maximum)
    if not result.ok or not result.str:
        return None
    href = state.md.normalizeLink(result.str)
    if not state.md.validateLink(href):
        return None
    after = result.pos
    while after < maximum and (isStrSpace(src[after]) or src[after] == "\n"):
        after += 1
    title = helpers.parseLinkTitle(src, after, maximum)
    if after < maximum and after != result.pos and title.ok:
        after = title.pos
        while after < maximum and (isStrSpace(src[after]) or src[after] == "\n"):
            after += 1
    if after >= maximum or src[after] != ")":
        return None  # not an inline link after all: markdown-it read it as a reference
    return _Span("link", pos, result.pos, href)


def _recording_html(
    original: Callable[[StateInline, bool], bool]
) -> Callable[[StateInline, bool], bool]:
    def rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        if not original(state, silent):
            return False
        if not silent:
            tag = state.src[start:state.pos]
            for match in _HTML_URL_ATTR.finditer(tag):
                begin, end = _attr_span(match)
                _record(state, _Span("html", start + begin, start + end, _attr_value(match)))
        return True

    return rule


def _recording_definition(
    original: Callable[[StateBlock, int, int, bool], bool]
) -> Callable[[StateBlock, int, int, bool], bool]:
    def rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        if not original(state, start_line, end_line, silent):
            return False
        if not silent:
            span = _definition_destination(state, start_line, state.line)
            if span is not None:
                state.env[_DEFINITIONS].append(span)
        return True

    return rule


def _definition_destination(
    state: StateBlock, start_line: int, end_line: int
) -> tuple[int, int, str] | None:
    """(start, end, href) of the destination of the reference definition on these lines, in
    the block source; read the way markdown-it's reference rule reads it."""
    from markdown_it.common.utils import isSpace

    pieces: list[tuple[int, int]] = []  # (offset in `text`, offset in state.src) per line
    text = ""
    for line in range(start_line, end_line):
        begin = state.bMarks[line] + state.tShift[line]
        pieces.append((len(text), begin))
        text += state.src[begin:state.eMarks[line]] + "\n"
    pos = 1
    while pos < len(text) and text[pos] != "]":
        if text[pos] == "[":
            return None
        pos += 2 if text[pos] == "\\" else 1
    if pos + 1 >= len(text) or text[pos + 1] != ":":
        return None
    pos += 2
    while pos < len(text) and (text[pos] == "\n" or isSpace(ord(text[pos]))):
        pos += 1
    result = state.md.helpers.parseLinkDestination(text, pos, len(text))
    if not result.ok or not result.str:
        return None
    index = bisect.bisect_right([offset for offset, _ in pieces], pos) - 1
    offset, begin = pieces[index]
    start = begin + pos - offset
    return start, start + result.pos - pos, state.md.normalizeLink(result.str)
