"""Front matter's common mistakes, found and explained: the part of reading a note between
its `---` fences that is not YAML parsing itself (that is `source.load_front_matter`).

- Slips of a Japanese input method in a key line (`title：…`, `title:　…`), read as meant and
  reported as S310 before YAML sees them;
- YAML errors turned into findings a writer can act on: a value that needs quotes (M212, then
  read as quoted), a bracket or quote never closed (M213, at the line that opened it), a hint
  for tabs and full-width colons (M202), a character YAML refuses (M202), and whether it
  defines anchors (which the loader refuses: M209).

Everything here reports on the file it is given and returns; PyYAML is imported only when a
note's front matter is actually parsed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from proceedings import codes
from proceedings.i18n import N_, _

if TYPE_CHECKING:
    from proceedings.load.source import MarkdownFile

WIDE_SPACE = "\u3000"


def front_matter_with_slips(file: MarkdownFile, lines: list[str]) -> str:
    """The front matter with each `key：value` (a full-width colon after a key) and `key:　value`
    (a full-width space after the colon) read as `key: value`, each reported as S310, so the
    slip is one finding and not a YAML error and the findings it would cause."""
    out: list[str] = []
    for number, line in enumerate(lines, start=1):
        if "：" in line or WIDE_SPACE in line:
            fixed, at, what, key = _key_slip(line)
            if fixed is not None:
                if what == "colon":
                    message = _("full-width colon `：` after the key `{key}`; front matter "
                                "needs an ASCII colon and a space: `key: value`")
                else:
                    message = _("full-width space after `:` after the key `{key}`; front "
                                "matter needs an ASCII colon and a space: `key: value`")
                file.report_slip(number, at, message.format(key=key), fixed)
                line = fixed
        out.append(line)
    return "\n".join(out)


def _key_slip(line: str) -> tuple[str | None, int, str, str]:
    """(`line` corrected, column of the slip, what it is: "colon" or "space") for a
    front-matter line whose key is followed by a full-width colon, or by a colon and a
    full-width space, and the key; (None, 0, "", "") else."""
    indent = len(line) - len(line.lstrip(" "))
    start = indent + 2 if line.startswith("- ", indent) else indent  # a list of mappings
    end = start
    while end < len(line) and (line[end].isascii() and (line[end].isalnum() or line[end] in "_-")):
        end += 1
    if end == start:
        return None, 0, "", ""
    after = end
    while after < len(line) and line[after] == " ":
        after += 1
    rest = line[after:]
    if rest.startswith("："):
        value = rest[1:].lstrip(" " + WIDE_SPACE)
        return line[:end] + (": " + value if value else ":"), after, "colon", line[start:end]
    if rest.startswith(":" + WIDE_SPACE):
        value = rest[1:].lstrip(" " + WIDE_SPACE)
        return line[:end] + ": " + value, after + 1, "space", line[start:end]
    return None, 0, "", ""


# What a value may not start with unquoted; a Japanese writer meets `@` (a handle) and `` ` ``.
_RESERVED_STARTS = "@`"


def quoted_value(lines: list[str], exc: Any) -> tuple[int, str, str, int] | None:
    """M212 for a YAML error caused by a plain value that needs quotes — `title: 監視: 設計`
    (a `: ` inside), `title: @handle` — as (0-based line, the line with the value quoted, the
    message saying what is wrong, 0-based column); None for any other error."""
    mark = exc.problem_mark
    if mark is None or not 0 <= mark.line < len(lines):
        return None
    problem = exc.problem or ""
    line = lines[mark.line]
    prefix_end = len(line) - len(line.lstrip(" "))
    if line.startswith("- ", prefix_end):
        prefix_end += 2
    key_end = line.find(": ", prefix_end)
    if key_end < 0:
        return None
    value_start = key_end + 2
    while value_start < len(line) and line[value_start] == " ":
        value_start += 1
    value, comment = line[value_start:], ""
    if " #" in value:
        value, comment = value[: value.index(" #")], value[value.index(" #"):]
    value = value.rstrip(" ")
    key = line[prefix_end:key_end]
    if not value or value[0] in "\"'[{|>&*!%#":
        return None
    if problem.startswith("mapping values are not allowed") and mark.column > key_end:
        what = _("the value of `{key}` contains `: `, which YAML reads as another key; quote "
                 "the value").format(key=key)
    elif "cannot start any token" in problem and value[0] in _RESERVED_STARTS \
            and mark.column == value_start:
        what = _("the value of `{key}` starts with `{character}`, which YAML reserves; quote "
                 "the value").format(key=key, character=value[0])
    else:
        return None
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return mark.line, f'{line[:value_start]}"{escaped}"{comment}', what, mark.column


_OPENERS = {
    "while parsing a flow sequence": ("[", "]"),
    "while parsing a flow mapping": ("{", "}"),
}


def report_unclosed(file: MarkdownFile, exc: Any) -> bool:
    """M213 for a `[`, `{` or quote that is never closed, at the line and column where it was
    opened (the parser notices only later, often at the closing `---`); False otherwise."""
    opened, noticed = exc.context_mark, exc.problem_mark
    if opened is None or noticed is None:
        return False
    problem = exc.problem or ""
    if exc.context in _OPENERS and problem.startswith("did not find expected ','"):
        opener, closer = _OPENERS[exc.context]
        hint = _("close it with `{closer}` (on this line, after the last item)").format(
            closer=closer)
        at_fence = _("`{opener}` opened here is never closed (the YAML parser noticed at the "
                     "closing `---`, column {column})")
        at_line = _("`{opener}` opened here is never closed (the YAML parser noticed at line "
                    "{line}, column {column})")
    elif exc.context == "while scanning a quoted scalar" and "end of stream" in problem:
        opener = ""
        hint = _("add the closing quote at the end of the value")
        at_fence = _("the quote opened here is never closed (the YAML parser noticed at the "
                     "closing `---`, column {column})")
        at_line = _("the quote opened here is never closed (the YAML parser noticed at line "
                    "{line}, column {column})")
    else:
        return False
    where = noticed.line + 2
    message = (at_fence if where == file.closing_line else at_line).format(
        opener=opener, line=where, column=noticed.column + 1)
    file.report(codes.UNCLOSED, opened.line + 2, message, hint, col=opened.column + 1)
    return True


def yaml_hint(lines: list[str], exc: Any) -> str:
    """A hint for M202 where one helps: tabs, full-width colons."""
    mark = exc.problem_mark or exc.context_mark
    line = lines[mark.line] if mark is not None and 0 <= mark.line < len(lines) else ""
    before = lines[mark.line - 1] if mark is not None and 0 < mark.line <= len(lines) else ""
    problem = exc.problem or ""
    if "tab" in problem or line[: len(line) - len(line.lstrip(" \t"))].count("\t"):
        return _("YAML does not allow tabs for indentation; indent with spaces")
    if "：" in line or "：" in before:  # the parser often notices on the next line
        return _("`：` is a full-width colon; YAML needs an ASCII colon and a space "
                 "(`key: value`)")
    if WIDE_SPACE in line:
        return _("a full-width space (U+3000) is not a space to YAML; use an ASCII space")
    return ""


# The problems PyYAML (libyaml) reports most often, shown in the message language; any other
# is shown as PyYAML words it.
_YAML_PROBLEMS = frozenset({
    N_("mapping values are not allowed in this context"),
    N_("mapping values are not allowed here"),
    N_("found character that cannot start any token"),
    N_("found a tab character that violates indentation"),
    N_("found unexpected end of stream"),
    N_("did not find expected '-' indicator"),
    N_("did not find expected key"),
    N_("did not find expected ',' or ']'"),
    N_("did not find expected ',' or '}'"),
    N_("could not find expected ':'"),
    N_("did not find expected node content"),
    N_("did not find expected <document start>"),
    N_("found undefined alias"),
    N_("found unknown escape character"),
})


def yaml_problem(problem: str) -> str:
    """PyYAML's description of a problem, in the message language when it is a known one."""
    return _(problem) if problem in _YAML_PROBLEMS else problem


def has_alias(source: str) -> bool:
    """Whether the YAML in `source` defines an anchor (`&name`), which an alias could repeat."""
    import yaml

    try:
        return any(
            isinstance(event, yaml.AliasEvent | yaml.events.NodeEvent)
            and getattr(event, "anchor", None)
            for event in yaml.parse(source, Loader=yaml.SafeLoader)
        )
    except yaml.YAMLError:
        return False  # the real load reports the syntax error with its line


def report_marked_error(file: MarkdownFile, source: str, exc: Any, quoted: int) -> str | None:
    """Report the YAML error `exc` of front matter `source`; the front matter to parse again
    when the error was a value that needs quotes (reported as M212 and read as quoted, so each
    such line is one finding; at most 100 of them), else None."""
    mark = exc.problem_mark or exc.context_mark
    line = (mark.line + 2) if mark else 1  # +1 for 0-based, +1 for the opening ---
    col = (mark.column + 1) if mark else 1
    if getattr(exc, "merge_key", False):
        file.report(codes.MERGE_KEY, line, _("front matter: {problem}").format(problem=exc.problem),
                    _("write every key out in full"), col=col)
        return None
    lines = source.split("\n")
    fixed = quoted_value(lines, exc) if quoted < 100 else None
    if fixed is not None:
        index, replacement, problem, at = fixed
        file.report(codes.UNQUOTED_VALUE, index + 2, problem,
                    _("write `{line}`").format(line=replacement.strip()), col=at + 1)
        lines[index] = replacement
        return "\n".join(lines)
    if not report_unclosed(file, exc):
        file.report(codes.YAML_SYNTAX, line,
                    _("YAML: {problem}").format(problem=yaml_problem(exc.problem) if exc.problem
                                                else exc),
                    yaml_hint(lines, exc), col=col)
    return None


def report_refused_character(file: MarkdownFile, source: str, exc: Any) -> None:
    """M202 at a character YAML refuses (NUL, BEL, …), found again in the text: libyaml
    counts the error's position in bytes, PyYAML in characters."""
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    index = max(source.find(chr(code)), 0)
    before = source[:index]
    line = before.count("\n") + 2  # +1 for 1-based, +1 for the opening ---
    col = index - (before.rfind("\n") + 1) + 1
    file.report(codes.YAML_SYNTAX, line,
                _("YAML: character U+{code:04X} is not allowed").format(code=code),
                _("delete it; most editors do not show it"), col=col)
