"""`proceedings init --ci github`: a valid workflow that checks PRs and publishes main."""

from __future__ import annotations

import shlex
from pathlib import Path

import git
import pytest
import yaml
from typer.testing import CliRunner

from git_helpers import init_repo, isolated_git  # noqa: F401 (fixture)
from proceedings.cli import app

from helpers import write

pytestmark = pytest.mark.usefixtures("isolated_git")
runner = CliRunner()
WORKFLOW = ".github/workflows/proceedings.yml"


def load_workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def run_lines(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_github_workflow_checks_pull_requests_and_publishes_the_branch(tmp_path: Path) -> None:
    target = tmp_path / "wg"
    result = runner.invoke(app, ["init", str(target), "--ci", "github", "--name", "ML WG"])
    assert result.exit_code == 0, result.output
    assert WORKFLOW in result.output.replace("\n", "")
    branch = git.Repo(target).head.reference.name
    data = load_workflow(target / WORKFLOW)

    triggers = data["on"]
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == [branch]
    assert triggers["push"]["paths-ignore"] == ["proceedings/**"]
    assert set(data["jobs"]) == {"check", "publish"}

    check = data["jobs"]["check"]
    assert check["if"] == "github.event_name == 'pull_request'"
    # annotations: the one format that escapes everything it quotes for the runner
    assert run_lines(check)[-1] == "proceedings check --format github"

    publish = data["jobs"]["publish"]
    assert publish["if"] == "github.event_name != 'pull_request'"
    assert publish["permissions"] == {"contents": "write"}
    checkout = next(s for s in publish["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    runs = run_lines(publish)
    apt = next(line for line in runs if "apt-get install" in line)
    for package in ("libpango-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk"):
        assert package in apt
    assert any("pip install" in line and "proceedings==" in line for line in runs)
    assert any("git config user.email" in line for line in runs)
    assert runs[-1] == "proceedings build --commit --push"


def test_workflow_commands_are_real_cli_commands(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "wg"), "--ci", "github"])
    data = load_workflow(tmp_path / "wg" / WORKFLOW)
    commands = [
        line for job in data["jobs"].values() for line in run_lines(job)
        if line.startswith("proceedings ")
    ]
    assert len(commands) == 2
    for command in commands:
        args = shlex.split(command)[1:]
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, f"{command}: {result.output}"
        for option in (a for a in args if a.startswith("--")):
            assert option in result.output


def test_wg_in_a_subfolder_gets_the_workflow_at_the_repository_top(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "mono")
    result = runner.invoke(app, ["init", str(tmp_path / "mono" / "wg"), "--ci", "github"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "mono" / "wg" / ".github").exists()
    data = load_workflow(tmp_path / "mono" / WORKFLOW)
    assert data["defaults"]["run"]["working-directory"] == "wg"
    assert data["on"]["push"]["paths-ignore"] == ["wg/proceedings/**"]
    assert data["on"]["push"]["branches"] == [repo.head.reference.name]


def test_existing_config_decides_the_output_folder(tmp_path: Path) -> None:
    write(tmp_path / "wg" / "proceedings.toml", 'output_dir = "published"\n')
    result = runner.invoke(app, ["init", str(tmp_path / "wg"), "--ci", "github"])
    assert result.exit_code == 0, result.output
    data = load_workflow(tmp_path / "wg" / WORKFLOW)
    assert data["on"]["push"]["paths-ignore"] == ["published/**"]


def test_existing_workflow_is_left_alone_without_force(tmp_path: Path) -> None:
    write(tmp_path / "wg" / WORKFLOW, "name: ours\n")
    result = runner.invoke(app, ["init", str(tmp_path / "wg"), "--ci", "github"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "wg" / WORKFLOW).read_text() == "name: ours\n"
    assert "exists, left alone" in result.output


def test_unknown_ci_provider_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "wg"), "--ci", "gitlab"])
    assert result.exit_code == 2
    assert "unknown CI provider 'gitlab'" in result.output and "github" in result.output
    assert not (tmp_path / "wg").exists()
