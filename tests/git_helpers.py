"""Real temporary git repositories for the publish and provenance tests.

Every repository gets its identity in its own config; the machine's global and system git
config are hidden so a test sees exactly what a fresh WG clone would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import git
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
IDENTITY = ("Editor Example", "editor@example.org")

GIT_ENV_TO_CLEAR = (
    "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
    "EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
)


@pytest.fixture
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hide the machine's git identity and config from the code under test."""
    empty = tmp_path / "empty-gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in GIT_ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)


def init_repo(path: Path, *, identity: bool = True) -> git.Repo:
    path.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(path, initial_branch="main")
    with repo.config_writer() as config:
        if identity:
            config.set_value("user", "name", IDENTITY[0])
            config.set_value("user", "email", IDENTITY[1])
        config.set_value("commit", "gpgsign", "false")
    return repo


def commit_all(
    repo: git.Repo,
    message: str,
    *paths: str,
    author: tuple[str, str] | None = None,
    date: str = "2024-09-01T10:00:00+09:00",
) -> str:
    """Stage `paths` (default: everything) and commit with a fixed date; returns the hash."""
    repo.git.add("--", *(paths or (".",)))
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    if author:
        env |= {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
    repo.git.commit("-q", "-m", message, env=env)
    return repo.head.commit.hexsha


def sample_repo(root: Path) -> git.Repo:
    """The bundled sample archive, committed in a new repository at `root`."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO_ROOT / "sessions", root / "sessions")
    shutil.copy(REPO_ROOT / "proceedings.toml", root / "proceedings.toml")
    repo = init_repo(root)
    commit_all(repo, "Add the notes")
    return repo


def snapshot(repo: git.Repo) -> dict[str, str]:
    """What a user would compare before/after: HEAD, staged and unstaged diffs, status."""
    return {
        "head": repo.head.commit.hexsha if repo.head.is_valid() else "",
        "cached": repo.git.diff("--cached", "--binary"),
        "unstaged": repo.git.diff("--binary"),
        "index": repo.git.ls_files("--stage"),
        "status": repo.git.status("--porcelain", "--untracked-files=all"),
    }


def commit_paths(repo: git.Repo, rev: str = "HEAD") -> list[str]:
    out = repo.git.diff_tree("--no-commit-id", "--name-only", "-r", "--root", rev)
    return sorted(out.splitlines())
