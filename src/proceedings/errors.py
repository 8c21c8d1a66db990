"""The one exception type for problems a user can cause, and the documented exit codes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

# Exit codes, documented in README.md and docs/exit-codes.md.
EXIT_OK = 0
EXIT_FINDINGS = 1  # check/build found problems at or above the failure threshold
EXIT_USAGE = 2  # bad arguments, bad configuration, or any other user error
EXIT_INTERNAL = 70  # a bug in proceedings (EX_SOFTWARE); PROCEEDINGS_DEBUG=1 shows the traceback
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # the reader of the output went away (`| head`), as a shell reports it


def after_broken_pipe() -> int:
    """Stop quietly once the reader of stdout has gone: stdout is pointed at /dev/null, so
    Python's own flush at exit does not fail a second time. Returns the exit code."""
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


class ProceedingsError(Exception):
    """A problem the user can fix. The CLI prints it as one line and exits with `exit_code`."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
        exit_code: int = EXIT_USAGE,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint
        self.exit_code = exit_code

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        text = self.message
        if self.path is not None:
            text = f"{self.location()}: {text}"
        if self.hint:
            text = f"{text} — {self.hint}"
        return text


class Ending(NamedTuple):
    """How a command that raised ends: what to tell the user (`label: detail`; no label: say
    nothing) and the exit code. A NamedTuple: the hook path defines no dataclass."""

    label: str  # "error" | "interrupted" | "internal error" | ""
    detail: str
    exit_code: int


def ending_for(exc: BaseException) -> Ending | None:
    """The one place that decides how an exception leaving a command ends the process, for
    the CLI and the pre-commit hook alike. None: not ours to turn into an exit (SystemExit,
    or any bug while PROCEEDINGS_DEBUG is set) — the caller re-raises it."""
    if isinstance(exc, ProceedingsError):
        return Ending("error", str(exc), exc.exit_code)
    if isinstance(exc, KeyboardInterrupt):
        return Ending("interrupted", "", EXIT_INTERRUPTED)
    if isinstance(exc, BrokenPipeError):  # the output was piped into a reader that stopped
        return Ending("", "", after_broken_pipe())
    if isinstance(exc, Exception) and not os.environ.get("PROCEEDINGS_DEBUG"):
        from proceedings.i18n import _

        return Ending(
            "internal error",
            _("{error} — please report it; set PROCEEDINGS_DEBUG=1 to see the traceback").format(
                error=f"{type(exc).__name__}: {exc}"),
            EXIT_INTERNAL,
        )
    return None
