"""`proceedings rename PATH NEW-SLUG`: rename a note or a session folder, keeping its links."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from proceedings.cli.common import (
    JsonOption,
    RootOption,
    console,
    escape,
    handle_errors,
    load,
    print_json,
)
from proceedings.i18n import _, ngettext
from proceedings.text import file_count

if TYPE_CHECKING:
    from proceedings.authoring.rename import RenamePlan, RenameResult


@handle_errors
def rename(
    path: Annotated[
        Path,
        typer.Argument(
            help="A note (sessions/<session>/NN-slug.md) or a session folder "
            "(sessions/YYYY-MM-DD-slug).",
            show_default=False,
        ),
    ],
    new_slug: Annotated[
        str,
        typer.Argument(
            metavar="NEW-SLUG",
            help="The new slug (a-z, 0-9, -); the note's number or the folder's date stays.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show every change (file, line, old → new); "
                           "write nothing.")
    ] = False,
    root: RootOption = None,
    as_json: JsonOption = False,
) -> None:
    """Rename a note or a session folder and rewrite every link to it across the archive.

    `01-old.md` becomes `01-NEW-SLUG.md`; `2024-08-24-old/` becomes `2024-08-24-NEW-SLUG/`.
    Links, images and reference definitions pointing at it (or into it) are rewritten, with
    their #anchors; a tracked file is moved with `git mv`. Never overwrites anything.
    """
    from proceedings.authoring.rename import apply_rename, plan_rename

    plan = plan_rename(load(root), path, new_slug)
    result = None if dry_run else apply_rename(plan)
    if as_json:
        print_json(_json(plan, result))
        return
    _show(plan, result)


def _json(plan: RenamePlan, result: RenameResult | None) -> dict[str, object]:
    return {
        "root": str(plan.root),
        "dry_run": result is None,
        "kind": plan.kind,
        "from": plan.source_rel,
        "to": plan.target_rel,
        "git": bool(result and result.git),
        "files": plan.files,
        "changes": [
            {"file": c.rel, "line": c.line, "col": c.col, "old": c.old, "new": c.new}
            for c in plan.changes
        ],
        "left_alone": [
            {"file": x.rel, "line": x.line, "col": x.col, "text": x.text, "reason": x.reason}
            for x in plan.leftovers
        ],
    }


def _show(plan: RenamePlan, result: RenameResult | None) -> None:
    note = plan.kind == "note"
    arrow = f"{escape(plan.source_rel)} → [bold]{escape(plan.target_rel)}[/]"
    if result is None:
        line = (_("[yellow]Dry run:[/] would rename the note {arrow}") if note
                else _("[yellow]Dry run:[/] would rename the session folder {arrow}"))
        console.print(line.format(arrow=arrow), soft_wrap=True)
    for change in plan.changes:
        console.print(
            f"  {escape(change.rel)}:{change.line}:{change.col}: "
            f"{escape(change.old)} → [green]{escape(change.new)}[/]", soft_wrap=True
        )
    for item in plan.leftovers:
        console.print(
            f"  [yellow]{escape(item.rel)}:{item.line}:{item.col}: {escape(item.reason)}:[/] "
            f"{escape(item.text)}", soft_wrap=True
        )
    links = len(plan.changes)
    files = len(plan.files)
    counted = _("{links} in {files}").format(
        links=ngettext("{count} link", "{count} links", links).format(count=links),
        files=file_count(files),
    )
    if result is None:
        console.print(_("Would rewrite {counted}. Nothing was written.").format(counted=counted))
        return
    if note:
        done = (_("[green]Renamed[/] the note {arrow} with git mv; rewrote {counted}.")
                if result.git else _("[green]Renamed[/] the note {arrow}; rewrote {counted}."))
    else:
        done = (_("[green]Renamed[/] the session folder {arrow} with git mv; rewrote {counted}.")
                if result.git
                else _("[green]Renamed[/] the session folder {arrow}; rewrote {counted}."))
    console.print(done.format(arrow=arrow, counted=counted), soft_wrap=True)
    if plan.leftovers:
        console.print(_("[yellow]{count} place(s) still name the old path[/] "
                        "(listed above); check them by hand.").format(count=len(plan.leftovers)))
    console.print(_("Next: [bold]proceedings check[/], then commit."))
