"""Diagnostics: what the loader and the rules report about a file and line."""

from __future__ import annotations

from enum import IntEnum
from typing import NamedTuple


class Severity(IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]

    def __str__(self) -> str:
        return self.name.lower()


# The records a pre-commit run creates are NamedTuples or plain classes, not dataclasses: in a
# fresh interpreter each dataclass costs about 1 ms to define (it compiles its methods), and
# that hook has 0.15 s in all (docs/benchmarks.md).
class Diagnostic(NamedTuple):
    """One finding. `path` is relative to the WG root (POSIX separators); lines are 1-based.
    Findings sort by path, line, column and code."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = Severity.ERROR
    hint: str = ""

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def with_severity(self, severity: Severity) -> Diagnostic:
        return self._replace(severity=severity)
