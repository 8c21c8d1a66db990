"""`proceedings build` core: check, compile, render every format, write atomically.

    result = build_proceedings(workspace, BuildOptions(formats=("md", "html")))

1. select the sessions (`--session`, `--since`, `--until`); an empty archive or selection is
   a user error (exit 2);
2. run the checks (`check.check_workspace`); errors stop the build (BuildBlocked, exit 1)
   unless `force`;
3. compile the selection into one Document; compile errors (a missing image …) also stop it;
4. render every format into memory — nothing is written before all of them succeeded;
5. write: each changed file goes to a temporary file beside it first, then all of them are
   renamed into place; unchanged files are not touched (same bytes, same mtime); copied
   assets that no output needs any more are removed from `<output>/assets/`.

Everything comes from the sources — no clock — so unchanged inputs give byte-identical files.
Formats are pluggable: RENDERERS maps a format name to a function of the RenderContext.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from proceedings.atomic import stage_beside
from proceedings.check.engine import check_workspace
from proceedings.compile.document import (
    Asset,
    CompileOptions,
    Document,
    compile_workspace,
    select_sessions,
)
from proceedings.config import check_folder
from proceedings.diagnostics import Diagnostic, Severity
from proceedings.errors import EXIT_FINDINGS, ProceedingsError
from proceedings.load.workspace import Workspace
from proceedings.paths import GIT_DIR, real_inside, relative_posix
from proceedings.publish.provenance import Provenance

OUTPUT_NAMES = {"md": "proceedings.md", "html": "proceedings.html", "pdf": "proceedings.pdf"}
ASSETS_DIR = "assets"


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[str, ...] | None = None  # None: the configured formats that are available
    sessions: tuple[str, ...] = ()  # session folder names (or slugs); empty: all
    since: dt.date | None = None
    until: dt.date | None = None
    output_dir: Path | None = None  # default: <root>/<config.output_dir>
    force: bool = False  # build despite errors
    allow_missing_glyphs: bool = False  # PDF: warn instead of failing on characters no font has
    provenance: Provenance | None = None  # filled by `build --commit` (publish)
    progress: Callable[[str], None] | None = None  # told the name of each step as it starts
    # lays out the PDF (render.pdf.layout_pdf's signature); None: layout_pdf in this process.
    # The CLI passes a helper process that imported WeasyPrint meanwhile (render/helper.py).
    pdf_layout: Callable[..., object] | None = None


@dataclass(frozen=True)
class OutputFile:
    path: Path
    format: str  # md, html, pdf, or "asset"
    size: int
    changed: bool  # False: the file already had exactly these bytes and was not rewritten


@dataclass
class RenderContext:
    """What a renderer gets: the document, its workspace, the options, shared results."""

    workspace: Workspace
    document: Document
    options: BuildOptions
    output_dir: Path
    cache: dict[str, object] = field(default_factory=dict)  # e.g. "markdown": proceedings.md

    @property
    def override_dir(self) -> Path:
        return self.workspace.root / self.workspace.config.templates_dir

    def markdown(self) -> str:
        if "markdown" not in self.cache:
            from proceedings.render.markdown_out import render_markdown

            self.cache["markdown"] = render_markdown(self.document, override_dir=self.override_dir)
        return str(self.cache["markdown"])


@dataclass
class Rendered:
    data: bytes
    diagnostics: list[Diagnostic] = field(default_factory=list)


Renderer = Callable[[RenderContext], Rendered]


def _render_md(ctx: RenderContext) -> Rendered:
    return Rendered(ctx.markdown().encode("utf-8"))


def _render_html(ctx: RenderContext) -> Rendered:
    from proceedings.render.html import render_html

    page = render_html(
        ctx.document, image_mode="embed", override_dir=ctx.override_dir, markdown=ctx.markdown()
    )
    return Rendered(page.encode("utf-8"))


def _render_pdf(ctx: RenderContext) -> Rendered:
    from proceedings.render.pdf import MissingGlyphsError, render_document_pdf

    rel = relative_posix(ctx.output_dir / OUTPUT_NAMES["pdf"], ctx.workspace.root, resolve=True)
    try:
        result = render_document_pdf(
            ctx.workspace, ctx.document, markdown=ctx.markdown(), override_dir=ctx.override_dir,
            allow_missing_glyphs=ctx.options.allow_missing_glyphs, output_rel=rel,
            layout=ctx.options.pdf_layout,
        )
    except MissingGlyphsError as missing:
        blocked = BuildBlocked(missing.diagnostics, "PDF renderer")
        blocked.hint = missing.hint  # the fix is a font (or --allow-missing-glyphs), not --force
        raise blocked from None
    return Rendered(result.data, result.diagnostics)


# Format name -> renderer.
RENDERERS: dict[str, Renderer] = {"md": _render_md, "html": _render_html, "pdf": _render_pdf}


@dataclass
class BuildResult:
    outputs: list[OutputFile]
    assets: list[OutputFile]
    removed: list[Path]  # stale copied assets deleted from <output>/assets
    sessions: list[str]  # session folders built
    notes: int
    key_points: int
    diagnostics: list[Diagnostic]  # checks + compile + render; errors only with force
    skipped_formats: dict[str, str]  # configured format -> why it was not built
    output_dir: Path
    document: Document
    forced: bool = False

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity >= Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == Severity.WARNING]

    @property
    def changed(self) -> bool:
        return any(o.changed for o in self.outputs + self.assets) or bool(self.removed)

    def to_json(self, root: Path | None = None) -> dict:
        def show(path: Path) -> str:
            if root is not None:
                try:
                    return path.relative_to(root).as_posix()
                except ValueError:
                    pass
            return str(path)

        return {
            "output_dir": show(self.output_dir),
            "outputs": [
                {"path": show(o.path), "format": o.format, "size": o.size, "changed": o.changed}
                for o in self.outputs
            ],
            "assets": [
                {"path": show(a.path), "size": a.size, "changed": a.changed} for a in self.assets
            ],
            "removed": [show(p) for p in self.removed],
            "sessions": self.sessions,
            "notes": self.notes,
            "key_points": self.key_points,
            "errors": [d.format() for d in self.errors],
            "warnings": [d.format() for d in self.warnings],
            "skipped_formats": self.skipped_formats,
            "forced": self.forced,
        }


class BuildBlocked(ProceedingsError):
    """The checks (or the compile step) found errors; nothing was written."""

    def __init__(self, diagnostics: list[Diagnostic], stage: str) -> None:
        errors = [d for d in diagnostics if d.severity >= Severity.ERROR]
        noun = "error" if len(errors) == 1 else "errors"
        super().__init__(
            f"{len(errors)} {noun} found by the {stage}; nothing was written",
            hint="fix them (see above), or build anyway with --force",
            exit_code=EXIT_FINDINGS,
        )
        self.diagnostics = diagnostics
        self.errors = errors
        self.stage = stage


def available_formats() -> list[str]:
    return list(RENDERERS)


def resolve_formats(
    requested: tuple[str, ...] | None, configured: list[str]
) -> tuple[list[str], dict[str, str]]:
    """The formats to build and the configured ones skipped (with why).

    Asked for explicitly, an unknown or unavailable format is an error; taken from the
    config, an unavailable one is skipped and reported.
    """
    skipped: dict[str, str] = {}
    if requested:
        chosen: list[str] = []
        for name in requested:
            name = name.strip().lower()
            if not name:
                continue
            if name not in OUTPUT_NAMES:
                raise ProceedingsError(
                    f"unknown output format `{name}`",
                    hint="choose from " + ", ".join(OUTPUT_NAMES),
                )
            if name not in RENDERERS:
                raise ProceedingsError(
                    f"the `{name}` output is not available in this version of proceedings",
                    hint="available: " + ", ".join(available_formats()),
                )
            if name not in chosen:
                chosen.append(name)
        if not chosen:
            raise ProceedingsError("--format names no format", hint="e.g. --format md,html")
        return chosen, skipped
    chosen = []
    for name in configured:
        if name in RENDERERS:
            if name not in chosen:
                chosen.append(name)
        elif name in OUTPUT_NAMES:
            skipped[name] = "not available in this version of proceedings"
        else:
            skipped[name] = "unknown format in build.formats"
    if not configured:
        raise ProceedingsError(
            "build.formats is empty: there is nothing to build",
            hint="list some of " + ", ".join(available_formats()) + ", or pass --format",
        )
    if not chosen:
        raise ProceedingsError(
            "none of the formats in build.formats can be built: " + ", ".join(configured),
            hint="available: " + ", ".join(available_formats()),
        )
    return chosen, skipped


def output_folder(workspace: Workspace, requested: Path | None) -> Path:
    """The real output folder. The configured one must stay in the repository and out of
    .git (symlinks followed); one named with --output (the user's own choice) may be
    anywhere but in a .git folder."""
    if requested is None:
        check_folder(workspace.root, workspace.config, workspace.config_source, "output_dir")
    elif GIT_DIR in Path(os.path.realpath(requested)).parts:
        raise ProceedingsError(
            f"--output {requested} is inside a .git folder",
            hint="git's own files are never an output; choose another folder",
        )
    folder = (requested or workspace.root / workspace.config.output_dir).resolve()
    root = workspace.root.resolve()
    sessions = workspace.sessions_path.resolve()
    if folder == root or folder == sessions or sessions.is_relative_to(folder):
        raise ProceedingsError(
            f"output folder {folder} would mix the proceedings with the notes",
            hint="use a folder of its own, e.g. the default `proceedings/`",
        )
    if folder.is_relative_to(sessions):
        raise ProceedingsError(
            f"output folder {folder} is inside the sessions folder",
            hint="the build would then read its own output as notes; choose another folder",
        )
    if folder.exists() and not folder.is_dir():
        raise ProceedingsError(f"output path {folder} exists and is not a folder")
    return folder


def build_proceedings(workspace: Workspace, options: BuildOptions | None = None) -> BuildResult:
    options = options or BuildOptions()
    step = options.progress or (lambda name: None)
    if not workspace.sessions:
        raise ProceedingsError(
            f"the archive has no sessions yet: {workspace.config.sessions_dir}/ is empty",
            hint="start one with `proceedings new-session`",
        )
    sessions = select_sessions(workspace, options.sessions, options.since, options.until)
    if not sessions:
        raise ProceedingsError(
            "no session matches the selection "
            + _describe_selection(options),
            hint="sessions: " + ", ".join(s.name for s in workspace.sessions),
        )
    formats, skipped = resolve_formats(options.formats, workspace.config.build.formats)
    output_dir = output_folder(workspace, options.output_dir)

    step("check")
    whole = len(sessions) == len(workspace.sessions)
    report = check_workspace(workspace, paths=None if whole else [s.path for s in sessions])
    diagnostics = list(report.diagnostics)
    if report.errors and not options.force:
        raise BuildBlocked(diagnostics, "checks")

    step("compile")
    document = compile_workspace(
        workspace, sessions, CompileOptions(provenance=options.provenance)
    )
    seen = {(d.path, d.line, d.code) for d in diagnostics}
    compiled = [d for d in document.diagnostics if (d.path, d.line, d.code) not in seen]
    diagnostics += compiled
    if any(d.severity >= Severity.ERROR for d in compiled) and not options.force:
        raise BuildBlocked(compiled, "build")

    ctx = RenderContext(workspace, document, options, output_dir)
    rendered: dict[str, bytes] = {}
    for name in formats:
        step(f"render {OUTPUT_NAMES[name]}")
        result = RENDERERS[name](ctx)
        rendered[name] = result.data
        diagnostics += result.diagnostics

    step("write")
    files = [(output_dir / OUTPUT_NAMES[name], rendered[name]) for name in formats]
    asset_files: list[tuple[Path, bytes]] = []
    if {"md", "html"} & set(formats):
        for asset in document.assets:
            if "md" in formats or not asset.image:  # HTML embeds images, links other files
                asset_files.append((output_dir / asset.output, _read_asset(asset)))
    _refuse_links_out(output_dir, files + asset_files)
    changed = write_files(files + asset_files)
    # Only when every output that links to copies was written now: a proceedings.md or .html
    # this build left as it was (say `--format pdf`) may still use the copies it finds.
    kept_outputs = [
        name for name in ("md", "html")
        if name not in formats and (output_dir / OUTPUT_NAMES[name]).exists()
    ]
    removed = [] if kept_outputs else _remove_stale_assets(
        output_dir, {path for path, _ in asset_files}
    )
    outputs = [
        OutputFile(path, name, len(data), flag)
        for (path, data), name, flag in zip(files, formats, changed[: len(files)], strict=True)
    ]
    assets = [
        OutputFile(path, "asset", len(data), flag)
        for (path, data), flag in zip(asset_files, changed[len(files) :], strict=True)
    ]
    return BuildResult(
        outputs=outputs,
        assets=assets,
        removed=removed,
        sessions=[s.name for s in sessions],
        notes=len(document.notes),
        key_points=len(document.key_points),
        diagnostics=sorted(set(diagnostics)),
        skipped_formats=skipped,
        output_dir=output_dir,
        document=document,
        forced=options.force,
    )


def _describe_selection(options: BuildOptions) -> str:
    parts = [f"--session {name}" for name in options.sessions]
    if options.since:
        parts.append(f"--since {options.since.isoformat()}")
    if options.until:
        parts.append(f"--until {options.until.isoformat()}")
    return "(" + " ".join(parts) + ")" if parts else ""


def _read_asset(asset: Asset) -> bytes:
    """What the outputs hold of an asset (an SVG without its scripts, see Asset.data)."""
    try:
        return asset.data()
    except OSError as exc:
        raise ProceedingsError(f"cannot read {asset.source}: {exc.strerror}") from None


def _refuse_links_out(output_dir: Path, files: list[tuple[Path, bytes]]) -> None:
    """Every output is written into the output folder itself: a folder inside it that is a
    symlink leading elsewhere (`assets/ -> ~/.ssh`) stops the build before anything is
    written."""
    real_output = os.path.realpath(output_dir)
    for path, _ in files:
        if not real_inside(os.path.realpath(path.parent), real_output):
            raise ProceedingsError(
                f"{path.parent} leads outside the output folder through a symbolic link",
                hint="remove the link; nothing was written",
            )


def write_files(files: list[tuple[Path, bytes]]) -> list[bool]:
    """Write all files or none: stage each changed one in a temporary file beside it, then
    rename them all into place. Returns, per file, whether it changed."""
    staged: list[tuple[str, Path]] = []
    changed: list[bool] = []
    try:
        for path, data in files:
            if path.is_file() and _same(path, data):
                changed.append(False)
                continue
            changed.append(True)
            staged.append((stage_beside(path, data), path))
        for temp, path in staged:
            os.replace(temp, path)
    except OSError as exc:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise ProceedingsError(
            f"cannot write {exc.filename or 'the outputs'}: {exc.strerror}",
            hint="check that the output folder is writable; no output was changed",
        ) from None
    except BaseException:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise
    return changed


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _remove_stale_assets(output_dir: Path, keep: set[Path]) -> list[Path]:
    """Delete files under <output>/assets that this build did not write (old images)."""
    folder = output_dir / ASSETS_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    removed: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, topdown=False):
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path not in keep:
                path.unlink()
                removed.append(path)
        for name in dirnames:
            sub = Path(dirpath) / name
            if sub.is_dir() and not sub.is_symlink() and not any(sub.iterdir()):
                sub.rmdir()
    if not any(folder.iterdir()):
        folder.rmdir()
    return sorted(removed)
