"""The pre-commit entry point: `python -m proceedings.check.hook [options] [FILES…]`.

It takes exactly the options of `proceedings check` (a test keeps the two in step) but parses
them with argparse, so a pre-commit run on a few files starts without loading Typer, Rich or
any other command. Exit codes are those of `proceedings check`: 0 clean, 1 findings at or above
--fail-on, 2 usage or configuration error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

from proceedings.errors import EXIT_INTERRUPTED, ProceedingsError, after_broken_pipe

INTERNAL_ERROR = 70


def build_parser() -> argparse.ArgumentParser:
    import argparse

    from proceedings.check.runner import FAIL_ON, OUTPUT_FORMATS

    parser = argparse.ArgumentParser(
        prog="proceedings check",
        description="Check the notes (all of them, or the given files in their sessions).",
        allow_abbrev=False,  # `proceedings check --sel` is an error; so it must be here
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="Files or folders to check (default: the whole archive).")
    parser.add_argument("--root", type=Path, default=None,
                        help="WG repository root (default: found by walking up).")
    parser.add_argument("--select", action="append", default=None, metavar="CODES",
                        help="Only these codes, prefixes or names (comma-separated, repeatable).")
    parser.add_argument("--ignore", action="append", default=[], metavar="CODES",
                        help="Skip these codes, prefixes or names (comma-separated, repeatable).")
    parser.add_argument("--fail-on", choices=FAIL_ON, default=None,
                        help="Lowest severity that makes the exit code 1 (default: config).")
    parser.add_argument("--format", dest="output_format", choices=OUTPUT_FORMATS,
                        default="text", help="Output format.")
    parser.add_argument("--json", dest="output_format", action="store_const", const="json",
                        help="The same as --format json.")
    parser.add_argument("--show-source", action="store_true",
                        help="Print each finding's line with a caret under the column.")
    parser.add_argument("--fix", action="store_true",
                        help="Apply safe fixes (BOM, CRLF, final newline, missing sections).")
    parser.add_argument("--diff", action="store_true",
                        help="Show what --fix would change as a diff; change no note.")
    return parser


_VALUED = {"--root": "root", "--select": "select", "--ignore": "ignore",
           "--fail-on": "fail_on", "--format": "output_format"}
_FLAGS = {"--show-source": "show_source", "--fix": "fix", "--diff": "diff"}


def _quick_parse(argv: list[str]) -> dict | None:
    """The common command lines without argparse (whose import costs ~40 ms of a 150 ms
    budget). Anything unusual — help, an unknown or abbreviated option, a missing value, a
    bad choice — returns None, and argparse parses (and explains) it instead."""
    from proceedings.check.runner import FAIL_ON, OUTPUT_FORMATS

    values: dict = {"paths": [], "root": None, "select": None, "ignore": [], "fail_on": None,
                    "output_format": "text", "show_source": False, "fix": False, "diff": False}
    args = iter(argv)
    only_paths = False
    for arg in args:
        if only_paths or not arg.startswith("-") or arg == "-":
            values["paths"].append(Path(arg))
        elif arg == "--":
            only_paths = True
        elif arg in _FLAGS:
            values[_FLAGS[arg]] = True
        elif arg == "--json":  # argparse's store_const: the last of it and --format wins
            values["output_format"] = "json"
        else:
            name, equals, value = arg.partition("=")
            if name not in _VALUED:
                return None
            if not equals:
                value = next(args, None)
                if value is None or value.startswith("-"):
                    return None
            key = _VALUED[name]
            if key == "root":
                values[key] = Path(value)
            elif key in ("select", "ignore"):
                values[key] = [*(values[key] or []), value]
            elif (key == "fail_on" and value not in FAIL_ON) or (
                key == "output_format" and value not in OUTPUT_FORMATS
            ):
                return None
            else:
                values[key] = value
    return values


def main(argv: list[str] | None = None) -> int:
    from proceedings.gc_policy import tune_for_one_command

    tune_for_one_command()  # first: importing the checker allocates plenty already
    from proceedings.check.runner import CheckOptions, run_check

    argv = sys.argv[1:] if argv is None else argv
    parsed = _quick_parse(argv)
    if parsed is None:
        parsed = vars(build_parser().parse_args(argv))  # exits 2 with argparse's message
    options = CheckOptions(**parsed)
    try:
        return run_check(options)
    except ProceedingsError as exc:
        from proceedings.visible import visible

        sys.stderr.write(f"error: {visible(str(exc))}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return after_broken_pipe()
    except Exception as exc:  # a bug in proceedings, not a user error
        if os.environ.get("PROCEEDINGS_DEBUG"):
            raise
        from proceedings.visible import visible

        sys.stderr.write(
            f"internal error: {type(exc).__name__}: {visible(str(exc))} — please report it; "
            "set PROCEEDINGS_DEBUG=1 to see the traceback\n"
        )
        return INTERNAL_ERROR


def run() -> None:
    """The `proceedings-hook` console script (what .pre-commit-hooks.yaml runs)."""
    sys.exit(main())


if __name__ == "__main__":
    run()
