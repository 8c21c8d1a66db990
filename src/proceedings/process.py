"""How one command uses the machine: how many cores it may use, whether it may fork a
helper, and how often Python's cycle collector runs.

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
import os
import sys


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def fork_is_safe() -> bool:
    """Whether a helper may be forked: Linux only (macOS's system libraries are not
    fork-safe once loaded, and Windows has no fork)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


YOUNG_OBJECTS = 100_000  # allocations between two collections of the youngest generation
MIDDLE_ROUNDS = 50  # young collections between two of the middle generation
OLD_ROUNDS = 100  # middle collections between two full collections


def tune_for_one_command() -> None:
    """Collect less often: call once at the start of a command-line run."""
    gc.set_threshold(YOUNG_OBJECTS, MIDDLE_ROUNDS, OLD_ROUNDS)
