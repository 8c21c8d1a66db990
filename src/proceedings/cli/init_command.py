"""`proceedings init [DIR]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proceedings.authoring.init import InitResult, init_repository
from proceedings.cli.common import (
    JsonOption,
    console,
    display_path,
    escape,
    handle_errors,
    print_json,
)
from proceedings.i18n import _


@handle_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the WG repository.")] = Path("."),
    name: Annotated[str, typer.Option("--name", help="The working group's name.")] = "",
    language: Annotated[str, typer.Option("--language", help="ja or en.")] = "ja",
    title: Annotated[
        str | None,
        typer.Option("--title", help="Title of the proceedings: cover, running header, PDF "
                     "metadata (default: 議論記録集 for ja, Proceedings for en)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    ci: Annotated[
        str | None,
        typer.Option(
            "--ci",
            metavar="PROVIDER",
            help="Also write a CI workflow (github: check on pull requests, "
            "build --commit --push on the main branch).",
        ),
    ] = None,
    pages: Annotated[
        bool,
        typer.Option("--pages", help="With --ci github: also deploy the HTML to GitHub Pages."),
    ] = False,
    hook_repo: Annotated[
        str | None,
        typer.Option(
            "--hook-repo",
            metavar="URL",
            help="The proceedings repository (git URL or path): .pre-commit-config.yaml uses "
            "its proceedings-check hook (pre-commit installs it), and the README and CI "
            "install the tool from it. Default: a local hook running the installed "
            "`proceedings-hook`.",
        ),
    ] = None,
    hook_rev: Annotated[
        str | None,
        typer.Option("--hook-rev", metavar="REV", help="Tag or commit of --hook-repo "
                     "(default: the commit this proceedings was installed from, else the tag "
                     "of its version — whichever the repository has)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a new WG repository: proceedings.toml, sessions/, a README, a pre-commit hook,
    and git."""
    result = init_repository(
        directory, wg_name=name or None, language=language, title=title, force=force, ci=ci,
        pages=pages, hook_repo=hook_repo, hook_rev=hook_rev,
    )
    if as_json:
        _print_json(result)
    else:
        _print_text(result, directory)


def _print_json(result: InitResult) -> None:
    print_json(
        {
            "root": str(result.root.resolve()),
            "created": [display_path(p, result.root) for p in result.created],
            "overwritten": [display_path(p, result.root) for p in result.overwritten],
            "skipped": [display_path(p, result.root) for p in result.skipped],
            "git_initialized": result.git_initialized,
            "install_command": result.install_command,
            "hook": {"repo": result.hook_repo, "rev": result.hook_rev},
        }
    )


def _print_text(result: InitResult, directory: Path) -> None:
    for path in result.created:
        console.print(_("[green]created[/]     {path}").format(path=escape(display_path(path))))
    for path in result.overwritten:
        console.print(_("[yellow]overwritten[/] {path}").format(path=escape(display_path(path))))
    for path in result.skipped:
        console.print(_("[dim]exists, left alone[/] {path}").format(
            path=escape(display_path(path))))
    if result.skipped:
        console.print(_("[dim]Pass --force to overwrite files that exist.[/]"))
    if result.git_initialized:
        console.print(_("[green]initialized[/] git repository in {folder}").format(
            folder=escape(display_path(directory))))
    console.print(_("Next:"))
    console.print("  " + _(
        "every member, once: [bold]{install}[/] (the tool), "
        "[bold]pipx install pre-commit[/], then [bold]pre-commit install[/] in the clone"
    ).format(install=escape(result.install_command)))
    console.print("  " + _(
        "then: [bold]proceedings new-session[/] to start a session, "
        "[bold]proceedings check[/] to check the notes"
    ))
