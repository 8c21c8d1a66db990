"""What every command shares: consoles, the --root option, and the one error decorator."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from proceedings import i18n
from proceedings.config import LoadedConfig, load_config
from proceedings.errors import ending_for
from proceedings.i18n import N_, _
from proceedings.paths import display_path as display_path  # the commands import it from here
from proceedings.visible import json_safe, make_console, markup

# Presentation happens here: every command prints through these two consoles, and every piece
# of text from the WG repository (file names, titles, headings, messages quoting notes) goes
# into their markup through `escape` — Rich's escaping of `[` plus `visible()`, which writes
# control, bidi and invisible characters as `\x1b`, `\u202e`, … and defuses CI commands.
# The consoles themselves escape any such character that still reaches them, and write no
# line a CI runner would obey (see proceedings/visible.py).
console = make_console(highlight=False)
# soft_wrap: an error stays one line even in a narrow or piped terminal.
err_console = make_console(stderr=True, highlight=False, soft_wrap=True)

RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="WG repository root (default: found by walking up from the current folder).",
        file_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

escape = markup  # the name every command uses for Rich markup of repository text

F = TypeVar("F", bound=Callable[..., Any])

# Marked here, translated when shown (the language is known only once a command runs).
ERROR_LINE = N_("[bold red]error:[/] {detail}")
_ENDING_STYLE = {
    "error": ERROR_LINE,
    "interrupted": N_("[yellow]interrupted[/]"),
    "internal error": N_("[bold red]internal error:[/] {detail}"),
}


def error_line(detail: str) -> str:
    """The `error: …` line for `detail` (Rich markup, repository text already escaped)."""
    return _(ERROR_LINE).format(detail=detail)


def handle_errors(func: F) -> F:
    """Turn user errors into one line on stderr and a documented exit code — no traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        i18n.follow()  # the locale's language until a WG's settings are read
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except BaseException as exc:
            ending = ending_for(exc)
            if ending is None:
                raise
            if ending.label:
                style = _ENDING_STYLE[ending.label]
                err_console.print(_(style).format(detail=escape(ending.detail)))
            raise typer.Exit(ending.exit_code) from None

    return wrapper  # type: ignore[return-value]


def load(root: Path | None) -> LoadedConfig:
    return load_config(root)


def print_json(data: Any) -> None:
    sys.stdout.write(json_safe(json.dumps(data, ensure_ascii=False, indent=2, default=str)) + "\n")

