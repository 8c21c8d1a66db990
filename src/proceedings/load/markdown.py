"""The one configured markdown-it-py parser, and small helpers over its tokens.

Raw HTML is *parsed* (so the checker can see it and the renderer can escape it); whether it is
ever emitted is decided by the renderer, never here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block.state_block import StateBlock
    from markdown_it.rules_core.state_core import StateCore
    from markdown_it.token import Token


_SPACES = re.compile(r"\s*+")


def comments_only(html: str) -> bool:
    """Whether raw HTML is nothing but comments (`<!-- … -->`, one or more, and whitespace).

    Each comment ends at its first `-->`, so `<!-- a --> text <!-- b -->` is not comments
    only: its text is content. A plain scan, in linear time: the pattern it replaces,
    `^\\s*(<!--.*?-->\\s*)+$`, backtracked exponentially on a line of many comments followed
    by a letter, and let `.*?` run across `-->` into the text between comments."""
    at = _skip_spaces(html, 0)
    if at == len(html):
        return False  # whitespace only: no comment at all
    while at < len(html):
        if not html.startswith("<!--", at):
            return False
        end = html.find("-->", at + 4)
        if end < 0:
            return False
        at = _skip_spaces(html, end + 3)
    return True


def _skip_spaces(text: str, at: int) -> int:
    """The index of the first non-space character from `at` (the pattern always matches)."""
    match = _SPACES.match(text, at)
    return match.end() if match else at


# Levels of block nesting markdown-it parses: a list item is two (the list and the item), a
# blockquote one. 100 (markdown-it's own default preset) allows lists nested 49 deep and
# quotes 99 deep, and stays well inside Python's recursion limit in the parser, the writers
# and WeasyPrint (tests/test_build_roundtrip.py and tests/test_nothing_dropped.py build the
# deepest note it allows). Inline nesting (links, emphasis) keeps the commonmark preset's 20:
# past it markdown-it keeps the text as plain text, so nothing is lost.
MAX_NESTING = 100
INLINE_NESTING = 20
TOO_DEEP = "proceedings_too_deep"  # env key: [(first, last)] body lines (0-based) dropped
UNUSED_FOOTNOTES = "proceedings_unused_footnotes"  # env key: [(body line, label)], uncited
# env key: [(body line, label, body line of the later definition that replaces it)]
REPLACED_FOOTNOTES = "proceedings_replaced_footnotes"


def _block_nesting(state: StateCore) -> None:
    state.md.options["maxNesting"] = MAX_NESTING


def _inline_nesting(state: StateCore) -> None:
    state.md.options["maxNesting"] = INLINE_NESTING


def _note_unused_footnotes(state: StateCore) -> None:
    """Record each footnote definition that no `[^label]` cites, and each one a later
    definition of the same label replaces, with its line (0-based, in the body): the plugin's
    `footnote_tail` removes both from the tokens without a trace."""
    refs = state.env.get("footnotes", {}).get("refs", {})
    unused: list[tuple[int, str]] = state.env.setdefault(UNUSED_FOOTNOTES, [])
    replaced: list[tuple[int, str, int]] = state.env.setdefault(REPLACED_FOOTNOTES, [])
    tokens = state.tokens
    cited: dict[str, int] = {}  # label -> line of its latest definition so far
    for index, token in enumerate(tokens):
        if token.type != "footnote_reference_open":
            continue
        label = token.meta.get("label", "")
        line = next((t.map[0] for t in tokens[index + 1 : index + 2] if t.map), None)
        if line is None:
            line = _definition_line(state.src, label)
        if refs.get(":" + label, -1) < 0:
            unused.append((line, label))
            continue
        if label in cited:
            replaced.append((cited[label], label, line))
        cited[label] = line


def _definition_line(src: str, label: str) -> int:
    """The line (0-based) of `[^label]:` in `src`, for a definition with no content."""
    at = src.find(f"[^{label}]:")
    return src.count("\n", 0, at) if at >= 0 else 0


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The shared parser for notes."""
    return new_parser()


def new_parser(*, stock_block_loop: bool = False) -> MarkdownIt:
    """A fresh parser with the project's configuration, for a dialect that extends it.

    Its block loop skips rules that cannot match a line's first character (same tokens,
    about a fifth less block parsing); `stock_block_loop` keeps markdown-it's own loop, which
    the tests compare it with."""
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
    # markdown-it stops parsing a container nested deeper than maxNesting and drops the rest
    # of the container's lines (the commonmark preset allows 20 levels: ten nested lists). The
    # checker reports such lines (S309) and the build refuses them; see MAX_NESTING. The same
    # option limits nested links and emphasis, where a deeper limit only makes markdown-it's
    # slow cases (`![` repeated) slower and drops nothing: the inline stage keeps 20.
    md.options["maxNesting"] = MAX_NESTING
    md.core.ruler.before("normalize", "proceedings_block_nesting", _block_nesting)
    md.core.ruler.before("inline", "proceedings_inline_nesting", _inline_nesting)
    md.core.ruler.after("inline", "proceedings_block_nesting_again", _block_nesting)
    # The footnote plugin's last step leaves out definitions nothing cites: note them first.
    md.core.ruler.before("footnote_tail", "proceedings_unused_footnotes", _note_unused_footnotes)
    if not stock_block_loop:
        # An attribute on the instance: nested containers call `state.md.block.tokenize` too.
        md.block.tokenize = _tokenize_by_first_char(md)  # type: ignore[method-assign, assignment]
    return md


def parse(text: str, env: dict[str, Any] | None = None) -> list[Token]:
    return parser().parse(text, env if env is not None else {})


# --- the checker's parse: the same tokens, less work -----------------------------------------
#
# Parsing is most of a cold `proceedings check`. The checker reads the block tokens, the
# children of headings, and the children of inline tokens that can hold a link, an image, a
# footnote reference or raw HTML — all of which need `[` or `<`. `parse_for_check` runs the
# same parser but leaves the other inline tokens unparsed (children == []), and
# `complete_inline` parses them later if anyone needs the full tokens (the build): the result
# is then identical to `parse` (tests/test_check_parse.py compares them token by token).

# A line that could be a setext underline, after any container prefix (indentation, `>`).
_SETEXT_CANDIDATE = re.compile(r"^[ \t>]*(?:=+|-+)[ \t]*$", re.MULTILINE)
_UNPARSED = "proceedings_unparsed_inline"  # env key: inline tokens left for complete_inline


def _inline_where_needed(state: StateCore) -> None:
    """markdown-it's core `inline` rule, for the tokens the checker reads only."""
    md = state.md
    env = state.env
    skipped: list[Token] = env.setdefault(_UNPARSED, [])
    after_heading = False
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            content = token.content
            # Only link, image, footnote and raw-HTML rules read `env`, and they all need `[`
            # or `<`: a token parsed later without them gets the same children.
            if after_heading or "[" in content or "<" in content:
                md.inline.parse(content, md, env, token.children)
            else:
                skipped.append(token)
        after_heading = token.type == "heading_open"


def _lheading_impossible(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's `lheading` rule for a text with no line that can be an underline: it
    returns False, with the one side effect the real rule has on that path (parentType stays
    "paragraph", which later silent `list` checks read). Its terminator look-ahead, which it
    would run for every paragraph, has no side effects."""
    if state.is_code_block(start):
        return False
    state.parentType = "paragraph"
    return False


# Block rules that can only match a line whose first character (after indentation and
# container markers) is one of these; each returns False without side effects otherwise.
# Rules not listed here (table, code, lheading, paragraph, any plugin's) are always tried.
_FIRST_CHARS = {
    "fence": "~`",
    "blockquote": ">",
    "hr": "*-_",
    "list": "*-+0123456789",
    "footnote_def": "[",
    "reference": "[",
    "html_block": "<",
    "heading": "#",
}


class _RulesByFirstChar:
    """The active block rules, and for each first character the ones that can match it."""

    def __init__(self, md: MarkdownIt) -> None:
        names = md.block.ruler.get_active_rules()
        self.rules = md.block.ruler.getRules("")  # a new list whenever the rules change
        named = list(zip(names, self.rules, strict=True))
        self.always = [rule for name, rule in named if name not in _FIRST_CHARS]
        self.by_char = {
            char: [rule for name, rule in named if char in _FIRST_CHARS.get(name, char)]
            for char in set("".join(_FIRST_CHARS.values()))
        }
        # For a line that cannot be a thematic break: `hr` scans the whole line before it
        # says no, once per nesting level (`- - - … x` is a list nested 49 deep).
        self.by_char_no_hr = {
            char: [rule for name, rule in named
                   if name != "hr" and char in _FIRST_CHARS.get(name, char)]
            for char in _FIRST_CHARS["hr"]
        }


def _tokenize_by_first_char(md: MarkdownIt) -> Callable[[StateBlock, int, int], None]:
    """markdown-it's block loop, trying only the rules that can match the line's first
    character — markdown-it tries every rule on every line, and most return False at once.

    The order of the rules, the checks around them and the tight/loose bookkeeping are
    markdown-it's; only rules that would have returned False are skipped, so the tokens are
    the same (tests/test_check_parse.py compares them with markdown-it's own loop)."""
    current: _RulesByFirstChar | None = None

    def tokenize(state: StateBlock, start_line: int, end_line: int) -> None:
        nonlocal current
        if current is None or current.rules is not md.block.ruler.getRules(""):
            current = _RulesByFirstChar(md)  # first use, or a plugin changed the rules
        by_char, always, no_hr = current.by_char, current.always, current.by_char_no_hr
        src = state.src
        max_nesting = state.md.options.maxNesting
        had_empty_line = False
        line = start_line
        while line < end_line:
            state.line = line = state.skipEmptyLines(line)
            if line >= end_line or state.sCount[line] < state.blkIndent:
                break  # the end, or the end of a nested container
            if state.level >= max_nesting:
                # markdown-it drops these lines (to the end of the outermost container, often
                # the end of the note); say which, so that nothing goes unreported
                last = end_line - 1
                while last > line and state.isEmpty(last):
                    last -= 1
                state.env.setdefault(TOO_DEEP, []).append((line, last))
                state.line = end_line
                break
            start = state.bMarks[line] + state.tShift[line]
            first = src[start]
            rules = by_char.get(first, always)
            # a thematic break is its marker, spaces and tabs only: past any other character
            # at the end, `hr` would return False (and it has no side effects)
            if first in no_hr and src[start : state.eMarks[line]].rstrip(first + " \t"):
                rules = no_hr[first]
            for rule in rules:
                if rule(state, line, end_line, False):
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            else:
                raise RuntimeError("none of the block rules matched")
            state.tight = not had_empty_line
            line = state.line
            if line - 1 < end_line and state.isEmpty(line - 1):
                had_empty_line = True  # a paragraph may have taken the blank line after it
            if line < end_line and state.isEmpty(line):
                had_empty_line = True
                line += 1
                state.line = line

    return tokenize


@lru_cache(maxsize=2)
def _check_parser(setext_possible: bool) -> MarkdownIt:
    md = new_parser()
    md.core.ruler.at("inline", _inline_where_needed)
    if not setext_possible:
        md.block.ruler.at("lheading", _lheading_impossible)
    return md


def parse_for_check(
    text: str, env: dict[str, Any] | None = None
) -> tuple[list[Token], list[Token]]:
    """Tokens as `parse(text)` gives them, except that inline tokens the checker never reads
    have no children yet; returns (tokens, those inline tokens) for `complete_inline`."""
    # A lone CR is a line break to markdown-it but not to the regex: use the plain rule then.
    setext = "\r" in text or _SETEXT_CANDIDATE.search(text) is not None
    env = env if env is not None else {}
    tokens = _check_parser(setext).parse(text, env)
    return tokens, env.get(_UNPARSED, [])


def complete_inline(unparsed: list[Token]) -> None:
    """Parse the inline tokens `parse_for_check` skipped, as markdown-it's core would have."""
    if not unparsed:
        return
    from markdown_it.rules_core.state_core import StateCore
    from markdown_it.rules_core.text_join import text_join

    md = parser()
    md.options["maxNesting"] = INLINE_NESTING  # as the core's inline stage has it
    try:
        for token in unparsed:
            if token.children is None:  # parse_for_check gives each of them an empty list
                token.children = []
            md.inline.parse(token.content, md, {}, token.children)
    finally:
        md.options["maxNesting"] = MAX_NESTING
    text_join(StateCore("", md, {}, unparsed))  # the only later core rule that reads them


class Heading(NamedTuple):
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


class FootnoteDefinition(NamedTuple):
    """One footnote's definition, as markdown-it parsed it."""

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
