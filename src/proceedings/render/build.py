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

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from proceedings.atomic import (
    MANIFEST_NAME,
    LockTimeout,
    Manifest,
    ManifestError,
    OutputWriteError,
    exclusive_lock,
    read_manifest,
    read_plain,
    recover,
    sha256,
    write_output_set,
)
from proceedings.check.engine import check_workspace
from proceedings.compile.document import (
    MANIFEST_IGNORED,
    Asset,
    CompileOptions,
    Document,
    compile_workspace,
    select_sessions,
)
from proceedings.config import check_folder
from proceedings.diagnostics import Diagnostic, Severity
from proceedings.errors import EXIT_FINDINGS, ProceedingsError
from proceedings.load.workspace import Session, Workspace
from proceedings.paths import GIT_DIR, real_inside, relative_posix
from proceedings.publish.provenance import Provenance
from proceedings.render.fingerprint import input_fingerprints

OUTPUT_NAMES = {"md": "proceedings.md", "html": "proceedings.html", "pdf": "proceedings.pdf"}
ASSETS_DIR = "assets"
# Room above build.max_output_ratio × the sources, for what every build adds whatever the
# notes: the PDF's fonts, the stylesheets, the cover, contents and colophon.
OUTPUT_ALLOWANCE = 10_000_000


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[str, ...] | None = None  # None: the configured formats that are available
    sessions: tuple[str, ...] = ()  # session folder names (or slugs); empty: all
    since: dt.date | None = None
    until: dt.date | None = None
    output_dir: Path | None = None  # default: <root>/<config.output_dir>
    # build despite errors, overwrite outputs edited by hand, render every output again
    force: bool = False
    allow_missing_glyphs: bool = False  # PDF: warn instead of failing on characters no font has
    provenance: Provenance | None = None  # filled by `build --commit` (publish)
    progress: Callable[[str], None] | None = None  # told the name of each step as it starts
    # lays out the PDF (render.pdf.layout_pdf's signature); None: layout_pdf in this process.
    # The CLI passes a helper process that imported WeasyPrint meanwhile (render/helper.py).
    pdf_layout: Callable[..., object] | None = None
    # how long to wait for another build of the same WG root to finish (see build_lock)
    lock_timeout: float = 120.0


@dataclass(frozen=True)
class OutputFile:
    path: Path
    format: str  # md, html, pdf, or "asset"
    size: int
    changed: bool  # False: the file already had exactly these bytes and was not rewritten
    # False: its inputs were those recorded for the file on disk, so it was not made again
    rendered: bool = True


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
    # files read while rendering, relative to the real WG root (the PDF's images and fonts)
    fetched: list[str] = field(default_factory=list)


Renderer = Callable[[RenderContext], Rendered]


def _render_md(ctx: RenderContext) -> Rendered:
    # The HTML and PDF read the dialect; the file itself is for GitHub unless the WG asks for
    # the Pandoc dialect (docs/build.md, "Markdown flavour").
    text = ctx.markdown()
    if ctx.workspace.config.build.markdown_flavor == "github":
        from proceedings.render.github import to_github

        text = to_github(text)
    return Rendered(text.encode("utf-8"))


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
    return Rendered(result.data, result.diagnostics, list(result.fetched))


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
    manifest: OutputFile | None = None  # the record of the files this build owns
    recovered: list[Path] = field(default_factory=list)  # a killed build's files, completed

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity >= Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == Severity.WARNING]

    @property
    def changed(self) -> bool:
        files = self.outputs + self.assets + ([self.manifest] if self.manifest else [])
        return any(o.changed for o in files) or bool(self.removed)

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
                {"path": show(o.path), "format": o.format, "size": o.size, "changed": o.changed,
                 "rendered": o.rendered}
                for o in self.outputs
            ],
            "assets": [
                {"path": show(a.path), "size": a.size, "changed": a.changed} for a in self.assets
            ],
            "removed": [show(p) for p in self.removed],
            "manifest": show(self.manifest.path) if self.manifest else None,
            "recovered": [show(p) for p in self.recovered],
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


def _build(workspace: Workspace, options: BuildOptions) -> BuildResult:
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
    asset_files: list[tuple[Path, bytes]] = []
    if {"md", "html"} & set(formats):
        for asset in document.assets:
            if "md" in formats or not asset.image:  # HTML embeds images, links other files
                asset_files.append((output_dir / asset.output, _read_asset(asset)))
    previous = _previous_manifest(output_dir)
    on_disk = {
        name: read_plain(output_dir, OUTPUT_NAMES[name]) if previous is not None else None
        for name in formats
    }
    if not options.force:
        _refuse_hand_edits(workspace, output_dir, previous, on_disk, asset_files)
    step("compare inputs")
    prints = input_fingerprints(workspace, sessions, document, options, formats)
    reused = {} if options.force else _unchanged_outputs(previous, on_disk, prints)
    if any(name not in reused for name in formats):
        _check_estimated_size(ctx, sessions, [name for name in formats if name not in reused])
    rendered: dict[str, bytes] = {}
    inputs: dict[str, str] = {}
    covered = _fingerprinted_paths(workspace, sessions, document)
    for name in formats:
        if name in reused:
            rendered[name] = reused[name]
            inputs[OUTPUT_NAMES[name]] = prints[name]
            continue
        step(f"render {OUTPUT_NAMES[name]}")
        result = RENDERERS[name](ctx)
        rendered[name] = result.data
        diagnostics += result.diagnostics
        # Recorded only when rendering it again would add nothing: no warning to repeat,
        # and nothing read that the fingerprint does not cover (a file a WG's print.css
        # names elsewhere in the repository).
        if not result.diagnostics and all(covered(rel) for rel in result.fetched):
            inputs[OUTPUT_NAMES[name]] = prints[name]

    step("write")
    files = [(output_dir / OUTPUT_NAMES[name], rendered[name]) for name in formats]
    _refuse_links_out(output_dir, files + asset_files)
    _check_output_size(workspace, sessions, files + asset_files)
    changed, removed, manifest = _write_outputs(
        output_dir, formats, files, asset_files, previous, inputs
    )
    outputs = [
        OutputFile(path, name, len(data), flag, rendered=name not in reused)
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
        manifest=manifest,
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


# ----------------------------------------------------------------------------- one at a time


def build_proceedings(workspace: Workspace, options: BuildOptions | None = None) -> BuildResult:
    """Build (see the module docstring) while holding the build lock of the WG root, after
    repairing what a build killed earlier left in the output folder."""
    options = options or BuildOptions()
    with build_lock(workspace.root, options):
        output_dir = output_folder(workspace, options.output_dir)
        try:
            recovery = recover(output_dir, is_output_path, OUTPUT_NAMES.values())
        except OSError as exc:
            raise ProceedingsError(
                f"cannot repair what an interrupted build left in {output_dir}: "
                f"{exc.strerror} ({exc.filename})",
                hint="make the output folder writable and run the build again",
            ) from None
        result = _build(workspace, options)
        result.recovered = recovery.completed
        if recovery.ignored_manifest is not None:
            warning = _manifest_ignored(output_dir, workspace.root, recovery.ignored_manifest)
            result.diagnostics = sorted({*result.diagnostics, warning})
        return result


@contextmanager
def build_lock(root: Path, options: BuildOptions) -> Iterator[None]:
    """One build of a WG root at a time: a second one waits for the first (telling
    `options.progress` "wait for another build"), up to `options.lock_timeout` seconds."""
    step = options.progress or (lambda name: None)
    try:
        with exclusive_lock(
            root, timeout=options.lock_timeout,
            on_wait=lambda: step("wait for another build of this folder to finish"),
        ):
            yield
    except LockTimeout:
        raise ProceedingsError(
            f"another `proceedings build` of {root} is still running "
            f"(waited {options.lock_timeout:g} s)",
            hint="let it finish, then run the command again",
        ) from None


# ----------------------------------------------------------------------------- all or nothing


def is_output_path(rel: str) -> bool:
    """Whether the build may own `rel` (relative to the output folder): an output's name or
    a copy under `assets/<YYYY-MM-DD-session>/`, the folders only the build writes to. A
    manifest that lists anything else is refused as a whole."""
    if rel in OUTPUT_NAMES.values():
        return True
    parts = rel.split("/")
    return (
        len(parts) >= 3 and parts[0] == ASSETS_DIR and _SESSION_FOLDER.match(parts[1]) is not None
    )


_SESSION_FOLDER = re.compile(r"\A\d{4}-\d{2}-\d{2}-[^/]+\Z")


def _previous_manifest(output_dir: Path) -> Manifest | None:
    """The complete record of the build before, or None (none, or not a valid record: then
    nothing it lists is trusted — deleted, compared or reused — and it is replaced)."""
    try:
        previous = read_manifest(output_dir, is_output_path)
    except ManifestError:
        return None
    return previous if previous is not None and previous.state == "complete" else None


class HandEdited(ProceedingsError):
    """Outputs were changed since the build that wrote them: building would lose the edit."""

    def __init__(self, paths: list[str], output_dir: Path, sessions_dir: str) -> None:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        were = "was" if len(paths) == 1 else "were"
        super().__init__(
            f"{shown} {were} edited by hand since the last build wrote "
            f"{'it' if len(paths) == 1 else 'them'}; building would overwrite the edit, so "
            "nothing was written",
            path=None,
            hint=f"the outputs are made from the notes: move the change into the notes in "
            f"{sessions_dir}/ (or the templates), or rerun with --force to discard it",
            exit_code=EXIT_FINDINGS,
        )
        self.paths = paths
        self.output_dir = output_dir


def _refuse_hand_edits(
    workspace: Workspace,
    output_dir: Path,
    previous: Manifest | None,
    on_disk: dict[str, bytes | None],
    asset_files: list[tuple[Path, bytes]],
) -> None:
    """Stop (HandEdited) when a file this build is about to write is not what the build
    before wrote: the record says its SHA-256, and the file now has other bytes. A deleted
    output is no edit (it is simply written again); without a valid record nothing is known
    to be the build's, so nothing is compared."""
    if previous is None:
        return
    edited: list[str] = []
    for name, data in on_disk.items():
        rel = OUTPUT_NAMES[name]
        if data is not None and rel in previous.files and sha256(data) != previous.files[rel]:
            edited.append(rel)
    for path, new in asset_files:
        rel = path.relative_to(output_dir).as_posix()
        if rel not in previous.files:
            continue
        data = read_plain(output_dir, rel)
        if data is not None and data != new and sha256(data) != previous.files[rel]:
            edited.append(rel)
    if edited:
        shown = [relative_posix(output_dir / rel, workspace.root, resolve=True) for rel in edited]
        raise HandEdited(shown, output_dir, workspace.config.sessions_dir)


def _unchanged_outputs(
    previous: Manifest | None, on_disk: dict[str, bytes | None], prints: dict[str, str]
) -> dict[str, bytes]:
    """Format -> the bytes on disk, for each output whose recorded inputs are this build's
    and whose file still has the recorded bytes: rendering it again would give those."""
    if previous is None:
        return {}
    reused: dict[str, bytes] = {}
    for name, data in on_disk.items():
        rel = OUTPUT_NAMES[name]
        if (
            data is not None
            and previous.inputs.get(rel) == prints[name]
            and previous.files.get(rel) == sha256(data)
        ):
            reused[name] = data
    return reused


def _fingerprinted_paths(
    workspace: Workspace, sessions: list[Session], document: Document
) -> Callable[[str], bool]:
    """A test: is a file (relative to the real WG root) one the fingerprint hashes?"""
    real_root = os.path.realpath(workspace.root)

    def real_rel(path: Path) -> str:
        return os.path.relpath(os.path.realpath(path), real_root).replace(os.sep, "/")

    folders = [real_rel(session.path) + "/" for session in sessions]
    folders.append(real_rel(workspace.root / workspace.config.templates_dir) + "/")
    files = {real_rel(asset.source) for asset in document.assets}
    files |= {real_rel(workspace.root / entry) for entry in workspace.config.build.fonts}

    def covered(rel: str) -> bool:
        return rel in files or any(rel.startswith(folder) for folder in folders)

    return covered


def _write_outputs(
    output_dir: Path,
    formats: list[str],
    files: list[tuple[Path, bytes]],
    asset_files: list[tuple[Path, bytes]],
    previous: Manifest | None,
    inputs: dict[str, str],
) -> tuple[list[bool], list[Path], OutputFile]:
    """Write the outputs and assets as one set (`atomic.write_output_set`); delete the files
    an earlier build recorded and this one no longer writes; record each output's inputs.
    Returns, per file, whether it changed; the files deleted; the manifest."""
    keep: set[str] = set()
    if previous is not None:
        # An output this build does not write (say `--format pdf`) stays as it is, and so
        # do the copies a kept proceedings.md or .html may link to.
        kept = [name for name in OUTPUT_NAMES if name not in formats]
        keep = {OUTPUT_NAMES[name] for name in kept}
        if any((output_dir / OUTPUT_NAMES[name]).exists() for name in kept if name != "pdf"):
            keep |= {rel for rel in previous.files if rel.startswith(ASSETS_DIR + "/")}
    rels = [(path.relative_to(output_dir).as_posix(), data) for path, data in files + asset_files]
    try:
        written = write_output_set(
            output_dir, rels, keep=keep, allowed=is_output_path, previous=previous,
            inputs=inputs,
        )
    except OutputWriteError as exc:
        if exc.committed:
            hint = "the new outputs are only partly in place; the next build completes them"
        else:
            hint = "check that the output folder is writable; no output was changed"
        raise ProceedingsError(
            f"cannot write {exc.filename or 'the outputs'}: {exc.strerror}", hint=hint
        ) from None
    except OSError as exc:
        raise ProceedingsError(
            f"cannot write {exc.filename or 'the outputs'}: {exc.strerror}",
            hint="check that the output folder is writable",
        ) from None
    manifest_path = output_dir / MANIFEST_NAME
    size = manifest_path.stat().st_size if manifest_path.is_file() else 0
    manifest = OutputFile(manifest_path, "manifest", size, written.manifest_changed)
    return written.changed, written.removed, manifest


def _manifest_ignored(output_dir: Path, root: Path, why: str) -> Diagnostic:
    """B810: the manifest in `output_dir` is not a valid record, so it was ignored."""
    rel = relative_posix(output_dir / MANIFEST_NAME, root, resolve=True)
    return Diagnostic(
        rel, 1, 1, MANIFEST_IGNORED.code,
        f"the record of the build's own files {why}: it is ignored and replaced, so no file "
        "of an earlier build was deleted",
        MANIFEST_IGNORED.severity,
        f"delete files an earlier build left in {ASSETS_DIR}/ by hand if there are any",
    )


# ----------------------------------------------------------------------------- bounded output


def _check_output_size(
    workspace: Workspace, sessions: list[Session], files: list[tuple[Path, bytes]]
) -> None:
    """Stop before writing when the outputs outgrow their sources (build.max_output_ratio)."""
    limit, sources = output_limit(workspace, sessions)
    total = sum(len(data) for _, data in files)
    if total > limit:
        raise output_too_large(total, sources, workspace.config.build.max_output_ratio)


def _check_estimated_size(ctx: RenderContext, sessions: list[Session], formats: list[str]) -> None:
    """Stop before rendering when proceedings.md, or the HTML it would give (which the PDF is
    laid out from), already exceeds the limit: such an HTML page is what fills memory."""
    limit, sources = output_limit(ctx.workspace, sessions)
    ratio = ctx.workspace.config.build.max_output_ratio
    markdown = ctx.markdown()
    size = len(markdown.encode("utf-8")) if "md" in formats else 0
    if size > limit:
        raise output_too_large(size, sources, ratio)
    if {"html", "pdf"} & set(formats):
        from proceedings.render.html import estimated_size

        size += estimated_size(markdown, ctx.document)
        if size > limit:
            raise output_too_large(size, sources, ratio)


def source_bytes(sessions: list[Session]) -> int:
    """The size of what a build reads: every file of the selected session folders."""
    total = 0
    for session in sessions:
        for dirpath, _, filenames in os.walk(session.path):
            for name in filenames:
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def output_limit(workspace: Workspace, sessions: list[Session]) -> tuple[int, int]:
    """(the largest output set allowed, the sources' size)."""
    sources = source_bytes(sessions)
    ratio = workspace.config.build.max_output_ratio
    return int(ratio * sources) + OUTPUT_ALLOWANCE, sources


def output_too_large(size: int, sources: int, ratio: float) -> ProceedingsError:
    return ProceedingsError(
        f"the outputs would be {_megabytes(size)}, more than {ratio:g} × the "
        f"{_megabytes(sources)} of notes and images (+ {_megabytes(OUTPUT_ALLOWANCE)}); "
        "nothing was written",
        hint="look for a link, reference or image repeated very many times; if the outputs "
        "really are that large, raise `max_output_ratio` in the [build] table",
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} KB"
