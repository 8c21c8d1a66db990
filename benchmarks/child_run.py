"""One command measured in a fresh interpreter: wall time, CPU time and peak RSS.

`run_measured(command)` starts `python child_run.py -- CMD…`, which runs CMD and prints the
figures as JSON. getrusage(RUSAGE_CHILDREN) of that interpreter covers exactly CMD and its
descendants (the peak is the largest single one), not the benchmark script itself.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def run_measured(
    command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """seconds, cpu, peak_kb, rc and the end of stderr of one run of `command`."""
    raw = subprocess.run(
        [sys.executable, __file__, "--", *command],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}, check=True,
    ).stdout
    result: dict[str, Any] = json.loads(raw)
    return result


def _measure(command: list[str]) -> None:
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # every descendant, waited for
    print(json.dumps({
        "seconds": elapsed, "cpu": usage.ru_utime + usage.ru_stime,
        "peak_kb": usage.ru_maxrss,  # the largest single descendant
        "rc": completed.returncode, "stderr": completed.stderr[-2000:],
    }))


if __name__ == "__main__":
    _measure(sys.argv[sys.argv.index("--") + 1 :])
