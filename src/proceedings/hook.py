"""The pre-commit entry point: `python -m proceedings.hook [options] [FILES…]`.

It takes exactly the options of `proceedings check` (a test keeps the two in step) but parses
them with argparse, so a pre-commit run on a few files starts without loading Typer, Rich or
any other command. Exit codes are those of `proceedings check`: 0 clean, 1 findings at or above
--fail-on, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from proceedings.errors import EXIT_INTERRUPTED, ProceedingsError

INTERNAL_ERROR = 70


def build_parser() -> argparse.ArgumentParser:
    from proceedings.check_runner import FAIL_ON, OUTPUT_FORMATS

    parser = argparse.ArgumentParser(
        prog="proceedings check",
        description="Check the notes (all of them, or the given files in their sessions).",
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
    parser.add_argument("--show-source", action="store_true",
                        help="Print each finding's line with a caret under the column.")
    parser.add_argument("--fix", action="store_true",
                        help="Apply safe fixes (BOM, CRLF, final newline, missing sections).")
    parser.add_argument("--diff", action="store_true",
                        help="Show what --fix would change as a diff; write nothing.")
    return parser


def main(argv: list[str] | None = None) -> int:
    from proceedings.check_runner import CheckOptions, run_check

    parser = build_parser()
    args = parser.parse_args(argv)
    options = CheckOptions(**vars(args))
    try:
        return run_check(options)
    except ProceedingsError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug in proceedings, not a user error
        if os.environ.get("PROCEEDINGS_DEBUG"):
            raise
        sys.stderr.write(
            f"internal error: {type(exc).__name__}: {exc} — please report it; "
            "set PROCEEDINGS_DEBUG=1 to see the traceback\n"
        )
        return INTERNAL_ERROR


if __name__ == "__main__":
    sys.exit(main())
