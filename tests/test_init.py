"""`proceedings init`: new folder, existing repo, existing files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import git
from typer.testing import CliRunner

from proceedings.cli import app
from proceedings.config import load_config
from proceedings.load.workspace import load_workspace

runner = CliRunner()


def test_init_in_empty_folder_creates_repo_and_files(tmp_path: Path) -> None:
    target = tmp_path / "mlops-wg"
    result = runner.invoke(app, ["init", str(target), "--name", "MLOps WG"])
    assert result.exit_code == 0, result.output
    assert (target / ".git").is_dir()
    config = tomllib.loads((target / "proceedings.toml").read_text("utf-8"))
    assert config["wg_name"] == "MLOps WG" and config["language"] == "ja"
    assert (target / "sessions").is_dir()
    assert "MLOps WG" in (target / "README.md").read_text("utf-8")
    assert "initialized" in result.output
    # The commented config is valid for our own loader and the archive loads (empty).
    workspace = load_workspace(load_config(target))
    assert workspace.sessions == [] and workspace.all_diagnostics() == []


def test_init_inside_existing_repo_does_not_nest_git(tmp_path: Path) -> None:
    git.Repo.init(tmp_path)
    target = tmp_path / "wg"
    result = runner.invoke(app, ["init", str(target), "--language", "en"])
    assert result.exit_code == 0, result.output
    assert not (target / ".git").exists()
    assert "initialized" not in result.output
    assert 'language = "en"' in (target / "proceedings.toml").read_text("utf-8")


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("our own readme\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "README.md").read_text("utf-8") == "our own readme\n"
    assert "exists, left alone" in result.output and "README.md" in result.output
    assert (tmp_path / "proceedings.toml").is_file()

    forced = runner.invoke(app, ["init", str(tmp_path), "--force"])
    assert forced.exit_code == 0
    assert "overwritten" in forced.output
    assert (tmp_path / "README.md").read_text("utf-8") != "our own readme\n"


def test_init_json_lists_what_it_did(tmp_path: Path) -> None:
    import json

    result = runner.invoke(app, ["init", str(tmp_path), "--json"])
    data = json.loads(result.output)
    assert "proceedings.toml" in data["created"] and data["git_initialized"] is True


def test_init_on_a_file_is_a_clean_error(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 2
    assert "is not a folder" in result.output
    assert "Traceback" not in result.output


def test_a_name_with_quotes_and_backslashes_gives_a_valid_config(tmp_path: Path) -> None:
    target = tmp_path / 'wg "q"'
    result = runner.invoke(app, ["init", str(target), "--name", 'A "q" \\ WG'])
    assert result.exit_code == 0, result.output
    assert load_config(target).config.wg_name == 'A "q" \\ WG'
    # The default name is the folder's: the same escaping applies.
    runner.invoke(app, ["init", str(tmp_path / "back\\slash")])
    assert load_config(tmp_path / "back\\slash").config.wg_name == "back\\slash"


def test_a_name_of_more_than_one_line_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "wg"), "--name", "MLOps\nWG"])
    assert result.exit_code == 2
    assert "must be one line of text" in result.output
    assert not (tmp_path / "wg").exists()


def test_a_kept_config_decides_the_folder_the_hook_watches(tmp_path: Path) -> None:
    (tmp_path / "proceedings.toml").write_text('sessions_dir = "wg-notes"\n', encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    hook_config = (tmp_path / ".pre-commit-config.yaml").read_text("utf-8")
    assert "files: '^(wg\\-notes/|proceedings\\.toml$)'" in hook_config
    assert (tmp_path / "wg-notes" / ".gitkeep").is_file()
    assert not (tmp_path / "sessions").exists()


def test_members_are_told_to_install_the_tool_and_the_hook(tmp_path: Path) -> None:
    """init's "Next:" lines and the WG README both give the one-command install and
    `pre-commit install` (in the WG's language)."""
    for language, heading in (("ja", "メンバーの準備"), ("en", "For members")):
        target = tmp_path / language
        result = runner.invoke(app, ["init", str(target), "--language", language])
        assert result.exit_code == 0, result.output
        output = " ".join(result.output.split())
        assert "Next:" in output and "pre-commit install" in output
        assert "pipx install 'git+" in output
        readme = (target / "README.md").read_text("utf-8")
        assert heading in readme
        assert "pipx install 'git+" in readme and "pre-commit install" in readme


def test_the_local_hook_runs_proceedings_hook_or_says_how_to_install_it(tmp_path: Path) -> None:
    import shlex

    import yaml

    runner.invoke(app, ["init", str(tmp_path / "wg")])
    config = yaml.safe_load((tmp_path / "wg" / ".pre-commit-config.yaml").read_text("utf-8"))
    hook = config["repos"][0]["hooks"][0]
    assert config["repos"][0]["repo"] == "local" and hook["language"] == "system"
    argv = shlex.split(hook["entry"])
    assert argv[:2] == ["sh", "-c"] and 'exec proceedings-hook "$@"' in argv[2]
    assert "install proceedings with: pipx install git+" in argv[2]


def test_title_option_and_the_japanese_default_title(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "ja"), "--language", "ja"])
    assert load_config(tmp_path / "ja").config.title == "議論記録集"
    runner.invoke(app, ["init", str(tmp_path / "en"), "--language", "en"])
    assert load_config(tmp_path / "en").config.title == "Proceedings"
    result = runner.invoke(app, ["init", str(tmp_path / "own"), "--title", '夏合宿 "2025" 記録'])
    assert result.exit_code == 0, result.output
    assert load_config(tmp_path / "own").config.title == '夏合宿 "2025" 記録'
    bad = runner.invoke(app, ["init", str(tmp_path / "bad"), "--title", "two\nlines"])
    assert bad.exit_code == 2 and "--title" in bad.output


def test_a_japanese_wg_from_init_builds_without_the_english_title(tmp_path: Path) -> None:
    """Cover, running header (the cover title, via CSS string-set) and the HTML <title> of a
    `--language ja` WG say 議論記録集, not "Proceedings"."""
    from check_support import NOTE, SESSION, SESSION_MD

    root = tmp_path / "wg"
    assert runner.invoke(app, ["init", str(root), "--name", "MLOps WG"]).exit_code == 0
    (root / SESSION).mkdir(parents=True)
    (root / SESSION / "session.md").write_text(SESSION_MD, encoding="utf-8")
    (root / SESSION / "01-alpha.md").write_text(NOTE.format(title="監視"), encoding="utf-8")
    built = runner.invoke(app, ["build", "--root", str(root), "--format", "md,html"])
    assert built.exit_code == 0, built.output
    html = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    markdown = (root / "proceedings" / "proceedings.md").read_text("utf-8")
    assert "<title>議論記録集</title>" in html
    assert "議論記録集" in markdown.split("\n## ")[0]  # the cover
    assert "Proceedings" not in html and "Proceedings" not in markdown
