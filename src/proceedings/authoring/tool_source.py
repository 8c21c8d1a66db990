"""Where this installation of proceedings came from, and the revision of a proceedings
repository that matches it.

`proceedings init` writes three things that must name a real place to get the tool from: the
pre-commit hook (`repo:` + `rev:`), the install command members copy from the WG README, and
the install step of the CI workflow. A revision written there must exist in that repository —
a made-up tag makes the first `git commit` fail inside pre-commit — so it is looked up, never
guessed: the exact commit this installation was built from when it came from git (a
`pip install git+URL` or a checkout), else the tag of this version, and only if the repository
really has it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from proceedings import __version__
from proceedings.errors import ProceedingsError
from proceedings.i18n import _

GIT_TIMEOUT = 60  # seconds for one `git ls-remote`; it may cross the network
_SHA = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
# user@host:path, git's "scp-like" syntax for ssh
_SCP_LIKE = re.compile(r"\A(?P<user>[^@/:]++@)?(?P<host>[^/:]{2,}+):(?P<path>[^/].*)")


@dataclass(frozen=True)
class ToolSource:
    """Where the running proceedings was installed from."""

    url: str | None = None  # a git URL or path others can install it from
    commit: str | None = None  # the commit it was built from
    checkout: Path | None = None  # the local git checkout it was installed from
    fetched: bool = False  # pip fetched `commit` from `url`, so `url` has it


def installed_source() -> ToolSource:
    """What pip recorded about this installation (PEP 610 `direct_url.json`): the git URL and
    commit of a `pip install git+URL`, or the folder of an install from a checkout (whose
    HEAD and `origin` remote are read). An install from an index records nothing."""
    from importlib import metadata

    try:
        text = metadata.distribution("proceedings").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        text = None
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return ToolSource()
    url: str = data["url"]
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git":
        commit = vcs.get("commit_id")
        return ToolSource(url=url, commit=commit if _is_sha(commit) else None, fetched=True)
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return ToolSource()
    folder = Path(unquote(parsed.path))
    head = _git(["rev-parse", "--verify", "-q", "HEAD^{commit}"], cwd=folder)
    if head is None or not _is_sha(head.strip()):
        return ToolSource()
    remote = _git(["remote", "get-url", "origin"], cwd=folder)
    return ToolSource(
        url=remote.strip() if remote and remote.strip() else None,
        commit=head.strip(),
        checkout=folder,
    )


def pip_url(url: str) -> str:
    """`url` in the form pip and pipx take after `git+`: ssh for git's `user@host:path`,
    `file://` for a local folder."""
    if "://" in url:
        return url
    match = _SCP_LIKE.fullmatch(url)
    if match and not Path(url).exists():
        return f"ssh://{match['user'] or ''}{match['host']}/{match['path']}"
    return Path(url).expanduser().resolve().as_uri()


def install_command(url: str | None) -> str:
    """The one command a member runs to get the tool (and its `proceedings-hook`)."""
    if url is None:
        return "pipx install 'git+<URL of the proceedings repository>'"
    return f"pipx install 'git+{pip_url(url)}'"


def resolve_hook_rev(repository: str, source: ToolSource, version: str = __version__) -> str:
    """The revision of `repository` to pin: this installation's commit if the repository has
    it, else its tag `v<version>` (or `<version>`). Raises when it has neither."""
    refs = remote_refs(repository)
    tag = next(
        (name for name in (f"v{version}", version) if f"refs/tags/{name}" in refs), None
    )
    tag_commit = refs.get(f"refs/tags/{tag}^{{}}", refs.get(f"refs/tags/{tag}")) if tag else None
    commit = source.commit
    if tag and (commit is None or tag_commit == commit):
        return tag
    if commit and _has_commit(repository, refs, source, commit):
        return commit
    if tag:
        return tag
    message = (
        _("{repository} has neither commit {commit} nor a tag v{version} of this proceedings")
        if commit else _("{repository} has neither a tag v{version} of this proceedings")
    )
    raise ProceedingsError(
        message.format(repository=repository, commit=(commit or "")[:12], version=version),
        hint=_("pass --hook-rev with a tag or commit of that repository"),
    )


def remote_refs(repository: str) -> dict[str, str]:
    """`git ls-remote`: ref name -> commit, peeled tags as `refs/tags/NAME^{}`."""
    output = _git(["ls-remote", repository], cwd=None, keep_error=True)
    if output is None or output.startswith("error: "):
        reason = (output or _("git is not installed")).removeprefix("error: ").strip()
        first = reason.splitlines()[0] if reason else _("no answer")
        raise ProceedingsError(
            _("cannot read the proceedings repository {repository}: {reason}").format(
                repository=repository, reason=first),
            hint=_("check the URL, or pass --hook-rev with a tag or commit of it"),
        )
    refs: dict[str, str] = {}
    for line in output.splitlines():
        sha, _tab, name = line.partition("\t")
        if _is_sha(sha) and name:
            refs[name] = sha
    return refs


def _has_commit(repository: str, refs: dict[str, str], source: ToolSource, commit: str) -> bool:
    if commit in refs.values():
        return True
    folder = Path(repository).expanduser()
    if "://" not in repository and folder.is_dir():  # a local repository: ask it directly
        return _git(["cat-file", "-e", f"{commit}^{{commit}}"], cwd=folder) is not None
    if source.fetched and source.url and _same_repository(source.url, repository):
        return True
    if source.checkout is not None:  # reachable from a branch or tag the repository has?
        heads = [sha for name, sha in refs.items() if name.startswith(("refs/heads/",
                                                                       "refs/tags/"))]
        for sha in dict.fromkeys(heads):
            ancestor = ["merge-base", "--is-ancestor", commit, sha]
            if _git(ancestor, cwd=source.checkout) is not None:
                return True
    return False


def _same_repository(a: str, b: str) -> bool:
    def key(url: str) -> str:
        return pip_url(url).removeprefix("git+").rstrip("/").removesuffix(".git").lower()

    return key(a) == key(b)


def _is_sha(value: object) -> bool:
    return isinstance(value, str) and _SHA.fullmatch(value) is not None


def _git(args: list[str], *, cwd: Path | None, keep_error: bool = False) -> str | None:
    """Run git without prompts or the ext:: transport; its stdout, or None when it failed
    (with `keep_error`: "error: " and its stderr)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_ASKPASS"] = "true"
    try:
        run = subprocess.run(
            ["git", "-c", "protocol.ext.allow=never", *args], cwd=cwd, env=env,
            capture_output=True, text=True, timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"error: {exc}" if keep_error else None
    if run.returncode != 0:
        return f"error: {run.stderr.strip()}" if keep_error else None
    return run.stdout
