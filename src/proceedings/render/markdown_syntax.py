"""The pieces of Markdown syntax `render.markdown_out` writes, each made safe to read back.

- `escape_text`: text escaped so Markdown reads it back as this exact text (nothing a scribe
  wrote turns into markup, HTML, a heading or a list);
- `attributes`: Pandoc attribute syntax `{#id .class key=value}`;
- `destination` and `link_title`: a link's target and title;
- `fenced_code`, `code_span`: code, fenced long enough for the backticks it holds;
- `table_delimiter`: a table's delimiter cell for a column's alignment.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

_ALWAYS = frozenset("\\`*[]<~")
_NEEDS_ESCAPE = re.compile(r"[\\`*\[\]<~|_&\n]")  # _ALWAYS and the characters handled below
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
ORDERED_START = re.compile(r"^(\d{1,9})([.)])")


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
    """Each character escaped as it needs anywhere in a line."""
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
    """`text`, which starts a line, with what would begin a block there escaped."""
    if not text:
        return text
    first = text[0]
    if first in "#>+-={":
        return "\\" + text
    if first == ":" and text.startswith(":::"):
        return "\\" + text
    if first in " \t":
        return "&#32;" + text[1:] if first == " " else "&#9;" + text[1:]
    match = ORDERED_START.match(text)
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


def link_title(title: str) -> str:
    """` "title"` after a link or image destination (empty when there is none)."""
    return ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""


_BACKTICKS = re.compile("`+")
_FENCE_RUNS = {"`": _BACKTICKS, "~": re.compile("~+")}


def fenced_code(token: Token) -> str:
    """A fence or indented code block as a fenced block longer than any run inside it."""
    content = token.content
    if content and not content.endswith("\n"):
        content += "\n"
    info = token.info.strip() if token.type == "fence" else ""
    char = "~" if (token.markup.startswith("~") or "`" in info) else "`"
    longest = max((len(run) for run in _FENCE_RUNS[char].findall(content)), default=0)
    fence = char * max(3, longest + 1)
    gap = " " if info.startswith(char) else ""  # `~~~~ ~~`: the info is `~~`
    return f"{fence}{gap}{info}\n{content}{fence}"


def code_span(content: str, table: bool) -> str:
    """Inline code in enough backticks; `table`: inside a table cell, where `|` ends it."""
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


def table_delimiter(style: str) -> str:
    """The delimiter cell for a column whose header cell has this `style` (alignment)."""
    if "left" in style:
        return ":---"
    if "right" in style:
        return "---:"
    if "center" in style:
        return ":---:"
    return "---"
