"""The hook revision init pins always exists in the hook repository (real git repositories)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from git_helpers import init_repo, isolated_git  # noqa: F401 (fixture)
from proceedings.authoring.init import init_repository
from proceedings.authoring.tool_source import ToolSource, install_command, resolve_hook_rev
from proceedings.cli import app
from proceedings.errors import ProceedingsError

pytestmark = pytest.mark.usefixtures("isolated_git")
UNKNOWN = "f" * 40


@pytest.fixture
def hook_repo(tmp_path: Path) -> tuple[Path, str, str]:
    """A proceedings repository: commit `tagged` (tag v0.1.0), then `head`."""
    repo = init_repo(tmp_path / "proceedings")
    (tmp_path / "proceedings" / "a.txt").write_text("a")
    repo.index.add(["a.txt"])
    tagged = repo.index.commit("release").hexsha
    repo.create_tag("v0.1.0", message="0.1.0")  # annotated: ls-remote peels it
    (tmp_path / "proceedings" / "b.txt").write_text("b")
    repo.index.add(["b.txt"])
    head = repo.index.commit("later").hexsha
    return tmp_path / "proceedings", tagged, head


def test_the_installed_commit_is_pinned_when_the_repository_has_it(
    hook_repo: tuple[Path, str, str],
) -> None:
    path, _, head = hook_repo
    assert resolve_hook_rev(str(path), ToolSource(commit=head), "0.1.0") == head


def test_the_tag_is_preferred_when_it_is_the_installed_commit(
    hook_repo: tuple[Path, str, str],
) -> None:
    path, tagged, _ = hook_repo
    assert resolve_hook_rev(str(path), ToolSource(commit=tagged), "0.1.0") == "v0.1.0"
    # installed from an index (no commit known): the version's tag
    assert resolve_hook_rev(str(path), ToolSource(), "0.1.0") == "v0.1.0"
    # a commit the repository lacks: the version's tag, not the commit
    assert resolve_hook_rev(str(path), ToolSource(commit=UNKNOWN), "0.1.0") == "v0.1.0"


def test_a_commit_reachable_from_a_branch_of_a_remote_is_found_through_the_checkout(
    hook_repo: tuple[Path, str, str], tmp_path: Path
) -> None:
    """The tool runs from a checkout; the hook repository is a URL whose branches are known
    only by `git ls-remote`: the commit counts if the checkout sees it below one of them."""
    path, tagged, _ = hook_repo
    url = path.resolve().as_uri()  # file://: asked like any remote, not as a folder
    source = ToolSource(commit=tagged, checkout=path)
    assert resolve_hook_rev(url, source, "9.9.9") == tagged


def test_neither_commit_nor_tag_is_an_error(hook_repo: tuple[Path, str, str]) -> None:
    path, _, _ = hook_repo
    with pytest.raises(ProceedingsError) as caught:
        resolve_hook_rev(str(path), ToolSource(commit=UNKNOWN), "9.9.9")
    assert "v9.9.9" in str(caught.value) and "--hook-rev" in str(caught.value)


def test_no_made_up_tag_reaches_the_config(tmp_path: Path) -> None:
    """Before: `init --hook-repo` wrote `rev: 'v0.1.0'` whether or not such a tag existed."""
    bare = init_repo(tmp_path / "proceedings")
    (tmp_path / "proceedings" / "a.txt").write_text("a")
    bare.index.add(["a.txt"])
    bare.index.commit("no tags")
    result = CliRunner().invoke(app, ["init", str(tmp_path / "wg"), "--hook-repo",
                                      str(tmp_path / "proceedings")])
    assert result.exit_code == 2, result.output
    assert "--hook-rev" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "wg").exists()  # nothing written
    with pytest.raises(ProceedingsError):
        init_repository(tmp_path / "wg", wg_name="WG", hook_repo=str(tmp_path / "proceedings"),
                        source=ToolSource(commit=UNKNOWN))
    assert not (tmp_path / "wg").exists()


def test_an_unreachable_hook_repository_is_one_clear_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "wg"), "--hook-repo",
                                      str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "cannot read the proceedings repository" in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "wg").exists()


def test_the_install_command_is_one_pipx_command() -> None:
    assert install_command("https://github.com/o/proceedings.git") == (
        "pipx install 'git+https://github.com/o/proceedings.git'"
    )
    assert install_command("git@github.com:o/proceedings.git") == (
        "pipx install 'git+ssh://git@github.com/o/proceedings.git'"
    )


@pytest.mark.parametrize("value", ["--upload-pack=touch /tmp/x", "-u", "a\nb", "x#y"])
def test_a_hook_repo_that_git_would_read_as_an_option_is_refused(
    tmp_path: Path, value: str
) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "wg"), f"--hook-repo={value}"])
    assert result.exit_code == 2
    assert "--hook-repo" in result.output and "not a usable value" in result.output
    assert not (tmp_path / "wg").exists()
