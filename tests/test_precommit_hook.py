"""The real `pre-commit` in a real git repository refuses a commit with a broken note.

With init's defaults: `proceedings init --hook-repo CLONE` (a `git clone` of this checkout, the
one the tested proceedings is installed from) pins the commit it was installed from, and
pre-commit installs proceedings from that commit into its own environment (this needs the
package index, once per test session: PRE_COMMIT_HOME is shared by the session's tests).
Without --hook-repo, the local hook runs the installed `proceedings-hook`, or says how to
install it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import DIAGNOSTIC_LINE
from proceedings.cli import app

REPO_ROOT = Path(__file__).resolve().parents[1]
BROKEN = """---
title: 監視アーキテクチャ
---

# 監視アーキテクチャ

## 概要

統合か分離かを議論した。
"""  # no `## 議論` section: S304 at line 5 (the H1)
FIXED = BROKEN + "\n## 議論\n\n- 入口は統合し、計算は分ける\n"
SESSION_MD = "---\ntitle: 夏合宿\ndate: 2024-08-24\n---\n\n合宿の記録。\n"


def git(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)


def _identity(repo: Path) -> None:
    git(repo, "config", "user.name", "Test Scribe")
    git(repo, "config", "user.email", "scribe@example.com")
    git(repo, "config", "commit.gpgsign", "false")


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A `git clone` of this checkout, and the commit the tested proceedings comes from."""
    head = git(REPO_ROOT, "rev-parse", "HEAD")
    if head.returncode != 0:
        pytest.fail(f"the tests run from a git checkout of proceedings: {head.stderr}")
    source = tmp_path_factory.mktemp("hook-source") / "proceedings"
    cloned = git(REPO_ROOT, "clone", "-q", "--no-hardlinks", str(REPO_ROOT), str(source))
    assert cloned.returncode == 0, cloned.stderr
    return source, head.stdout.strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _env(home: Path, extra_path: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(home)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.pop("FORCE_COLOR", None)
    if extra_path is not None:
        env["PATH"] = f"{extra_path}{os.pathsep}{env.get('PATH', '')}"
    return env


def _wg_repo(root: Path, *init_args: str) -> Path:
    result = CliRunner().invoke(app, ["init", str(root), "--name", "Test WG", *init_args])
    assert result.exit_code == 0, result.output
    _identity(root)
    return root


def _install(root: Path, env: dict) -> None:
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=root,
                               capture_output=True, text=True, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr


def _commit_broken_then_fixed(root: Path, env: dict) -> None:
    session = root / "sessions/2024-08-24-summer-camp"
    session.mkdir(parents=True)
    (session / "session.md").write_text(SESSION_MD, encoding="utf-8")
    note = session / "01-monitoring.md"
    note.write_text(BROKEN, encoding="utf-8")
    git(root, "add", "-A")

    refused = git(root, "commit", "-m", "Add the monitoring notes", env=env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    findings = [m.groupdict() for m in map(DIAGNOSTIC_LINE.match, output.splitlines()) if m]
    assert {
        (f["path"], f["line"], f["code"]) for f in findings
    } == {("sessions/2024-08-24-summer-camp/01-monitoring.md", "5", "S304")}, output
    assert git(root, "rev-parse", "--verify", "-q", "HEAD").returncode != 0  # nothing committed

    note.write_text(FIXED, encoding="utf-8")
    git(root, "add", "-A")
    accepted = git(root, "commit", "-m", "Add the monitoring notes", env=env)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "proceedings check" in accepted.stdout + accepted.stderr  # the hook ran and passed
    log = git(root, "log", "--name-only", "--format=%s").stdout
    assert "sessions/2024-08-24-summer-camp/01-monitoring.md" in log
    assert ".proceedings-cache" not in log  # the checker's cache is never committed


def test_hook_from_a_clone_with_init_defaults_refuses_a_broken_note_then_accepts_the_fix(
    tmp_path: Path, hook_source: tuple[Path, str], pre_commit_home: Path
) -> None:
    source, rev = hook_source
    root = _wg_repo(tmp_path / "wg", "--hook-repo", str(source))  # no --hook-rev
    config = (root / ".pre-commit-config.yaml").read_text("utf-8")
    # the commit this proceedings was installed from, which the clone has: not a made-up tag
    assert f"repo: '{source}'" in config and f"rev: '{rev}'" in config
    env = _env(pre_commit_home)
    _install(root, env)
    _commit_broken_then_fixed(root, env)


def test_the_default_local_hook_uses_the_installed_proceedings(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    root = _wg_repo(tmp_path / "wg")
    assert "repo: local" in (root / ".pre-commit-config.yaml").read_text("utf-8")
    env = _env(pre_commit_home, extra_path=Path(sys.executable).parent)
    _install(root, env)
    _commit_broken_then_fixed(root, env)


def test_the_local_hook_without_the_tool_says_how_to_install_it(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    root = _wg_repo(tmp_path / "wg")
    env = _env(pre_commit_home)
    # git, sh and the system tools, but no proceedings-hook
    env["PATH"] = os.pathsep.join(
        folder for folder in env["PATH"].split(os.pathsep)
        if folder and not (Path(folder) / "proceedings-hook").exists()
    )
    _install(root, env)
    session = root / "sessions/2024-08-24-summer-camp"
    session.mkdir(parents=True)
    (session / "session.md").write_text(SESSION_MD, encoding="utf-8")
    (session / "01-monitoring.md").write_text(FIXED, encoding="utf-8")
    git(root, "add", "-A")
    refused = git(root, "commit", "-m", "Add the monitoring notes", env=env)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    said = [line for line in output.splitlines() if "proceedings-hook not found" in line]
    assert len(said) == 1, output
    assert "install proceedings with: pipx install git+" in said[0], said
    assert git(root, "rev-parse", "--verify", "-q", "HEAD").returncode != 0
