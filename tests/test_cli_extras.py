"""`check --json`, and shell completion for bash, zsh and fish."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import SESSION, make_wg
from proceedings.cli import app

runner = CliRunner()
PROCEEDINGS = Path(sys.executable).with_name("proceedings")  # the console script


def test_check_json_is_format_json(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    note = root / SESSION / "01-alpha.md"
    note.write_text(note.read_text("utf-8").replace("## 議論", "## 議 論"), encoding="utf-8")
    as_format = runner.invoke(app, ["check", "--root", str(root), "--format", "json"])
    as_json = runner.invoke(app, ["check", "--root", str(root), "--json"])
    assert as_json.exit_code == as_format.exit_code == 1
    assert as_json.output == as_format.output
    assert json.loads(as_json.output)  # findings, as JSON
    same = runner.invoke(app, ["check", "--root", str(root), "--json", "--format", "json"])
    assert same.output == as_format.output


def test_check_json_with_another_format_is_a_usage_error(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    result = runner.invoke(app, ["check", "--root", str(root), "--json", "--format", "sarif"])
    assert result.exit_code == 2
    assert "--json" in result.output and "Traceback" not in result.output


def test_the_hook_takes_json_too(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    run = subprocess.run([sys.executable, "-m", "proceedings.check.hook", "--json"], cwd=root,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == json.loads(
        runner.invoke(app, ["check", "--root", str(root), "--format", "json"]).output
    )


def _proceedings(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    assert PROCEEDINGS.exists(), "the tests run with the package installed (scripts/dev setup)"
    return subprocess.run([str(PROCEEDINGS), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_each_shells_script(shell: str) -> None:
    shown = _proceedings("--show-completion", shell)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() and "proceedings" in shown.stdout
    assert "_PROCEEDINGS_COMPLETE" in shown.stdout


@pytest.mark.parametrize(
    ("shell", "env"),
    [
        ("bash", {"COMP_WORDS": "proceedings ch", "COMP_CWORD": "1"}),
        ("zsh", {"_TYPER_COMPLETE_ARGS": "proceedings ch"}),
        ("fish", {"_TYPER_COMPLETE_ARGS": "proceedings ch",
                  "_TYPER_COMPLETE_FISH_ACTION": "get-args"}),
    ],
)
def test_the_shell_gets_completions(shell: str, env: dict[str, str]) -> None:
    """What each script asks the program for at a Tab: before, "Shell bash not supported"."""
    asked = _proceedings(env={"_PROCEEDINGS_COMPLETE": f"complete_{shell}", **env})
    assert asked.returncode == 0, asked.stderr
    assert "check" in asked.stdout and "not supported" not in asked.stderr


def test_bash_completes_a_command_and_an_option_through_the_script(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash
    script = tmp_path / "completion.sh"
    script.write_text(_proceedings("--show-completion", "bash").stdout, encoding="utf-8")
    probe = (
        f"source {script}\n"
        "COMP_WORDS=(proceedings ch); COMP_CWORD=1; _proceedings_completion proceedings\n"
        'echo "1:${COMPREPLY[*]}"\n'
        "COMP_WORDS=(proceedings check --sho); COMP_CWORD=2; _proceedings_completion proceedings\n"
        'echo "2:${COMPREPLY[*]}"\n'
    )
    env = {**os.environ, "PATH": f"{PROCEEDINGS.parent}{os.pathsep}{os.environ['PATH']}"}
    run = subprocess.run([bash, "--norc", "-c", probe], capture_output=True, text=True, env=env,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert "1:check" in run.stdout.splitlines()
    assert "2:--show-source" in run.stdout.splitlines()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_install_completion_writes_the_script_for_each_shell(shell: str, tmp_path: Path) -> None:
    installed = _proceedings("--install-completion", shell, env={"HOME": str(tmp_path)})
    assert installed.returncode == 0, installed.stderr
    assert f"{shell} completion installed" in installed.stdout
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any("_PROCEEDINGS_COMPLETE" in p.read_text("utf-8") for p in files), files


def test_an_unknown_shell_is_a_usage_error() -> None:
    shown = _proceedings("--show-completion", "tcsh")
    assert shown.returncode == 2
    assert "bash, zsh, fish" in shown.stderr and shown.stdout == ""
