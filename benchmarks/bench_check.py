"""Checker speed: `proceedings check` against pymarkdown and markdownlint-cli2, same files.

    .venv/bin/python benchmarks/bench_check.py                  # 1,000 notes, 5 runs each
    .venv/bin/python benchmarks/bench_check.py --notes 1250 --repeat 3
    .venv/bin/python benchmarks/bench_check.py --write-docs     # also update docs/benchmarks.md

It writes a synthetic archive (deterministic: Japanese discussion notes in the sample's shape —
front matter, sections, nested lists, ★ key points, links between notes, images, footnotes) and
times, in fresh processes, wall clock:

- whole archive: `proceedings check` (the full CLI) vs `pymarkdown scan -r sessions` vs
  `markdownlint-cli2 "sessions/**/*.md"`;
- a pre-commit run on 1 and on 5 files: `proceedings-hook FILES` (the entry
  .pre-commit-hooks.yaml uses), `proceedings check FILES`, and the two linters on the same
  files — once with the files unchanged since the last run, once with each file edited (a
  line added, untimed) before every run, as in a real commit.

proceedings is timed cold (`.proceedings-cache` removed before each run, so every note is
parsed) and warm (the facts cache of the previous run; a findings cache does not exist — every
rule runs every time). Wall clock and CPU time (user + system of the process tree) are both
reported: on a shared machine the CPU time is the steadier number.

The competitors are installed on first use into a cache folder (`--cache`, default
~/.cache/proceedings-bench): pymarkdownlnt with pip into a virtualenv, markdownlint-cli2 with
npm. If one cannot be installed, it is skipped with a message. Ratios are competitor time /
proceedings time (higher is better for proceedings). Targets (issue 4): 1–5 files ≤ 0.15 s;
whole archive ≥ 3× faster than markdownlint-cli2 and ≥ 10× faster than pymarkdown.

Not a test: timings vary with the machine and its load; every number is the median of
`--repeat` runs for the whole archive and of `--small-repeat` runs for 1–5 files (min in
brackets). The 1–5 file runs are interleaved: in each round every tool runs every scenario
once, so a slow minute on a shared machine does not land on one row only. The same rounds
time `python -c "pass"` and `python -c "import markdown_it"`, for scale: what no checker code
can take off a hook run on this machine.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from docs_section import write_section

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

# --- the synthetic archive ------------------------------------------------------------------

TOPICS = [
    ("monitoring", "ML システムの監視と可観測性"), ("handoff", "研究から本番へのモデル受け渡し"),
    ("feature-store", "Feature Store は必要か"), ("drift", "ドリフト検知とアラート設計"),
    ("oncall", "オンコール体制と runbook"), ("registry", "Model Registry の運用"),
    ("labeling", "アノテーションと品質管理"), ("cost", "推論コストの見積もりと削減"),
    ("privacy", "推論ログと個人情報の扱い"), ("eval", "オフライン評価とオンライン評価の乖離"),
    ("pipeline", "学習パイプラインのオーケストレーション"), ("gpu", "GPU クラスタの共有と割り当て"),
]
SUBJECTS = ["SRE チーム", "研究チーム", "データエンジニア", "プロダクトの担当者", "運用チーム",
            "ML エンジニア", "法務", "インフラ担当", "data scientist", "PM"]
OBJECTS = ["Prometheus と Grafana", "OpenTelemetry の trace", "MLflow Model Registry",
           "Feature Store", "推論ログ", "バッチ評価ジョブ", "Airflow の DAG", "Kubeflow Pipelines",
           "モデルカード", "アラートのルーティング", "特徴量の分布", "p99 レイテンシ"]
VERBS = ["で一元的に管理すべきだという意見が多かった", "を分けて持つべきだという反論があった",
         "は運用コストが見合わないという指摘があった", "を最初から設計に入れておくべきだと合意した",
         "の扱いについては各社で方針が大きく異なった", "を誰が持つのかが最後まで曖昧だった",
         "は小さく始めて段階的に広げるのが現実的だという結論になった",
         "について具体的な事例が共有された"]
TAILS = ["", "（2024 年の事例）", "。ただし例外もある", "という声もあった", "", "。詳細は後述"]


def _sentence(rng: random.Random) -> str:
    return (f"{rng.choice(SUBJECTS)}の立場では、{rng.choice(OBJECTS)}{rng.choice(VERBS)}"
            f"{rng.choice(TAILS)}。")


def _paragraph(rng: random.Random, sentences: int) -> str:
    return "".join(_sentence(rng) for _ in range(sentences))


def _note(rng: random.Random, number: int, count: int, title: str) -> str:
    other = rng.randint(1, count)
    parts = [
        "---",
        f"title: {title}",
        "scribes:",
        f"  - {rng.choice(['田中', '山本', '佐藤', 'Kim', 'Priya'])}",
        "tags:",
        f"  - {rng.choice(['monitoring', 'handoff', 'drift', 'cost'])}",
        "status: final",
        "---",
        "",
        f"# {title}",
        "",
        "## 概要",
        "",
        _paragraph(rng, 3),
        "",
        _paragraph(rng, 2) + f" 関連: [前の議論]({other:02d}-topic-{other}.md#議論)",
        "",
        "![構成図](images/figure.svg)",
        "",
        "## 議論",
        "",
        _paragraph(rng, 1),
        "",
    ]
    for sub in range(rng.randint(2, 4)):
        parts += [f"### 論点 {sub + 1}: {rng.choice(OBJECTS)}", ""]
        for _ in range(rng.randint(2, 4)):
            parts.append(f"- {_sentence(rng)}")
            for _ in range(rng.randint(0, 2)):
                parts.append(f"  - {_sentence(rng)}")
                if rng.random() < 0.3:
                    parts.append(f"    - {_sentence(rng)}")
        if rng.random() < 0.5:
            parts.append(f"- ★ **{_sentence(rng)}**")
        parts.append("")
    parts += [
        "## 要点",
        "",
        f"- ★ **{_sentence(rng)}**",
        f"- ★ {_sentence(rng)}[^1]",
        f"- {_sentence(rng)}",
        "",
        "## 今後の課題",
        "",
        f"- {_sentence(rng)}",
        f"- {_sentence(rng)}",
        "",
        f"[^1]: {_paragraph(rng, 1)}",
        "",
    ]
    return "\n".join(parts)


def make_archive(root: Path, notes: int, per_session: int = 10, seed: int = 4) -> list[Path]:
    """Write the archive; return the note paths."""
    rng = random.Random(seed)
    (root / "proceedings.toml").write_text(
        'wg_name = "Bench WG"\n[check]\nprivate_terms = ["Project Kestrel"]\n', encoding="utf-8"
    )
    paths: list[Path] = []
    sessions = (notes + per_session - 1) // per_session
    for index in range(sessions):
        day = f"20{10 + index // 300:02d}-{1 + index // 28 % 12:02d}-{1 + index % 28:02d}"
        folder = root / "sessions" / f"{day}-session-{index + 1}"
        (folder / "images").mkdir(parents=True)
        (folder / "images" / "figure.svg").write_text("<svg/>\n", encoding="utf-8")
        (folder / "session.md").write_text(
            f"---\ntitle: 第{index + 1}回 WG セッション\ndate: {day}\nparticipants: 20\n---\n\n"
            f"{_paragraph(rng, 4)}\n", encoding="utf-8",
        )
        count = min(per_session, notes - index * per_session)
        for number in range(1, count + 1):
            slug, title = TOPICS[(index + number) % len(TOPICS)]
            path = folder / f"{number:02d}-topic-{number}.md"
            path.write_text(_note(rng, number, count, f"{title}({index + 1}-{number})"),
                            encoding="utf-8")
            paths.append(path)
    return paths


# --- the tools ------------------------------------------------------------------------------


@dataclass
class Tool:
    name: str
    version: str
    archive: list[str]  # command for the whole archive (run in the archive root)
    files: list[str]  # command prefix; file paths are appended
    note: str = ""
    env: dict = field(default_factory=dict)
    cold: bool = False  # remove proceedings' facts cache before every run


@dataclass
class Result:
    label: str
    times: list[float] = field(default_factory=list)  # wall clock
    cpu: list[float] = field(default_factory=list)  # user + system time of the process tree

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)


def _version(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "?"


def proceedings_tools() -> list[Tool]:
    from proceedings import __version__

    cli = str(BIN / "proceedings")
    hook = [str(BIN / "proceedings-hook")]
    return [
        Tool("proceedings check", __version__, [cli, "check"], [cli, "check"],
             "cold: no facts cache (every note parsed)", cold=True),
        Tool("proceedings check (cache)", __version__, [cli, "check"], [cli, "check"],
             "warm .proceedings-cache from the previous run"),
        Tool("proceedings-hook", __version__, hook, hook,
             "the pre-commit entry (.pre-commit-hooks.yaml), warm cache"),
    ]


def reference_tools() -> list[Tool]:
    """Not checkers: the part of a hook run no checker code can remove on this machine —
    starting Python, and starting it and importing markdown-it."""
    python = str(BIN / "python")
    version = platform.python_version()
    return [
        Tool('python -c "pass"', version, [], [python, "-c", "pass"]),
        Tool('python -c "import markdown_it"', version, [], [python, "-c", "import markdown_it"]),
    ]


def pymarkdown_tool(cache: Path) -> Tool | None:
    venv = cache / "pymarkdown-venv"
    exe = venv / "bin" / "pymarkdown"
    if not exe.exists():
        print(f"installing pymarkdownlnt into {venv} …", file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "pymarkdownlnt"],
                           check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"skipping pymarkdown: cannot install pymarkdownlnt ({exc})", file=sys.stderr)
            return None
    version = _version([str(exe), "version"])
    return Tool("pymarkdown scan", version, [str(exe), "scan", "-r", "sessions"],
                [str(exe), "scan"])


def markdownlint_tool(cache: Path) -> Tool | None:
    prefix = cache / "markdownlint"
    exe = prefix / "node_modules" / ".bin" / "markdownlint-cli2"
    if not exe.exists():
        if shutil.which("npm") is None:
            print("skipping markdownlint-cli2: npm is not installed", file=sys.stderr)
            return None
        print(f"installing markdownlint-cli2 into {prefix} …", file=sys.stderr)
        prefix.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(["npm", "install", "--silent", "--prefix", str(prefix),
                               "markdownlint-cli2"], capture_output=True, text=True)
        if done.returncode != 0 or not exe.exists():
            print(f"skipping markdownlint-cli2: npm install failed ({done.stderr.strip()[:200]})",
                  file=sys.stderr)
            return None
    version = _version([str(exe), "--help"]).replace("markdownlint-cli2 ", "")
    return Tool("markdownlint-cli2", version, [str(exe), "sessions/**/*.md"], [str(exe)])


# --- timing ---------------------------------------------------------------------------------


# Every tool runs as installed software does: with compiled bytecode. A sandbox or CI shell
# may set PYTHONDONTWRITEBYTECODE, which would make every Python process (ours, pymarkdown)
# compile its modules from source on every start (~50 ms for proceedings); the warm-up run
# writes the .pyc files under the bench cache instead of the source tree.
BASE_ENV = {key: value for key, value in os.environ.items()
            if key != "PYTHONDONTWRITEBYTECODE"}


_ORIGINALS: dict[Path, str] = {}
_EDITS = itertools.count(1)


def edit(paths: Sequence[Path]) -> None:
    """What a contributor does before committing: change the notes (one line added to the note
    as generated). Every edit differs, so no tool can reuse an earlier result, and the note
    stays the same size however many rounds run (appending would make it grow by two lines a
    run, three times its size by the last round)."""
    for path in paths:
        original = _ORIGINALS.setdefault(path, path.read_text(encoding="utf-8"))
        path.write_text(f"{original}\n追記 {next(_EDITS)}: コミット前に一文を足した。\n",
                        encoding="utf-8")


def time_once(tool: Tool, command: list[str], cwd: Path, result: Result,
              edited: Sequence[Path] = ()) -> None:
    """One timed run, added to `result`."""
    edit(edited)  # untimed: only the check of the changed notes is measured
    if tool.cold:
        shutil.rmtree(cwd / ".proceedings-cache", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**BASE_ENV, "NO_COLOR": "1", **tool.env})
    result.times.append(time.perf_counter() - started)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


def time_command(tool: Tool, command: list[str], cwd: Path, repeat: int,
                 edited: Sequence[Path] = ()) -> Result:
    result = Result(tool.name)
    for _ in range(repeat):
        time_once(tool, command, cwd, result, edited)
    return result


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="runs per whole-archive timing")
    parser.add_argument("--small-repeat", type=int, default=25,
                        help="runs per 1-5 file timing (short runs vary more)")
    parser.add_argument("--cache", type=Path,
                        default=Path.home() / ".cache" / "proceedings-bench")
    parser.add_argument("--write-docs", action="store_true",
                        help="Replace the check section of docs/benchmarks.md with the results.")
    args = parser.parse_args()
    BASE_ENV.setdefault("PYTHONPYCACHEPREFIX", str(args.cache / "pycache"))

    tools = proceedings_tools()
    competitors = [t for t in (pymarkdown_tool(args.cache), markdownlint_tool(args.cache)) if t]
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        root = Path(tmp)
        notes = make_archive(root, args.notes)
        size = sum(p.stat().st_size for p in notes)
        print(f"archive: {len(notes)} notes in {len(notes) // 10} sessions, "
              f"{size / 1e6:.1f} MB of Markdown", file=sys.stderr)
        five = [p.relative_to(root).as_posix() for p in notes[:5]]
        # scenario: (command for a tool, notes edited before each run). An edited note is
        # what pre-commit usually passes: its facts are not cached, so it is parsed again.
        scenarios = {
            "whole archive": (lambda t: t.archive, []),
            "1 file": (lambda t: t.files + five[:1], []),
            "5 files": (lambda t: t.files + five, []),
            "1 edited file": (lambda t: t.files + five[:1], notes[:1]),
            "5 edited files": (lambda t: t.files + five, notes[:5]),
        }
        results: dict[str, dict[str, Result]] = {"whole archive": {}}
        build, _ = scenarios.pop("whole archive")
        for tool in tools + competitors:
            slow = tool in competitors
            if not slow:  # warm the OS file cache, .pyc files and our facts cache
                time_command(tool, build(tool), root, 1)
            repeat = min(args.repeat, 3) if slow else args.repeat
            results["whole archive"][tool.name] = time_command(tool, build(tool), root, repeat)
        # The 1–5 file runs take a fraction of a second, and this shared machine speeds up
        # and slows down over minutes. So they run in rounds, each tool once per scenario in
        # every round: every row meets the same slow and fast moments. A tool's edited runs
        # come last in its turn and store the new notes' facts, so the next proceedings
        # tool's unchanged runs find them cached, as they would in a repository.
        order = ["1 file", "5 files", "1 edited file", "5 edited files"]
        for scenario in order:
            results[scenario] = {tool.name: Result(tool.name) for tool in tools + competitors}
        references = {tool.name: Result(tool.name) for tool in reference_tools()}
        warm_up = Result("warm-up")
        for tool in tools + competitors:
            for scenario in order:
                build, edited = scenarios[scenario]
                time_once(tool, build(tool), root, warm_up, edited)
        for _ in range(args.small_repeat):
            for tool in tools + competitors:
                for scenario in order:
                    build, edited = scenarios[scenario]
                    time_once(tool, build(tool), root, results[scenario][tool.name], edited)
            for tool in reference_tools():
                time_once(tool, tool.files, root, references[tool.name])
        for scenario, row in [*results.items(), ("for scale", references)]:
            for result in row.values():
                print(f"{scenario:>14}  {result.label:<28} {result.median:7.3f} s wall "
                      f"(min {min(result.times):.3f}), {result.cpu_median:7.3f} s CPU",
                      file=sys.stderr)
    report = render(results, references, tools, competitors, len(notes), size, args.repeat,
                    args.small_repeat)
    print(report)
    if args.write_docs:
        write_docs(report)
    return 0


def render(results, references, tools, competitors, notes: int, size: int, repeat: int,
           small_repeat: int) -> str:
    cold, warm, hook = (t.name for t in tools)
    everyone = tools + competitors
    lines = [
        f"Synthetic archive: {notes} notes ({notes // 10} sessions, {size / 1e6:.1f} MB of "
        f"Japanese Markdown), `benchmarks/bench_check.py --notes {notes} --repeat {repeat} "
        f"--small-repeat {small_repeat}` (medians of {repeat} runs for the whole archive, "
        f"{small_repeat} for 1–5 files).",
        f"Machine: {machine()}; Python {platform.python_version()}; load average before the "
        f"run {os.getloadavg()[0]:.1f}.",
        "Versions: " + "; ".join(f"{t.name} {t.version}" for t in tools[:1] + competitors) + ".",
        "",
        "Median wall clock (and CPU time, user + system, of the whole process tree):",
        "",
        "| scenario | " + " | ".join(f"`{t.name}`" for t in everyone) + " |",
        "|---|" + "---:|" * len(everyone),
    ]
    for scenario, row in results.items():
        digits = 2 if scenario == "whole archive" else 3  # the hook's target is 0.15 s
        cells = [f"{row[t.name].median:.{digits}f} s ({row[t.name].cpu_median:.{digits}f} s CPU)"
                 for t in everyone]
        lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
    if references:
        scale = "; ".join(f"`{name}` {result.median:.3f} s" for name, result in references.items())
        lines += ["", f"For scale, timed in the same rounds as the 1–5 file rows: {scale}. "
                      "That much of a hook run is Python starting and importing the parser."]
        floor = references.get('python -c "import markdown_it"')
        if floor is not None:
            above = "; ".join(
                f"{scenario} {_median_difference(results[scenario][hook], floor) * 1000:.0f} ms"
                for scenario in ("1 edited file", "5 edited files")
            )
            lines += ["", f"`{hook}` above that, per round (median of the differences): "
                          f"{above}: what our modules and the check itself add."]
    lines += ["", "Ratios, competitor / proceedings (> 1: proceedings is faster), wall (CPU):",
              ""]
    for scenario, row in results.items():
        bases = [cold, warm] if scenario == "whole archive" else [hook]
        for base_name in bases:
            base = row[base_name]
            ratios = [f"{t.name} {row[t.name].median / base.median:.1f}× "
                      f"({row[t.name].cpu_median / base.cpu_median:.1f}×)" for t in competitors]
            if ratios:
                lines.append(f"- {scenario}, `{base_name}`: " + ", ".join(ratios))
    return "\n".join(lines) + "\n"


def _median_difference(result: Result, reference: Result) -> float:
    """Median of the per-round differences (both were timed once in every round)."""
    return statistics.median(a - b for a, b in zip(result.times, reference.times, strict=True))


def write_docs(report: str) -> None:
    write_section("bench_check", report, heading="## `proceedings check`")


if __name__ == "__main__":
    sys.exit(main())
