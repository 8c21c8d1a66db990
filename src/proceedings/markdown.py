"""The one configured markdown-it-py parser, and small helpers over its tokens.

Raw HTML is *parsed* (so the checker can see it and the renderer can escape it); whether it is
ever emitted is decided by the renderer, never here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The shared parser for notes."""
    return new_parser()


def new_parser() -> MarkdownIt:
    """A fresh parser with the project's configuration, for a dialect that extends it."""
    # Imported here, not at the top: markdown-it takes ~60 ms to import, and a pre-commit
    # `proceedings check` whose notes' facts are cached never parses.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    # store_labels: reference links keep their label in token.meta (the build renames them
    # per note); it changes nothing in parsing or rendering.
    md = MarkdownIt(
        "commonmark",
        {"html": True, "linkify": False, "typographer": False, "store_labels": True},
    )
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin)
    return md


def parse(text: str, env: dict | None = None) -> list[Token]:
    return parser().parse(text, env if env is not None else {})


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int  # 1-based, in the file (not the body)


def token_line(token: Token, line_offset: int) -> int:
    """1-based file line of a block token whose body starts after `line_offset` lines."""
    return (token.map[0] if token.map else 0) + 1 + line_offset


def headings(tokens: list[Token], line_offset: int = 0) -> list[Heading]:
    found: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inline = tokens[index + 1]
            found.append(
                Heading(int(token.tag[1:]), inline_text(inline), token_line(token, line_offset))
            )
    return found


def inline_text(inline: Token) -> str:
    """Plain text of an inline token (emphasis, code and links flattened)."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts).strip()


def key_point_lines(tokens: list[Token], marker: str, line_offset: int = 0) -> list[int]:
    """File lines of paragraphs (including list-item paragraphs) that carry the marker."""
    lines: list[int] = []
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and marker in tokens[index + 1].content:
            lines.append(token_line(token, line_offset))
    return lines


@dataclass
class FootnoteDefinition:
    number: int  # markdown-it's footnote id (what footnote_ref tokens point at)
    label: str | None  # None for an inline footnote ^[…]
    tokens: list[Token]  # the definition's block tokens


def split_footnotes(tokens: list[Token]) -> tuple[list[Token], list[FootnoteDefinition]]:
    """The body tokens without the footnote block, and each footnote definition's tokens."""
    body: list[Token] = []
    definitions: list[FootnoteDefinition] = []
    current: FootnoteDefinition | None = None
    inside_block = False
    for token in tokens:
        if token.type == "footnote_block_open":
            inside_block = True
        elif token.type == "footnote_block_close":
            inside_block = False
        elif token.type == "footnote_open":
            number = token.meta.get("id", len(definitions))
            current = FootnoteDefinition(number, token.meta.get("label"), [])
            definitions.append(current)
        elif token.type == "footnote_close":
            current = None
        elif token.type == "footnote_anchor":
            continue
        elif current is not None:
            current.tokens.append(token)
        elif not inside_block:
            body.append(token)
    return body, definitions


def closing_index(tokens: list[Token], index: int) -> int:
    """Index of the token that closes the block opened at `index`."""
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position
    return len(tokens) - 1
