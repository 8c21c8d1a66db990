"""`proceedings check` must start fast under pre-commit: no WeasyPrint, no GitPython."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from check_support import SESSION, make_wg

HEAVY = ("weasyprint", "git", "jinja2", "typer", "rich", "pypdf")

PROBE = """
import json, sys, runpy
sys.argv = ["proceedings.hook", *sys.argv[1:]]
try:
    runpy.run_module("proceedings.hook", run_name="__main__")
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
    assert "proceedings.check" in result["modules"]  # it really ran the checker


def test_the_full_cli_check_does_not_import_weasyprint_or_git(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    probe = (
        "import sys\n"
        "from proceedings.cli import app\n"
        "try:\n"
        "    app(['check', '--root', sys.argv[1]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'weasyprint', 'git'})\n"
        "print('HEAVY', heavy)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True,
                         text=True)
    assert "HEAVY []" in run.stdout, run.stdout + run.stderr


def test_a_warm_pre_commit_run_does_not_even_load_the_parser(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PROCEEDINGS_NO_CACHE", raising=False)
    root = make_wg(tmp_path / "wg")
    files = (f"{SESSION}/01-alpha.md", f"{SESSION}/02-beta.md")
    cold = _run(root, *files)
    assert "markdown_it" in cold["modules"]  # the first run parses and fills the cache
    warm = _run(root, *files)
    assert warm["code"] == 0
    assert "markdown_it" not in warm["modules"]
