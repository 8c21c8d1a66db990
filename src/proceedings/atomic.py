"""Atomic writes: a file is either the old version or the complete new one, never half;
and a set of files (a build's outputs) is either the old set or the new one."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


def stage_beside(path: Path, data: bytes) -> str:
    """Write `data` to a synced temporary file next to `path` (with `path`'s mode, or 0644)
    and return its name; `os.replace(name, path)` then swaps it in atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, path.lstat().st_mode & 0o777 if _is_file(path) else 0o644)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return temp_name


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace the file `path` with `data`. Never writes through a symlink: the rename
    replaces a link at `path` itself, so the file it pointed to is left as it was. (A caller
    that means to update a link's target — `check --fix` on a linked note — resolves and
    confines the path first; see fix.py.)"""
    temp_name = stage_beside(path, data)
    try:
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _is_file(path: Path) -> bool:
    """A regular file (not a link) whose mode the new version keeps."""
    return not path.is_symlink() and path.is_file()


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


# ----------------------------------------------------------------------------- output sets
#
# A build writes a *set* of files (proceedings.md/.html/.pdf and the copied assets) that only
# make sense together. Renaming several files cannot be one atomic step, so the set is
# replaced under a journal kept in the output folder (MANIFEST_NAME, JSON, pure data):
#
#   1. "staging":    the old set, plus the temporary files about to be created;
#   2. the temporary files are written and synced;
#   3. "committing": the new set with each file's SHA-256, the renames, the files to delete
#                    (the commit point: from here on the new set is what the folder holds);
#   4. the renames and deletions;
#   5. "complete":   the new set.
#
# A build killed at any point leaves a journal that says which set is meant: `recover` (run
# by the next build, under the lock, before anything else) deletes the temporary files of a
# "staging" journal (the old set stands) or finishes the renames of a "committing" one (the
# new set stands). The "complete" record is what later builds trust to delete files: only a
# file it lists, under a plain relative path inside the output folder (no `..`, no symlink on
# the way), that is a regular file whose bytes still have the recorded hash. A manifest that
# is not exactly this shape is ignored as a whole: it can make the build delete nothing.

MANIFEST_NAME = ".proceedings-manifest.json"
MANIFEST_FORMAT = "proceedings-output-manifest"
MANIFEST_VERSION = 2  # 2 added `inputs`; a version-1 record (no `inputs`) is still read
READABLE_VERSIONS = (1, 2)
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_RECORDED_PATH = 1024
_HASH = re.compile(r"\A[0-9a-f]{64}\Z")
# `.<file name>.<random>.tmp`: the temporary files of this module and of `stage_beside`.
_TEMP_TAIL = re.compile(r"\A\.[A-Za-z0-9_]{4,32}\.tmp\Z")


class ManifestError(ValueError):
    """The manifest is not a valid record (why, in words); it is then ignored."""


class Fingerprint(NamedTuple):
    """What an output was made from: SHA-256 (hex) of the repository's inputs, and of the
    machine's (see render/fingerprint.py)."""

    sources: str
    machine: str


@dataclass
class Manifest:
    state: str = "complete"  # "complete", "staging" or "committing"
    files: dict[str, str] = field(default_factory=dict)  # output-relative path -> sha256
    temps: list[str] = field(default_factory=list)  # staging: temporary files being written
    moves: list[tuple[str, str]] = field(default_factory=list)  # committing: (temp, final)
    remove: dict[str, str] = field(default_factory=dict)  # committing: path -> sha256
    # output-relative path of a recorded file -> what its bytes were made from, as two
    # SHA-256 (render/fingerprint.py): the repository's part (`sources`) and the machine's
    # (`machine`: the tool, its libraries, fonts). A build whose inputs hash the same,
    # finding the file with its recorded hash, does not render it again. Pure data.
    inputs: dict[str, Fingerprint] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        data: dict[str, object] = {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "state": self.state,
            "files": dict(sorted(self.files.items())),
            "inputs": {rel: print_._asdict() for rel, print_ in sorted(self.inputs.items())
                       if rel in self.files},
        }
        if self.state == "staging":
            data["temps"] = sorted(self.temps)
        if self.state == "committing":
            data["moves"] = [list(move) for move in self.moves]
            data["remove"] = dict(sorted(self.remove.items()))
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_recorded_path(rel: object, allowed: Callable[[str], bool]) -> str:
    """`rel` when it is a plain relative POSIX path the caller may own, else ManifestError."""
    if not isinstance(rel, str) or not rel or len(rel) > MAX_RECORDED_PATH:
        raise ManifestError(f"path {rel!r} is not a short string")
    if any(ord(char) < 0x20 or char in "\\\x7f" for char in rel) or rel.startswith("/"):
        raise ManifestError(f"path {rel!r} is not a plain relative path")
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ManifestError(f"path {rel!r} is not a plain relative path")
    if not allowed(rel):
        raise ManifestError(f"path {rel!r} is not one the build writes")
    return rel


def _check_temp(rel: object, allowed: Callable[[str], bool], final: str | None = None) -> str:
    """A recorded temporary file: `.<name>.<random>.tmp` beside the output `<name>` (which
    must be `final` when given, and one the build may write)."""
    if not isinstance(rel, str):
        raise ManifestError(f"temporary file {rel!r} is not a string")
    check_recorded_path(rel, lambda _: True)
    folder, _, name = rel.rpartition("/")
    cut = name.rfind(".", 0, len(name) - len(".tmp"))
    if not name.startswith(".") or cut <= 1 or not _TEMP_TAIL.match(name[cut:]):
        raise ManifestError(f"{rel!r} is not named like a temporary file of the build")
    owner = (folder + "/" if folder else "") + name[1:cut]
    if final is not None and owner != final:
        raise ManifestError(f"temporary file {rel!r} does not belong to {final!r}")
    check_recorded_path(owner, allowed)
    return rel


def read_manifest(output_dir: Path, allowed: Callable[[str], bool]) -> Manifest | None:
    """The manifest in `output_dir`, validated; None when there is none. ManifestError when
    it exists but is not a valid record (its contents are then not to be trusted at all)."""
    path = output_dir / MANIFEST_NAME
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ManifestError(f"cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ManifestError("is not a regular file")
    if info.st_size > MAX_MANIFEST_BYTES:
        raise ManifestError(f"is larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MiB")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ManifestError(f"is not valid JSON ({type(exc).__name__})") from None
    return _manifest_from(data, allowed)


def _manifest_from(data: object, allowed: Callable[[str], bool]) -> Manifest:
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"is not a {MANIFEST_FORMAT}")
    version = data.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise ManifestError(f"has version {version!r}, not {MANIFEST_VERSION}")
    state = data.get("state")
    expected = {"format", "version", "state", "files"} | {
        "staging": {"temps"}, "committing": {"moves", "remove"}
    }.get(str(state), set())
    if version >= 2:
        expected.add("inputs")
    if state not in ("complete", "staging", "committing") or set(data) != expected:
        raise ManifestError("has unexpected keys or state")
    manifest = Manifest(state=state, files=_hashes(data["files"], allowed))
    if "inputs" in data:
        manifest.inputs = _fingerprints(data["inputs"], allowed)
        stray = sorted(set(manifest.inputs) - set(manifest.files))
        if stray:
            raise ManifestError(f"records the inputs of {stray[0]!r}, which it does not list")
    if state == "staging":
        temps = data["temps"]
        if not isinstance(temps, list):
            raise ManifestError("`temps` is not a list")
        manifest.temps = [_check_temp(rel, allowed) for rel in temps]
    if state == "committing":
        moves = data["moves"]
        if not isinstance(moves, list):
            raise ManifestError("`moves` is not a list")
        for move in moves:
            if not (isinstance(move, list) and len(move) == 2):
                raise ManifestError("a move is not a [temporary, final] pair")
            final = check_recorded_path(move[1], allowed)
            if final not in manifest.files:
                raise ManifestError(f"move to {final!r}, which the new set does not list")
            manifest.moves.append((_check_temp(move[0], allowed, final), final))
        manifest.remove = _hashes(data["remove"], allowed)
    return manifest


def _hashes(value: object, allowed: Callable[[str], bool]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ManifestError("a file list is not a mapping")
    for rel, digest in value.items():
        check_recorded_path(rel, allowed)
        if not isinstance(digest, str) or not _HASH.match(digest):
            raise ManifestError(f"the hash of {rel!r} is not a SHA-256")
    return dict(value)


def _fingerprints(value: object, allowed: Callable[[str], bool]) -> dict[str, Fingerprint]:
    if not isinstance(value, dict):
        raise ManifestError("`inputs` is not a mapping")
    found: dict[str, Fingerprint] = {}
    for rel, entry in value.items():
        check_recorded_path(rel, allowed)
        if not isinstance(entry, dict) or set(entry) != set(Fingerprint._fields) or not all(
            isinstance(entry[key], str) and _HASH.match(entry[key]) for key in entry
        ):
            raise ManifestError(f"the inputs of {rel!r} are not two SHA-256")
        found[rel] = Fingerprint(entry["sources"], entry["machine"])
    return found


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
    """Finish or undo what a killed build left in `output_dir` (see above), and delete the
    temporary files of killed builds: those a journal names, and `.<name>.<random>.tmp`
    beside a recorded file or beside one of `top_names` (the outputs' own names)."""
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
        folder, _, name = rel.rpartition("/")
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
                if entry.name.startswith(f".{name}.") and _TEMP_TAIL.match(
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
    all or nothing (see above). Files recorded by `previous` (the valid complete manifest
    of an earlier build, or None) that are neither written now nor in `keep` are deleted —
    only if their bytes are still the recorded ones. Unchanged files are not touched.
    `inputs` (path -> fingerprint of what the file was made from) is recorded for files
    written now, unless a file has the bytes `previous` recorded and the same sources: then,
    as for a kept file, the fingerprint `previous` recorded for it stays."""
    old = previous.files if previous is not None else {}
    old_inputs = previous.inputs if previous is not None else {}
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
    paths = {rel: _target(output_dir, rel) for rel, _ in files}
    changed = [not _same_bytes(paths[rel], data) for rel, data in files]
    remove: dict[str, str] = {}
    for rel, digest in old.items():
        if rel in new:
            continue
        path = _plain_file(output_dir, rel)
        if path is not None and _has_hash(path, digest):
            remove[rel] = digest
    final = Manifest(files=new, inputs=new_inputs)
    manifest_path = output_dir / MANIFEST_NAME
    manifest_changed = not _same_bytes(manifest_path, final.to_bytes())
    if not any(changed) and not remove:
        if manifest_changed:
            output_dir.mkdir(parents=True, exist_ok=True)
            _write_manifest(output_dir, final)
        return OutputSetWrite(changed, [], manifest_changed)

    output_dir.mkdir(parents=True, exist_ok=True)
    staged = [
        (f"{rel.rpartition('/')[0] + '/' if '/' in rel else ''}.{rel.rpartition('/')[2]}."
         f"{secrets.token_hex(6)}.tmp", rel, data)
        for (rel, data), flag in zip(files, changed, strict=True) if flag
    ]
    try:
        _write_manifest(
            output_dir,
            Manifest("staging", dict(old), [t for t, _, _ in staged], inputs=dict(old_inputs)),
        )
        for temp, rel, data in staged:
            _create_temp(output_dir, temp, paths[rel], data)
    except OSError as exc:
        for temp, _, _ in staged:
            (output_dir / temp).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            _write_manifest(output_dir, Manifest(files=dict(old), inputs=dict(old_inputs)))
        raise OutputWriteError(exc, committed=False) from None
    journal = Manifest(
        "committing", new, moves=[(t, rel) for t, rel, _ in staged], remove=remove,
        inputs=new_inputs,
    )
    try:
        _write_manifest(output_dir, journal)  # the commit point
        for temp, rel, _ in staged:
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
    return OutputSetWrite(changed, removed, True)


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
                OSError(errno.ENOTDIR, "a symlink or a file stands where a folder belongs",
                        str(folder)),
                committed=False,
            )
    path = output_dir / rel
    # A symlink here is replaced by the file (os.replace never writes through it).
    if path.is_dir() and not path.is_symlink():
        raise OutputWriteError(
            OSError(errno.EISDIR, "a folder stands where an output belongs", str(path)),
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


# ----------------------------------------------------------------------------- the build lock

_held: dict[str, tuple[int, int]] = {}  # real path -> (fd, depth): the locks this process holds


@contextlib.contextmanager
def exclusive_lock(
    folder: Path, *, timeout: float, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold an exclusive `flock` on `folder` (a directory, which always exists, so no lock
    file is left behind). Another process holding it makes this wait, calling `on_wait`
    once, up to `timeout` seconds; then LockTimeout. Re-entrant within a process. The kernel
    releases the lock when the holder exits, however it ends (kill -9 included)."""
    import fcntl
    import time

    key = os.path.realpath(folder)
    if key in _held:
        fd, depth = _held[key]
        _held[key] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[key]
            _held[key] = (fd, depth - 1)
        return
    fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited and on_wait is not None:
                    on_wait()
                waited = True
                if time.monotonic() >= deadline:
                    raise LockTimeout(key, timeout) from None
                time.sleep(0.05)
        _held[key] = (fd, 1)
        try:
            yield
        finally:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class LockTimeout(Exception):
    def __init__(self, folder: str, timeout: float) -> None:
        super().__init__(folder, timeout)
        self.folder = folder
        self.timeout = timeout
