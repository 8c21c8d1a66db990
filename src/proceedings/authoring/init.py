"""`proceedings init`: lay out a new WG repository without ever overwriting a file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from proceedings import __version__
from proceedings.atomic import write_text_atomic
from proceedings.config import CONFIG_FILE, Config, load_config
from proceedings.errors import ProceedingsError
from proceedings.templates import render_template

CI_PROVIDERS = ("github",)
GITHUB_WORKFLOW = ".github/workflows/proceedings.yml"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"


@dataclass
class InitResult:
    root: Path
    created: list[Path] = field(default_factory=list)
    overwritten: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # existed, left alone
    git_initialized: bool = False


def planned_files(
    wg_name: str, language: str, *, hook_repo: str | None = None, hook_rev: str | None = None,
    sessions_dir: str | None = None,
) -> dict[str, str]:
    """Relative path -> content of every file `init` writes. `sessions_dir` is the folder of an
    existing config that init keeps (default: the default config's)."""
    defaults = Config()
    sessions_dir = sessions_dir or defaults.sessions_dir
    context = {
        "wg_name": wg_name,
        "language": language,
        "config": defaults,
        "config_file": CONFIG_FILE,
    }
    return {
        CONFIG_FILE: render_template("init/proceedings.toml.j2", context),
        "README.md": render_template("init/README.md.j2", context),
        PRE_COMMIT_CONFIG: pre_commit_config(wg_name, hook_repo, hook_rev, sessions_dir),
        f"{sessions_dir}/.gitkeep": "",
    }


def pre_commit_config(
    wg_name: str, hook_repo: str | None, hook_rev: str | None, sessions_dir: str
) -> str:
    """The WG's .pre-commit-config.yaml: a local `proceedings check` hook by default, or the
    `proceedings-check` hook of the proceedings repository at `hook_repo` (pinned at
    `hook_rev`, default the tag of this version). Its `files` pattern covers `sessions_dir`."""
    if hook_rev and not hook_repo:
        raise ProceedingsError("--hook-rev needs --hook-repo", hint="pass the hook's repository")
    for value, flag in ((hook_repo, "--hook-repo"), (hook_rev, "--hook-rev")):
        if value is not None and (not value.strip() or any(c in value for c in "\n\r#'\"")):
            raise ProceedingsError(f"{flag} {value!r} is not a usable value")
    context = {
        "wg_name": wg_name,
        "hook_repo": hook_repo,
        "hook_rev": hook_rev or f"v{__version__}",
        "version": __version__,
        # Notes, assets and the config: a config change re-checks the whole archive.
        # (In a YAML single-quoted string a quote is written twice.)
        "files_pattern": f"^({re.escape(sessions_dir)}/|{re.escape(CONFIG_FILE)}$)".replace(
            "'", "''"
        ),
    }
    return render_template("init/pre-commit-config.yaml.j2", context)


def init_repository(
    root: Path,
    *,
    wg_name: str,
    language: str = "ja",
    force: bool = False,
    git: bool = True,
    ci: str | None = None,
    hook_repo: str | None = None,
    hook_rev: str | None = None,
) -> InitResult:
    if root.exists() and not root.is_dir():
        raise ProceedingsError(f"{root} exists and is not a folder")
    if language not in ("ja", "en"):
        raise ProceedingsError(f"language must be ja or en, not {language!r}")
    if not wg_name.strip() or any(ord(c) < 32 or ord(c) == 127 for c in wg_name):
        raise ProceedingsError(
            f"the WG name {wg_name!r} must be one line of text", hint="pass it with --name"
        )
    if ci is not None and ci not in CI_PROVIDERS:
        raise ProceedingsError(
            f"unknown CI provider {ci!r}", hint="supported: " + ", ".join(CI_PROVIDERS)
        )
    result = InitResult(root)
    # A config init leaves in place keeps its sessions folder: the hook must watch that one.
    kept = (root / CONFIG_FILE).is_file() and not force
    sessions_dir = load_config(root).config.sessions_dir if kept else None
    files = planned_files(wg_name, language, hook_repo=hook_repo, hook_rev=hook_rev,
                          sessions_dir=sessions_dir)
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        _write(result, root / rel, content, force)
    if git and not _inside_git_repo(root):
        import git as gitpython  # heavy: only when a repository must be made

        gitpython.Repo.init(root)
        result.git_initialized = True
    if ci == "github":  # after git init: the workflow names the repository's branch
        target, content = github_workflow(root, wg_name)
        _write(result, target, content, force)
    return result


def _write(result: InitResult, target: Path, content: str, force: bool) -> None:
    existed = target.exists()
    if existed and not force:
        result.skipped.append(target)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, content)
    (result.overwritten if existed else result.created).append(target)


def github_workflow(root: Path, wg_name: str) -> tuple[Path, str]:
    """Where the GitHub Actions workflow goes (the repository's top) and its content."""
    top, branch = _repository_top_and_branch(root)
    prefix = root.resolve().relative_to(top).as_posix()
    output_dir = load_config(root).config.output_dir  # the WG's own, when init found one
    output_path = output_dir if prefix == "." else f"{prefix}/{output_dir}"
    context = {
        "wg_name": wg_name,
        "branch": branch,
        "working_directory": "" if prefix == "." else prefix,
        "output_path": output_path,
        "python_version": "3.11",
        # Pinned: the colophon records the tool version, so CI must build with the same one.
        "install_spec": f"proceedings=={__version__}",
    }
    content = render_template("init/github-workflow.yml.j2", context)
    return top / GITHUB_WORKFLOW, content


def _repository_top_and_branch(root: Path) -> tuple[Path, str]:
    """The git work tree holding `root` and its current branch; `root` and main without git."""
    if not _inside_git_repo(root):
        return root.resolve(), "main"
    import git as gitpython

    repo = gitpython.Repo(root, search_parent_directories=True)
    try:
        top = Path(repo.working_tree_dir or root).resolve()
        try:
            branch = repo.head.reference.name  # also works before the first commit
        except TypeError:  # detached HEAD
            branch = "main"
        return top, branch
    finally:
        repo.close()


def _inside_git_repo(path: Path) -> bool:
    path = path.resolve()
    return any((folder / ".git").exists() for folder in (path, *path.parents))
