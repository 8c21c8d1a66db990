"""Figures, table captions and table scroll boxes in the HTML (and so in the PDF).

proceedings.md carries each caption as a paragraph of one emphasis right below a figure's
image or right above a table (`compile.captions`). Reading the file back for the HTML, this
module turns

- an image paragraph + its caption into
  `<figure class="figure-image"><img …><figcaption>…</figcaption></figure>`,
- a caption + a table into `<figure class="figure-table"><figcaption>…</figcaption>
  <div class="table-scroll"><table>…</table></div></figure>`,
- any other table into `<div class="table-scroll"><table>…</table></div>`,

with the label in `<span class="caption-label">図 1</span>`. The scroll box lets a wide
table scroll sideways on a phone instead of squeezing its columns until words break.
"""

from __future__ import annotations

from markdown_it.token import Token

from proceedings.compile.captions import figure_image, is_caption, split_label
from proceedings.load.markdown import closing_index, inline_text


def html_figures(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if figure_image(tokens, index) is not None and is_caption(tokens, index + 3):
            image = tokens[index : index + 3]
            for part in (image[0], image[2]):
                part.hidden = True  # the <img> stands in the <figure> itself, not in a <p>
            out.append(_open("figure", "figure-image", token.level))
            out += image
            out += _figcaption(tokens[index + 3 : index + 6])
            out.append(_close("figure", token.level))
            index += 6
            continue
        if is_caption(tokens, index) and index + 3 < len(tokens) and (
            tokens[index + 3].type == "table_open"
        ):
            close = closing_index(tokens, index + 3)
            out.append(_open("figure", "figure-table", token.level))
            out += _figcaption(tokens[index : index + 3])
            out += _scroll_box(tokens[index + 3 : close + 1])
            out.append(_close("figure", token.level))
            index = close + 1
            continue
        if token.type == "table_open":
            close = closing_index(tokens, index)
            out += _scroll_box(tokens[index : close + 1])
            index = close + 1
            continue
        out.append(token)
        index += 1
    return out


def _figcaption(paragraph: list[Token]) -> list[Token]:
    opening, inline, closing = paragraph
    opening.tag = closing.tag = "figcaption"
    label, rest = split_label(inline_text(inline))
    span = Token("span_open", "span", 1)
    span.attrSet("class", "caption-label")
    inline.children = [
        span,
        Token("text", "", 0, content=label),
        Token("span_close", "span", -1),
        Token("text", "", 0, content=rest),
    ]
    return [opening, inline, closing]


def _scroll_box(table: list[Token]) -> list[Token]:
    level = table[0].level
    return [_open("div", "table-scroll", level), *table, _close("div", level)]


def _open(tag: str, css_class: str, level: int) -> Token:
    token = Token(f"{tag}_open", tag, 1, level=level, block=True)
    token.attrSet("class", css_class)
    return token


def _close(tag: str, level: int) -> Token:
    return Token(f"{tag}_close", tag, -1, level=level, block=True)
