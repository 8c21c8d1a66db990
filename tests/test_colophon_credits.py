"""The colophon credits each note's scribes, then its git authors (after the privacy rules)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from git_helpers import commit_all, init_repo, isolated_git  # noqa: F401 (fixture)
from proceedings.cli import app

from helpers import make_archive, make_session, write

pytestmark = pytest.mark.usefixtures("isolated_git")
SESSION = "sessions/2024-08-24-camp"
NOTE = f"{SESSION}/01-topic-1.md"
SCRIBED = """---
title: 監視
scribes: [田中, Alice Sato]
---

# 監視

## 概要

要約です。

## 議論

- 論点
"""


def _sources_rows(markdown: str) -> dict[str, list[str]]:
    """The colophon's sources table: path -> cells."""
    rows = {}
    colophon = markdown.split('<a id="colophon"></a>', 1)[1]  # proceedings.md for GitHub
    for line in colophon.splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split(" | ")]
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_scribes_first_then_committers_who_are_not_scribes(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-08-24-camp", notes=2)
    write(root / NOTE, SCRIBED)
    repo = init_repo(root)
    commit_all(repo, "notes", author=("Alice Sato", "alice@example.org"))
    with open(root / NOTE, "a", encoding="utf-8") as handle:
        handle.write("- 追記\n")
    commit_all(repo, "edit", author=("Bob Kato", "bob@example.org"))
    with open(root / NOTE, "a", encoding="utf-8") as handle:
        handle.write("- もう一つ\n")
    commit_all(repo, "edit", author=("carol@example.org", "carol@example.org"))

    built = CliRunner().invoke(app, ["build", "--root", str(root), "--format", "md"])
    assert built.exit_code == 0, built.output
    rows = _sources_rows((root / "proceedings" / "proceedings.md").read_text("utf-8"))
    # scribes as the note lists them; Alice once; an e-mail address as a name is withheld
    assert rows[NOTE][-1] == "田中、Alice Sato、Bob Kato、(withheld)"
    assert "carol" not in (root / "proceedings" / "proceedings.md").read_text("utf-8")
    # a note without scribes: its committer only; session.md: its committer
    assert rows[f"{SESSION}/02-topic-2.md"][-1] == "Alice Sato"
    assert rows[f"{SESSION}/session.md"][-1] == "Alice Sato"


def test_without_git_the_colophon_still_credits_the_scribes(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-08-24-camp", notes=2)
    write(root / NOTE, SCRIBED)
    built = CliRunner().invoke(app, ["build", "--root", str(root), "--format", "md"])
    assert built.exit_code == 0, built.output
    markdown = (root / "proceedings" / "proceedings.md").read_text("utf-8")
    assert "| ファイル | 状態 | 執筆者 |" in markdown
    rows = _sources_rows(markdown)
    assert rows[NOTE][-1] == "田中、Alice Sato"
    assert rows[f"{SESSION}/02-topic-2.md"][-1] == ""


def test_a_ja_wg_without_a_title_gets_the_japanese_default_title(tmp_path: Path) -> None:
    """Issue 15: a `ja` WG whose proceedings.toml sets no title must not say "Proceedings"."""
    from build_archives import archive, note, session

    root = archive(tmp_path / "wg", {
        "2024-08-24-camp/session.md": session("合宿", "2024-08-24"),
        "2024-08-24-camp/01-topic.md": note("トピック", "## 概要\n\n本文。\n\n## 議論\n\n- 論点\n"),
    }, config='language = "ja"\n')
    built = CliRunner().invoke(app, ["build", "--root", str(root), "--format", "md,html"])
    assert built.exit_code == 0, built.output
    markdown = (root / "proceedings" / "proceedings.md").read_text("utf-8")
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    assert "# 議論記録集" in markdown and "<title>議論記録集</title>" in page
    assert "Proceedings" not in markdown.split('<a id="colophon"></a>')[0]
