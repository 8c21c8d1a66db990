"""`proceedings import PATH...`: bring existing memos into the WG format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.tree import Tree

from proceedings.authoring.slugs import validate_slug
from proceedings.cli.common import (
    JsonOption,
    RootOption,
    console,
    err_console,
    error_line,
    escape,
    handle_errors,
    load,
    print_json,
)
from proceedings.errors import EXIT_USAGE
from proceedings.i18n import _, ngettext
from proceedings.load import schema

if TYPE_CHECKING:
    from proceedings.authoring.importing.model import Finding, ImportPlan


@handle_errors
def import_memos(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Memo files, or folders holding them (searched recursively).", show_default=False
        ),
    ],
    date: Annotated[
        str | None,
        typer.Option("--date", help="Session date YYYY-MM-DD, for a memo without one."),
    ] = None,
    slug: Annotated[
        str | None,
        typer.Option("--slug", help="Folder slug, for a memo whose name gives none."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")
    ] = False,
    root: RootOption = None,
    as_json: JsonOption = False,
) -> None:
    """Convert free-form memos into sessions: session.md, one note per topic, assets.

    Originals are only read; nothing is overwritten. Then run `proceedings check`.
    """
    from proceedings.authoring.importer import (  # loaded only when importing
        apply_import,
        plan_import,
    )

    session_date = None if date is None else schema.parse_date_option(date)
    if slug is not None:
        validate_slug(slug)
    loaded = load(root)
    plan = plan_import(loaded, paths, date=session_date, slug=slug)
    if not plan.ok:
        _fail(plan, as_json)
    if not dry_run:
        apply_import(plan)
    _present(plan, dry_run, as_json)


def _present(plan: ImportPlan, dry_run: bool, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "root": str(plan.root),
                "dry_run": dry_run,
                "sessions": [memo.to_json() for memo in plan.memos],
            }
        )
        return
    console.print(_tree(plan, dry_run))
    unmapped = sum(len(memo.unmapped) for memo in plan.memos)
    if dry_run:
        console.print(_("[yellow]Dry run:[/] nothing was written."))
    else:
        memos = len(plan.memos)
        console.print(
            ngettext("[green]Imported[/] {count} memo; the originals were not changed.",
                     "[green]Imported[/] {count} memos; the originals were not changed.",
                     memos).format(count=memos)
        )
    if unmapped:
        console.print(
            ngettext("[yellow]{count} item could not be mapped[/] (marked ⚠ above); each is "
                     "kept in the imported text or named.",
                     "[yellow]{count} items could not be mapped[/] (marked ⚠ above); each is "
                     "kept in the imported text or named.", unmapped).format(count=unmapped)
        )
    if not dry_run:
        console.print(_(
            "Next: [bold]proceedings check[/] shows the sections left to fill in (✎ placeholders)."
        ))


def _fail(plan: ImportPlan, as_json: bool) -> None:
    if as_json:
        print_json({"root": str(plan.root), "errors": [str(p) for p in plan.problems]})
    else:
        for problem in plan.problems:
            err_console.print(error_line(escape(str(problem))))
        err_console.print(_("Nothing was written."))
    raise typer.Exit(EXIT_USAGE)


def _tree(plan: ImportPlan, dry_run: bool) -> Tree:
    heading = (_("[bold]Import plan (dry run)[/] into {root}") if dry_run
               else _("[bold]Imported[/] into {root}"))
    tree = Tree(heading.format(root=escape(str(plan.root))))
    for memo in plan.memos:
        branch = tree.add(f"[bold]{escape(memo.session_rel)}/[/]  [dim]← {escape(memo.shown)}[/]")
        for planned in memo.files:
            name = escape(planned.name_in_session)
            if planned.kind == "asset":
                source = planned.source.name if planned.source else ""
                branch.add(f"{name}  " + _("[dim]copied from {source}[/]").format(
                    source=escape(source)))
            elif planned.kind == "session":
                branch.add(f"[cyan]{name}[/]  {escape(memo.title)} ({memo.date.isoformat()})")
            else:
                branch.add(f"[green]{name}[/]  {escape(planned.title or '')}")
        for finding in memo.unmapped:
            branch.add(f"[yellow]⚠ {escape(_where(finding))}{escape(finding.message)}[/]")
        for finding in memo.decisions:
            branch.add(f"[dim]ℹ {escape(_where(finding))}{escape(finding.message)}[/]")
    return tree


def _where(finding: Finding) -> str:
    return _("line {line}: ").format(line=finding.line) if finding.line else ""
