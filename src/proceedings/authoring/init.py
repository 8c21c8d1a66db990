"""`proceedings init`: lay out a new WG repository without ever overwriting a file."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from proceedings import __version__
from proceedings.atomic import write_text_atomic
from proceedings.authoring.tool_source import (
    ToolSource,
    install_command,
    installed_source,
    pip_url,
    resolve_hook_rev,
)
from proceedings.compile.labels import DEFAULT_TITLES
from proceedings.config import CONFIG_FILE, Config, load_config
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.templates import render_template

CI_PROVIDERS = ("github",)
GITHUB_WORKFLOW = ".github/workflows/proceedings.yml"
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
# The title on the cover, in the running header and the PDF metadata when --title is not given.
# Characters a repository URL may have to be written, unquoted, into a shell command, YAML and
# Markdown code (a URL with others is passed with --hook-repo, which is checked more loosely).
_PLAIN_URL = re.compile(r"[A-Za-z0-9@%+=:,./~_-]+")


@dataclass
class InitResult:
    root: Path
    created: list[Path] = field(default_factory=list)
    overwritten: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # existed, left alone
    git_initialized: bool = False
    install_command: str = ""  # how a member installs the tool
    hook_repo: str | None = None  # the pre-commit hook's repository; None: a local hook
    hook_rev: str | None = None


@dataclass(frozen=True)
class HookPlan:
    """Where members and CI get the tool from: the pre-commit hook's repository and revision
    (None: a local hook running the installed tool) and the install command."""

    repo: str | None
    rev: str | None
    install_command: str


def plan_hook(
    hook_repo: str | None, hook_rev: str | None, source: ToolSource, *, resolve: bool = True
) -> HookPlan:
    """Check --hook-repo/--hook-rev and find the revision to pin (see `resolve_hook_rev`).
    Without `resolve` (no file that names it is written) the revision is not looked up."""
    if hook_rev and not hook_repo:
        raise ProceedingsError(_("--hook-rev needs --hook-repo"),
                               hint=_("pass the hook's repository"))
    for value, flag in ((hook_repo, "--hook-repo"), (hook_rev, "--hook-rev")):
        if value is not None and (
            not value.strip() or value.startswith("-")
            or any(c in value for c in "\n\r#'\"") or not value.isprintable()
        ):
            raise ProceedingsError(
                _("{flag} {value!r} is not a usable value").format(flag=flag, value=value))
    url = hook_repo or source.url
    if url is not None and not _PLAIN_URL.fullmatch(url):
        url = None if hook_repo is None else url
    install = install_command(url)
    if hook_repo is None:
        return HookPlan(None, None, install)
    rev = hook_rev or (resolve_hook_rev(hook_repo, source) if resolve else None)
    return HookPlan(hook_repo, rev, install)


def planned_files(
    wg_name: str, language: str, *, hook: HookPlan, title: str | None = None,
    sessions_dir: str | None = None,
) -> dict[str, str]:
    """Relative path -> content of every file `init` writes. `sessions_dir` is the folder of an
    existing config that init keeps (default: the default config's)."""
    defaults = Config()
    sessions_dir = sessions_dir or defaults.sessions_dir
    context = {
        "wg_name": wg_name,
        "title": title or DEFAULT_TITLES[language],
        "language": language,
        "config": defaults,
        "config_file": CONFIG_FILE,
        "install_command": hook.install_command,
        "hook_repo": hook.repo,
    }
    return {
        CONFIG_FILE: render_template("init/proceedings.toml.j2", context),
        "README.md": render_template("init/README.md.j2", context),
        PRE_COMMIT_CONFIG: pre_commit_config(wg_name, hook, sessions_dir),
        f"{sessions_dir}/.gitkeep": "",
    }


def pre_commit_config(wg_name: str, hook: HookPlan, sessions_dir: str) -> str:
    """The WG's .pre-commit-config.yaml: a local hook running the installed
    `proceedings-hook` (failing with the install command when it is missing), or the
    `proceedings-check` hook of the proceedings repository `hook.repo` pinned at `hook.rev`.
    Its `files` pattern covers `sessions_dir`."""
    missing = (
        "proceedings-hook not found: install proceedings with: "
        f"{hook.install_command}, then commit again"
    ).replace("'", "")  # the message sits in a single-quoted shell word
    context = {
        "wg_name": wg_name,
        "hook_repo": hook.repo,
        "hook_rev": hook.rev,
        "install_command": hook.install_command,
        # sh finds the tool or says in one line how to install it; the files follow "$@".
        "local_entry": (
            "sh -c 'command -v proceedings-hook >/dev/null 2>&1 || "
            f'{{ echo "{missing}" >&2; exit 1; }}; exec proceedings-hook "$@"\' '
            "proceedings-check"
        ),
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
    wg_name: str | None = None,
    language: str = "ja",
    title: str | None = None,
    force: bool = False,
    git: bool = True,
    ci: str | None = None,
    pages: bool = False,
    hook_repo: str | None = None,
    hook_rev: str | None = None,
    source: ToolSource | None = None,
) -> InitResult:
    """Write the WG repository's files (never over existing ones without `force`). `source`
    is where this proceedings was installed from (default: what pip recorded); `wg_name`
    defaults to the folder's name."""
    wg_name = root.resolve().name if wg_name is None else wg_name
    if root.exists() and not root.is_dir():
        raise ProceedingsError(_("{path} exists and is not a folder").format(path=root))
    if language not in ("ja", "en"):
        raise ProceedingsError(
            _("language must be ja or en, not {language!r}").format(language=language))
    for value, flag in ((wg_name, "--name"), (title, "--title")):
        if value is not None and (
            not value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value)
        ):
            raise ProceedingsError(
                _("{value!r} must be one line of text").format(value=value),
                hint=_("pass it with {flag}").format(flag=flag),
            )
    if ci is not None and ci not in CI_PROVIDERS:
        raise ProceedingsError(
            _("unknown CI provider {provider!r}").format(provider=ci),
            hint=_("supported: {providers}").format(providers=", ".join(CI_PROVIDERS)),
        )
    if pages and ci is None:
        raise ProceedingsError(_("--pages needs --ci github"),
                               hint=_("pass --ci github --pages"))
    source = installed_source() if source is None else source
    result = InitResult(root)
    # A config init leaves in place keeps its sessions folder: the hook must watch that one.
    kept = (root / CONFIG_FILE).is_file() and not force
    sessions_dir = load_config(root).config.sessions_dir if kept else None
    writes_hook = force or not (root / PRE_COMMIT_CONFIG).exists()
    hook = plan_hook(hook_repo, hook_rev, source, resolve=writes_hook)
    ci_install = _ci_install_spec(hook, source) if ci == "github" else None
    files = planned_files(wg_name, language, hook=hook, title=title, sessions_dir=sessions_dir)
    result.install_command = hook.install_command
    result.hook_repo, result.hook_rev = hook.repo, hook.rev
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        _write(result, root / rel, content, force)
    if git and not _inside_git_repo(root):
        import git as gitpython  # heavy: only when a repository must be made

        gitpython.Repo.init(root)
        result.git_initialized = True
    if ci == "github" and ci_install is not None:  # after git init: it names the branch
        target, content = github_workflow(root, wg_name, ci_install, pages=pages)
        _write(result, target, content, force)
    return result


def _ci_install_spec(hook: HookPlan, source: ToolSource) -> str:
    """What CI pip-installs: the tool from its git repository at the revision the hook pins
    (or this installation's), never a package index name someone else may own."""
    url, rev = hook.repo, hook.rev
    if url is None:
        url = source.url if source.url and _PLAIN_URL.fullmatch(source.url) else None
        if url is None:
            raise ProceedingsError(
                _("the CI workflow must install proceedings from its git repository, and this "
                  "installation does not say where that is"),
                hint=_("pass --hook-repo URL (and --hook-rev REV) of the proceedings repository"),
            )
        rev = source.commit if source.fetched and source.commit else None
    if rev is None:
        rev = resolve_hook_rev(url, source)
    return f"proceedings @ git+{pip_url(url)}@{rev}"


def _write(result: InitResult, target: Path, content: str, force: bool) -> None:
    existed = target.exists()
    if existed and not force:
        result.skipped.append(target)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, content)
    (result.overwritten if existed else result.created).append(target)


def github_workflow(
    root: Path, wg_name: str, install_spec: str, *, pages: bool = False
) -> tuple[Path, str]:
    """Where the GitHub Actions workflow goes (the repository's top) and its content:
    `install_spec` is what pip installs; `pages` adds the GitHub Pages deployment."""
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
        "install_spec": shlex.quote(install_spec),
        "output_dir": shlex.quote(output_dir),
        "pages": pages,
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
