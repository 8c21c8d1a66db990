"""`proceedings build`: the editor's command.

The command is three steps, each replaceable: `make_options` (command line -> BuildOptions),
`run_build` (load + build, with a progress display), `present` (Rich or --json). Commands
that build more (e.g. committing the outputs) reuse them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from proceedings.cli.common import (
    JsonOption,
    RootOption,
    console,
    display_path,
    err_console,
    error_line,
    escape,
    handle_errors,
    load,
    print_json,
)
from proceedings.cli.publish_step import (
    AllowDetachedOption,
    AllowDirtyOption,
    CommitOption,
    MessageOption,
    PushOption,
    RemoteOption,
    show,
)
from proceedings.diagnostics import Diagnostic, Severity
from proceedings.errors import EXIT_FINDINGS, ProceedingsError
from proceedings.i18n import _, ngettext
from proceedings.load import schema
from proceedings.load.workspace import Workspace, load_workspace
from proceedings.publish.publishing import Publishing

if TYPE_CHECKING:  # the build core (WeasyPrint and all) loads only when building
    from proceedings.config import LoadedConfig
    from proceedings.render.build import BuildBlocked, BuildOptions, BuildResult

SessionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--session", metavar="NAME",
        help="Build only this session (folder name or slug). Repeatable.",
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", metavar="DATE", help="Only sessions on or after DATE (YYYY-MM-DD)."),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", metavar="DATE", help="Only sessions on or before DATE (YYYY-MM-DD)."),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format", metavar="FORMATS",
        help="Comma-separated outputs, e.g. md,html,pdf (default: build.formats).",
    ),
]
OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output", metavar="DIR", file_okay=False,
        help="Write here instead of the configured output folder.",
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Build even if the checks find errors or an output was edited by hand (the "
        "edit is overwritten); render every output again.",
    ),
]
AllowMissingGlyphsOption = Annotated[
    bool,
    typer.Option(
        "--allow-missing-glyphs",
        help="PDF: only warn when a character has no font (it prints as an empty box).",
    ),
]


@handle_errors
def build(
    root: RootOption = None,
    session: SessionOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    formats: FormatOption = None,
    output: OutputOption = None,
    force: ForceOption = False,
    allow_missing_glyphs: AllowMissingGlyphsOption = False,
    commit: CommitOption = False,
    push: PushOption = False,
    remote: RemoteOption = None,
    message: MessageOption = None,
    allow_dirty: AllowDirtyOption = False,
    allow_detached: AllowDetachedOption = False,
    as_json: JsonOption = False,
) -> None:
    """Build the proceedings: one Markdown, HTML and PDF document of all sessions.

    Runs the checks first and stops on errors (exit 1) unless --force; stops too, writing
    nothing, when an output was edited by hand since the last build (--force overwrites it).
    The PDF also stops on characters no installed font can draw, unless
    --allow-missing-glyphs. An output whose inputs are unchanged is not rendered again, and
    unchanged files are not rewritten.

    With --commit, only the outputs are committed to git (--push pushes the branch too);
    unsafe repository states are refused before building. See docs/publish.md.
    """
    publishing = Publishing(commit, push, remote, message, allow_dirty, allow_detached)
    options = make_options(
        session, since, until, formats, output, force, allow_missing_glyphs=allow_missing_glyphs
    )
    with _commit_lock(root, options, commit):
        result = run_build(root, options, as_json=as_json, prepare=publishing.prepare)
        outcome = publishing.publish(result)
    if as_json and commit:
        print_json(result.to_json(result.document.root) | {"publish": outcome.to_json()})
    else:
        present(result, as_json=as_json)
        show(outcome)
    if outcome.exit_code:
        raise typer.Exit(outcome.exit_code)


def _commit_lock(
    root: Path | None, options: BuildOptions, commit: bool
) -> contextlib.AbstractContextManager[None]:
    """With --commit, the build lock is held until the commit is made too, so no other build
    can replace the outputs between writing and committing them."""
    if not commit:
        return contextlib.nullcontext()
    from proceedings.render.build import build_lock

    def waiting(step: str | None) -> None:
        if step is not None:
            err_console.print(f"[dim]{escape(step)} …[/]")

    return build_lock(load(root).root, dataclasses.replace(options, progress=waiting))


def make_options(
    session: list[str] | None,
    since: str | None,
    until: str | None,
    formats: str | None,
    output: Path | None,
    force: bool,
    allow_missing_glyphs: bool = False,
) -> BuildOptions:
    from proceedings.render.build import BuildOptions

    return BuildOptions(
        allow_missing_glyphs=allow_missing_glyphs,
        formats=tuple(f for f in formats.split(",")) if formats is not None else None,
        sessions=tuple(session or ()),
        since=_date(since, "--since"),
        until=_date(until, "--until"),
        output_dir=output,
        force=force,
    )


def _date(value: str | None, option: str) -> dt.date | None:
    return None if value is None else schema.parse_date_option(value, option)


def run_build(
    root: Path | None,
    options: BuildOptions,
    *,
    as_json: bool = False,
    prepare: Callable[[Workspace, BuildOptions], BuildOptions] | None = None,
) -> BuildResult:
    """Load the workspace and build, showing progress on a terminal. Blocked builds list
    their errors and exit 1. `prepare` (e.g. git checks and provenance) runs after loading."""
    from proceedings.render.build import BuildBlocked, build_lock, build_proceedings
    from proceedings.render.helper import pdf_layout

    loaded = load(root)
    show = not as_json and console.is_terminal and err_console.is_terminal
    # The PDF helper is forked first, while this process has no other thread (Rich's
    # progress display starts one).
    with pdf_layout(_wants_pdf(options, loaded)) as layout, _progress(show) as step:
        # One build of a WG root at a time, from before the notes are read: a build that
        # started later (newer notes) never has its outputs replaced by an earlier one's.
        with build_lock(loaded.root, dataclasses.replace(options, progress=step)):
            step(_("load"))
            workspace = load_workspace(loaded)
            if prepare is not None:
                step(_("git"))
                options = prepare(workspace, options)
            try:
                return build_proceedings(
                    workspace, dataclasses.replace(options, progress=step, pdf_layout=layout)
                )
            except BuildBlocked as blocked:
                step(None)
                _report_blocked(blocked, as_json)
                raise typer.Exit(EXIT_FINDINGS) from None


def _wants_pdf(options: BuildOptions, loaded: LoadedConfig) -> bool:
    """Whether to start the PDF helper: a PDF is to be built and probably laid out (an
    unchanged PDF is not, and then nothing imports WeasyPrint)."""
    from proceedings.render.build import pdf_may_render, resolve_formats

    try:
        formats, _unused = resolve_formats(options.formats, loaded.config.build.formats)
    except ProceedingsError:
        return False  # the build reports it
    return "pdf" in formats and pdf_may_render(loaded, options)


def _report_blocked(blocked: BuildBlocked, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "blocked": blocked.stage,
                "errors": [d.format() for d in blocked.errors],
                "warnings": [
                    d.format() for d in blocked.diagnostics if d.severity == Severity.WARNING
                ],
            }
        )
        return
    for diagnostic in blocked.diagnostics:
        err_console.print(_line(diagnostic))
    err_console.print(error_line(escape(str(blocked))))


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str | None], None]]:
    """A step function: each call finishes the previous step and starts the named one."""
    if not enabled:
        yield lambda name: None
        return
    progress = Progress(
        SpinnerColumn(finished_text="[green]✓[/]"),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    )
    current: list[TaskID] = []

    def step(name: str | None) -> None:
        if current:
            progress.update(current.pop(), completed=1)
        if name is not None:
            current.append(progress.add_task(escape(name), total=1))

    with progress:
        try:
            yield step
        finally:
            step(None)


def present(result: BuildResult, *, as_json: bool = False) -> None:
    root = result.document.root
    if as_json:
        print_json(result.to_json(root))
        return
    for diagnostic in result.diagnostics:
        if diagnostic.severity >= Severity.WARNING:
            console.print(_line(diagnostic), soft_wrap=True)  # one finding, one line
    for name, why in result.skipped_formats.items():
        console.print(_("[yellow]note:[/] {name} not built: {why}").format(
            name=escape(name), why=escape(why)))
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column("file", overflow="fold")
    table.add_column("size", justify="right")
    table.add_column("state")
    for output in result.outputs:
        state = _("[green]written[/]") if output.changed else _("[dim]unchanged[/]")
        shown = display_path(output.path, root, Path.cwd())
        table.add_row(escape(shown), _size(output.size), state)
    if result.assets:
        written = sum(1 for a in result.assets if a.changed)
        total = sum(a.size for a in result.assets)
        state = (_("[green]{count} written[/]").format(count=written) if written
                 else _("[dim]unchanged[/]"))
        folder = display_path(result.output_dir / "assets", root, Path.cwd())
        files = ngettext("{folder}/ ({count} file)", "{folder}/ ({count} files)",
                         len(result.assets))
        table.add_row(escape(files.format(folder=folder, count=len(result.assets))),
                      _size(total), state)
    console.print(table)
    if result.removed:
        console.print(_("[dim]removed {count} stale asset(s)[/]").format(
            count=len(result.removed)))
    if result.recovered:
        console.print(
            _("[yellow]note:[/] completed the write of an interrupted earlier build "
              "({count} file(s)) before building").format(count=len(result.recovered))
        )
    console.print(_summary(result))


def _summary(result: BuildResult) -> str:
    """`2 sessions, 5 topics, 12 key points`, and what is worth knowing about the build."""
    sessions, notes, key_points = len(result.sessions), result.notes, result.key_points
    summary = _("{sessions}, {topics}, {key_points}").format(
        sessions=ngettext("{count} session", "{count} sessions", sessions).format(
            count=sessions),
        topics=ngettext("{count} topic", "{count} topics", notes).format(count=notes),
        key_points=ngettext("{count} key point", "{count} key points", key_points).format(
            count=key_points),
    )
    if not result.changed:
        summary = _("{summary} — nothing changed").format(summary=summary)
    if result.forced and result.errors:
        summary = _("{summary} [red](built with --force despite errors)[/]").format(
            summary=summary)
    return summary




def _line(diagnostic: Diagnostic) -> str:
    colour = {Severity.ERROR: "red", Severity.WARNING: "yellow"}.get(diagnostic.severity, "dim")
    return f"[{colour}]{escape(diagnostic.format())}[/]"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
