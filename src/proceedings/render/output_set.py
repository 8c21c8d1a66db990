"""Replacing a build's output set all or nothing, and repairing what a killed build left.

A build writes a *set* of files (proceedings.md/.html/.pdf and the copied assets) that only
make sense together. Renaming several files cannot be one atomic step, so the set is
replaced under a journal kept in the output folder (MANIFEST_NAME, JSON, pure data):

  1. "staging":    the old set, plus the temporary files about to be created;
  2. the temporary files are written and synced;
  3. "committing": the new set with each file's SHA-256, the renames, the files to delete
                   (the commit point: from here on the new set is what the folder holds);
  4. the renames and deletions;
  5. "complete":   the new set.

A build killed at any point leaves a journal that says which set is meant: `recover` (run
by the next build, under the lock, before anything else) deletes the temporary files of a
"staging" journal (the old set stands) or finishes the renames of a "committing" one (the
new set stands). The "complete" record is what later builds trust to delete files: only a
file it lists, under a plain relative path inside the output folder (no `..`, no symlink on
the way), that is a regular file whose bytes still have the recorded hash. A manifest that
is not exactly this shape is ignored as a whole: it can make the build delete nothing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from proceedings.atomic import stage_beside
from proceedings.i18n import _
from proceedings.render.manifest import (
    MANIFEST_NAME,
    TEMP_TAIL,
    Fingerprint,
    Manifest,
    ManifestError,
    read_manifest,
    sha256,
)


@dataclass
class OutputSetWrite:
    """What `write_output_set` did."""

    changed: list[bool]  # per file given: whether it was (re)written
    removed: list[Path]  # files of an earlier build deleted (no longer written)
    manifest_changed: bool


@dataclass
class Recovery:
    """What `recover` found and did."""

    completed: list[Path] = field(default_factory=list)  # renames a killed build left undone
    discarded: list[Path] = field(default_factory=list)  # temporary files deleted
    ignored_manifest: str | None = None  # why the manifest was ignored (None: it was valid)


def _plain_file(output_dir: Path, rel: str) -> Path | None:
    """`output_dir/rel` when every folder on the way is a real folder (no symlink) and it is a
    regular file; None otherwise (absent, a link, a folder …)."""
    if not _plain_folder_of(output_dir, rel):
        return None
    path = output_dir / rel
    try:
        return path if stat.S_ISREG(os.lstat(path).st_mode) else None
    except OSError:
        return None


def read_plain(output_dir: Path, rel: str) -> bytes | None:
    """The bytes of `output_dir/rel` when it is a regular file reached through real folders
    (no symlink on the way, none at the end); None otherwise (absent, a link, a FIFO …)."""
    path = _plain_file(output_dir, rel)
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read()


def _has_hash(path: Path, digest: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    hasher = hashlib.sha256()
    with os.fdopen(fd, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest() == digest


def _write_manifest(output_dir: Path, manifest: Manifest) -> None:
    # Not write_bytes_atomic: a manifest that is a symlink (committed by someone) is replaced
    # itself, never written through.
    path = output_dir / MANIFEST_NAME
    temp = stage_beside(path, manifest.to_bytes())
    try:
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _sync_folder(output_dir)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _prune_empty_folders(output_dir: Path, rel: str) -> None:
    """Remove the folders of `rel` (below its first component) that are now empty."""
    parts = rel.split("/")[:-1]
    while len(parts) > 1:
        folder = output_dir.joinpath(*parts)
        try:
            if stat.S_ISDIR(os.lstat(folder).st_mode) and not any(os.scandir(folder)):
                folder.rmdir()
            else:
                return
        except OSError:
            return
        parts.pop()
    if parts:
        folder = output_dir / parts[0]
        try:
            if stat.S_ISDIR(os.lstat(folder).st_mode) and not any(os.scandir(folder)):
                folder.rmdir()
        except OSError:
            pass


def recover(
    output_dir: Path, allowed: Callable[[str], bool], top_names: Iterable[str] = ()
) -> Recovery:
    """Finish or undo what a killed build left in `output_dir` (see the module docstring),
    and delete the temporary files of killed builds: those a journal names, and
    `.<name>.<random>.tmp` beside a recorded file or beside one of `top_names` (the outputs'
    own names)."""
    result = Recovery()
    if not output_dir.is_dir():
        return result
    try:
        manifest = read_manifest(output_dir, allowed)
    except ManifestError as error:
        result.ignored_manifest = str(error)
        manifest = None
    if manifest is not None and manifest.state == "staging":
        for rel in manifest.temps:
            path = _plain_file(output_dir, rel)
            if path is not None:
                path.unlink()
                result.discarded.append(path)
        manifest = Manifest(files=manifest.files, inputs=manifest.inputs)
        _write_manifest(output_dir, manifest)
    elif manifest is not None and manifest.state == "committing":
        for temp, final in manifest.moves:
            path = _plain_file(output_dir, temp)
            if path is not None and _plain_folder_of(output_dir, final):
                os.replace(path, output_dir / final)
                result.completed.append(output_dir / final)
        for rel, digest in manifest.remove.items():
            path = _plain_file(output_dir, rel)
            if path is not None and _has_hash(path, digest):
                path.unlink()
                _prune_empty_folders(output_dir, rel)
        _sync_folder(output_dir)
        manifest = Manifest(files=manifest.files, inputs=manifest.inputs)
        _write_manifest(output_dir, manifest)
    recorded = list(manifest.files) if manifest is not None else []
    result.discarded += _sweep_temps(output_dir, [*recorded, *top_names, MANIFEST_NAME])
    return result


def _plain_folder_of(output_dir: Path, rel: str) -> bool:
    folder = output_dir
    for part in rel.split("/")[:-1]:
        folder = folder / part
        try:
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                return False
        except OSError:
            return False
    return True


def _sweep_temps(output_dir: Path, beside: Iterable[str]) -> list[Path]:
    """Delete `.<name>.<random>.tmp` files next to each of the paths `beside`."""
    by_folder: dict[str, set[str]] = {}
    for rel in beside:
        folder, _slash, name = rel.rpartition("/")
        by_folder.setdefault(folder, set()).add(name)
    removed: list[Path] = []
    for folder, names in sorted(by_folder.items()):
        if folder and not _plain_folder_of(output_dir, folder + "/x"):
            continue
        try:
            entries = list(os.scandir(output_dir / folder if folder else output_dir))
        except OSError:
            continue
        for entry in entries:
            if not entry.name.endswith(".tmp") or not entry.is_file(follow_symlinks=False):
                continue
            for name in names:
                if entry.name.startswith(f".{name}.") and TEMP_TAIL.match(
                    entry.name[len(name) + 1 :]
                ):
                    Path(entry.path).unlink(missing_ok=True)
                    removed.append(Path(entry.path))
                    break
    return sorted(removed)


def write_output_set(
    output_dir: Path,
    files: list[tuple[str, bytes]],
    *,
    keep: Iterable[str] = (),
    allowed: Callable[[str], bool],
    previous: Manifest | None = None,
    inputs: Mapping[str, Fingerprint] | None = None,
) -> OutputSetWrite:
    """Replace the output set in `output_dir` with `files` (output-relative path, bytes),
    all or nothing (see the module docstring). Files recorded by `previous` (the valid
    complete manifest of an earlier build, or None) that are neither written now nor in
    `keep` are deleted — only if their bytes are still the recorded ones. Unchanged files
    are not touched. `inputs` (path -> fingerprint of what the file was made from) is
    recorded for files written now, unless a file has the bytes `previous` recorded and the
    same sources: then, as for a kept file, the fingerprint `previous` recorded for it
    stays."""
    before = previous if previous is not None else Manifest()
    final = _new_record(files, keep, allowed, before, inputs)
    paths = {rel: _target(output_dir, rel) for rel, _data in files}
    changed = [not _same_bytes(paths[rel], data) for rel, data in files]
    remove = _stale_files(output_dir, before.files, final.files)
    manifest_changed = not _same_bytes(output_dir / MANIFEST_NAME, final.to_bytes())
    if not any(changed) and not remove:
        if manifest_changed:
            output_dir.mkdir(parents=True, exist_ok=True)
            _write_manifest(output_dir, final)
        return OutputSetWrite(changed, [], manifest_changed)

    output_dir.mkdir(parents=True, exist_ok=True)
    staged = [
        (_temp_name(rel), rel, data)
        for (rel, data), flag in zip(files, changed, strict=True) if flag
    ]
    _stage(output_dir, staged, paths, before)
    removed = _commit(output_dir, staged, paths, remove, final)
    return OutputSetWrite(changed, removed, True)


def _new_record(
    files: list[tuple[str, bytes]],
    keep: Iterable[str],
    allowed: Callable[[str], bool],
    before: Manifest,
    inputs: Mapping[str, Fingerprint] | None,
) -> Manifest:
    """The complete record of the new set: the files written now and those kept."""
    old, old_inputs = before.files, before.inputs
    # Only what `allowed` accepts is recorded (so only that can ever be deleted later).
    new: dict[str, str] = {rel: sha256(data) for rel, data in files if allowed(rel)}
    # A file written with the very bytes the record had, from the same sources, keeps the
    # recorded fingerprint (it still says what made those bytes): so two machines whose own
    # part differs (another font, library or tool version) never take turns rewriting — and
    # committing — the record while the outputs stay the same.
    new_inputs: dict[str, Fingerprint] = {}
    for rel in new:
        given = inputs.get(rel) if inputs else None
        recorded = old_inputs.get(rel) if old.get(rel) == new[rel] else None
        if recorded is not None and (given is None or given.sources == recorded.sources):
            new_inputs[rel] = recorded
        elif given is not None:
            new_inputs[rel] = given
    for rel in keep:
        if rel in old and rel not in new:
            new[rel] = old[rel]
            if rel in old_inputs:
                new_inputs[rel] = old_inputs[rel]
    return Manifest(files=new, inputs=new_inputs)


def _stale_files(output_dir: Path, old: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """The recorded files the new set drops that still have their recorded bytes (path ->
    SHA-256): the ones to delete."""
    remove: dict[str, str] = {}
    for rel, digest in old.items():
        if rel in new:
            continue
        path = _plain_file(output_dir, rel)
        if path is not None and _has_hash(path, digest):
            remove[rel] = digest
    return remove


def _temp_name(rel: str) -> str:
    """`.<name>.<random>.tmp` beside `rel`."""
    folder, _slash, name = rel.rpartition("/")
    return f"{folder + '/' if '/' in rel else ''}.{name}.{secrets.token_hex(6)}.tmp"


# (temporary file, final path, bytes), all relative to the output folder
Staged = list[tuple[str, str, bytes]]


def _stage(output_dir: Path, staged: Staged, paths: dict[str, Path], before: Manifest) -> None:
    """Steps 1-2: journal the temporary files, then write them. On failure they are deleted
    and the record before is restored (OutputWriteError, not committed)."""
    old, old_inputs = before.files, before.inputs
    try:
        _write_manifest(
            output_dir,
            Manifest("staging", dict(old), [t for t, _r, _d in staged], inputs=dict(old_inputs)),
        )
        for temp, rel, data in staged:
            _create_temp(output_dir, temp, paths[rel], data)
    except OSError as exc:
        for temp, _r, _d in staged:
            (output_dir / temp).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            _write_manifest(output_dir, Manifest(files=dict(old), inputs=dict(old_inputs)))
        raise OutputWriteError(exc, committed=False) from None


def _commit(
    output_dir: Path,
    staged: Staged,
    paths: dict[str, Path],
    remove: dict[str, str],
    final: Manifest,
) -> list[Path]:
    """Steps 3-5: the commit point, the renames and deletions, the complete record. Returns
    the files deleted."""
    journal = Manifest(
        "committing", final.files, moves=[(t, rel) for t, rel, _d in staged], remove=remove,
        inputs=final.inputs,
    )
    try:
        _write_manifest(output_dir, journal)  # the commit point
        for temp, rel, _d in staged:
            os.replace(output_dir / temp, paths[rel])
        removed: list[Path] = []
        for rel in sorted(remove):
            (output_dir / rel).unlink(missing_ok=True)
            _prune_empty_folders(output_dir, rel)
            removed.append(output_dir / rel)
        _sync_folder(output_dir)
        _write_manifest(output_dir, final)
    except OSError as exc:
        raise OutputWriteError(exc, committed=True) from None
    return removed


class OutputWriteError(OSError):
    """Writing the set failed: before the commit point (nothing changed) or after it (the
    next build completes it)."""

    def __init__(self, cause: OSError, *, committed: bool) -> None:
        super().__init__(cause.errno, cause.strerror, cause.filename)
        self.committed = committed


def _target(output_dir: Path, rel: str) -> Path:
    """Where `rel` goes; refuses a symlink (or a file) where a folder of the set belongs, so
    nothing is written through a link out of the output folder."""
    folder = output_dir
    for part in rel.split("/")[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise OutputWriteError(
                OSError(errno.ENOTDIR, _("a symlink or a file stands where a folder belongs"),
                        str(folder)),
                committed=False,
            )
    path = output_dir / rel
    # A symlink here is replaced by the file (os.replace never writes through it).
    if path.is_dir() and not path.is_symlink():
        raise OutputWriteError(
            OSError(errno.EISDIR, _("a folder stands where an output belongs"), str(path)),
            committed=False,
        )
    return path


def _create_temp(output_dir: Path, temp: str, final: Path, data: bytes) -> None:
    path = output_dir / temp
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        info = os.lstat(final)
        mode = info.st_mode & 0o777 if stat.S_ISREG(info.st_mode) else 0o644
    except OSError:
        mode = 0o644
    os.chmod(path, mode)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False

