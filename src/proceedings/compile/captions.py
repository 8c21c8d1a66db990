"""Captions for figures and tables, numbered across the whole proceedings.

The rule (docs/build.md, "Captions"):

- A **figure** is an image that stands alone in its own paragraph (not inside a tight list
  item, a table cell or a line of text). Its caption is the image's alt text, or its title
  when the alt text is empty, or nothing but the number.
- A **table** is every table of a note. Its caption is a paragraph directly above it (or,
  when there is none, directly below it) that starts with `Table:` or `表:` (`表：` too) and
  holds only text (no link, footnote, image or ★); that paragraph is taken out of the text
  and its plain text becomes the caption. Without one the caption is the number alone.
- Numbers run 1, 2, … through the whole document in reading order (session overviews, then
  the notes), figures and tables counted separately. The word and the separator come from
  `compile.labels` in the language of the session: `図 1　監視構成`, `Figure 1: Monitoring`.

Compile inserts each caption as a paragraph holding one emphasis — below a figure's image,
above a table — so proceedings.md shows `*図 1　監視構成*` on a line of its own, which GitHub
renders as an italic line. `render.captions` reads that shape back when it writes the HTML
(`<figure>` with `<figcaption>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it.token import Token

from proceedings.compile.labels import LABELS, Labels, labels_for
from proceedings.load.markdown import closing_index, inline_text

# `Table: …`, `table: …`, `表: …`, `表：…` at the start of a paragraph.
_TABLE_CAPTION = re.compile(r"^(?:[Tt]able|表)[ \t]*[:：][ \t　]*")
# What a `Table:` paragraph may hold to become a caption: text and its emphasis. One with a
# link, footnote, image, raw HTML or a ★ key point's anchor stays a paragraph, so nothing
# that points somewhere is lost with it.
_PLAIN = frozenset({
    "text", "softbreak", "hardbreak", "code_inline", "em_open", "em_close", "strong_open",
    "strong_close", "s_open", "s_close",
})


@dataclass
class CaptionNumbers:
    """The running figure and table numbers of one document."""

    figures: int = 0
    tables: int = 0

    def add(self, tokens: list[Token], language: str) -> list[Token]:
        """`tokens` (a note's or overview's block tokens) with a caption paragraph under each
        figure and above each table; the numbers continue from the previous call."""
        return _Captioner(self, labels_for(language)).blocks(tokens)


class _Captioner:
    def __init__(self, numbers: CaptionNumbers, labels: Labels) -> None:
        self.numbers = numbers
        self.labels = labels

    def blocks(self, tokens: list[Token]) -> list[Token]:
        out: list[Token] = []
        used: set[int] = set()  # indexes of `Table:` paragraphs taken as captions
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if index in used:
                index += 3
                continue
            if token.type == "table_open":
                close = closing_index(tokens, index)
                caption = self._table_caption(tokens, index, close, out, used)
                self.numbers.tables += 1
                label = self.labels.table.format(number=self.numbers.tables)
                out += caption_paragraph(label, caption, self.labels, token.level)
                out += tokens[index : close + 1]
                index = close + 1
                continue
            figure = figure_image(tokens, index)
            if figure is not None:
                out += tokens[index : index + 3]
                self.numbers.figures += 1
                label = self.labels.figure.format(number=self.numbers.figures)
                out += caption_paragraph(label, _image_caption(figure), self.labels, token.level)
                index += 3
                continue
            out.append(token)
            index += 1
        return out

    def _table_caption(
        self, tokens: list[Token], start: int, close: int, out: list[Token], used: set[int]
    ) -> str:
        """The text of the table's `Table:` paragraph (removed from `out` or marked used)."""
        above = start - 3
        if above >= 0 and above not in used and _is_table_caption(tokens, above, tokens[start]):
            if len(out) >= 3 and out[-3] is tokens[above] and out[-1] is tokens[start - 1]:
                del out[-3:]
                return _table_caption_text(tokens[above + 1])
        below = close + 1
        if _is_table_caption(tokens, below, tokens[start]):
            after = below + 3
            # A `Table:` paragraph between two tables belongs to the one below it.
            if not (after < len(tokens) and tokens[after].type == "table_open"):
                used.add(below)
                return _table_caption_text(tokens[below + 1])
        return ""


def caption_paragraph(label: str, caption: str, labels: Labels, level: int) -> list[Token]:
    """The paragraph `*<label><separator><caption>*` (or `*<label>*`) at nesting `level`."""
    text = label + (labels.caption_separator + caption if caption else "")
    opening = Token("paragraph_open", "p", 1, level=level, block=True)
    inline = Token("inline", "", 0, level=level + 1, content=f"*{text}*", block=True)
    inline.children = [
        Token("em_open", "em", 1, markup="*"),
        Token("text", "", 0, content=text),
        Token("em_close", "em", -1, markup="*"),
    ]
    closing = Token("paragraph_close", "p", -1, level=level, block=True)
    return [opening, inline, closing]


def _label_pattern() -> re.Pattern[str]:
    """Matches the label at the start of a caption in any language: `図 12`, `Table 3`."""
    words: list[str] = []
    for table in LABELS.values():
        for key in ("figure", "table"):
            words.append(re.escape(table[key]).replace(re.escape("{number}"), r"[0-9]+"))
    return re.compile("^(?:" + "|".join(sorted(set(words), key=len, reverse=True)) + ")")


_LABEL = _label_pattern()


def split_label(text: str) -> tuple[str, str]:
    """`図 1　監視構成` -> (`図 1`, `　監視構成`)."""
    match = _LABEL.match(text)
    return (text[: match.end()], text[match.end() :]) if match else ("", text)


def figure_image(tokens: list[Token], index: int) -> Token | None:
    """The image when tokens[index] opens a paragraph that holds nothing but one image."""
    if index + 2 >= len(tokens):
        return None
    opening, inline = tokens[index], tokens[index + 1]
    if opening.type != "paragraph_open" or opening.hidden or inline.type != "inline":
        return None
    children = [
        child for child in inline.children or []
        if not (child.type == "text" and not child.content.strip())
    ]
    if len(children) == 1 and children[0].type == "image":
        return children[0]
    return None


def is_caption(tokens: list[Token], index: int) -> bool:
    """tokens[index] opens a caption paragraph as `caption_paragraph` writes it (read back
    from proceedings.md): one emphasis whose text starts with a figure or table label."""
    if index < 0 or index + 2 >= len(tokens):
        return False
    opening, inline = tokens[index], tokens[index + 1]
    if opening.type != "paragraph_open" or opening.hidden or inline.type != "inline":
        return False
    children = inline.children or []
    if len(children) < 3 or children[0].type != "em_open" or children[-1].type != "em_close":
        return False
    depth = 0
    for child in children[:-1]:  # the first emphasis must close at the very end
        depth += {"em_open": 1, "em_close": -1}.get(child.type, 0)
        if depth == 0:
            return False
    return _LABEL.match(inline_text(inline)) is not None


def _image_caption(image: Token) -> str:
    alt = inline_text(Token("inline", "", 0, children=list(image.children or [])))
    if not alt:
        alt = image.content.strip()
    if not alt:
        alt = str(image.attrGet("title") or "").strip()
    return " ".join(alt.split())


def _is_table_caption(tokens: list[Token], index: int, table: Token) -> bool:
    if index < 0 or index + 2 >= len(tokens):
        return False
    opening, inline = tokens[index], tokens[index + 1]
    return (
        opening.type == "paragraph_open"
        and not opening.hidden
        and opening.level == table.level
        and inline.type == "inline"
        and all(child.type in _PLAIN for child in inline.children or [])
        and _TABLE_CAPTION.match(inline_text(inline)) is not None
    )


def _table_caption_text(inline: Token) -> str:
    text = inline_text(inline)
    return " ".join(_TABLE_CAPTION.sub("", text, count=1).split())
