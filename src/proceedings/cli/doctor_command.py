"""`proceedings doctor`."""

from __future__ import annotations

import typer
from rich.table import Table

from proceedings.cli.common import (
    JsonOption,
    RootOption,
    console,
    escape,
    handle_errors,
    print_json,
)
from proceedings.errors import EXIT_FINDINGS
from proceedings.i18n import N_, _
from proceedings.render.doctor import MISSING, OK, run_doctor

_MARKS = {
    OK: N_("[green]✓ ok[/]"),
    "warning": N_("[yellow]! warning[/]"),
    MISSING: N_("[red]✗ missing[/]"),
}


@handle_errors
def doctor(root: RootOption = None, as_json: JsonOption = False) -> None:
    """Check that this machine can build the PDF: WeasyPrint, Pango, HarfBuzz subsetting,
    Japanese fonts and git — and print the command that installs what is missing.

    Exits 1 when something required is missing.
    """
    report = run_doctor(root)
    if as_json:
        print_json(report.to_json())
    else:
        table = Table(title="proceedings doctor", title_justify="left")
        table.add_column(_("check"), no_wrap=True)
        table.add_column(_("status"), no_wrap=True)
        table.add_column(_("found"))
        for check in report.checks:
            detail = escape(check.detail)
            if check.status != OK and check.fix:
                detail += "\n" + _("[dim]fix: {fix}[/]").format(fix=escape(check.fix))
            mark = _MARKS[check.status]
            table.add_row(escape(check.label), _(mark), detail)
        console.print(table)
        if report.apt_command:
            console.print(_("To install what is missing:\n  [bold]{command}[/]").format(
                command=escape(report.apt_command)))
        if report.pip_command:
            console.print(f"  [bold]{escape(report.pip_command)}[/]")
        if report.ok and not report.apt_command and not report.pip_command:
            console.print(_("[green]Ready to build proceedings.pdf.[/]"))
    if not report.ok:
        raise typer.Exit(EXIT_FINDINGS)
