"""The build's own files in the output folder: their names, the record of the build before
(render/manifest.py), what that record decides — an output edited by hand since stops the
build; one whose inputs and bytes are unchanged is not rendered again — and writing the new
set with its record (render/output_set.py)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from proceedings.codes import MANIFEST_IGNORED
from proceedings.config import LoadedConfig
from proceedings.diagnostics import Diagnostic
from proceedings.errors import EXIT_FINDINGS, ProceedingsError
from proceedings.i18n import _, ngettext
from proceedings.paths import relative_posix
from proceedings.render.fingerprint import git_markers, newest_change
from proceedings.render.manifest import (
    MANIFEST_NAME,
    Fingerprint,
    Manifest,
    ManifestError,
    read_manifest,
    sha256,
)
from proceedings.render.output_set import OutputWriteError, read_plain, write_output_set

if TYPE_CHECKING:
    from proceedings.compile.document import Document
    from proceedings.load.workspace import Session, Workspace
    from proceedings.render.build import BuildOptions

OUTPUT_NAMES = {"md": "proceedings.md", "html": "proceedings.html", "pdf": "proceedings.pdf"}
ASSETS_DIR = "assets"


@dataclass(frozen=True)
class OutputFile:
    path: Path
    format: str  # md, html, pdf, or "asset"
    size: int
    changed: bool  # False: the file already had exactly these bytes and was not rewritten
    # False: its inputs were those recorded for the file on disk, so it was not made again
    rendered: bool = True


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


def previous_manifest(output_dir: Path) -> Manifest | None:
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
        if len(paths) > 3:
            message = _(
                "{files} and {count} more were edited by hand since the last build wrote them; "
                "building would overwrite the edit, so nothing was written"
            ).format(files=", ".join(paths[:3]), count=len(paths) - 3)
        else:
            message = ngettext(
                "{files} was edited by hand since the last build wrote it; building would "
                "overwrite the edit, so nothing was written",
                "{files} were edited by hand since the last build wrote them; building would "
                "overwrite the edit, so nothing was written",
                len(paths),
            ).format(files=", ".join(paths))
        super().__init__(
            message,
            path=None,
            hint=_("the outputs are made from the notes: move the change into the notes in "
                   "{folder}/ (or the templates), or rerun with --force to discard it"
                   ).format(folder=sessions_dir),
            exit_code=EXIT_FINDINGS,
        )
        self.paths = paths
        self.output_dir = output_dir


def refuse_hand_edits(
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


def unchanged_outputs(
    previous: Manifest | None, on_disk: dict[str, bytes | None],
    prints: dict[str, Fingerprint],
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


def pdf_may_render(loaded: LoadedConfig, options: BuildOptions) -> bool:
    """A cheap guess, before the notes are even read, whether this build will lay out the
    PDF — only to decide whether to start the PDF helper (render/helper.py), which imports
    WeasyPrint meanwhile. A wrong guess costs time, never correctness. False only when the
    record of the last build holds the PDF's inputs, the PDF is there, and nothing it is made
    from (the sessions, the templates, the config, the fonts; git's HEAD and refs for the
    provenance) was modified after the record was written."""
    if options.force:
        return True
    root, config = loaded.root, loaded.config
    try:
        output_dir = options.output_dir or root / config.output_dir
        previous = previous_manifest(output_dir)
        if previous is None or OUTPUT_NAMES["pdf"] not in previous.inputs:
            return True
        if not (output_dir / OUTPUT_NAMES["pdf"]).is_file():
            return True
        written = os.stat(output_dir / MANIFEST_NAME).st_mtime_ns
        paths = [root / config.sessions_dir, root / config.templates_dir]
        paths += [root / entry for entry in config.build.fonts]
        paths += [loaded.source] if loaded.source is not None else []
        return newest_change([*paths, *git_markers(root)]) > written
    except (OSError, ValueError):
        return True


def fingerprinted_paths(
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


def write_outputs(
    output_dir: Path,
    formats: list[str],
    files: list[tuple[Path, bytes]],
    asset_files: list[tuple[Path, bytes]],
    previous: Manifest | None,
    inputs: dict[str, Fingerprint],
) -> tuple[list[bool], list[Path], OutputFile]:
    """Write the outputs and assets as one set (`output_set.write_output_set`); delete the files
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
            hint = _("the new outputs are only partly in place; the next build completes them")
        else:
            hint = _("check that the output folder is writable; no output was changed")
        raise ProceedingsError(_cannot_write(exc), hint=hint) from None
    except OSError as exc:
        raise ProceedingsError(
            _cannot_write(exc), hint=_("check that the output folder is writable"),
        ) from None
    manifest_path = output_dir / MANIFEST_NAME
    size = manifest_path.stat().st_size if manifest_path.is_file() else 0
    manifest = OutputFile(manifest_path, "manifest", size, written.manifest_changed)
    return written.changed, written.removed, manifest


def _cannot_write(exc: OSError) -> str:
    if exc.filename:
        return _("cannot write {file}: {reason}").format(file=exc.filename, reason=exc.strerror)
    return _("cannot write the outputs: {reason}").format(reason=exc.strerror)


def manifest_ignored(output_dir: Path, root: Path, why: str) -> Diagnostic:
    """B810: the manifest in `output_dir` is not a valid record, so it was ignored."""
    rel = relative_posix(output_dir / MANIFEST_NAME, root, resolve=True)
    return Diagnostic(
        rel, 1, 1, MANIFEST_IGNORED.code,
        _("the record of the build's own files {why}: it is ignored and replaced, so no file "
          "of an earlier build was deleted").format(why=why),
        MANIFEST_IGNORED.severity,
        _("delete files an earlier build left in {folder}/ by hand if there are any").format(
            folder=ASSETS_DIR),
    )
