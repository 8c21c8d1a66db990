"""The checker's rules: one small function per rule, registered with a stable code.

A rule is a plain function decorated with `@rule(codes.X, kind=...)`, naming its entry in
the catalogue (`proceedings.codes`, where every code is registered). Three kinds exist:

- `markdown`: runs on every readable Markdown file (session.md and topic notes);
- `note`: runs on topic notes only;
- `session`: runs once per session and sees all of its files.

File rules receive the file's `Facts` (collected in one walk over the parsed tokens, see
`proceedings/facts.py`) and the run's `CheckContext`; they return or yield Diagnostics.
Rules never read configuration files or print; the engine (`proceedings.check.engine`) applies
severities, selection and disable comments afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from proceedings import codes
from proceedings.diagnostics import Diagnostic

KINDS = ("markdown", "note", "session")


class Rule(NamedTuple):
    code: codes.Code
    kind: str
    func: Callable[..., Iterable[Diagnostic] | None]
    needs_body: bool = True  # skipped when the body cannot be parsed (unclosed front matter)


_RULES: dict[str, Rule] = {}


def rule(
    code: codes.Code, *, kind: str, needs_body: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make `func` the rule for `code`, an entry of the catalogue in `proceedings.codes`."""
    if kind not in KINDS:
        raise ValueError(f"unknown rule kind {kind!r}")

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        _RULES[code.code] = Rule(code, kind, func, needs_body)
        func.code = code  # type: ignore[attr-defined]  # lets a rule name its own code
        return func

    return decorate


def all_rules() -> list[Rule]:
    """Every registered rule, in code order (importing the rule modules registers them)."""
    _load_rule_modules()
    return [_RULES[code] for code in sorted(_RULES)]


def _load_rule_modules() -> None:
    # Imported for their registrations; kept here so `import proceedings.check.rules` stays light.
    from proceedings.check.rules import content, meta, privacy, structure  # noqa: F401


_load_rule_modules()
