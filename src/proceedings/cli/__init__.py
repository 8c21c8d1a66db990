"""The command-line interface: a thin Typer layer over the core.

Each command lives in its own module and is registered here. A command appears in `--help`
only once it really works.
"""

from __future__ import annotations

from typing import Annotated

import typer

from proceedings import __version__
from proceedings.cli import (
    build_command,
    check_command,
    doctor_command,
    import_command,
    init_command,
    list_command,
    new_session_command,
    rules_command,
)

app = typer.Typer(
    name="proceedings",
    help="Turn a working group's discussion notes into checked, published proceedings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"proceedings {__version__}")
        raise typer.Exit()


@app.callback()
def _root_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Turn a working group's discussion notes into checked, published proceedings."""


# In the order a WG meets them: set up, write, check, build, and the tools around them.
app.command("init")(init_command.init)
app.command("new-session")(new_session_command.new_session)
app.command("check")(check_command.check)
app.command("list")(list_command.list_sessions)
app.command("build")(build_command.build)
app.command("import")(import_command.import_memos)
app.command("rules")(rules_command.rules)
app.command("explain")(rules_command.explain)
app.command("doctor")(doctor_command.doctor)


def main() -> None:
    app()
