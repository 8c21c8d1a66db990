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
from proceedings.load.workspace import load_workspace
from proceedings.text import plural


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
        console.print("No sessions yet. Start one with [bold]proceedings new-session[/].")
        return
    table = Table(title=f"{escape(workspace.config.wg_name)} — {len(rows)} sessions")
    table.add_column("date", no_wrap=True)
    table.add_column("session", ratio=2)
    table.add_column("#", justify="right")
    table.add_column("topic", ratio=3)
    table.add_column("status")
    table.add_column("★", justify="right")
    table.add_column("problems", justify="right", no_wrap=True)
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
                escape(topic.title) if topic else "[dim]no topics[/]",
                status,
                str(topic.key_points) if topic else "",
                _problems(row.errors, row.warnings) if first else "",
                end_section=topic is (row.topics[-1] if row.topics else None),
            )
            first = False
    console.print(table)


def _problems(errors: int, warnings: int) -> str:
    parts = []
    if errors:
        parts.append(f"[red]{plural(errors, 'error')}[/]")
    if warnings:
        parts.append(f"[yellow]{plural(warnings, 'warning')}[/]")
    return ", ".join(parts) or "[green]0[/]"
