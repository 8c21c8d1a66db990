"""`proceedings list`."""

from __future__ import annotations

from rich.table import Table

from proceedings.check.listing import TopicRow, summarize
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
from proceedings.load.workspace import load_workspace


@handle_errors
def list_sessions(root: RootOption = None, as_json: JsonOption = False) -> None:
    """Show the archive: sessions, topics, note status, key points and check findings."""
    from proceedings.check.engine import check_workspace

    workspace = load_workspace(load(root))
    rows = summarize(workspace, check_workspace(workspace).diagnostics)
    if as_json:
        print_json({"root": str(workspace.root), "sessions": [row.to_json() for row in rows]})
        return
    if not rows:
        console.print(_("No sessions yet. Start one with [bold]proceedings new-session[/]."))
        return
    table = Table(title=_("{wg_name} — {count} sessions").format(
        wg_name=escape(workspace.config.wg_name), count=len(rows)))
    table.add_column(_("date"), no_wrap=True)
    table.add_column(_("session"), ratio=2)
    table.add_column("#", justify="right")
    table.add_column(_("topic"), ratio=3)
    table.add_column(_("status"))
    table.add_column("★", justify="right")
    table.add_column(_("problems"), justify="right", no_wrap=True)
    for row in rows:
        first = True
        topics: list[TopicRow | None] = list(row.topics) or [None]
        for topic in topics:
            status = ""
            if topic is not None:
                status = "[green]final[/]" if topic.status == "final" else "[yellow]draft[/]"
            table.add_row(
                (escape(row.date) if row.date else "[red]?[/]") if first else "",
                escape(row.title) if first else "",
                f"{topic.number:02d}" if topic else "",
                escape(topic.title) if topic else _("[dim]no topics[/]"),
                status,
                str(topic.key_points) if topic else "",
                _problems(row.errors, row.warnings) if first else "",
                end_section=topic is (row.topics[-1] if row.topics else None),
            )
            first = False
    console.print(table)


def _problems(errors: int, warnings: int) -> str:
    shown_errors = ngettext("[red]{count} error[/]", "[red]{count} errors[/]", errors).format(
        count=errors)
    shown_warnings = ngettext("[yellow]{count} warning[/]", "[yellow]{count} warnings[/]",
                              warnings).format(count=warnings)
    if errors and warnings:
        return _("{errors}, {warnings}").format(errors=shown_errors, warnings=shown_warnings)
    if errors:
        return shown_errors
    return shown_warnings if warnings else "[green]0[/]"
