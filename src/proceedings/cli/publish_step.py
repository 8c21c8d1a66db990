"""The options of `proceedings build` that publish (`--commit`, `--push`, ...), and how a
publish outcome is shown. The publishing itself is `proceedings.publish.publishing`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from proceedings.cli.common import console, err_console, escape
from proceedings.text import plural

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
    where = f" on {escape(commit.branch)}" if commit.branch else " (detached HEAD)"
    if commit.committed:
        console.print(
            f"[green]committed[/] {escape(commit.commit or '')}{where}: "
            f"{plural(len(commit.paths), 'file')} "
            f"({escape(', '.join(commit.paths[:4]))}{', …' if len(commit.paths) > 4 else ''})"
        )
    else:
        console.print(
            f"[dim]outputs unchanged since the last commit — no commit made{where}[/]"
        )
    if pushed is None:
        return
    if pushed.ok:
        console.print(f"[green]pushed[/] {escape(pushed.branch)} to {escape(pushed.remote)}")
    else:
        err_console.print(
            f"[bold red]error:[/] push to {escape(pushed.remote)} failed: "
            f"{escape(pushed.error or 'unknown error')} — the commit is kept locally; "
            f"push it later with `git push {escape(pushed.remote)} {escape(pushed.branch)}`"
        )
