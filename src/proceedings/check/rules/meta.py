"""X6xx: findings about the checking itself — disable comments and internal errors.

Disable comments (HTML comments, so they never show in rendered Markdown):

    <!-- proceedings-disable-next-line C406 -->   the line right after the comment
    <!-- proceedings-disable C407 C408 -->         the whole file

Codes may be separated by spaces or commas, and rule names (`raw-html`) work as well as codes.
A comment without codes disables every rule for its scope. Comments inside code blocks are
examples, not directives, and are ignored.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from proceedings import codes
from proceedings.check.facts import Facts
from proceedings.codes import BAD_DISABLE, UNUSED_DISABLE
from proceedings.diagnostics import Diagnostic
from proceedings.i18n import _

# The codes stop at a `<`: a line of many unclosed `<!-- proceedings-disable` would otherwise
# scan to its end from each of them (quadratic time). Codes never hold a `<`.
_DIRECTIVE = re.compile(
    r"<!--\s*+proceedings-(?P<kind>disable-next-line|disable)(?![\w-])(?P<codes>[^<\n]*?)-->"
)


class Directive(NamedTuple):
    """One `proceedings-disable` comment in a note."""

    line: int
    col: int
    next_line: bool  # False: the whole file
    codes: list[str]  # resolved codes; empty means every code
    used: set[str]  # codes it actually suppressed (filled in by the check)

    def covers(self, diagnostic: Diagnostic) -> bool:
        if self.next_line and diagnostic.line != self.line + 1:
            return False
        return not self.codes or diagnostic.code in self.codes


_CODE_SEPARATORS = re.compile(r"[\s,]+")


def parse_directives(facts: Facts) -> tuple[list[Directive], list[Diagnostic]]:
    """Disable comments of one file, and X602 findings for names that are not rules."""
    directives: list[Directive] = []
    problems: list[Diagnostic] = []
    if not facts.lines or "proceedings-disable" not in (facts.file.text or ""):
        return directives, problems
    by_name = {entry.name: entry.code for entry in codes.all_codes()}
    first_body_line = facts.file.body_offset + 1
    for number, text in enumerate(facts.lines, start=1):
        if number < first_body_line or number in facts.code_lines or "proceedings-" not in text:
            continue
        for match in _DIRECTIVE.finditer(text):
            resolved: list[str] = []
            words = [w for w in _CODE_SEPARATORS.split(match.group("codes").strip()) if w]
            for word in words:
                code = word.upper() if _is_code(word.upper()) else by_name.get(word.lower())
                if code is None:
                    problems.append(
                        Diagnostic(facts.file.rel, number, match.start() + 1, BAD_DISABLE.code,
                                   _("`{word}` in a disable comment is not a rule code or "
                                     "name").format(word=word),
                                   BAD_DISABLE.severity, _("see `proceedings rules` for the codes"))
                    )
                    continue
                resolved.append(code)
            if words and not resolved:
                continue  # only unknown names: disables nothing (X602 says why)
            directives.append(
                Directive(number, match.start() + 1, match.group("kind") == "disable-next-line",
                          resolved, set())
            )
    return directives, problems


def _is_code(word: str) -> bool:
    try:
        codes.get(word)
    except KeyError:
        return False
    return True


def unused(directive: Directive, rel: str, active: set[str]) -> list[Diagnostic]:
    """X601 findings for a directive's codes that suppressed nothing (and were run)."""
    if not directive.codes:
        if directive.used:
            return []
        message = (_("disable comment for the next line suppresses nothing") if directive.next_line
                   else _("disable comment for the file suppresses nothing"))
        return [_unused(directive, rel, message)]
    each = (_("`{code}` is disabled for the next line but reports nothing there")
            if directive.next_line else
            _("`{code}` is disabled for the file but reports nothing there"))
    return [
        _unused(directive, rel, each.format(code=code))
        for code in directive.codes
        if code not in directive.used and code in active
    ]


def _unused(directive: Directive, rel: str, message: str) -> Diagnostic:
    return Diagnostic(rel, directive.line, directive.col, UNUSED_DISABLE.code, message,
                      UNUSED_DISABLE.severity, _("remove the comment (or the code from it)"))
