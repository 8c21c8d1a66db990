"""The command-line interface: a thin Typer layer over the core.

Each command lives in its own module and is registered here. A command appears in `--help`
only once it really works.
"""

from __future__ import annotations

from typing import Annotated

import typer

from proceedings import __version__
from proceedings.cli import init_command, list_command

app = typer.Typer(
    name="proceedings",
    help="Turn a working group's discussion notes into checked, published proceedings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
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


app.command("init")(init_command.init)
app.command("list")(list_command.list_sessions)

from proceedings.cli import new_session_command  # noqa: E402

app.command("new-session")(new_session_command.new_session)

from proceedings.cli import doctor_command  # noqa: E402

app.command("doctor")(doctor_command.doctor)

from proceedings.cli import import_command  # noqa: E402

app.command("import")(import_command.import_memos)

from proceedings.cli import check_command  # noqa: E402

app.command("check")(check_command.check)

from proceedings.cli import rules_command  # noqa: E402

app.command("rules")(rules_command.rules)
app.command("explain")(rules_command.explain)

from proceedings.cli import build_command  # noqa: E402

app.command("build")(build_command.build)


def main() -> None:
    app()
