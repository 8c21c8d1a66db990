"""How often Python's cycle collector runs during one command.

A check or a build makes millions of small objects — parser tokens, facts, WeasyPrint's
boxes — that mostly live until the command ends. With CPython's default (a collection of
the youngest objects every 700 net allocations, of older ones every 10 and 100 of those)
the collector keeps re-scanning objects that survive anyway: 15–20 % of a cold `check` of
1,000 notes or of a PDF build, measured by benchmarks/bench_check.py and bench_pdf.py.

Collecting the young generation every 100,000 allocations instead keeps that cost small;
cycles are still collected, so memory stays bounded (peak memory of both benchmarks moved
by under 2 %). Only the command-line entry points call this: a program that imports
proceedings as a library keeps its own settings.
"""

from __future__ import annotations

import gc

YOUNG_OBJECTS = 100_000  # allocations between two collections of the youngest generation
MIDDLE_ROUNDS = 50  # young collections between two of the middle generation
OLD_ROUNDS = 100  # middle collections between two full collections


def tune_for_one_command() -> None:
    """Collect less often: call once at the start of a command-line run."""
    gc.set_threshold(YOUNG_OBJECTS, MIDDLE_ROUNDS, OLD_ROUNDS)
