"""The pre-commit entry point: `python -m proceedings.check.hook [options] [FILES…]`.

It takes exactly the options of `proceedings check` (both are made from the table in
check/options.py) but parses them without Typer — the usual command lines by hand, the rest
with argparse — so a pre-commit run on a few files starts without loading Typer, Rich or any
other command. Exit codes are those of `proceedings check`: 0 clean, 1 findings at or above
--fail-on, 2 usage or configuration error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

from proceedings.check.options import (
    OPTIONS,
    PATHS_HELP,
    CheckOptions,
    initial_value,
    with_json_alias,
)
from proceedings.errors import ending_for


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="proceedings check",
        description="Check the notes (all of them, or the given files in their sessions).",
        allow_abbrev=False,  # `proceedings check --sel` is an error; so it must be here
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help=PATHS_HELP)
    for option in OPTIONS:
        if option.kind == "flag":
            parser.add_argument(option.flag, dest=option.dest, action="store_true",
                                help=option.help)
        elif option.kind == "repeat":
            parser.add_argument(option.flag, dest=option.dest, action="append",
                                default=initial_value(option), metavar=option.metavar,
                                help=option.help)
        elif option.kind == "path":
            parser.add_argument(option.flag, dest=option.dest, type=Path,
                                default=option.default, metavar=option.metavar, help=option.help)
        else:
            parser.add_argument(option.flag, dest=option.dest, choices=option.choices,
                                default=option.default, metavar=option.metavar, help=option.help)
    return parser


def _quick_parse(argv: list[str]) -> dict[str, Any] | None:
    """The common command lines without argparse (whose import costs ~40 ms of a 150 ms
    budget). Anything unusual — help, an unknown or abbreviated option, a missing value, a
    bad choice — returns None, and argparse parses (and explains) it instead."""
    by_flag = {option.flag: option for option in OPTIONS}
    values: dict[str, Any] = {"paths": []}
    values.update((option.dest, initial_value(option)) for option in OPTIONS)
    args = iter(argv)
    only_paths = False
    for arg in args:
        if only_paths or not arg.startswith("-") or arg == "-":
            values["paths"].append(Path(arg))
            continue
        if arg == "--":
            only_paths = True
            continue
        name, equals, value = arg.partition("=")
        option = by_flag.get(name)
        if option is None or (option.kind == "flag" and equals):
            return None
        if option.kind == "flag":
            values[option.dest] = True
            continue
        if not equals:
            following = next(args, None)
            if following is None or following.startswith("-"):
                return None
            value = following
        if option.kind == "path":
            values[option.dest] = Path(value)
        elif option.kind == "repeat":
            values[option.dest] = [*(values[option.dest] or []), value]
        elif value not in option.choices:
            return None
        else:
            values[option.dest] = value
    return values


def main(argv: list[str] | None = None) -> int:
    from proceedings.process import tune_for_one_command

    tune_for_one_command()  # first: importing the checker allocates plenty already
    from proceedings import i18n

    i18n.follow()  # the locale's language until the WG's settings are read
    from proceedings.check.runner import run_check

    argv = sys.argv[1:] if argv is None else argv
    parsed = _quick_parse(argv)
    if parsed is None:
        parsed = vars(build_parser().parse_args(argv))  # exits 2 with argparse's message
    try:
        as_json = bool(parsed.pop("as_json", False))
        parsed["output_format"] = with_json_alias(parsed["output_format"], as_json)
        return run_check(CheckOptions(**parsed))
    except BaseException as exc:
        ending = ending_for(exc)
        if ending is None:
            raise
        if ending.label:
            from proceedings.visible import visible

            detail = f": {visible(ending.detail)}" if ending.detail else ""
            sys.stderr.write(f"{ending.label}{detail}\n")
        return ending.exit_code


def run() -> None:
    """The `proceedings-hook` console script (what .pre-commit-hooks.yaml runs)."""
    sys.exit(main())


if __name__ == "__main__":
    run()
