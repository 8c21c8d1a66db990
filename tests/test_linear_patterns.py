"""Every regular expression that sees repository text runs in linear time (issue #16).

Notes, front matter, `proceedings.toml`, file names and imported memos come from anyone who
can open a pull request, and `check` runs on every member's commit. A pattern that backtracks
exponentially (or quadratically) on some input lets one line of a note hang the hook, the
build and CI. So:

- every pattern in the package is a module-level constant (or built by one of the few
  functions listed in DYNAMIC, which are exercised here with hostile arguments), and a
  pattern added inside a function body makes this test fail;
- each pattern is fed adversarial inputs of 1k, 10k and 100k characters, derived from the
  pattern itself (its literal pieces and the bodies of its repeats, repeated, cut short,
  followed by a character that does not match) plus whitespace runs, and the time per
  character must stay about constant: a quadratic pattern costs 10x more per character at
  10k than at 1k and 100x more at 100k; a linear one about the same.

Times are compared within one run, for the same amount of text at each size (100 calls on
1k, 10 on 10k, one on 100k), taking the best of a few repetitions. A watchdog turns a
pattern that would run for hours into a failure naming it; it is not a speed limit.
"""

from __future__ import annotations

import ast
import gc
import importlib
import pkgutil
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from re import _parser as sre_parse  # type: ignore[attr-defined]
from types import FrameType

import pytest

import proceedings

SRC = Path(proceedings.__file__).parent
SIZES = (1_000, 10_000, 100_000)
TAILS = ("", "\x01", "\n")

# Functions that build a pattern from configuration or text at run time, and how to get
# hostile instances of them. Each must escape what it is given (re.escape), so its shape is
# fixed; the instances here use keys, terms and labels that are themselves made of regex
# metacharacters and whitespace.


def _dynamic_patterns() -> dict[str, re.Pattern[str]]:
    from proceedings import config
    from proceedings.authoring.importing import structure
    from proceedings.check.rules import privacy

    found: dict[str, re.Pattern[str]] = {}
    for key in ("language", "check.fail_on", "a.b-c", "(a+)+"):
        for index, pattern in enumerate(config.key_line_patterns(key)):
            found[f"config.key_line_patterns({key!r})[{index}]"] = pattern
    terms = ("Acme Corp", "秘密 プロジェクト", "a a a a", "(x+)+ y", " spaced  term ")
    found["privacy._terms_pattern"] = privacy._terms_pattern(terms)
    for label in ("1", "a b  c", "長い 注", "(a+)+"):
        for footnote in (True, False):
            found[f"structure.label_use_pattern({label!r}, {footnote})"] = (
                structure.label_use_pattern(label, footnote)
            )
        found[f"structure.footnote_def_pattern({label!r})"] = structure.footnote_def_pattern(label)
    from proceedings.compile import captions  # built once, from the labels of every language

    found["captions._label_pattern()"] = captions._label_pattern()
    return found


DYNAMIC = {
    "proceedings.config.key_line_patterns",
    "proceedings.check.rules.privacy._terms_pattern",
    "proceedings.authoring.importing.structure.label_use_pattern",
    "proceedings.authoring.importing.structure.footnote_def_pattern",
    "proceedings.compile.captions._label_pattern",
}
RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall",
                "finditer"}


# ------------------------------------------------------------------------- finding patterns


def _modules() -> Iterator[object]:
    yield proceedings
    for info in pkgutil.walk_packages(proceedings.__path__, "proceedings."):
        if info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def _patterns_in(value: object) -> Iterator[re.Pattern[str]]:
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _patterns_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _patterns_in(item)


def all_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern the package holds at module level, plus the dynamic ones."""
    found: dict[str, re.Pattern[str]] = {}
    seen: set[tuple[object, int]] = set()
    for module in _modules():
        for name, value in sorted(vars(module).items()):
            for pattern in _patterns_in(value):
                key = (pattern.pattern, pattern.flags)
                if isinstance(pattern.pattern, str) and key not in seen:
                    seen.add(key)
                    found[f"{module.__name__}.{name}"] = pattern
    found.update(_dynamic_patterns())
    return found


class _Calls(ast.NodeVisitor):
    """`re.<function>(…)` calls, with the function (or module) they sit in."""

    def __init__(self, module: str) -> None:
        self.scope = [module]
        self.calls: list[tuple[str, int, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module in ("re", "regex"):  # `from re import search`: calls this test misses
            self.calls.append((".".join(self.scope), node.lineno, "import"))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "regex" or (alias.name == "re" and alias.asname):
                self.calls.append((".".join(self.scope), node.lineno, "import"))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.value.id == "re" and func.attr in RE_FUNCTIONS):
            self.calls.append((".".join(self.scope), node.lineno, func.attr))
        self.generic_visit(node)


def test_every_pattern_is_a_module_constant_or_a_listed_builder() -> None:
    misplaced = []
    for path in sorted(SRC.rglob("*.py")):
        module = ".".join(("proceedings", *path.relative_to(SRC).with_suffix("").parts))
        module = module.removesuffix(".__init__")
        visitor = _Calls(module)
        visitor.visit(ast.parse(path.read_text("utf-8")))
        for scope, line, function in visitor.calls:
            if scope == module and function == "compile":
                continue  # a module constant: all_patterns() finds it
            if any(scope == name or scope.startswith(name + ".") for name in DYNAMIC):
                continue
            misplaced.append(f"{path.relative_to(SRC)}:{line}: re.{function} in {scope}")
    assert not misplaced, (
        "patterns must be module-level re.compile constants (or a builder listed in DYNAMIC "
        "with hostile instances) so that the linear-time test sees them:\n" + "\n".join(misplaced)
    )


def test_the_collector_finds_the_known_patterns() -> None:
    names = all_patterns()
    assert "proceedings.check.facts._HTML_ID" in names
    assert "proceedings.check.rules.privacy._PHONE" in names
    assert len(names) > 60


# ------------------------------------------------------------------- adversarial inputs


_PICKS = "a0 x!あ-.\t"


def _chars_of(items: list[tuple[object, object]]) -> list[str]:
    """Characters an IN (character class) accepts: a few, for samples."""
    negate = any(op is sre_parse.NEGATE for op, _ in items)
    accepted: list[str] = []
    for op, av in items:
        if op is sre_parse.LITERAL:
            accepted.append(chr(av))  # type: ignore[arg-type]
        elif op is sre_parse.RANGE:
            low, high = av  # type: ignore[misc]
            accepted += [chr(low), chr(high)]
        elif op is sre_parse.CATEGORY:
            name = str(av)
            accepted += {"CATEGORY_SPACE": [" ", "\t", "\n"], "CATEGORY_DIGIT": ["0"],
                         "CATEGORY_WORD": ["a", "_"], "CATEGORY_NOT_SPACE": ["a"],
                         "CATEGORY_NOT_DIGIT": ["a"], "CATEGORY_NOT_WORD": [" ", "-"]
                         }.get(name, ["a"])
    if negate:
        return [c for c in _PICKS if c not in accepted][:2] or ["\x02"]
    return list(dict.fromkeys(accepted))[:4]


def _samples(items: list[tuple[object, object]], units: list[str], limit: int = 6) -> list[str]:
    """A few strings the sequence `items` matches; bodies of repeats go into `units`."""
    results = [""]
    for op, av in items:
        options: list[str]
        if op is sre_parse.LITERAL:
            options = [chr(av)]  # type: ignore[arg-type]
        elif op is sre_parse.NOT_LITERAL:
            options = ["a" if av != ord("a") else "b"]
        elif op is sre_parse.ANY:
            options = ["a"]
        elif op is sre_parse.IN:
            options = _chars_of(av)  # type: ignore[arg-type]
        elif op is sre_parse.BRANCH:
            options = [s for branch in av[1] for s in _samples(branch.data, units, limit)]  # type: ignore[index]
        elif op in (sre_parse.SUBPATTERN,):
            options = _samples(av[3].data, units, limit)  # type: ignore[index]
        elif op is sre_parse.ATOMIC_GROUP:
            options = _samples(av.data, units, limit)  # type: ignore[attr-defined]
        elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT):
            low, high, body = av  # type: ignore[misc]
            inner = _samples(body.data, units, limit)
            if high > 1:
                units.extend(s for s in inner if s)
            count = max(low, 1) if high > 0 else 0
            options = [s * min(count, 3) for s in inner] + ([""] if low == 0 else [])
        else:  # AT, ASSERT, ASSERT_NOT, GROUPREF, …: no characters of their own
            options = [""]
        results = [r + o for r in results for o in options][:limit] or [""]
    return results


def adversarial_units(pattern: re.Pattern[str]) -> tuple[list[str], list[str]]:
    """Short strings whose repetition is hostile to `pattern`, and strings it matches."""
    units: list[str] = []
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    whole = [w for w in _samples(tree.data, units) if w]
    units = whole + units
    cut = [u[:i] for u in units for i in (len(u) - 1, len(u) // 2, 1) if 0 < i < len(u)]
    singles = sorted({c for u in units for c in u})
    found = list(dict.fromkeys([*units, *cut, *singles, " ", " \t", "\n", "a", "a "]))
    return [u for u in found if u][:40], whole[:3]


def shapes(pattern: re.Pattern[str]) -> list[Callable[[int], str]]:
    """Input builders: given a length, a hostile string of about that length.

    - a piece of the pattern (a sample match or the start of one, the body of a repeat, a
      cut-off piece, one of its characters) repeated, then nothing or a character that may
      not match;
    - the start of a sample match (an unclosed delimiter) followed by a long run of spaces
      or of one of its own characters, then a character that may not match."""
    builders: list[Callable[[int], str]] = []
    units, whole = adversarial_units(pattern)
    for unit in units:
        for tail in TAILS:
            def repeated(n: int, unit: str = unit, tail: str = tail) -> str:
                return unit * max(1, (n - len(tail)) // len(unit)) + tail
            repeated.__doc__ = f"{unit!r} * k + {tail!r}"
            builders.append(repeated)
    starts = dict.fromkeys(["a", *(w[:i] for w in whole for i in range(1, len(w) + 1))])
    for start in list(starts)[1:40]:
        if start not in units:
            def again(n: int, start: str = start) -> str:
                return start * max(1, (n - 1) // len(start)) + "\x01"
            again.__doc__ = f"{start!r} * k + '\\x01'"
            builders.append(again)
    for start in list(starts)[:20]:
        for run in dict.fromkeys([" ", start[-1]]):
            for tail in ("\x01", "a"):
                def opened(n: int, start: str = start, run: str = run, tail: str = tail) -> str:
                    return start + run * (n - len(start) - len(tail)) + tail
                opened.__doc__ = f"{start!r} + {run!r} * k + {tail!r}"
                builders.append(opened)
    return builders


# ----------------------------------------------------------------------------- timing


class _Hang(BaseException):
    """Not an Exception: the CLI's handler for internal errors must not swallow it."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _Hang


WATCHDOG_SECONDS = 60  # per shape: ends a run that would go on for hours; not a speed limit


def _cost(operation: Callable[[str], object], text: str, calls: int, repeats: int) -> float:
    """Best time of `repeats` rounds of `calls` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            operation(text)
        best = min(best, time.perf_counter() - start)
    return best


def _operations(pattern: re.Pattern[str]) -> dict[str, Callable[[str], object]]:
    # search and match are the first step of finditer; sub, split and findall walk the text
    # as finditer does. fullmatch can backtrack where they stop early.
    return {
        "finditer": lambda text: sum(1 for _ in pattern.finditer(text)),
        "fullmatch": pattern.fullmatch,
    }


def _growth(
    operation: Callable[[str], object], texts: list[str], always_large: bool
) -> tuple[float, float]:
    """Cost per character at 10k and at 100k, each relative to the cost per character at 1k.

    About 1 for a linear pattern; about 10 and 100 for a quadratic one. 100k is measured when
    10k shows any growth, and for every `always_large` shape (it is most of the test's time)."""
    small = _cost(operation, texts[0], len(texts[1]) // len(texts[0]), 2) / len(texts[1])
    middle = _cost(operation, texts[1], 1, 2) / len(texts[1])
    if middle > 5 * small:  # do not wait for 100k: already quadratic
        return middle / small, float("inf")
    if middle < 2 * small and not always_large:
        return middle / small, 1.0
    large = _cost(operation, texts[2], 1, 1) / len(texts[2])
    return middle / small, large / small


def superlinear(pattern: re.Pattern[str]) -> list[str]:
    """The shapes and operations whose cost per character grows with the input."""
    problems: list[str] = []
    for index, build in enumerate(shapes(pattern)):
        texts = [build(size) for size in SIZES]
        for name, operation in _operations(pattern).items():
            signal.alarm(WATCHDOG_SECONDS)
            try:
                for _attempt in range(3):  # a busy machine can slow one measurement: retry
                    at_10k, at_100k = _growth(operation, texts, index % 8 == 0)
                    if at_10k <= 5 and at_100k <= 12:
                        break
                else:
                    problems.append(
                        f"{name} on {build.__doc__}: per character, 10k costs {at_10k:.1f}x"
                        f" and 100k {at_100k:.1f}x what 1k does"
                    )
            except _Hang:
                problems.append(f"{name} on {build.__doc__}: did not finish")
                return problems
            finally:
                signal.alarm(0)
    return problems


PATTERNS = all_patterns()


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_runs_in_linear_time(name: str) -> None:
    pattern = PATTERNS[name]
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    gc.disable()
    try:
        problems = superlinear(pattern)
    finally:
        signal.signal(signal.SIGALRM, previous)
        gc.enable()
    assert not problems, f"{name} = {pattern.pattern!r}:\n" + "\n".join(problems)


# ------------------------------------------------------------------------ end to end

HOSTILE_LINE = "<!--a-->" * 40 + "b"  # exponential for `^\s*(<!--.*?-->\s*)+$`: hours


def _hostile_wg(root: Path) -> Path:
    from check_support import SESSION, make_wg, note

    body = note("アルファ").replace("- 論点\n", f"- 論点\n\n{HOSTILE_LINE}\n\n"
                                              "<!-- 注 --> 見える文 <!-- 注 -->\n")
    return make_wg(root, {f"{SESSION}/01-alpha.md": body})


def _within_watchdog(run: Callable[[], object]) -> object:
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(WATCHDOG_SECONDS)
    try:
        return run()
    except _Hang:
        pytest.fail("did not finish on a note with a line of many HTML comments")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_check_and_build_finish_on_a_line_of_many_comments(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from proceedings.cli import app

    root = _hostile_wg(tmp_path / "wg")
    runner = CliRunner()
    checked = _within_watchdog(lambda: runner.invoke(app, ["check", "--root", str(root)]))
    assert checked.exit_code in (0, 1), checked.output  # type: ignore[attr-defined]
    built = _within_watchdog(
        lambda: runner.invoke(app, ["build", "--root", str(root), "--format", "md"])
    )
    assert built.exit_code == 0, built.output  # type: ignore[attr-defined]
    markdown = (root / "proceedings" / "proceedings.md").read_text("utf-8")
    # raw HTML is shown escaped, never dropped: the line and the text between comments
    assert HOSTILE_LINE in markdown
    assert "見える文" in markdown


def test_text_between_comments_is_content_not_a_comment() -> None:
    from proceedings.load.markdown import comments_only

    assert comments_only("<!-- a -->")
    assert comments_only("  <!-- a -->\n<!--\nb\n-->  \n")
    assert comments_only("<!---->")
    assert not comments_only("<!-- a --> text <!-- b -->")  # the old pattern said yes
    assert not comments_only("<!-- a --> text")
    assert not comments_only("<!-- unclosed")
    assert not comments_only("   ")
    assert not comments_only(HOSTILE_LINE)
