"""The options of `proceedings check`, declared once.

The Typer command (cli/check_command.py), the pre-commit hook's argparse parser and its quick
parser (check/hook.py) and the options section of docs/rules.md are all made from `OPTIONS`,
so they cannot drift apart. This module is on the hook's path: it imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from proceedings.errors import ProceedingsError
from proceedings.i18n import _

OUTPUT_FORMATS = ("text", "json", "github", "sarif")
FAIL_ON = ("error", "warning", "info")

PATHS_HELP = (
    "Files or folders to check, each in the context of its session (default: the whole archive)."
)


class CheckOption(NamedTuple):
    """One option. `kind`: "flag" (on/off), "path" (one folder), "repeat" (a value that may
    be given again; the values add up) or "choice" (one of `choices`)."""

    flag: str  # "--fail-on"
    dest: str  # the CheckOptions field: "fail_on"
    kind: str
    help: str
    metavar: str | None = None
    choices: tuple[str, ...] = ()
    default: str | bool | tuple[str, ...] | None = None


OPTIONS: tuple[CheckOption, ...] = (
    CheckOption(
        "--root", "root", "path",
        "WG repository root (default: found by walking up from the current folder).",
    ),
    CheckOption(
        "--select", "select", "repeat",
        "Only these codes, prefixes (C4) or names (comma-separated, repeatable).",
        metavar="CODES",
    ),
    CheckOption(
        "--ignore", "ignore", "repeat",
        "Skip these codes, prefixes or names (comma-separated, repeatable).",
        metavar="CODES", default=(),
    ),
    CheckOption(
        "--fail-on", "fail_on", "choice",
        "Lowest severity that makes the exit code 1 (default: check.fail_on).",
        metavar="|".join(FAIL_ON), choices=FAIL_ON,
    ),
    CheckOption(
        "--format", "output_format", "choice", "Output format.",
        metavar="|".join(OUTPUT_FORMATS), choices=OUTPUT_FORMATS, default="text",
    ),
    CheckOption(
        "--json", "as_json", "flag", "The same as --format json (as in the other commands).",
        default=False,
    ),
    CheckOption(
        "--show-source", "show_source", "flag",
        "Print each finding's line with a caret under the column.", default=False,
    ),
    CheckOption(
        "--fix", "fix", "flag",
        "Apply safe fixes: BOM, CRLF, final newline, missing required sections, a legacy "
        "encoding that converts losslessly, full-width slips in syntax. Wording is never "
        "changed.",
        default=False,
    ),
    CheckOption(
        "--diff", "diff", "flag",
        "Show what --fix would change as a diff; change no note.", default=False,
    ),
)

BY_DEST = {option.dest: option for option in OPTIONS}


def initial_value(option: CheckOption) -> str | bool | list[str] | None:
    """The parsed value of an option that was not given."""
    if isinstance(option.default, tuple):
        return list(option.default)
    return option.default


class CheckOptions(NamedTuple):
    """The options of a check run, as parsed (by Typer or by the hook)."""

    paths: Sequence[Path] = ()
    root: Path | None = None
    select: Sequence[str] | None = None
    ignore: Sequence[str] = ()
    fail_on: str | None = None
    output_format: str = "text"
    show_source: bool = False
    fix: bool = False
    diff: bool = False


def with_json_alias(output_format: str, as_json: bool) -> str:
    """The output format once `--json` (the same as `--format json`) is taken into account;
    a usage error when the two ask for different formats (the CLI and the hook show it
    alike)."""
    if not as_json:
        return output_format
    if output_format not in ("text", "json"):
        raise ProceedingsError(
            _("--json and --format {output_format} ask for two formats").format(
                output_format=output_format),
            hint=_("--json is --format json: pass one of them"),
        )
    return "json"


def options_section() -> list[str]:
    """The options as a Markdown section, for docs/rules.md."""
    lines = [
        "## Options of `proceedings check`",
        "",
        "The pre-commit hook (`proceedings-hook`) takes the same options; both are made from "
        "one table (`proceedings/check/options.py`), as is this list. Without PATHs the whole "
        "archive is checked.",
        "",
        "| option | value | what it does |",
        "|---|---|---|",
    ]
    for option in OPTIONS:
        value = "" if option.kind == "flag" else f"`{option.metavar or 'FOLDER'}`"
        cells = [f"`{option.flag}`", value, option.help]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return [*lines, ""]
