"""The Markdown dialect of proceedings.md, and its parser.

proceedings.md is CommonMark with the notes' extensions (tables, strikethrough, footnotes)
plus three Pandoc-compatible ones, so ids and structure survive a round trip:

- heading attributes:  `## 概要 {#2024-08-24-summer-camp--monitoring--概要}`
  (a class `session`, `topic`, `cover`, `toc`, `digest` or `colophon` makes the heading open
  that part of the document — see `render.html`);
- fenced divs:         `::: {.session-meta}` … `:::`  -> `<div class="session-meta">`;
- anchor spans:        `[]{#…--kp-1}` marks a key point; `[text](#id){.toc-topic}` classes a
  link.

Only `id`, `class` and `lang` attributes are kept. Notes are parsed with the project parser
(`proceedings.load.markdown`), which knows none of this: the Markdown writer escapes anything in a
note that this dialect would read as syntax.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.container import container_plugin

from proceedings.load.markdown import new_parser

ALLOWED_ATTRIBUTES = ("id", "class", "lang")
# Spaces before the `{` are matched from the start of their run only: tried from every space
# of a long run, `[ \t]+` would rescan the rest of it each time (quadratic time).
_TRAILING_ATTRS = re.compile(r"(?:^|(?<![ \t])[ \t]++)(\{[^{}]*\})[ \t]*+$")


@lru_cache(maxsize=2)
def dialect_parser(*, stock_block_loop: bool = False) -> MarkdownIt:
    # The project parser's base (raw HTML parsed, then escaped or sanitised by the renderer),
    # plus the dialect's fenced divs and attributes.
    md = new_parser(stock_block_loop=stock_block_loop)
    md.use(container_plugin, name="div", validate=_is_attribute_block)
    md.use(attrs_plugin, after=("link_close",), spans=True, allowed=ALLOWED_ATTRIBUTES)
    md.core.ruler.after("block", "heading_attributes", _heading_attributes)
    md.core.ruler.after("block", "div_attributes", _div_attributes)
    return md


def parse_dialect(text: str) -> list[Token]:
    return dialect_parser().parse(text, {})


def read_attributes(text: str) -> dict[str, str] | None:
    """`{#id .a .b lang=ja}` -> {"id": "id", "class": "a b", "lang": "ja"}; None if invalid."""
    text = text.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    try:
        end, attrs = parse_attrs(text)
    except ParseError:
        return None
    if end != len(text) - 1:
        return None
    return {key: str(value) for key, value in attrs.items() if key in ALLOWED_ATTRIBUTES}


def _is_attribute_block(params: str, *args: object) -> bool:
    return read_attributes(params) is not None


def _heading_attributes(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or tokens[index + 1].type != "inline":
            continue
        inline = tokens[index + 1]
        match = _TRAILING_ATTRS.search(inline.content)
        if match is None:
            continue
        attrs = read_attributes(match.group(1))
        if attrs is None:
            continue
        inline.content = inline.content[: match.start()].rstrip()
        for key, value in attrs.items():
            token.attrSet(key, value)


def _div_attributes(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "container_div_open":
            token.attrs = dict(read_attributes(token.info) or {})
