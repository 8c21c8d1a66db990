"""When work may go to a second process: how many cores this process may use, and fork."""

from __future__ import annotations

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
