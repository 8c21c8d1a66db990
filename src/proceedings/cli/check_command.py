"""`proceedings check [PATH…]`. Its options come from the table in check/options.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from proceedings.check.options import BY_DEST, PATHS_HELP, CheckOptions, with_json_alias
from proceedings.check.runner import run_check
from proceedings.cli.common import handle_errors


def _option(dest: str, **extra: Any) -> Any:
    """The Typer option for the table's entry `dest`."""
    option = BY_DEST[dest]
    return typer.Option(option.flag, metavar=option.metavar, help=option.help, **extra)


@handle_errors
def check(
    paths: Annotated[
        list[Path] | None, typer.Argument(help=PATHS_HELP, show_default=False)
    ] = None,
    root: Annotated[Path | None, _option("root", file_okay=False)] = None,
    select: Annotated[list[str] | None, _option("select")] = None,
    ignore: Annotated[list[str] | None, _option("ignore")] = None,
    fail_on: Annotated[str | None, _option("fail_on")] = None,
    output_format: Annotated[str, _option("output_format")] = "text",
    as_json: Annotated[bool, _option("as_json")] = False,
    show_source: Annotated[bool, _option("show_source")] = False,
    fix: Annotated[bool, _option("fix")] = False,
    diff: Annotated[bool, _option("diff")] = False,
) -> None:
    """Check the notes: structure, links, privacy. Exit 0 clean, 1 findings, 2 usage error."""
    output_format = with_json_alias(output_format, as_json)
    options = CheckOptions(
        paths=list(paths or []), root=root, select=select, ignore=list(ignore or []),
        fail_on=fail_on, output_format=output_format, show_source=show_source, fix=fix,
        diff=diff,
    )
    code = run_check(options)
    if code:
        raise typer.Exit(code)
