"""`proceedings check [PATH…]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from proceedings.check.runner import FAIL_ON, OUTPUT_FORMATS, CheckOptions, run_check
from proceedings.cli.common import JsonOption, RootOption, handle_errors
from proceedings.errors import ProceedingsError


@handle_errors
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or folders to check, each in the context of its session "
            "(default: the whole archive).",
            show_default=False,
        ),
    ] = None,
    root: RootOption = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", metavar="CODES",
            help="Only these codes, prefixes (C4) or names (comma-separated, repeatable).",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", metavar="CODES",
            help="Skip these codes, prefixes or names (comma-separated, repeatable).",
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on", metavar="|".join(FAIL_ON),
            help="Lowest severity that makes the exit code 1 (default: check.fail_on).",
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option("--format", metavar="|".join(OUTPUT_FORMATS), help="Output format."),
    ] = "text",
    as_json: JsonOption = False,
    show_source: Annotated[
        bool, typer.Option("--show-source", help="Print each finding's line with a caret.")
    ] = False,
    fix: Annotated[
        bool,
        typer.Option("--fix", help="Apply safe fixes: BOM, CRLF, final newline, missing "
                     "required sections. Wording is never changed."),
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Show what --fix would change as a diff; change no note.")
    ] = False,
) -> None:
    """Check the notes: structure, links, privacy. Exit 0 clean, 1 findings, 2 usage error."""
    if as_json:  # the --json most commands take: here the same as --format json
        if output_format not in ("text", "json"):
            raise ProceedingsError(
                f"--json and --format {output_format} ask for two formats",
                hint="--json is --format json: pass one of them",
            )
        output_format = "json"
    options = CheckOptions(
        paths=list(paths or []), root=root, select=select, ignore=list(ignore or []),
        fail_on=fail_on, output_format=output_format, show_source=show_source, fix=fix,
        diff=diff,
    )
    code = run_check(options)
    if code:
        raise typer.Exit(code)
