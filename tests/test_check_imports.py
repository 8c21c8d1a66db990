"""`proceedings check` must start fast under pre-commit: no WeasyPrint, no GitPython."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from check_support import SESSION, make_wg

HEAVY = ("weasyprint", "git", "jinja2", "typer", "rich", "pypdf")

PROBE = """
import json, sys, runpy
sys.argv = ["proceedings.check.hook", *sys.argv[1:]]
try:
    runpy.run_module("proceedings.check.hook", run_name="__main__")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _run(root: Path, *args: str) -> dict:
    run = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=root,
                         capture_output=True, text=True)
    return json.loads(run.stderr.strip().splitlines()[-1])


def test_the_pre_commit_path_imports_nothing_heavy(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    result = _run(root, f"{SESSION}/01-alpha.md", f"{SESSION}/02-beta.md")
    assert result["code"] == 0
    loaded = {name.split(".")[0] for name in result["modules"]}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "proceedings.check.engine" in result["modules"]  # it really ran the checker


def test_the_pre_commit_path_defines_no_dataclass_of_ours(tmp_path: Path) -> None:
    """Each dataclass compiles its methods when it is defined (about 1 ms in a fresh
    interpreter); the hook's records are NamedTuples, plain classes or config Tables."""
    root = make_wg(tmp_path / "wg")
    probe = (
        "import dataclasses, json, runpy, sys\n"
        "defined = []\n"
        "original = dataclasses._process_class\n"
        "def recording(cls, *args, **kwargs):\n"
        "    defined.append(f'{cls.__module__}.{cls.__qualname__}')\n"
        "    return original(cls, *args, **kwargs)\n"
        "dataclasses._process_class = recording\n"
        "sys.argv = ['proceedings.check.hook', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('proceedings.check.hook', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print(json.dumps({'code': code, 'defined': defined}), file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, f"{SESSION}/01-alpha.md"], cwd=root,
                         capture_output=True, text=True)
    result = json.loads(run.stderr.strip().splitlines()[-1])
    assert result["code"] == 0
    assert "markdown_it.token.Token" in result["defined"]  # the probe sees dataclasses
    assert [name for name in result["defined"] if name.startswith("proceedings.")] == []


def test_the_console_script_loads_only_the_check_command(tmp_path: Path) -> None:
    """`proceedings check` (the console script's `main`) imports the check command alone:
    no other command module, no WeasyPrint, no GitPython, no pydantic."""
    root = make_wg(tmp_path / "wg")
    probe = (
        "import sys\n"
        "from proceedings.cli import main\n"
        "sys.argv = ['proceedings', 'check', '--root', sys.argv[1]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    print('EXIT', exc.code)\n"
        "commands = sorted(m for m in sys.modules if m.endswith('_command'))\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules}\n"
        "               & {'weasyprint', 'git', 'pydantic', 'jinja2'})\n"
        "print('COMMANDS', commands)\n"
        "print('HEAVY', heavy)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True,
                         text=True)
    assert "EXIT 0" in run.stdout, run.stdout + run.stderr
    assert "COMMANDS ['proceedings.cli.check_command']" in run.stdout, run.stdout
    assert "HEAVY []" in run.stdout, run.stdout + run.stderr


def test_the_help_still_lists_every_command() -> None:
    from proceedings.cli import COMMANDS

    run = subprocess.run([sys.executable, "-m", "proceedings", "--help"], capture_output=True,
                         text=True, env={**os.environ, "COLUMNS": "120"})
    assert run.returncode == 0
    for name in COMMANDS:
        assert f" {name} " in run.stdout, name


def test_a_mistyped_command_gets_a_suggestion() -> None:
    run = subprocess.run([sys.executable, "-m", "proceedings", "chek"], capture_output=True,
                         text=True)
    assert run.returncode == 2
    assert "Did you mean 'check'?" in run.stderr


def test_a_warm_pre_commit_run_does_not_even_load_the_parser(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PROCEEDINGS_NO_CACHE", raising=False)
    root = make_wg(tmp_path / "wg")
    files = (f"{SESSION}/01-alpha.md", f"{SESSION}/02-beta.md")
    cold = _run(root, *files)
    assert "markdown_it" in cold["modules"]  # the first run parses and fills the cache
    warm = _run(root, *files)
    assert warm["code"] == 0
    assert "markdown_it" not in warm["modules"]
    assert "dataclasses" not in warm["modules"]  # nor what markdown-it needs it for
    # The parsed config is stored once the cache folder exists (after the first run).
    assert "tomllib" not in _run(root, *files)["modules"]
