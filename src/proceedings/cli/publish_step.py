"""The options of `proceedings build` that publish (`--commit`, `--push`, ...), and how a
publish outcome is shown. The publishing itself is `proceedings.publish.publishing`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from proceedings.cli.common import console, err_console, error_line, escape
from proceedings.i18n import _
from proceedings.text import file_count

if TYPE_CHECKING:
    from proceedings.publish.publishing import PublishOutcome

CommitOption = Annotated[
    bool,
    typer.Option(
        "--commit",
        help="Commit the outputs (and nothing else) to the WG's git repository. "
        "Refuses first if that is unsafe; see docs/publish.md.",
    ),
]
PushOption = Annotated[
    bool, typer.Option("--push", help="With --commit: push the branch afterwards.")
]
RemoteOption = Annotated[
    str | None,
    typer.Option(
        "--remote",
        metavar="NAME",
        help="Remote (name or URL) for --push (default: the branch's upstream, else origin).",
    ),
]
MessageOption = Annotated[
    str | None,
    typer.Option(
        "--message",
        "-m",
        metavar="TEXT",
        help="With --commit: the commit message (default: what was built).",
    ),
]
AllowDirtyOption = Annotated[
    bool,
    typer.Option(
        "--allow-dirty",
        help="With --commit: build although the notes have uncommitted changes "
        "(the provenance says +dirty).",
    ),
]
AllowDetachedOption = Annotated[
    bool, typer.Option("--allow-detached", help="With --commit: commit on a detached HEAD.")
]


def show(outcome: PublishOutcome) -> None:
    """What a build committed and pushed (nothing without --commit)."""
    commit, pushed = outcome.commit, outcome.push
    if commit is None:
        return
    branch = escape(commit.branch) if commit.branch else None
    if commit.committed:
        count = len(commit.paths)
        shown = escape(", ".join(commit.paths[:4])) + (", …" if count > 4 else "")
        line = (_("[green]committed[/] {commit} on {branch}: {files} ({paths})") if branch
                else _("[green]committed[/] {commit} (detached HEAD): {files} ({paths})"))
        console.print(line.format(commit=escape(commit.commit or ""), branch=branch,
                                  files=file_count(count), paths=shown))
    elif branch:
        console.print(_("[dim]outputs unchanged since the last commit — no commit made on "
                        "{branch}[/]").format(branch=branch))
    else:
        console.print(_("[dim]outputs unchanged since the last commit — no commit made "
                        "(detached HEAD)[/]"))
    if pushed is None:
        return
    if pushed.ok:
        console.print(_("[green]pushed[/] {branch} to {remote}").format(
            branch=escape(pushed.branch), remote=escape(pushed.remote)))
    else:
        err_console.print(error_line(
            _("push to {remote} failed: {error} — the commit is kept locally; push it later "
              "with `git push {remote} {branch}`").format(
                remote=escape(pushed.remote), error=escape(pushed.error or _("unknown error")),
                branch=escape(pushed.branch))
        ))
