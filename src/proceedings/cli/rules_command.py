"""`proceedings rules` and `proceedings explain CODE`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markdown import Markdown
from rich.table import Table

from proceedings import codes
from proceedings.cli.common import JsonOption, console, handle_errors, print_json
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.text import closest, did_you_mean


def _catalogue() -> list[codes.Code]:
    from proceedings.check.rules.docs import load_all_codes

    return load_all_codes()


@handle_errors
def rules(as_json: JsonOption = False) -> None:
    """List every check: code, name, default severity, fixable, summary."""
    entries = _catalogue()
    if as_json:
        print_json(
            [
                {"code": e.code, "name": e.name, "group": e.group, "severity": str(e.severity),
                 "fixable": e.fixable, "summary": e.summary}
                for e in entries
            ]
        )
        return
    table = Table(title=_("{count} rules — `proceedings explain CODE` for details").format(
        count=len(entries)))
    table.add_column(_("code"), no_wrap=True)
    table.add_column(_("name"), no_wrap=True)
    table.add_column(_("severity"), no_wrap=True)
    table.add_column(_("fix"), no_wrap=True)
    table.add_column(_("summary"), ratio=1)
    colours = {"error": "red", "warning": "yellow", "info": "blue"}
    for e in entries:
        severity = str(e.severity)
        table.add_row(e.code, e.name, f"[{colours[severity]}]{severity}[/]",
                      _("yes") if e.fixable else "", e.summary)
    console.print(table)


@handle_errors
def explain(
    code: Annotated[str, typer.Argument(help="A rule code (C406) or name (raw-html).")],
) -> None:
    """Explain one rule: why it exists, a failing example, and the fix."""
    from proceedings.check.rules.docs import explain as explain_markdown

    entries = _catalogue()
    by_name = {e.name: e.code for e in entries}
    wanted = code.strip()
    resolved = by_name.get(wanted.lower(), wanted.upper())
    if resolved not in {e.code for e in entries}:
        close = closest(wanted, [e.code for e in entries] + list(by_name))
        raise ProceedingsError(
            _("no rule `{code}`").format(code=wanted),
            hint=(did_you_mean(close) if close
                  else _("`proceedings rules` lists them")),
        )
    text = explain_markdown(resolved)
    if console.is_terminal:
        console.print(Markdown(text))
    else:
        typer.echo(text, nl=False)
