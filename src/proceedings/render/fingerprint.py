"""What an output is made from, hashed: the build's `inputs` record (docs/build.md).

    prints = input_fingerprints(workspace, sessions, document, options, ["md", "pdf"])
    prints["pdf"]  # SHA-256 (hex) of everything that can change proceedings.pdf's bytes

A build records each output's fingerprint next to its SHA-256 in the output folder's
manifest; a later build whose fingerprint is the same, finding the file with the recorded
bytes, does not render that output again. So the fingerprint covers everything that can
change an output's bytes, in two parts (`render.manifest.Fingerprint`):

- `sources`, the repository's part, the same in every clone of a commit: every file of the
  sessions built (the notes as the build read them, session.md, images, any other file
  there), each file another session lends them (assets), the names of every note and
  session (links to them), the effective settings, the WG's templates folder, the WG's font
  files, the provenance (source commit, note histories), the selection, and for the PDF
  `--allow-missing-glyphs`;
- `machine`, the tool and what it runs on: its version and a hash of its own code and
  packaged templates, the versions of the Python packages that parse, template and lay out
  (markdown-it-py, mdit-py-plugins, Jinja2, MarkupSafe, PyYAML; WeasyPrint and its helpers
  for the PDF), Python itself; for the PDF also the files (names, sizes, modification
  times) of fontconfig's font folders and configuration, the native libraries WeasyPrint
  draws with (Pango, HarfBuzz, fontconfig, FreeType, GLib), the environment variables they
  and the PDF's dates read, and the WG root's path.

An output rendered again to the bytes it had, from the same sources, keeps its recorded
fingerprint (atomic.write_output_set), so machines never take turns rewriting the record.

Files are read without following a symbolic link out of the WG root (the link's text is
hashed instead) and only when they are regular files (a FIFO would never end). Nothing here
imports WeasyPrint: deciding that nothing needs rendering must stay cheap.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import sysconfig
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from proceedings.config import Table
from proceedings.paths import real_inside
from proceedings.render.manifest import Fingerprint

if TYPE_CHECKING:
    from proceedings.compile.document import Document
    from proceedings.load.workspace import Session, Workspace
    from proceedings.render.build import BuildOptions

# Python distributions whose version changes what the build writes.
TEXT_DISTRIBUTIONS = ("markdown-it-py", "mdit-py-plugins", "jinja2", "markupsafe", "pyyaml")
PDF_DISTRIBUTIONS = (
    "weasyprint", "pydyf", "tinycss2", "tinyhtml5", "cssselect2", "fonttools", "pillow",
    "pyphen", "brotli", "zopfli", "cffi",
)
# Native libraries WeasyPrint lays text out with (file names start with lib<name>.so / .dylib).
NATIVE_LIBRARIES = (
    "pango-1.0", "pangoft2-1.0", "harfbuzz", "harfbuzz-subset", "fontconfig", "freetype",
    "glib-2.0", "gobject-2.0",
)
# Environment variables that change the PDF: its dates, and where fonts and libraries are found.
PDF_ENVIRONMENT = (
    "SOURCE_DATE_EPOCH", "FONTCONFIG_FILE", "FONTCONFIG_PATH", "FONTCONFIG_SYSROOT",
    "XDG_DATA_HOME", "XDG_DATA_DIRS", "XDG_CONFIG_HOME", "HOME", "LD_LIBRARY_PATH",
    "LANG", "LC_ALL", "LC_CTYPE", "PANGOCAIRO_BACKEND",
)
# `[^<>]`: an attempt ends at the next tag, so a file of many unclosed `<dir` stays linear.
_NAME_PUNCTUATION = re.compile(r"[-_.]+")  # distribution names: PEP 503 normalisation
_DIR_ELEMENT = re.compile(r"<dir(\s[^<>]*+)?>([^<]{1,4096}+)</dir>")
_CHUNK = 1 << 20


def input_fingerprints(
    workspace: Workspace,
    sessions: list[Session],
    document: Document,
    options: BuildOptions,
    formats: Iterable[str],
) -> dict[str, Fingerprint]:
    """Format name -> what that output is made from (see above), as the SHA-256 of the
    repository's part and of the machine's."""
    sources = _digest(_sources(workspace, sessions, document, options))
    machine = _digest(_machine())
    prints: dict[str, Fingerprint] = {}
    for name in formats:
        extra_sources: object = None
        extra_machine: object = None
        if name == "pdf":
            extra_sources, extra_machine = _pdf_sources(workspace, options), _pdf_machine(
                workspace
            )
        prints[name] = Fingerprint(
            _digest({"format": name, "sources": sources, "pdf": extra_sources}),
            _digest({"format": name, "machine": machine, "pdf": extra_machine}),
        )
    return prints


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _sources(
    workspace: Workspace, sessions: list[Session], document: Document, options: BuildOptions
) -> dict[str, object]:
    """The repository's part: the same in every clone of the same commit."""
    root = workspace.root
    real_root = os.path.realpath(root)
    loaded = {file.rel: file.raw for file in workspace.markdown_files()}
    templates = root / workspace.config.templates_dir
    return {
        "settings": settings(workspace.config),
        "selection": [session.name for session in sessions],
        "notes": sorted(loaded),
        "sessions": {
            session.name: _tree(session.path, real_root, loaded=loaded, rel_base=root)
            for session in sessions
        },
        "assets": {asset.rel: _file(asset.source, real_root) for asset in document.assets},
        "templates": _tree(templates, real_root) if os.path.lexists(templates) else None,
        "provenance": asdict(options.provenance) if options.provenance is not None else None,
    }


def _machine() -> dict[str, object]:
    """The machine's part: the tool and what it runs on."""
    import proceedings
    from proceedings.templates import packaged_templates_dir

    return {
        "tool": proceedings.__version__,
        "code": _package_digest(str(Path(proceedings.__file__).parent)),
        "packaged_templates": _tree(packaged_templates_dir(), "/", trusted=True),
        "python": [sys.version, unicodedata.unidata_version],
        "distributions": _versions(TEXT_DISTRIBUTIONS),
    }


def _pdf_sources(workspace: Workspace, options: BuildOptions) -> dict[str, object]:
    real_root = os.path.realpath(workspace.root)
    return {
        "allow_missing_glyphs": options.allow_missing_glyphs,
        "fonts": {entry: _file(workspace.root / entry, real_root)
                  for entry in workspace.config.build.fonts},
    }


def _pdf_machine(workspace: Workspace) -> dict[str, object]:
    return {
        # the PDF links a copied file by its absolute file: URL, so it depends on the folder
        "root": os.path.realpath(workspace.root),
        "distributions": _versions(PDF_DISTRIBUTIONS),
        "environment": {name: os.environ.get(name) for name in PDF_ENVIRONMENT},
        "system_fonts": system_fonts(),
        "native_libraries": native_libraries(),
    }


def settings(table: Table) -> dict[str, object]:
    """The effective settings (defaults filled in) as plain data."""
    return {
        name: settings(value) if isinstance(value, Table) else value
        for name, value in sorted(vars(table).items())
    }


# ----------------------------------------------------------------------------- files


def _file(path: Path | str, real_root: str, *, trusted: bool = False) -> str:
    """A file's SHA-256; for a symlink out of the WG root (unless `trusted`), its text; for
    what is not a regular file, its kind. Never blocks (a FIFO is not opened for reading)."""
    path = os.fspath(path)
    try:
        if os.path.islink(path) and not trusted:
            real = os.path.realpath(path)
            if not real_inside(real, real_root):
                return "link:" + os.readlink(path)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return f"kind:{stat.S_IFMT(info.st_mode)}"
        hasher = hashlib.sha256()
        while block := os.read(fd, _CHUNK):
            hasher.update(block)
        return hasher.hexdigest()
    except OSError as exc:
        return f"unreadable:{exc.errno}"
    finally:
        os.close(fd)


def _tree(
    folder: Path | str,
    real_root: str,
    *,
    loaded: Mapping[str, bytes] | None = None,
    rel_base: Path | None = None,
    trusted: bool = False,
) -> dict[str, str]:
    """Relative path -> hash of every file under `folder` (see `_file`). Folders reached
    through a symbolic link are followed only inside the WG root (unless `trusted`), each
    real folder once. A file in `loaded` (WG-root-relative path -> the bytes the build read)
    is hashed from those bytes, so the record matches what was built even if the file
    changes meanwhile."""
    found: dict[str, str] = {}
    seen: set[str] = set()
    base = os.fspath(folder)
    for current, dirs, files in os.walk(base, followlinks=True):
        real = os.path.realpath(current)
        if real in seen or not (trusted or real_inside(real, real_root)):
            dirs[:] = []
            continue
        seen.add(real)
        rel_dir = os.path.relpath(current, base)
        for name in sorted(dirs):
            full = os.path.join(current, name)
            if os.path.islink(full) and not trusted and not real_inside(
                os.path.realpath(full), real_root
            ):
                found[_join(rel_dir, name)] = "link:" + os.readlink(full)
        for name in sorted(files):
            full = os.path.join(current, name)
            rel = _join(rel_dir, name)
            if loaded is not None and rel_base is not None:
                key = Path(os.path.relpath(full, rel_base)).as_posix()
                if key in loaded:
                    found[rel] = hashlib.sha256(loaded[key]).hexdigest()
                    continue
            found[rel] = _file(full, real_root, trusted=trusted)
    return found


def _join(folder: str, name: str) -> str:
    return name if folder == "." else Path(folder, name).as_posix()


@lru_cache(maxsize=4)
def _package_digest(package: str) -> str:
    """A hash of the tool's own files (its code and anything packaged with it)."""
    hasher = hashlib.sha256()
    for current, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            full = os.path.join(current, name)
            hasher.update(os.path.relpath(full, package).encode("utf-8", "surrogateescape"))
            hasher.update(_file(full, "/", trusted=True).encode("ascii"))
    return hasher.hexdigest()


def _versions(names: Iterable[str]) -> dict[str, str | None]:
    """Installed versions of the distributions `names`, read from the `.dist-info` folder
    names on sys.path (importlib.metadata costs ~0.1 s to import)."""
    wanted = {_normal(name) for name in names}
    found: dict[str, str | None] = dict.fromkeys(sorted(wanted))
    for name, version in _installed():
        if name in wanted and found[name] is None:
            found[name] = version
    return found


@lru_cache(maxsize=1)
def _installed() -> tuple[tuple[str, str], ...]:
    entries: list[tuple[str, str]] = []
    for folder in sys.path:
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for entry in names:
            stem, dot, kind = entry.rpartition(".")
            if not dot or kind not in ("dist-info", "egg-info"):
                continue
            name, _, version = stem.partition("-")
            entries.append((_normal(name), version.partition("-")[0]))
    return tuple(entries)


def _normal(name: str) -> str:
    return _NAME_PUNCTUATION.sub("_", name).lower()


# ----------------------------------------------------------------------------- the machine


def system_fonts() -> dict[str, list[object]]:
    """Folder -> (path, size, modification time) of every file in fontconfig's font folders
    and configuration: a font installed, removed or updated changes it. Cheap: no file is
    read but fontconfig's own configuration (for the folders it names)."""
    home = os.path.expanduser("~")
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    config_dirs = ["/etc/fonts", os.path.join(config_home, "fontconfig")]
    for variable in ("FONTCONFIG_PATH", "FONTCONFIG_FILE"):
        config_dirs += [item for item in os.environ.get(variable, "").split(os.pathsep) if item]
    font_dirs = {"/usr/share/fonts", "/usr/local/share/fonts", os.path.join(home, ".fonts"),
                 os.path.join(data_home, "fonts")}
    for entry in _stat_walk(config_dirs):
        name = str(entry[0])
        if name.endswith(".conf"):
            font_dirs |= _configured_dirs(name, home, data_home)
    return {
        "config": list(_stat_walk(config_dirs)),
        "fonts": list(_stat_walk(sorted(font_dirs))),
    }


def _configured_dirs(conf: str, home: str, data_home: str) -> set[str]:
    """The `<dir>` folders a fontconfig file names (`~` and `prefix="xdg"` expanded)."""
    try:
        with open(conf, "rb") as handle:
            text = handle.read(1 << 20).decode("utf-8", "replace")
    except OSError:
        return set()
    found: set[str] = set()
    for match in _DIR_ELEMENT.finditer(text):
        attributes, value = match.group(1) or "", match.group(2).strip()
        if 'prefix="xdg"' in attributes:
            value = os.path.join(data_home, value)
        elif value.startswith("~"):
            value = home + value[1:]
        if os.path.isabs(value):
            found.add(value)
    return found


def _stat_walk(paths: Iterable[str]) -> Iterator[tuple[str, int, int]]:
    """(path, size, mtime in ns) of every file under each of `paths` (or of the file itself)."""
    for top in paths:
        try:
            info = os.stat(top)
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            yield top, info.st_size, info.st_mtime_ns
            continue
        seen: set[str] = set()
        for current, dirs, files in os.walk(top, followlinks=True):
            real = os.path.realpath(current)
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(current, name)
                try:
                    info = os.stat(full)
                except OSError:
                    continue
                yield full, info.st_size, info.st_mtime_ns


def native_libraries() -> list[tuple[str, str, int, int]]:
    """(name, real path, size, mtime in ns) of the shared libraries WeasyPrint loads, found
    in the usual library folders: an upgrade of Pango or HarfBuzz changes it."""
    folders: list[str] = []
    multiarch = sysconfig.get_config_var("MULTIARCH")
    for prefix in ("/usr/lib", "/lib", "/usr/local/lib"):
        if multiarch:
            folders.append(f"{prefix}/{multiarch}")
        folders.append(prefix)
    folders += ["/usr/lib64", "/lib64", "/opt/homebrew/lib"]
    folders += [item for item in os.environ.get("LD_LIBRARY_PATH", "").split(":") if item]
    prefixes = tuple(f"lib{name}." for name in NATIVE_LIBRARIES)
    found: list[tuple[str, str, int, int]] = []
    for folder in folders:
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            if name.startswith(prefixes) and (".so" in name or name.endswith(".dylib")):
                full = os.path.join(folder, name)
                try:
                    info = os.stat(full)
                except OSError:
                    continue
                found.append((full, os.path.realpath(full), info.st_size, info.st_mtime_ns))
    return found


# ----------------------------------------------------------------------------- a quick guess


def newest_change(paths: Iterable[Path]) -> int:
    """The latest modification time (ns) of `paths` and of everything below them (folders
    included: a deleted file changes its folder's time); 0 when none exists."""
    newest = 0
    for path in paths:
        for _, _, mtime in _stat_walk_with_dirs(os.fspath(path)):
            newest = max(newest, mtime)
    return newest


def _stat_walk_with_dirs(top: str) -> Iterator[tuple[str, int, int]]:
    try:
        info = os.stat(top)
    except OSError:
        return
    yield top, info.st_size, info.st_mtime_ns
    if not stat.S_ISDIR(info.st_mode):
        return
    for current, dirs, files in os.walk(top):
        for name in dirs + files:
            try:
                info = os.stat(os.path.join(current, name))
            except OSError:
                continue
            yield name, info.st_size, info.st_mtime_ns


def git_markers(root: Path) -> list[Path]:
    """Files git changes on every commit, checkout or reset of the repository holding `root`
    (HEAD, its reflog, the refs): a source commit or note history may have changed."""
    for folder in (root, *root.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            git_dir = dot_git
            break
        if dot_git.is_file():
            try:
                line = dot_git.read_text("utf-8", "replace").strip()
            except OSError:
                return []
            if not line.startswith("gitdir:"):
                return []
            git_dir = (folder / line.removeprefix("gitdir:").strip()).resolve()
            break
    else:
        return []
    markers = [git_dir / "HEAD", git_dir / "logs" / "HEAD"]
    common = git_dir / "commondir"
    if common.is_file():
        try:
            git_dir = (git_dir / common.read_text("utf-8").strip()).resolve()
        except OSError:
            return markers
    return [*markers, git_dir / "packed-refs", git_dir / "refs" / "heads"]
