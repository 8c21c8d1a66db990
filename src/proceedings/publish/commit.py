"""`build --commit`: commit the built proceedings to the WG's git repository, and push.

Three steps, each checked:

1. `preflight` (before building) refuses every state in which a commit would be unsafe or
   would not match a commit of the notes: no repository, an operation in progress, detached
   HEAD, ignored or outside output paths, uncommitted sources, no identity.
2. `commit_outputs` commits ONLY the output paths. It stages them in a temporary index file
   of its own (HEAD + the outputs, through GIT_INDEX_FILE) and runs `git commit` on that, so
   the user's index is not touched while git and its hooks run: anything else the user staged
   stays staged and is not committed, unstaged changes are not touched, and an interrupt
   (Ctrl-C during a slow hook) or a rejecting hook leaves the index exactly as it was. Going
   through `git commit` (not `commit-tree`) means the repository's own hooks run (pre-commit,
   prepare-commit-msg, commit-msg, post-commit) and config such as `commit.gpgsign` applies.
   A hook may stage more files (`git add` in a pre-commit hook): the new commit's tree is
   compared with the tree of HEAD + the outputs, and a commit that holds anything else is
   undone (the branch is moved back) and refused. After the commit, the user's index records
   the new content of just the output paths (`git reset -- <outputs>`).
3. `push` pushes the branch; a failure is returned, never raised, so the local commit is kept
   and the caller can say so.

When no output differs from HEAD there is nothing to commit, and no commit is made.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from proceedings.errors import EXIT_FINDINGS, ProceedingsError
from proceedings.i18n import N_, _
from proceedings.publish.gitrepo import git_errors, git_lines, open_repo, repo_path
from proceedings.publish.provenance import SHORT_HASH, Provenance, dirty_error, dirty_sources
from proceedings.text import plural

if TYPE_CHECKING:
    from git import Repo

# `git check-ignore --verbose` lines: "<source>:<line>:<pattern><TAB><path>"
# The atomic group keeps the first `:<digits>:`: if no tab follows it, none follows a later
# one either, and retrying each (as a plain lazy `.+?` would) takes quadratic time on a long
# rule from a hostile .gitignore.
_IGNORE_LINE = re.compile(r"^(?>(.+?):(\d+):)(.*)\t([^\t\n]*)$")

# (file in the git dir, what is going on, how to get out of it); translated where shown
OPERATIONS_IN_PROGRESS = (
    ("MERGE_HEAD", N_("a merge"),
     N_("finish it with `git commit` or abort it with `git merge --abort`")),
    ("rebase-merge", N_("a rebase"),
     N_("finish it with `git rebase --continue` or `git rebase --abort`")),
    (
        "rebase-apply",
        N_("a rebase or `git am`"),
        N_("finish or abort it (`git rebase --abort`, `git am --abort`)"),
    ),
    (
        "CHERRY_PICK_HEAD",
        N_("a cherry-pick"),
        N_("finish it with `git cherry-pick --continue` or abort it with "
           "`git cherry-pick --abort`"),
    ),
    (
        "REVERT_HEAD",
        N_("a revert"),
        N_("finish it with `git revert --continue` or abort it with `git revert --abort`"),
    ),
    ("BISECT_LOG", N_("a bisect"), N_("end it with `git bisect reset`")),
)


@dataclass(frozen=True)
class GitTarget:
    """What preflight found: where the commit goes and where it is pushed."""

    root: Path  # the WG root
    top: Path  # the repository's work tree
    branch: str | None  # None: detached HEAD (allowed with --allow-detached)
    head: str  # full hash of HEAD when preflight ran
    remote: str | None = None  # remote name or URL to push to; None: no push
    remote_branch: str | None = None


@dataclass
class CommitResult:
    commit: str | None  # short hash of the new commit; None when no output changed
    paths: list[str] = field(default_factory=list)  # outputs in the commit (WG-root relative)
    unchanged: list[str] = field(default_factory=list)
    message: str = ""
    branch: str | None = None

    @property
    def committed(self) -> bool:
        return self.commit is not None


@dataclass
class PushResult:
    remote: str
    branch: str
    ok: bool
    error: str | None = None  # git's own words when the push failed


def preflight(
    root: Path,
    output_paths: Sequence[str],
    *,
    sources: Sequence[str],
    note_paths: Sequence[str] = (),
    output_dir: str | None = None,
    allow_dirty: bool = False,
    allow_detached: bool = False,
    push: bool = False,
    remote: str | None = None,
) -> GitTarget:
    """Refuse (ProceedingsError, nothing changed) unless committing `output_paths` is safe.

    `output_paths` and `sources` are relative to the WG root. With `push`, the remote (given,
    else the branch's upstream remote, else origin) is checked before anything is built.
    """
    repo = open_repo(root)
    try:
        with git_errors():
            return _preflight(
                repo,
                root,
                output_paths,
                sources,
                note_paths,
                output_dir,
                allow_dirty,
                allow_detached,
                push,
                remote,
            )
    finally:
        repo.close()


def check_output_paths(root: Path, output_paths: Sequence[str]) -> None:
    """Refuse outputs that are outside the repository or ignored by git."""
    repo = open_repo(root)
    try:
        top = Path(repo.working_tree_dir).resolve()  # type: ignore[arg-type]
        with git_errors():
            _check_outputs(repo, root, top, output_paths)
    finally:
        repo.close()


def _preflight(
    repo: Repo,
    root: Path,
    output_paths: Sequence[str],
    sources: Sequence[str],
    note_paths: Sequence[str],
    output_dir: str | None,
    allow_dirty: bool,
    allow_detached: bool,
    push: bool,
    remote: str | None,
) -> GitTarget:
    top = Path(repo.working_tree_dir).resolve()  # type: ignore[arg-type]
    _check_ready(repo, top)
    branch = _branch(repo, allow_detached, push)
    if repo.git.rev_parse("--is-shallow-repository") == "true":
        raise ProceedingsError(
            _("the repository is a shallow clone, so the notes' history is incomplete"),
            hint=_("fetch the whole history (`git fetch --unshallow`; in GitHub Actions: "
                   "`fetch-depth: 0` for actions/checkout)"),
        )
    _check_identity(repo)
    remote_branch = push_remote = None
    if push:
        push_remote = remote or _default_remote(repo, branch)
        remote_branch = _check_remote(repo, push_remote, branch)
    _check_outputs(repo, root, top, output_paths)
    dirty = dirty_sources(
        repo, root, sources, note_paths, exclude=[output_dir] if output_dir else []
    )
    if dirty and not allow_dirty:
        raise dirty_error(dirty)
    return GitTarget(
        root=root.resolve(),
        top=top,
        branch=branch,
        head=repo.head.commit.hexsha,
        remote=push_remote,
        remote_branch=remote_branch,
    )


def _check_ready(repo: Repo, top: Path) -> None:
    """The repository has a commit, and no merge, rebase or the like is under way."""
    repo.git.rev_parse("--git-dir")  # fails loudly where git refuses the repository at all
    if not repo.head.is_valid():
        raise ProceedingsError(
            _("the repository has no commits yet"),
            hint=_("commit your notes first (`git add sessions proceedings.toml && git commit`)"),
        )
    for name, what, how in OPERATIONS_IN_PROGRESS:
        marker = repo.git.rev_parse("--git-path", name)
        if (top / marker).exists():
            raise ProceedingsError(
                _("{operation} is in progress in {folder}").format(operation=_(what), folder=top),
                hint=_(how),
            )


def _branch(repo: Repo, allow_detached: bool, push: bool) -> str | None:
    """The branch the commit goes to; None on a detached HEAD (only when allowed)."""
    if not repo.head.is_detached:
        return str(repo.head.reference.name)
    if not allow_detached:
        raise ProceedingsError(
            _("HEAD is detached, so the commit would belong to no branch"),
            hint=_("check out a branch (`git switch main`), or pass --allow-detached"),
        )
    if push:
        raise ProceedingsError(
            _("cannot --push from a detached HEAD: there is no branch to push"),
            hint=_("check out a branch first"),
        )
    return None


def _check_identity(repo: Repo) -> None:
    """Author and committer must be known from git config (or git's own env variables)."""

    def config(key: str) -> str:
        return str(repo.git.config("--get", key, with_exceptions=False)).strip()

    user_name, user_email = config("user.name"), config("user.email")
    for role in ("author", "committer"):
        upper = role.upper()
        name = os.environ.get(f"GIT_{upper}_NAME") or config(f"{role}.name") or user_name
        email = (
            os.environ.get(f"GIT_{upper}_EMAIL")
            or config(f"{role}.email")
            or user_email
            or os.environ.get("EMAIL")
        )
        missing = [key for key, value in (("user.name", name), ("user.email", email)) if not value]
        if missing:
            if len(missing) == 1:
                message = _("git does not know who is committing: {key} not set").format(
                    key=missing[0])
            else:
                message = _("git does not know who is committing: {first} and {second} not "
                            "set").format(first=missing[0], second=missing[1])
            raise ProceedingsError(
                message,
                hint=_('set it with `git config user.name "Your Name"` and '
                       "`git config user.email you@example.org`"),
            )


def _default_remote(repo: Repo, branch: str | None) -> str:
    """The branch's upstream remote when it has one, else origin."""
    if branch is not None:
        short = branch.removeprefix("refs/heads/")
        upstream = str(repo.git.config("--get", f"branch.{short}.remote", with_exceptions=False))
        if upstream.strip() and upstream.strip() != ".":
            return str(upstream).strip()
    return "origin"


def _check_remote(repo: Repo, remote: str, branch: str | None) -> str | None:
    names = {r.name for r in repo.remotes}
    looks_like_url = ":" in remote or "/" in remote or Path(remote).exists()
    if remote not in names and not looks_like_url:
        known = ", ".join(sorted(names)) or _("none")
        raise ProceedingsError(
            _("no git remote named `{remote}` (remotes: {known})").format(
                remote=remote, known=known),
            hint=_("add it with `git remote add NAME URL`, or pass --remote NAME"),
        )
    if branch is None:
        return None
    # Push to the branch's upstream on that remote when it has one, else to the same name.
    short = branch.removeprefix("refs/heads/")
    upstream_remote = repo.git.config("--get", f"branch.{short}.remote", with_exceptions=False)
    merge = str(repo.git.config("--get", f"branch.{short}.merge", with_exceptions=False))
    if upstream_remote.strip() == remote and merge.strip().startswith("refs/heads/"):
        return str(merge).strip().removeprefix("refs/heads/")
    return short


def _check_outputs(repo: Repo, root: Path, top: Path, output_paths: Sequence[str]) -> None:
    for rel in output_paths:
        try:
            (root / rel).resolve().relative_to(top)
        except ValueError:
            raise ProceedingsError(
                _("output {path} is outside the git repository {top}").format(path=rel, top=top),
                hint=_("set `output_dir` to a folder inside the repository"),
            ) from None
    if not output_paths:
        return
    specs = [repo_path(repo, root, rel) for rel in output_paths]
    # --no-index: the rules count even for outputs that are already tracked.
    out = repo.git.check_ignore(
        "--no-index", "--verbose", "--non-matching", "--", *specs, with_exceptions=False
    )
    for line in out.splitlines():
        match = _IGNORE_LINE.match(line)
        if match is None:  # "::<TAB>path": not ignored
            continue
        source, number, pattern, path = match.groups()
        if pattern.startswith("!"):  # the last matching rule re-includes it: not ignored
            continue
        raise ProceedingsError(
            _("output {path} is ignored by git (`{pattern}` in {source}:{number})").format(
                path=path, pattern=pattern, source=source, number=number),
            hint=_("remove that rule, or set `output_dir` to a folder git does not ignore"),
        )


def changed_outputs(root: Path, output_paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split `output_paths` into (differ from HEAD or are new, same as HEAD)."""
    repo = open_repo(root)
    try:
        with git_errors():
            return _changed_outputs(repo, root, output_paths)
    finally:
        repo.close()


def _changed_outputs(
    repo: Repo, root: Path, output_paths: Sequence[str]
) -> tuple[list[str], list[str]]:
    if not output_paths:
        return [], []
    specs = [repo_path(repo, root, rel) for rel in output_paths]
    in_head: dict[str, str] = {}
    if repo.head.is_valid():
        out = repo.git.ls_tree("-z", "--full-tree", "HEAD", "--", *specs)
        for entry in filter(None, out.split("\0")):
            meta, _tab, path = entry.partition("\t")
            in_head[path] = meta.split()[2]
    present = [
        (rel, spec) for rel, spec in zip(output_paths, specs, strict=True) if (root / rel).exists()
    ]
    # hash-object applies the same filters (eol, clean) as `git add` would.
    hashes = repo.git.hash_object("--", *(item[1] for item in present)).split() if present else []
    current = {spec: sha for (_rel, spec), sha in zip(present, hashes, strict=True)}
    changed: list[str] = []
    unchanged: list[str] = []
    for rel, spec in zip(output_paths, specs, strict=True):
        if spec not in current and spec not in in_head:
            continue  # gone and never committed: nothing to record
        (unchanged if in_head.get(spec) == current.get(spec) else changed).append(rel)
    return changed, unchanged


def commit_outputs(target: GitTarget, output_paths: Sequence[str], message: str) -> CommitResult:
    """Commit the outputs that differ from HEAD, and nothing else; no change, no commit."""
    repo = open_repo(target.root)
    try:
        if repo.head.commit.hexsha != target.head:
            raise ProceedingsError(
                _("HEAD moved while the proceedings were being built"),
                hint=_("the outputs are built but not committed; run the command again"),
            )
        with git_errors():
            changed, unchanged = _changed_outputs(repo, target.root, output_paths)
            result = CommitResult(None, [], unchanged, message, target.branch)
            if not changed:
                return result
            specs = [repo_path(repo, target.root, rel) for rel in changed]
        return _commit_exactly(repo, target, changed, specs, result)
    finally:
        repo.close()


def _commit_exactly(
    repo: Repo, target: GitTarget, changed: list[str], specs: list[str], result: CommitResult
) -> CommitResult:
    """`git commit` of HEAD + the outputs from a temporary index file; the user's index is
    updated (for the outputs only) once the commit is known to hold exactly them."""
    top = target.top
    temp_index = top / repo.git.rev_parse("--git-path", f"proceedings-index-{os.getpid()}")
    env = {"GIT_INDEX_FILE": str(temp_index), "GIT_LITERAL_PATHSPECS": "1"}
    try:
        with git_errors():
            repo.git.read_tree(target.head, env=env)
            repo.git.add("--all", "--", *specs, env=env)
            expected = repo.git.write_tree(env=env)
        if expected == repo.git.rev_parse(f"{target.head}^{{tree}}"):
            result.unchanged = [*result.unchanged, *changed]
            return result  # git's filters made the "changed" outputs equal to HEAD
        try:
            _run_commit(repo, top, env, result.message)
        except BaseException:
            _undo_commit(repo, target)  # interrupted after git made it (e.g. in post-commit)
            raise
        made = repo.git.rev_parse("HEAD")
        if made == target.head:
            raise ProceedingsError(
                _("git made no commit"), hint=_("the outputs are built but not committed")
            )
        extra = _unexpected_paths(repo, target.head, made, expected)
        if extra is not None:
            _undo_commit(repo, target)
            raise ProceedingsError(
                _("a git hook changed what is committed ({what}); the commit was "
                  "undone").format(what=extra),
                hint=_("the outputs are built but not committed; the index is as it was — "
                       "change the hook so it does not stage files, then run the command "
                       "again"),
                exit_code=EXIT_FINDINGS,
            )
        with git_errors():  # the outputs read as committed in `git status`
            repo.git.reset("--quiet", made, "--", *specs, env={"GIT_LITERAL_PATHSPECS": "1"})
        result.commit = made[:SHORT_HASH]
        result.paths = changed
        return result
    finally:
        for leftover in (temp_index, temp_index.with_name(temp_index.name + ".lock")):
            leftover.unlink(missing_ok=True)


def _run_commit(repo: Repo, top: Path, env: dict[str, str], message: str) -> None:
    """Run `git commit` and wait for it, even when interrupted: Ctrl-C reaches git and its
    hook too (one process group); git removes its locks and stops, and only then does the
    KeyboardInterrupt go on, so nothing is left half done behind our back."""
    import git

    executable = git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git"
    process = subprocess.Popen(
        [executable, "commit", "--quiet", "-m", message],
        cwd=top,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        out, err = process.communicate()
    except BaseException:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # as a terminal's Ctrl-C would
        process.communicate()
        raise
    if process.returncode != 0:
        said = _git_output_text(out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
        raise ProceedingsError(
            _("git refused the commit: {reason}").format(reason=said or _("no reason given")),
            hint=_("the outputs are built but not committed; the index is as it was"),
            exit_code=EXIT_FINDINGS,
        )


def _unexpected_paths(repo: Repo, parent: str, made: str, expected: str) -> str | None:
    """None when `made` is a child of `parent` with exactly the `expected` tree; otherwise
    what differs, for the error message."""
    parents = repo.git.rev_parse(f"{made}^@").split()
    tree = repo.git.rev_parse(f"{made}^{{tree}}")
    if parents == [parent] and tree == expected:
        return None
    if parents != [parent]:
        return _("the new commit does not follow the old HEAD")
    out = repo.git.diff_tree("-r", "--name-only", "-z", "--no-renames", expected, tree)
    paths = [path for path in out.split("\0") if path]
    shown = ", ".join(paths[:4]) + (", …" if len(paths) > 4 else "")
    return (_("also {paths}").format(paths=shown) if paths
            else _("a different tree"))


def _undo_commit(repo: Repo, target: GitTarget) -> None:
    """Move HEAD back to `target.head` if (and only if) it now is a commit on top of it."""
    import git

    try:
        made = repo.git.rev_parse("--verify", "--quiet", "HEAD")
        if made == target.head or repo.git.rev_parse(f"{made}^@").split() != [target.head]:
            return
        repo.git.update_ref(
            "-m", "proceedings: undo the refused build commit", "HEAD", target.head, made
        )
    except git.GitCommandError as exc:
        raise ProceedingsError(
            _("could not undo the refused commit: {reason}").format(
                reason=_git_output(exc) or exc.status),
            hint=_("reset the branch yourself: `git reset --soft {commit}`").format(
                commit=target.head[:SHORT_HASH]),
        ) from None


def push(target: GitTarget) -> PushResult:
    """Push the branch to `target.remote`. Failures are returned: the local commit stays."""
    import git

    assert target.remote is not None and target.branch is not None
    branch = target.remote_branch or target.branch.removeprefix("refs/heads/")
    result = PushResult(target.remote, branch, ok=False)
    repo = open_repo(target.root)
    try:
        repo.git.push("--porcelain", target.remote, f"HEAD:refs/heads/{branch}")
        result.ok = True
    except git.GitCommandError as exc:
        result.error = _git_output(exc) or _("git push exited with {status}").format(
            status=exc.status)
    finally:
        repo.close()
    return result


def default_message(
    provenance: Provenance | None,
    sessions: Sequence[str],
    note_count: int,
    outputs: Sequence[str],
    forced_errors: int = 0,
) -> str:
    """'Build proceedings from <commit>: N sessions, M notes' plus the details in the body."""
    source = provenance.source_commit if provenance and provenance.source_commit else None
    count = f"{plural(len(sessions), 'session')}, {plural(note_count, 'note')}"
    subject = (
        f"Build proceedings from {source}: {count}" if source else f"Build proceedings: {count}"
    )
    body = ["Sessions:"] + [f"- {name}" for name in sessions]
    body += ["", "Outputs:"] + [f"- {path}" for path in outputs]
    if forced_errors:
        body += ["", f"Built with --force despite {plural(forced_errors, 'check error')}."]
    if provenance is not None:
        body += ["", f"Built by proceedings {provenance.tool_version}."]
    return subject + "\n\n" + "\n".join(body) + "\n"


def _git_output(exc: Exception) -> str:
    """The last meaningful lines git (or a hook) printed, on one line."""
    return _git_output_text(getattr(exc, "stdout", ""), getattr(exc, "stderr", ""))


def _git_output_text(stdout: object, stderr: object) -> str:
    lines = git_lines(stdout) + git_lines(stderr)
    # git's advice and push's porcelain chatter say nothing about what went wrong
    lines = [line for line in lines if not line.startswith(("hint:", "To ")) and line != "Done"]
    return " / ".join(lines[-4:])
