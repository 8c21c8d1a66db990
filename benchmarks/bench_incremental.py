"""An unchanged archive: `proceedings build` with nothing changed against a full build.

    .venv/bin/python benchmarks/bench_incremental.py                # 5 rounds
    .venv/bin/python benchmarks/bench_incremental.py --repeat 9 --write-docs

The bundled sample, copied into a new git repository (so the build collects provenance, as
in a WG's clone), built to md, HTML and PDF (the sample's `build.formats`) in fresh
processes, round after round:

- full:      `proceedings build` into an empty output folder — everything rendered, as CI
             did on every push before the build kept the inputs of each output;
- no change: `proceedings build` again right after it — the checks run, the inputs are
             hashed and compared with the record, nothing is rendered or written.

It prints the medians of wall and CPU time (user + system of every process of the run) and
the median of the per-round ratios no change / full: within one round both runs meet the
same machine, so the ratio is what to compare between machines (target: ≤ 0.2). Not a test:
timings vary by machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from docs_section import write_section

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# As an installed tool runs: with compiled bytecode (a development shell may switch it off).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Run:
    seconds: float
    cpu: float
    rendered: list[str]


def timed(command: list[str]) -> Run:
    """Run `command`, a `proceedings build --json`; its wall and CPU time, and what it
    rendered."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{completed.stderr}")
    outputs = json.loads(completed.stdout)["outputs"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(elapsed, cpu, [o["format"] for o in outputs if o["rendered"]])


def sample_repository(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(REPO / "sessions", target / "sessions")
    shutil.copy(REPO / "proceedings.toml", target / "proceedings.toml")
    git = ["git", "-C", str(target), "-c", "user.name=Bench", "-c", "user.email=b@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "notes"], check=True)
    return target


def bench(repeat: int) -> tuple[list[Run], list[Run]]:
    full: list[Run] = []
    unchanged: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = sample_repository(Path(tmp) / "wg")
        command = [str(BIN / "proceedings"), "build", "--root", str(root), "--json"]
        timed(command)  # warm-up: compiled templates, bytecode, the page cache
        for _ in range(repeat):
            shutil.rmtree(root / "proceedings")
            full.append(timed(command))
            unchanged.append(timed(command))
            if full[-1].rendered != ["md", "html", "pdf"] or unchanged[-1].rendered:
                raise SystemExit(f"unexpected: full rendered {full[-1].rendered}, "
                                 f"no change rendered {unchanged[-1].rendered}")
    return full, unchanged


def report(full: list[Run], unchanged: list[Run], repeat: int) -> str:
    def median(runs: list[Run], field: str) -> float:
        return statistics.median(getattr(run, field) for run in runs)

    ratios = [u.seconds / f.seconds for f, u in zip(full, unchanged, strict=True)]
    cpu_ratios = [u.cpu / f.cpu for f, u in zip(full, unchanged, strict=True)]
    load = os.getloadavg()[0]
    lines = [
        "## An unchanged archive (`benchmarks/bench_incremental.py`)",
        "",
        f"The bundled sample in a git repository, `proceedings build` (md, HTML, PDF) in a "
        f"fresh process: a full build into an empty output folder, then the same command "
        f"with nothing changed; {repeat} rounds after one warm-up, medians.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; load average before "
        f"the run {load:.1f}.",
        "",
        "| build | rendered | wall | CPU |",
        "|---|---|---:|---:|",
        f"| full | md, html, pdf | {median(full, 'seconds'):.2f} s | "
        f"{median(full, 'cpu'):.2f} s |",
        f"| no change | nothing | {median(unchanged, 'seconds'):.2f} s | "
        f"{median(unchanged, 'cpu'):.2f} s |",
        "",
        f"No change / full, median of the per-round ratios: **{statistics.median(ratios):.2f}×** "
        f"wall, {statistics.median(cpu_ratios):.2f}× CPU (target: ≤ 0.2×; rounds: "
        + ", ".join(f"{ratio:.2f}" for ratio in ratios) + ").",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-docs", action="store_true",
                        help="also write the results into docs/benchmarks.md")
    args = parser.parse_args()
    full, unchanged = bench(args.repeat)
    text = report(full, unchanged, args.repeat)
    print(text)
    if args.write_docs:
        write_section("bench_incremental", text)


if __name__ == "__main__":
    main()
