"""The pre-commit hook's forked parse (prefetch.py): the child's answers are exactly the cache
entries the run would compute, the run never waits on a child it does not need, and a failed
child or a file changed since only means the run parses the file itself."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from check_support import SESSION, make_wg
from proceedings import prefetch, source
from proceedings.check_runner import CheckOptions, run_check
from proceedings.facts import collect
from proceedings.facts_cache import SessionCache, stored_facts
from proceedings.parallel import fork_is_safe, usable_cores

needs_fork = pytest.mark.skipif(
    not (fork_is_safe() and usable_cores() >= 2), reason="the prefetch needs fork and 2 cores"
)

A = f"{SESSION}/01-alpha.md"
BROKEN = """---
title: 題が違う
unknwon: 1
---

# アルファ

## 議論

<b>生の HTML</b> と [壊れたリンク](03-none.md)
"""

# Run the hook in a fresh interpreter (as pre-commit does) and report, on the way out, which
# parsers the hook process itself imported.
HOOK_AND_REPORT = """
import atexit, sys
atexit.register(lambda: print("imported here:", sorted(
    name for name in ("markdown_it", "yaml") if name in sys.modules)))
from proceedings.hook import run
run()
"""


@pytest.fixture(autouse=True)
def cache_on(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PROCEEDINGS_NO_CACHE", raising=False)
    yield
    prefetch.stop()


def _hook(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PROCEEDINGS_NO_CACHE"}
    return subprocess.run([sys.executable, "-c", HOOK_AND_REPORT, *args], cwd=root,
                          capture_output=True, text=True, env=env, check=False)


def _check(root: Path, *paths: str) -> tuple[int, str]:
    out = io.StringIO()
    old = Path.cwd()
    os.chdir(root)
    try:
        code = run_check(CheckOptions(paths=[Path(p) for p in paths]), out=out, err=out)
    finally:
        os.chdir(old)
    return code, out.getvalue()


@needs_fork
def test_the_child_answers_with_the_entries_the_run_would_store(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {A: BROKEN})
    path = root / A
    child = prefetch.Prefetch([path, root / "sessions/none.md"])  # a missing file is skipped
    facts, front_matter = child.entries()

    raw = path.read_bytes()
    source.front_matter_cache = here = source.FrontMatterCache()
    try:
        expected = stored_facts(collect(source.parse_markdown(raw, path, A)))
    finally:
        source.front_matter_cache = None
    assert facts == {SessionCache.key(raw): expected}
    assert front_matter == here.entries and len(front_matter) == 1


@needs_fork
def test_an_edited_note_is_checked_without_the_hook_importing_a_parser(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    assert _hook(root, A).returncode == 0  # fills the caches
    (root / A).write_text(BROKEN, encoding="utf-8")  # body and front matter both changed

    done = _hook(root, A)
    assert done.returncode == 1
    assert "imported here: []" in done.stdout
    code, expected = _check(root, A)  # the same run in this process, parsing itself
    assert code == 1
    assert done.stdout.replace("imported here: []\n", "") == expected
    for finding in (f"{A}:3:1: M204 unknown key `unknwon`",  # the child's YAML
                    f"{A}:6:1: S301 H1 `アルファ` differs",  # the child's facts
                    f"{A}:10:1: C406 raw HTML `<b>`",
                    f"{A}:10:18: C402 link target `03-none.md` does not exist"):
        assert finding in expected


@needs_fork
def test_a_note_changed_after_the_child_read_it_is_parsed_again(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    assert _check(root, A)[0] == 0
    prefetch._current = prefetch.Prefetch([root / A])  # what prefetch.start(argv) does
    prefetch._current.entries()  # the child has read the clean note …
    (root / A).write_text(BROKEN, encoding="utf-8")  # … which is then changed
    code, output = _check(root, A)
    prefetch.stop()
    assert code == 1
    assert _check(root, A) == (code, output)  # without a child: the same findings


@needs_fork
def test_a_failed_child_means_the_run_parses_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_wg(tmp_path / "wg", {A: BROKEN})

    def broken(paths):  # noqa: ANN001, ANN202
        raise RuntimeError("the child fails")

    monkeypatch.setattr(prefetch, "parse_notes", broken)
    child = prefetch.Prefetch([root / A])
    assert child.entries() == ({}, {})
    with pytest.raises(ChildProcessError):
        os.waitpid(child._pid, os.WNOHANG)  # reaped: no zombie left

    prefetch._current = prefetch.Prefetch([root / A])
    code, output = _check(root, A)
    assert code == 1 and "S301" in output


@needs_fork
def test_a_child_not_needed_is_stopped(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    child = prefetch.Prefetch([root / A])
    child.stop()
    with pytest.raises(ChildProcessError):
        os.waitpid(child._pid, os.WNOHANG)
    assert child.entries() == ({}, {})


def test_no_child_without_notes_for_many_notes_or_with_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefetch.start(["--fail-on", "warning", "sessions/x/session.txt"])
    assert prefetch._current is None
    prefetch.start([f"sessions/x/{n:02d}-a.md" for n in range(prefetch.MAX_FILES + 1)])
    assert prefetch._current is None
    monkeypatch.setenv("PROCEEDINGS_NO_CACHE", "1")
    prefetch.start([A])
    assert prefetch._current is None
    assert prefetch.facts_entries() == {} and prefetch.front_matter_entries() == {}
