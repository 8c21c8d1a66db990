"""The record of a build's own files (MANIFEST_NAME in the output folder, JSON, pure data):
each output's SHA-256, what it was made from, and — while a build replaces the set — the
journal of that replacement (render/output_set.py). Reading it trusts nothing: a record that
is not exactly this shape is refused as a whole (ManifestError), so it can make the build
delete nothing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from proceedings.i18n import _

MANIFEST_NAME = ".proceedings-manifest.json"
MANIFEST_FORMAT = "proceedings-output-manifest"
MANIFEST_VERSION = 2  # 2 added `inputs`; a version-1 record (no `inputs`) is still read
READABLE_VERSIONS = (1, 2)
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_RECORDED_PATH = 1024
_HASH = re.compile(r"\A[0-9a-f]{64}\Z")
# `.<file name>.<random>.tmp`: the temporary files of render/output_set.py and of
# atomic.stage_beside.
TEMP_TAIL = re.compile(r"\A\.[A-Za-z0-9_]{4,32}\.tmp\Z")


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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_recorded_path(rel: object, allowed: Callable[[str], bool]) -> str:
    """`rel` when it is a plain relative POSIX path the caller may own, else ManifestError."""
    if not isinstance(rel, str) or not rel or len(rel) > MAX_RECORDED_PATH:
        raise ManifestError(_("path {rel!r} is not a short string").format(rel=rel))
    if any(ord(char) < 0x20 or char in "\\\x7f" for char in rel) or rel.startswith("/"):
        raise ManifestError(_("path {rel!r} is not a plain relative path").format(rel=rel))
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ManifestError(_("path {rel!r} is not a plain relative path").format(rel=rel))
    if not allowed(rel):
        raise ManifestError(_("path {rel!r} is not one the build writes").format(rel=rel))
    return rel


def _check_temp(rel: object, allowed: Callable[[str], bool], final: str | None = None) -> str:
    """A recorded temporary file: `.<name>.<random>.tmp` beside the output `<name>` (which
    must be `final` when given, and one the build may write)."""
    if not isinstance(rel, str):
        raise ManifestError(_("temporary file {rel!r} is not a string").format(rel=rel))
    check_recorded_path(rel, lambda _rel: True)
    folder, _slash, name = rel.rpartition("/")
    cut = name.rfind(".", 0, len(name) - len(".tmp"))
    if not name.startswith(".") or cut <= 1 or not TEMP_TAIL.match(name[cut:]):
        raise ManifestError(_("{rel!r} is not named like a temporary file of the build").format(
            rel=rel))
    owner = (folder + "/" if folder else "") + name[1:cut]
    if final is not None and owner != final:
        raise ManifestError(_("temporary file {rel!r} does not belong to {final!r}").format(
            rel=rel, final=final))
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
        raise ManifestError(_("cannot be read ({reason})").format(reason=exc.strerror)) from None
    if not stat.S_ISREG(info.st_mode):
        raise ManifestError(_("is not a regular file"))
    if info.st_size > MAX_MANIFEST_BYTES:
        raise ManifestError(_("is larger than {size} MiB").format(
            size=MAX_MANIFEST_BYTES // (1024 * 1024)))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
        data = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ManifestError(_("is not valid JSON ({error})").format(
            error=type(exc).__name__)) from None
    return _manifest_from(data, allowed)


def _manifest_from(data: object, allowed: Callable[[str], bool]) -> Manifest:
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ManifestError(_("is not a {format}").format(format=MANIFEST_FORMAT))
    version = data.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise ManifestError(_("has version {version!r}, not {expected}").format(
            version=version, expected=MANIFEST_VERSION))
    state = data.get("state")
    expected = {"format", "version", "state", "files"} | {
        "staging": {"temps"}, "committing": {"moves", "remove"}
    }.get(str(state), set())
    if version >= 2:
        expected.add("inputs")
    if state not in ("complete", "staging", "committing") or set(data) != expected:
        raise ManifestError(_("has unexpected keys or state"))
    manifest = Manifest(state=state, files=_hashes(data["files"], allowed))
    if "inputs" in data:
        manifest.inputs = _fingerprints(data["inputs"], allowed)
        stray = sorted(set(manifest.inputs) - set(manifest.files))
        if stray:
            raise ManifestError(_("records the inputs of {rel!r}, which it does not list").format(
                rel=stray[0]))
    if state == "staging":
        temps = data["temps"]
        if not isinstance(temps, list):
            raise ManifestError(_("`temps` is not a list"))
        manifest.temps = [_check_temp(rel, allowed) for rel in temps]
    if state == "committing":
        moves = data["moves"]
        if not isinstance(moves, list):
            raise ManifestError(_("`moves` is not a list"))
        for move in moves:
            if not (isinstance(move, list) and len(move) == 2):
                raise ManifestError(_("a move is not a [temporary, final] pair"))
            final = check_recorded_path(move[1], allowed)
            if final not in manifest.files:
                raise ManifestError(_("move to {final!r}, which the new set does not list").format(
                    final=final))
            manifest.moves.append((_check_temp(move[0], allowed, final), final))
        manifest.remove = _hashes(data["remove"], allowed)
    return manifest


def _hashes(value: object, allowed: Callable[[str], bool]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ManifestError(_("a file list is not a mapping"))
    for rel, digest in value.items():
        check_recorded_path(rel, allowed)
        if not isinstance(digest, str) or not _HASH.match(digest):
            raise ManifestError(_("the hash of {rel!r} is not a SHA-256").format(rel=rel))
    return dict(value)


def _fingerprints(value: object, allowed: Callable[[str], bool]) -> dict[str, Fingerprint]:
    if not isinstance(value, dict):
        raise ManifestError(_("`inputs` is not a mapping"))
    found: dict[str, Fingerprint] = {}
    for rel, entry in value.items():
        check_recorded_path(rel, allowed)
        if not isinstance(entry, dict) or set(entry) != set(Fingerprint._fields) or not all(
            isinstance(entry[key], str) and _HASH.match(entry[key]) for key in entry
        ):
            raise ManifestError(_("the inputs of {rel!r} are not two SHA-256").format(rel=rel))
        found[rel] = Fingerprint(entry["sources"], entry["machine"])
    return found

