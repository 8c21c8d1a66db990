"""Opening the WG's git repository and turning git failures into user errors.

GitPython is imported inside the functions, so commands that never touch git stay fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from proceedings.errors import ProceedingsError
from proceedings.i18n import _

if TYPE_CHECKING:
    from git import Repo


def open_repo(root: Path, *, purpose: str = "", hint: str = "") -> Repo:
    """The git repository whose work tree holds `root`, or a ProceedingsError.

    `purpose` prefixes the message (e.g. "--git-add: ") and `hint` replaces the default fix.
    """
    try:
        import git
    except ImportError as exc:  # GitPython refuses to import without a git executable
        raise ProceedingsError(
            _("git is not usable: {reason}").format(reason=str(exc).splitlines()[0]),
            hint=_("install git (e.g. `apt-get install git`)"),
        ) from None
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise ProceedingsError(
            _("{purpose}{root} is not inside a git repository").format(purpose=purpose, root=root),
            hint=hint or _("run `git init` and commit your notes first, or build without "
                           "--commit"),
        ) from None
    if repo.bare or repo.working_tree_dir is None:
        raise ProceedingsError(
            _("{purpose}{root} is inside a bare git repository (no work tree)").format(
                purpose=purpose, root=root))
    return repo


_GIT_ERROR_OUTPUT = re.compile(r"\A\s*(?:stderr|stdout): '(.*)'\s*", re.S)


def git_lines(output: object) -> list[str]:
    """The non-empty lines of what git printed, without GitPython's `stderr: '…'` wrapping."""
    text = str(output or "")
    match = _GIT_ERROR_OUTPUT.fullmatch(text)
    if match:
        text = match.group(1)
    return [line.strip() for line in text.splitlines() if line.strip()]


@contextmanager
def git_errors() -> Iterator[None]:
    """A git command that fails unexpectedly (a corrupt repository, "dubious ownership" …)
    becomes one clear user error instead of a traceback."""
    import git

    try:
        yield
    except git.GitCommandError as exc:
        command = " ".join(str(part) for part in (exc.command or [])[:3])
        lines = git_lines(exc.stderr)
        reason = next(
            (line for line in lines if line.lower().startswith(("fatal", "error"))),
            lines[0] if lines else _("exit code {status}").format(status=exc.status),
        )
        raise ProceedingsError(
            _("`{command}` failed: {reason}").format(command=command, reason=reason),
            hint=_("fix the repository (see `git status`) and run the command again"),
        ) from None


def repo_path(repo: Repo, root: Path, rel: str) -> str:
    """A WG-root-relative path as a path relative to the repository's top level."""
    top = Path(repo.working_tree_dir).resolve()  # type: ignore[arg-type]
    try:
        prefix = root.resolve().relative_to(top)
    except ValueError:
        raise ProceedingsError(
            _("{root} is not inside the git work tree {top}").format(root=root, top=top)
        ) from None
    joined = PurePosixPath(prefix.as_posix()) / rel
    parts = [part for part in joined.parts if part != "."]
    return "/".join(parts) if parts else "."
