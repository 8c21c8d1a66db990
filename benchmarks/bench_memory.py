"""Memory: peak RSS of `proceedings check` and `build` on one huge note, against pandoc.

    .venv/bin/python benchmarks/bench_memory.py                # 0.5, 1, 2 and 50 MB notes
    .venv/bin/python benchmarks/bench_memory.py --sizes 1,2 --big 10
    .venv/bin/python benchmarks/bench_memory.py --write-docs   # also update docs/benchmarks.md

A WG repository takes pull requests, so a note may be of any size. Parsing Markdown into
tokens costs many times the text in memory, so `check.max_note_size` (2048 KiB by default)
bounds what is read: a larger note is an F108 finding and is not read at all.

For each size the script writes a WG with one session and one note of that size
(deterministic: Japanese discussion in the notes' shape — sections, nested lists, ★ key
points, links, footnotes) and runs, each in a fresh process:

- `proceedings check` and `proceedings build --format md,html` with `max_note_size` raised
  above the note's size (so the note is read and parsed: what the memory per MB of note is);
- `pandoc note.md -o note.html` (from Debian: `apt-get install pandoc`), the tool a WG would
  otherwise use to turn the notes into HTML;
- on the `--big` note (50 MB by default), `proceedings check` and `build` with the default
  settings: the note is refused (F108) and the memory is that of an empty run. pandoc runs
  on it only with `--pandoc-big` (here it needs about 100 MB and 14 s per MB of note).

Peak RSS is the largest process of each run (getrusage of the children, measured by a fresh
interpreter per run). Not a test: numbers vary by machine; memory varies much less than time.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from child_run import run_measured
from docs_section import write_section

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MB = 1_000_000

SUBJECTS = ["SRE チーム", "研究チーム", "データエンジニア", "運用チーム", "ML エンジニア", "PM"]
OBJECTS = ["Prometheus と Grafana", "MLflow Model Registry", "Feature Store", "推論ログ",
           "Airflow の DAG", "モデルカード", "アラートのルーティング", "p99 レイテンシ"]
VERBS = ["で一元的に管理すべきだという意見が多かった", "は運用コストが見合わないという指摘があった",
         "を最初から設計に入れておくべきだと合意した", "を誰が持つのかが最後まで曖昧だった",
         "は小さく始めて段階的に広げるのが現実的だという結論になった"]


@dataclass
class Run:
    seconds: float
    peak_mb: float
    rc: int


def measured(command: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> Run:
    data = run_measured(command, cwd=cwd, env={"PROCEEDINGS_PDF_HELPER": "0"})
    if data["rc"] not in ok:
        raise SystemExit(f"failed ({data['rc']}): {' '.join(command)}\n{data['stderr']}")
    return Run(data["seconds"], data["peak_kb"] / 1024, data["rc"])


def note_text(size: int, seed: int = 16) -> str:
    """A note of about `size` bytes in the shape scribes write."""
    rng = random.Random(seed)
    parts = ["---\ntitle: 大きなノート\nscribes: [記録係]\nstatus: final\n---\n\n",
             "# 大きなノート\n\n## 概要\n\n長い議論の記録。\n\n## 議論\n\n"]
    length = sum(len(p.encode()) for p in parts)
    n = 0
    while length < size:
        n += 1
        star = "★ " if n % 17 == 0 else ""
        line = (f"- {star}{rng.choice(SUBJECTS)}は{rng.choice(OBJECTS)}{rng.choice(VERBS)}"
                f"（[資料](https://example.com/doc/{n})）。\n"
                f"  - 補足: {rng.choice(OBJECTS)}{rng.choice(VERBS)}[^n{n}]。\n\n"
                f"[^n{n}]: 脚注 {n}。\n\n")
        if n % 200 == 0:
            line += f"### 論点 {n // 200}\n\n"
        parts.append(line)
        length += len(line.encode())
    parts.append("## 要点\n\n- ★ まとめ。\n")
    return "".join(parts)


def wg(folder: Path, size: int, max_note_kib: int | None) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    session = folder / "sessions" / "2025-01-01-big"
    session.mkdir(parents=True)
    config = 'wg_name = "Bench WG"\n'
    if max_note_kib is not None:
        config += f"[check]\nmax_note_size = {max_note_kib}\n"
    (folder / "proceedings.toml").write_text(config, "utf-8")
    (session / "session.md").write_text(
        "---\ntitle: 大きな会\ndate: 2025-01-01\n---\n\n概要。\n", "utf-8"
    )
    (session / "01-big.md").write_text(note_text(size), "utf-8")
    return folder


def find_pandoc() -> str | None:
    return shutil.which("pandoc")


def bench(
    sizes: list[float], big: float, work: Path, pandoc: str | None, pandoc_big: bool
) -> dict:
    proceedings = str(BIN / "proceedings")
    rows: dict[str, dict[str, Run | None]] = {}
    for size_mb in sizes:
        size = int(size_mb * MB)
        root = wg(work / f"n{size_mb}", size, max_note_kib=size // 1024 + 1024)
        note = root / "sessions" / "2025-01-01-big" / "01-big.md"
        print(f"{size_mb} MB note …", flush=True)
        rows[f"{size_mb:g} MB"] = {
            "check": measured([proceedings, "check", "--root", str(root)], root, ok=(0, 1)),
            "build": measured([proceedings, "build", "--root", str(root), "--format",
                               "md,html", "--force"], root),
            "pandoc": measured([pandoc, str(note), "-f", "markdown", "-o",
                                str(root / "pandoc.html")], root) if pandoc else None,
        }
    size = int(big * MB)
    root = wg(work / "big", size, max_note_kib=None)
    note = root / "sessions" / "2025-01-01-big" / "01-big.md"
    print(f"{big} MB note, default settings …", flush=True)
    rows[f"{big:g} MB, default limit"] = {
        "check": measured([proceedings, "check", "--root", str(root)], root, ok=(1,)),
        "build": measured([proceedings, "build", "--root", str(root), "--format", "md,html"],
                          root, ok=(1,)),
        "pandoc": measured([pandoc, str(note), "-f", "markdown", "-o",
                            str(root / "pandoc.html")], root) if pandoc and pandoc_big else None,
    }
    return rows


def report(rows: dict, pandoc: str | None) -> str:
    version = ""
    if pandoc:
        version = subprocess.run([pandoc, "--version"], capture_output=True,
                                 text=True).stdout.splitlines()[0]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores (shared); "
        f"{version or 'pandoc not installed'}. One note of the given size, in the notes' "
        "shape; peak RSS of the largest process, wall time in brackets. `check` and `build "
        "--format md,html` run with `max_note_size` raised above the note's size, except in "
        "the last row (the default, 2048 KiB: the note is F108 and not read).",
        "",
        "| note | check | build (md, html) | pandoc → HTML | check / pandoc | build / pandoc |",
        "|---|---|---|---|---|---|",
    ]

    def cell(run: Run | None) -> str:
        return "—" if run is None else f"{run.peak_mb:.0f} MB ({run.seconds:.1f} s)"

    def ratio(ours: Run, theirs: Run | None) -> str:
        return "—" if theirs is None else f"{ours.peak_mb / theirs.peak_mb:.1f}×"

    for name, runs in rows.items():
        lines.append(
            f"| {name} | {cell(runs['check'])} | {cell(runs['build'])} | "
            f"{cell(runs['pandoc'])} | {ratio(runs['check'], runs['pandoc'])} | "
            f"{ratio(runs['build'], runs['pandoc'])} |"
        )
    per_mb = [
        (float(name.split()[0]), runs) for name, runs in rows.items() if "default" not in name
    ]
    if len(per_mb) >= 2:
        (small, first), (large, last) = per_mb[0], per_mb[-1]
        grow = {tool: (last[tool].peak_mb - first[tool].peak_mb) / (large - small)
                for tool in ("check", "build", "pandoc") if last[tool] and first[tool]}
        lines += [
            "",
            f"Memory per MB of note (from the {small:g} MB to the {large:g} MB row): check "
            f"{grow['check']:.0f} MB, build {grow['build']:.0f} MB"
            + (f", pandoc {grow['pandoc']:.0f} MB" if "pandoc" in grow else "")
            + ". So with the default `max_note_size` of 2 MiB no note can make a check or a "
            "build need more than the 2 MB row shows (plus the rest of the archive); raising "
            "the limit raises that bound by these amounts per MB.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0.5,1,2", help="note sizes in MB, comma-separated")
    parser.add_argument("--big", type=float, default=50, help="the huge note, in MB")
    parser.add_argument("--pandoc-big", action="store_true",
                        help="run pandoc on the huge note too (50 MB: many minutes, GBs)")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    pandoc = find_pandoc()
    if pandoc is None:
        print("pandoc not found (`apt-get install pandoc`): its column stays empty")
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        sizes = [float(s) for s in args.sizes.split(",")]
        rows = bench(sizes, args.big, work, pandoc, args.pandoc_big)
        section = report(rows, pandoc)
        print()
        print(section)
        if args.write_docs:
            write_section("memory", section,
                          heading="## Memory on huge notes (`benchmarks/bench_memory.py`)")
            print("updated docs/benchmarks.md")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
