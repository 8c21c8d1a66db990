"""Running `proceedings check` and presenting the result — shared by the Typer command
(`proceedings check`) and the fast pre-commit entry (`proceedings-hook`, or
`python -m proceedings.check.hook`).

It lives outside `proceedings.cli` on purpose: importing that package loads Typer and every
command, which costs more than a whole pre-commit run is allowed to take. Rich is imported only
when the output is a terminal; piped output is plain text written directly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from proceedings import codes
from proceedings.check.engine import CheckReport, check_archive, check_workspace, sessions_to_load
from proceedings.check.options import FAIL_ON, OUTPUT_FORMATS, CheckOptions
from proceedings.config import LoadedConfig, load_config
from proceedings.diagnostics import Diagnostic, Severity
from proceedings.errors import EXIT_FINDINGS, EXIT_OK, ProceedingsError
from proceedings.i18n import _, ngettext
from proceedings.load.source import lf_text
from proceedings.load.workspace import load_workspace
from proceedings.paths import read_inside, within
from proceedings.text import file_count
from proceedings.visible import visible


def split_codes(values: Sequence[str] | None) -> list[str] | None:
    """`--select C4,S3 --select X` -> ["C4", "S3", "X"]; None stays None."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def run_check(options: CheckOptions, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Load, check (and fix), print; return the exit code. Raises ProceedingsError (exit 2)."""
    out = out or sys.stdout
    err = err or sys.stderr
    if options.output_format not in OUTPUT_FORMATS:
        raise ProceedingsError(
            _("--format must be one of {choices}, not {value!r}").format(
                choices=", ".join(OUTPUT_FORMATS), value=options.output_format)
        )
    if options.fail_on is not None and options.fail_on not in FAIL_ON:
        raise ProceedingsError(
            _("--fail-on must be one of {choices}, not {value!r}").format(
                choices=", ".join(FAIL_ON), value=options.fail_on)
        )
    loaded = load_config(options.root)
    fail_on = Severity.parse(options.fail_on or loaded.config.check.fail_on)
    select = split_codes(options.select)
    ignore = split_codes(options.ignore) or []
    if not options.paths and not (options.fix or options.diff):
        # The whole archive: split across processes (the findings are the same).
        report = check_archive(loaded, select=select, ignore=ignore)
        return _present(report, loaded.root, fail_on, options, out)
    with _front_matter_cache(loaded.root, bool(options.paths)):
        return _checkfile_count(loaded, options, fail_on, select, ignore, out, err)


@contextmanager
def _front_matter_cache(root: Path, wanted: bool) -> Iterator[None]:
    """Reuse front matter parsed by earlier runs (see facts_cache.py) for a run on some files
    — the pre-commit case, where importing PyYAML would be a sixth of the time budget."""
    from proceedings.check import cache
    from proceedings.load import cache as cache_store
    from proceedings.load import source

    if not wanted or not cache_store.enabled():
        yield
        return
    source.front_matter_cache = stored = cache.load_front_matter(root)
    try:
        yield
    finally:
        source.front_matter_cache = None
        cache.save_front_matter(root, stored)


def _checkfile_count(
    loaded: LoadedConfig,
    options: CheckOptions,
    fail_on: Severity,
    select: list[str] | None,
    ignore: list[str],
    out: TextIO,
    err: TextIO,
) -> int:
    workspace = load_workspace(loaded, sessions_to_load(loaded, options.paths))
    report = check_workspace(workspace, paths=options.paths or None, select=select, ignore=ignore)

    if options.fix or options.diff:
        from proceedings.check.fix import apply_fixes, plan_fixes

        fixes = plan_fixes(workspace, report, options.paths or None)
        stream = out if options.output_format == "text" else err
        for refused in (f for f in fixes if f.refused):
            stream.write(_("{path}: not fixed: {reason}.").format(
                path=refused.rel, reason=refused.refused) + "\n")
        fixes = [f for f in fixes if not f.refused]
        fixed = sum(len(f.fixed) for f in fixes)
        if options.diff:
            for fix in fixes:  # the notes' own lines, so shown like any quoted text
                diff = fix.diff()
                out.write("".join(visible(line) + "\n" for line in diff.split("\n")[:-1]))
            if fixes:
                out.write(_("Would fix {problems} in {files} (nothing written; run with --fix "
                            "to apply).").format(problems=_problems(fixed),
                                                 files=file_count(len(fixes))) + "\n")
            else:
                out.write(_("Nothing to fix.") + "\n")
            return EXIT_FINDINGS if fixes else EXIT_OK
        apply_fixes(fixes, workspace)
        if fixes:
            stream.write(_("Fixed {problems} in {files}.").format(
                problems=_problems(fixed), files=file_count(len(fixes))) + "\n")
            workspace = load_workspace(loaded, sessions_to_load(loaded, options.paths))
            report = check_workspace(
                workspace, paths=options.paths or None, select=select, ignore=ignore
            )

    return _present(report, workspace.root, fail_on, options, out)


def _present(
    report: CheckReport, root: Path, fail_on: Severity, options: CheckOptions, out: TextIO
) -> int:
    if options.output_format == "json":
        from proceedings.check.report_formats import to_json

        out.write(to_json(report, root=root, fail_on=fail_on))
    elif options.output_format == "github":
        from proceedings.check.report_formats import to_github

        out.write(to_github(report))
    elif options.output_format == "sarif":
        from proceedings.check.report_formats import to_sarif

        out.write(to_sarif(report, root=root))
    else:
        present_text(report, root, fail_on, show_source=options.show_source, out=out,
                     fix_scope=options.paths)
    return EXIT_FINDINGS if report.failed(fail_on) else EXIT_OK


# --- text output ---------------------------------------------------------------------------

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _use_colour(out: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def present_text(
    report: CheckReport, root: Path, fail_on: Severity, *, show_source: bool, out: TextIO,
    fix_scope: Sequence[Path] = (),
) -> None:
    """`path:line:col: CODE message (hint)` per finding, then a one-line summary. The
    summary counts the findings `--fix` with the same paths (`fix_scope`) would fix.
    Paths, messages and source lines are shown through `visible()`: one line each, with
    control and bidi characters escaped and nothing a CI runner would take as a command."""
    sources = _Sources(root)
    summary = summary_line(report, fail_on, _fixable_count(report, root, fix_scope))
    if _use_colour(out):
        _present_rich(report, sources if show_source else None, summary, fail_on, out)
        return
    for diagnostic in report.diagnostics:
        out.write(visible(diagnostic.format()) + "\n")
        if show_source:
            out.write("".join(line + "\n" for line in _source_lines(diagnostic, sources)))
    out.write(summary + "\n")


def _present_rich(
    report: CheckReport, sources: _Sources | None, summary: str, fail_on: Severity,
    out: TextIO,
) -> None:
    from rich.text import Text

    from proceedings.visible import make_console

    console = make_console(file=out, highlight=False, soft_wrap=True)
    for d in report.diagnostics:
        line = Text.assemble(
            (visible(d.path), "bold"), (f":{d.line}:{d.col}:", "dim"), " ",
            (d.code, _STYLE[d.severity]), " ", visible(d.message),
        )
        if d.hint:
            line.append(f" ({visible(d.hint)})", "dim")
        console.print(line)
        for source_line in _source_lines(d, sources):
            console.print(Text(source_line, "cyan" if "^" in source_line.split("|")[-1] else ""))
    style = "bold red" if report.failed(fail_on) else ("yellow" if report.diagnostics
                                                        else "bold green")
    console.print(Text(summary, style))


class _Sources:
    """File lines for --show-source, read on first use (as the loader decodes them). Only
    repository content is shown: a file that is a link out of the repository (F107) is not
    read, nor is a pipe or a device."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.lines: dict[str, list[str] | None] = {}

    def get(self, rel: str) -> list[str] | None:
        if rel not in self.lines:
            try:
                text: str | None = read_inside(self.root / rel, self.root).decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                text = None
            self.lines[rel] = lf_text(text).split("\n") if text is not None else None
        return self.lines[rel]


def _source_lines(diagnostic: Diagnostic, sources: _Sources | None) -> list[str]:
    if diagnostic.code == "F108":  # too large to be read, so not shown either
        return []
    lines = sources.get(diagnostic.path) if sources is not None else None
    if lines is None or not 0 < diagnostic.line <= len(lines):
        return []
    text = lines[diagnostic.line - 1].replace("\t", " ")
    number = str(diagnostic.line)
    gutter = " " * len(number)
    pad = " " * cell_width(visible(text[: max(diagnostic.col - 1, 0)]))
    return [f" {number} | {visible(text)}", f" {gutter} | {pad}^"]


def cell_width(text: str) -> int:
    """Terminal cells `text` takes: wide (CJK) characters take two, marks none."""
    import unicodedata  # only for --show-source

    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def summary_line(report: CheckReport, fail_on: Severity, fixable: int) -> str:
    """`Found 4 errors, 1 warning, 0 info in 1 file; 2 fixable with --fix — fails
    (--fail-on error).` (or `All clear: …`), each part a whole sentence in the catalog."""
    files = file_count(report.files)
    if not report.diagnostics:
        text = _("All clear: {files} checked, no problems").format(files=files)
    else:
        counts = _("{errors}, {warnings}, {infos}").format(
            errors=ngettext("{count} error", "{count} errors", report.errors).format(
                count=report.errors),
            warnings=ngettext("{count} warning", "{count} warnings", report.warnings).format(
                count=report.warnings),
            infos=ngettext("{count} info", "{count} info", report.infos).format(
                count=report.infos),
        )
        # "in 0 files" would read oddly when only a stray file (say .DS_Store) was given.
        if report.files:
            text = _("Found {counts} in {files}").format(counts=counts, files=files)
        else:
            text = _("Found {counts}").format(counts=counts)
        if fixable:
            text = _("{found}; {fixable} fixable with --fix").format(found=text, fixable=fixable)
        if report.failed(fail_on):
            text = _("{found} — fails (--fail-on {fail_on})").format(
                found=text, fail_on=str(fail_on))
        else:
            text = _("{found} — passes (--fail-on {fail_on})").format(
                found=text, fail_on=str(fail_on))
    if report.suppressed:
        return _("{summary}; {suppressed} suppressed by disable comments.").format(
            summary=text, suppressed=report.suppressed)
    return _("{summary}.").format(summary=text)


def _problems(count: int) -> str:
    return ngettext("{count} problem", "{count} problems", count).format(count=count)


def _fixable_count(report: CheckReport, root: Path, fix_scope: Sequence[Path]) -> int:
    """Findings `--fix` would fix: of a fixable code, in a file it may change (with paths,
    only the files given or inside the folders given; see fix.plan_fixes)."""
    chosen = within(fix_scope)
    return sum(1 for d in report.diagnostics
               if _fixable(d) and (chosen is None or chosen(root / d.path)))


def _fixable(diagnostic: Diagnostic) -> bool:
    try:
        return codes.get(diagnostic.code).fixable
    except KeyError:
        return False
