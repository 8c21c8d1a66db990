"""The real `pre-commit` in a real git repository refuses a commit with a broken note.

This repository is the hook source: its working tree is copied into a temporary git repository
and committed, `proceedings init --hook-repo PATH --hook-rev SHA` writes the WG's
.pre-commit-config.yaml, and pre-commit installs proceedings from that commit into its own
environment (this needs the package index, once per test session; about a minute).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import DIAGNOSTIC_LINE
from proceedings.cli import app

REPO_ROOT = Path(__file__).resolve().parents[1]
SOURCE_PARTS = ("src", "templates", "pyproject.toml", "README.md", ".pre-commit-hooks.yaml")
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
    """This repository's current working tree, committed in a temporary git repository."""
    source = tmp_path_factory.mktemp("hook-source") / "proceedings"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".*.tmp")
    for part in SOURCE_PARTS:
        path = REPO_ROOT / part
        if path.is_dir():
            shutil.copytree(path, source / part, ignore=ignore)
        else:
            shutil.copy2(path, source / part)
    assert git(source, "init", "-q").returncode == 0
    _identity(source)
    git(source, "add", "-A")
    committed = git(source, "commit", "-q", "-m", "proceedings under test")
    assert committed.returncode == 0, committed.stderr
    rev = git(source, "rev-parse", "HEAD").stdout.strip()
    return source, rev


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


def test_hook_from_this_repository_refuses_a_broken_note_then_accepts_the_fix(
    tmp_path: Path, hook_source: tuple[Path, str], pre_commit_home: Path
) -> None:
    source, rev = hook_source
    root = _wg_repo(tmp_path / "wg", "--hook-repo", str(source), "--hook-rev", rev)
    config = (root / ".pre-commit-config.yaml").read_text("utf-8")
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
