"""proceedings.md as GitHub renders it: the dialect's Pandoc-style syntax turned into GFM.

The build writes the document once in the dialect (`render.markdown_out`, read back by the
HTML and PDF renderers) and, for the Markdown file most readers open on GitHub, converts it
here. GitHub's cmark-gfm knows no attribute or fenced-div syntax and would show it as text,
so:

- `# Title {#id .class}` becomes a raw `<a id="id"></a>` line, a blank line, then `# Title`:
  GitHub keeps raw anchors (as `user-content-id`, which its pages resolve for `#id`);
- `::: {.class}` and `:::` fence lines become blank lines (their content stays);
- an anchor span `[]{#id}` becomes `<a id="id"></a>`, and a link's `{.class}` is dropped.

Every internal link keeps its `#id`, so it lands on the anchor written for it. Only lines that
the dialect parser reads as this syntax are touched, and never inside code spans or blocks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from markdown_it.token import Token

from proceedings.render.dialect import parse_dialect

# Tried only where a run of blanks starts, and possessive: linear on a line of many blanks.
_TRAILING_ATTRS = re.compile(r"(?<![ \t])[ \t]*+\{[^{}\n]*+\}[ \t]*+$")
_ANCHOR_SPAN = re.compile(r"\[\]\{#([^{}\s]+)\}")
_LINK_ATTRS = re.compile(r"(\]\([^()\s]*\))\{[^{}\n]*\}")
_BACKTICKS = re.compile(r"`+")


def to_github(dialect: str) -> str:
    """`dialect` (proceedings.md as the renderers read it) as GitHub Flavored Markdown."""
    lines = dialect.split("\n")
    before: dict[int, str] = {}  # line index -> anchor line to put above it
    blanked: set[int] = set()  # fence lines: dropped, or a blank line where one is needed
    for token in parse_dialect(dialect):
        if token.map is None:
            continue
        first, end = token.map
        if token.type == "heading_open" and token.attrs:
            if token.attrGet("id"):
                before[first] = _anchor(str(token.attrGet("id")))
            lines[first] = _TRAILING_ATTRS.sub("", lines[first])
        elif token.type == "container_div_open":
            blanked.add(first)
            closing = next(
                (i for i in (end - 1, end) if i < len(lines) and lines[i].strip() == ":::"), None
            )
            if closing is not None and closing != first:
                blanked.add(closing)
        elif token.type == "inline" and _has_dialect_inline(token):
            for index in range(first, end):
                lines[index] = _outside_code(lines[index], _inline_to_github)
    out: list[str] = []
    for index, line in enumerate(lines):
        if index in before:
            out += [before[index], ""]
        if index in blanked:
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if not out or not out[-1].strip() or not following.strip():
                continue
            line = ""
        out.append(line)
    return "\n".join(out)


def _anchor(anchor_id: str) -> str:
    return f'<a id="{html.escape(anchor_id, quote=True)}"></a>'


def _has_dialect_inline(token: Token) -> bool:
    return any(
        (child.type == "span_open") or (child.type == "link_open" and child.attrGet("class"))
        for child in token.children or []
    )


def _inline_to_github(text: str) -> str:
    text = _ANCHOR_SPAN.sub(lambda m: _anchor(m.group(1)), text)
    return _LINK_ATTRS.sub(r"\1", text)


def _outside_code(line: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the parts of `line` outside code spans: a run of backticks opens a
    span that the next run of the same length closes, as CommonMark reads them. One pass
    over the runs, so a line of many unmatched backticks stays linear."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(line)]
    later: dict[int, list[int]] = {}  # run length -> indexes of runs, last first
    for index in range(len(runs) - 1, -1, -1):
        later.setdefault(runs[index][1] - runs[index][0], []).append(index)
    parts: list[str] = []
    plain_from = 0
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = later[end - start]
        while same and same[-1] <= index:
            same.pop()
        if not same:
            index += 1
            continue
        closing = same.pop()
        parts += [change(line[plain_from:start]), line[start : runs[closing][1]]]
        plain_from = runs[closing][1]
        index = closing + 1
    parts.append(change(line[plain_from:]))
    return "".join(parts)
