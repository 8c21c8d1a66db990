"""The command-line interface: a thin Typer layer over the core.

Each command lives in its own module and is listed in `COMMANDS`. A command appears in
`--help` only once it really works.

`main()` imports only the module of the command being run: importing all of them (Rich
tables, Markdown help, the build's progress display, …) costs about 0.3 s, which every
`proceedings check` from a pre-commit hook would otherwise pay. `--help`, a mistyped command
and `proceedings.cli.app` (used by the tests) get the app with every command.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from proceedings import __version__
from proceedings.process import tune_for_one_command

# In the order a WG meets them: set up, write, check, build, and the tools around them.
COMMANDS: dict[str, tuple[str, str]] = {  # name: (module in proceedings.cli, function)
    "init": ("init_command", "init"),
    "new-session": ("new_session_command", "new_session"),
    "check": ("check_command", "check"),
    "list": ("list_command", "list_sessions"),
    "build": ("build_command", "build"),
    "import": ("import_command", "import_memos"),
    "rename": ("rename_command", "rename"),
    "rules": ("rules_command", "rules"),
    "explain": ("rules_command", "explain"),
    "doctor": ("doctor_command", "doctor"),
}

HELP = "Turn a working group's discussion notes into checked, published proceedings."


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"proceedings {__version__}")
        raise typer.Exit()


# The shell is always named: guessing it from the parent process fails under IDEs, CI and
# `sudo`, where Typer's own flags then print "Shell  not supported".
COMPLETION_SHELLS = ("bash", "zsh", "fish")


def _completion_shell(value: str) -> str:
    shell = value.lower()
    if shell not in COMPLETION_SHELLS:
        from proceedings import i18n
        from proceedings.cli.common import err_console, error_line, escape
        from proceedings.i18n import _
        from proceedings.visible import visible

        i18n.follow()  # an eager option: runs before any command has chosen the language
        detail = _("no completion for the shell {shell!r} — name one of {shells}, "
                   "e.g. --show-completion bash").format(
            shell=visible(value), shells=", ".join(COMPLETION_SHELLS))
        err_console.print(error_line(escape(detail)))
        raise typer.Exit(2)
    return shell


def _show_completion(value: str | None) -> None:
    if value is None:
        return
    # typer.completion re-exports this without naming it in __all__ (mypy: private)
    from typer.completion import get_completion_script  # type: ignore[attr-defined]

    shell = _completion_shell(value)
    typer.echo(get_completion_script(prog_name="proceedings",
                                     complete_var="_PROCEEDINGS_COMPLETE", shell=shell))
    raise typer.Exit()


def _install_completion(value: str | None) -> None:
    if value is None:
        return
    # typer.completion re-exports this without naming it in __all__ (mypy: private)
    from typer.completion import install  # type: ignore[attr-defined]

    shell, path = install(shell=_completion_shell(value), prog_name="proceedings",
                          complete_var="_PROCEEDINGS_COMPLETE")
    from proceedings import i18n
    from proceedings.i18n import _

    i18n.follow()
    typer.echo(_("{shell} completion installed in {path}; it works in new terminals").format(
        shell=shell, path=path))
    raise typer.Exit()


def _root_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
    install_completion: Annotated[
        str | None,
        typer.Option(
            "--install-completion", metavar="SHELL", callback=_install_completion,
            is_eager=True, expose_value=False,
            help="Install tab completion for SHELL: bash, zsh or fish.",
        ),
    ] = None,
    show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion", metavar="SHELL", callback=_show_completion,
            is_eager=True, expose_value=False,
            help="Print the completion script for SHELL (bash, zsh or fish) to install by hand.",
        ),
    ] = None,
) -> None:
    """Turn a working group's discussion notes into checked, published proceedings."""


def make_app(names: Sequence[str] | None = None) -> typer.Typer:
    """The Typer app with the commands `names` (all of them when None)."""
    app = typer.Typer(
        name="proceedings",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode="markdown",
    )
    app.callback()(_root_callback)
    # Register the completion scripts' shells, so that a shell asking for completions
    # (_PROCEEDINGS_COMPLETE=complete_bash …) gets them instead of "Shell bash not supported".
    # typer.completion re-exports this without naming it in __all__ (mypy: private)
    from typer.completion import completion_init  # type: ignore[attr-defined]

    completion_init()
    for name in COMMANDS if names is None else names:
        module_name, function = COMMANDS[name]
        module = importlib.import_module(f"proceedings.cli.{module_name}")
        app.command(name)(getattr(module, function))
    return app


def requested_command(argv: Sequence[str]) -> str | None:
    """The command named on the command line, if it is one of ours.

    The root takes no option with a value, so the first word that is not an option is the
    command."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # every command: for --help output and the tests' CliRunner
        return make_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    tune_for_one_command()
    command = requested_command(sys.argv[1:])
    make_app(None if command is None else [command])()
