"""PDF speed: `proceedings build --format pdf` against the tools a WG would otherwise use.

    .venv/bin/python benchmarks/bench_pdf.py                 # sample (7 runs) + large (3 runs)
    .venv/bin/python benchmarks/bench_pdf.py --repeat 1 --copies 14
    .venv/bin/python benchmarks/bench_pdf.py --write-docs    # also update docs/benchmarks.md

For each archive (the bundled sample, and a synthetic one made of `--copies` copies of the
sample's sessions, 300+ pages) it times, in fresh processes:

- ours:     `proceedings build --format pdf` — load, check, compile, Markdown, HTML, PDF —
            as a user runs it, and once more with PROCEEDINGS_PDF_HELPER=0 (no helper
            process: WeasyPrint imported and run in the build process);
- floor:    the `weasyprint` command alone on the very HTML + CSS our build lays out
            (prepared beforehand, not timed) — the least any WeasyPrint-based tool can take;
- pandoc:   `pandoc all.md --toc --pdf-engine=weasyprint` on the same notes concatenated
            (pandoc from Debian: `apt-get install pandoc`; skipped, and said so, if absent).

It prints wall and CPU time (medians of --sample-repeat / --repeat interleaved runs), pages,
pages/s and peak memory (the largest process of the run, from getrusage of the children) and
the ratios the project targets: ours ≤ pandoc+WeasyPrint, ours ≤ 1.15 × floor. Not a test:
timings vary by machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from child_run import run_measured
from docs_section import DOCS, write_section

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

OURS = "proceedings build"
OURS_IN_PROCESS = "proceedings build, no helper"  # PROCEEDINGS_PDF_HELPER=0
FLOOR = "weasyprint alone (floor)"
PANDOC = "pandoc + weasyprint"


@dataclass
class Run:
    seconds: float  # wall time
    cpu: float  # user + system time of every process of the run
    peak_mb: float
    pages: int


def timed(command: list[str], output: Path, env: dict[str, str] | None = None) -> Run:
    output.unlink(missing_ok=True)
    data = run_measured(command, env=env)
    if data["rc"] != 0 or not output.is_file():
        raise SystemExit(f"failed: {' '.join(command)}\n{data['stderr']}")
    if "Failed to load image" in data["stderr"]:  # a lighter PDF would not compare the same
        raise SystemExit(f"images missing: {' '.join(command)}\n{data['stderr']}")
    return Run(data["seconds"], data["cpu"], data["peak_kb"] / 1024, pdf_pages(output))


def pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


# ----------------------------------------------------------------------------- archives


def copy_sample(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(REPO / "sessions", target / "sessions")
    shutil.copy(REPO / "proceedings.toml", target / "proceedings.toml")
    return target


def large_archive(target: Path, copies: int) -> Path:
    """The sample's sessions `copies` times, each copy a year later with its own title."""
    copy_sample(target)
    sessions = target / "sessions"
    originals = sorted(p for p in sessions.iterdir() if p.is_dir())
    for k in range(1, copies):
        for folder in originals:
            year = int(folder.name[:4]) + k
            name = f"{year}{folder.name[4:]}"
            shutil.copytree(folder, sessions / name)
            info = sessions / name / "session.md"
            text = info.read_text("utf-8")
            text = re.sub(r"^date: (\d{4})", f"date: {year}", text, count=1, flags=re.M)
            text = re.sub(r"^title: (.*)$", rf"title: \1（{k + 1} 回目）", text, count=1,
                          flags=re.M)
            info.write_text(text, "utf-8")
    return target


def prepare_floor(root: Path) -> tuple[Path, Path]:
    """The exact HTML and settings CSS `proceedings build` gives WeasyPrint, as files."""
    from proceedings.compile.document import compile_workspace
    from proceedings.config import load_config
    from proceedings.load.workspace import load_workspace
    from proceedings.render.fonts import load_wg_fonts, settings_css
    from proceedings.render.html import render_html
    from proceedings.render.pdf import PRINT_CSS
    from proceedings.templates import template_source_path

    workspace = load_workspace(load_config(root))
    document = compile_workspace(workspace)
    override = root / workspace.config.templates_dir
    css = template_source_path(PRINT_CSS, override).read_text("utf-8")
    page = render_html(document, stylesheet_css=css, image_mode="file", override_dir=override)
    html_path = root / "floor.html"
    html_path.write_text(page, "utf-8")
    faces = load_wg_fonts(root, workspace.config.build.fonts, workspace.config_source)
    css_path = root / "floor-settings.css"
    css_path.write_text(settings_css(faces, workspace.config.build.paper), "utf-8")
    return html_path, css_path


# `![alt](path` with a relative path: not a URL, not absolute, not an anchor.
_RELATIVE_IMAGE = re.compile(r"(!\[[^\]]*\]\()(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)([^)\s]+)")


def concatenate(root: Path) -> Path:
    """What a WG does today: all notes in one Markdown file, session by session.

    Image paths are relative to each note's folder, which the one file no longer shares, and
    pandoc hands WeasyPrint its HTML with them unchanged (`--resource-path` does not help
    there). So each is made absolute, as a WG would have to, and pandoc's PDF has the same
    images as ours."""
    parts: list[str] = []
    folders = sorted(p for p in (root / "sessions").iterdir() if p.is_dir())
    for folder in folders:
        base = folder.resolve().as_posix()
        for note in [folder / "session.md", *sorted(folder.glob("[0-9][0-9]-*.md"))]:
            text = note.read_text("utf-8")
            parts.append(_RELATIVE_IMAGE.sub(rf"\g<1>{base}/\g<2>", text))
    target = root / "all.md"
    target.write_text("\n\n".join(parts), "utf-8")
    return target


def find_pandoc() -> str | None:
    found = shutil.which("pandoc")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("pandoc not found; installing it from Debian (apt-get install pandoc) …")
    subprocess.run(["apt-get", "install", "-y", "-q", "pandoc"], capture_output=True)
    return shutil.which("pandoc")


# ----------------------------------------------------------------------------- runs


def bench(root: Path, repeat: int, pandoc: str | None) -> dict[str, Run]:
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    out = root / "bench-out"
    out.mkdir(exist_ok=True)
    html_path, css_path = prepare_floor(root)
    all_md = concatenate(root)
    ours = [str(BIN / "proceedings"), "build", "--root", str(root), "--format", "pdf",
            "--output", str(out / "ours")]
    # name: (command, output file, extra environment)
    commands: dict[str, tuple[list[str], Path, dict[str, str]]] = {
        OURS: (ours, out / "ours" / "proceedings.pdf", {}),
        OURS_IN_PROCESS: (ours, out / "ours" / "proceedings.pdf",
                          {"PROCEEDINGS_PDF_HELPER": "0"}),
        FLOOR: (
            [str(BIN / "weasyprint"), "-q", "-u", root.as_uri() + "/", "-s", str(css_path),
             str(html_path), str(out / "floor.pdf")],
            out / "floor.pdf", {},
        ),
    }
    if pandoc:
        commands[PANDOC] = (
            [pandoc, str(all_md), "-o", str(out / "pandoc.pdf"), "--pdf-engine=weasyprint",
             "--toc", "-M", "title=Proceedings", "-M", "lang=ja"],
            out / "pandoc.pdf", {},
        )
    for command, output, extra in commands.values():  # warm-up: fonts, files in the page cache
        timed(command, output, {**env, **extra})
    results: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (command, output, extra) in commands.items():  # interleaved: fair to drift
            results[name].append(timed(command, output, {**env, **extra}))
    return {
        name: Run(
            statistics.median(r.seconds for r in runs),
            statistics.median(r.cpu for r in runs),
            max(r.peak_mb for r in runs),
            runs[0].pages,
        )
        for name, runs in results.items()
    }


def breakdown(root: Path) -> list[tuple[str, int]]:
    """Where the extra work goes, in Python function calls (deterministic, unlike time):
    our floor HTML with the features pandoc's PDF lacks taken away one by one, then
    pandoc's own HTML — all laid out by WeasyPrint in this process after a warm-up."""
    import cProfile
    import pstats

    import weasyprint

    html = (root / "floor.html").read_text("utf-8")
    settings = (root / "floor-settings.css").read_text("utf-8")
    base = root.as_uri() + "/"

    def calls(page: str, user_css: str | None = settings) -> int:
        profile = cProfile.Profile()
        profile.enable()
        stylesheets = [weasyprint.CSS(string=user_css)] if user_css else []
        weasyprint.HTML(string=page, base_url=base).write_pdf(stylesheets=stylesheets)
        profile.disable()
        return pstats.Stats(profile).total_calls

    steps = [
        ("our document, as built", lambda h: h),
        ("− page numbers in the digest",
         lambda h: h.replace('content: " → " target-counter(attr(href), page);', "")),
        ("− page numbers and leaders in the TOC",
         lambda h: re.sub(r'content: leader\([^)]*\) target-counter\(attr\(href\), page\);',
                          "", h)),
        ("− images", lambda h: re.sub(r"<img [^>]*>", "", h)),
        ("− cover, digest and colophon", lambda h: re.sub(
            r'<section class="(?:cover|digest|colophon)".*?</section>', "", h, flags=re.S)),
    ]
    calls(html)  # warm-up: imports and caches
    rows: list[tuple[str, int]] = []
    page = html
    for label, change in steps:
        page = change(page)
        rows.append((label, calls(page)))
    pandoc = shutil.which("pandoc")
    if pandoc:
        target = root / "pandoc-only.html"
        subprocess.run(
            [pandoc, str(root / "all.md"), "-s", "--toc", "-M", "title=Proceedings",
             "-M", "lang=ja", "-o", str(target)], capture_output=True, check=True,
        )
        rows.append(("pandoc's HTML for the same notes", calls(target.read_text("utf-8"), None)))
    return rows


def versions(pandoc: str | None) -> dict[str, str]:
    import weasyprint
    from weasyprint.text.ffi import harfbuzz_subset, pango

    number = pango.pango_version()
    found = {
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "pango": f"{number // 10000}.{number // 100 % 100}.{number % 100}",
        "harfbuzz-subset": "yes" if harfbuzz_subset is not None else "no (fontTools fallback)",
    }
    if pandoc:
        found["pandoc"] = subprocess.run(
            [pandoc, "--version"], capture_output=True, text=True
        ).stdout.split("\n")[0].removeprefix("pandoc ")
    return found


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with_name = Path("/proc/cpuinfo")
    if with_name.is_file():
        for line in with_name.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        kb = int(meminfo.read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.1f} GiB RAM"
    return f"{cpu}, {os.cpu_count()} CPUs{memory}, {platform.system()} {platform.release()}"


def report(results: dict[str, dict[str, Run]], info: dict[str, str], repeats: str,
           pandoc_note: str, work: list[tuple[str, int]]) -> str:
    lines = [
        "## PDF (`benchmarks/bench_pdf.py`)",
        "",
        "`proceedings build --format pdf` (everything: load, check, compile, Markdown, HTML,",
        "PDF) against WeasyPrint alone on the same HTML and CSS (the floor) and against",
        "`pandoc --toc --pdf-engine=weasyprint` on the same notes concatenated. A fresh process",
        f"per run after one warm-up, median of {repeats} interleaved runs. *CPU* is user +",
        "system time of all processes of a run; the ratios give wall time first (what a user",
        "waits for, and what the targets are about) and CPU time after it. *no helper* is the",
        "same build with `PROCEEDINGS_PDF_HELPER=0`: WeasyPrint imported and run in the build",
        "process instead of a helper forked at the start (render/helper.py). Peak memory is",
        "the largest single process of a run.",
        "",
        f"Machine: {machine()}. " + ", ".join(f"{k} {v}" for k, v in info.items()) + ".",
        "",
        "| archive | tool | pages | wall | CPU | pages/s (CPU) | peak memory |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    ratios = []
    for archive, runs in results.items():
        for name, run in runs.items():
            lines.append(
                f"| {archive} | {name} | {run.pages} | {run.seconds:.2f} s | {run.cpu:.2f} s | "
                f"{run.pages / run.cpu:.1f} | {run.peak_mb:.0f} MB |"
            )
        floor = runs[FLOOR]
        for name in (OURS, OURS_IN_PROCESS):
            ours = runs[name]
            ratio = (f"- {archive}, {name}: / floor = **{ours.seconds / floor.seconds:.2f}** wall "
                     f"({ours.cpu / floor.cpu:.2f} CPU)")
            if PANDOC in runs:
                pandoc = runs[PANDOC]
                ratio += (f"; / pandoc+WeasyPrint = **{ours.seconds / pandoc.seconds:.2f}** "
                          f"wall ({ours.cpu / pandoc.cpu:.2f} CPU)")
            ratios.append(ratio)
    lines += ["", "Ratios (targets: ≤ 1.15 against the floor, ≤ 1.00 against pandoc):", "",
              *ratios, ""]
    if pandoc_note:
        lines += [pandoc_note, ""]
    lines += [
        "pandoc's PDF has no page numbers in its table of contents, no digest, cover or",
        "colophon. It has the same images: the concatenated file gives their absolute paths.",
        "",
        "The floor's HTML is ours, so print.css's cheaper list bullets (background images,",
        "not `::marker` boxes) and TOC leaders (four dots per repetition) speed up both.",
    ]
    if work:
        full = work[0][1]
        lines += [
            "",
            "Where the difference goes, on the sample (WeasyPrint's work in Python function",
            "calls — deterministic, unlike time — as features are taken away one by one):",
            "",
            "| document | calls | share of ours |",
            "|---|---:|---:|",
            *[f"| {label} | {count / 1e6:.2f} M | {count / full:.0%} |" for label, count in work],
        ]
    return "\n".join(lines) + "\n"


def write_docs(section: str) -> None:
    write_section("bench_pdf", section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool, large archive")
    parser.add_argument("--sample-repeat", type=int, default=7,
                        help="runs per tool on the sample (short runs vary more)")
    parser.add_argument("--copies", type=int, default=15, help="sample copies in the large one")
    parser.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()

    pandoc = find_pandoc()
    pandoc_note = "" if pandoc else (
        "pandoc was not found and could not be installed (`apt-get install pandoc`); its "
        "column is missing."
    )
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    try:
        archives = {
            "sample": copy_sample(work / "sample"),
            f"large ({args.copies}× sample)": large_archive(work / "large", args.copies),
        }
        results = {}
        for name, root in archives.items():
            print(f"benchmarking {name} …", flush=True)
            repeat = args.sample_repeat if name == "sample" else args.repeat
            results[name] = bench(root, repeat, pandoc)
        work = breakdown(archives["sample"])
        repeats = f"{args.sample_repeat} (sample) or {args.repeat} (large)"
        section = report(results, versions(pandoc), repeats, pandoc_note, work)
        print()
        print(section)
        if args.write_docs:
            write_docs(section)
            print(f"updated {DOCS.relative_to(REPO)}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
