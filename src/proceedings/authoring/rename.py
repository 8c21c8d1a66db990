"""`proceedings rename`: give a note or a session folder a new slug and keep every link to it.

A note `sessions/<session>/NN-old.md` becomes `NN-new.md` (its number stays); a session folder
`YYYY-MM-DD-old` becomes `YYYY-MM-DD-new` (its date stays; a folder without a valid date in
its name takes session.md's, as T506 proposes). Every link, image, reference definition and
HTML `href`/`src` in the archive's Markdown whose target is the renamed note or lies inside the
renamed folder is rewritten: only the path segment that names it changes, so `../`, the
`#anchor`, a title, angle brackets and the rest of the line stay as written. Text that names
the old path without being a link is listed, not changed.

`plan_rename` only reads; `apply_rename` writes the rewritten files as a set (all are staged
beside their originals first, then swapped in; a failure puts the originals back), then moves
the note or folder — with `git mv` when it is tracked, so its history follows. Nothing is
written outside the repository, through a symbolic link, or over an existing file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from proceedings.authoring.slugs import validate_slug
from proceedings.config import LoadedConfig
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.load.naming import propose_session_folder, session_meta
from proceedings.load.workspace import (
    SESSION_DIR_PATTERN,
    SESSION_FILE,
    Session,
    Workspace,
    load_workspace,
)
from proceedings.paths import (
    INTO_GIT,
    OutsideRepository,
    confinement_problem,
    read_inside,
    relative_posix,
)

_NOTE_NUMBER = re.compile(r"^(?P<number>\d{2})-.*\.md$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENDING = re.compile(r"(\r\n|\r|\n)")


@dataclass(frozen=True)
class Change:
    """One destination rewritten: `old` becomes `new` at file line and column (1-based)."""

    rel: str  # the file, relative to the WG root, where it is now
    line: int
    col: int
    old: str
    new: str


@dataclass(frozen=True)
class Leftover:
    """Something that names the old path but is not rewritten, and why."""

    rel: str
    line: int
    col: int
    text: str
    reason: str


@dataclass(frozen=True)
class RenamePlan:
    """What `apply_rename` will do; `plan_rename` makes it without writing anything."""

    root: Path
    kind: str  # "note" or "session"
    source_rel: str
    target_rel: str
    source: Path
    target: Path
    changes: tuple[Change, ...]
    leftovers: tuple[Leftover, ...]
    # per file to rewrite (root-relative): the bytes read, and the bytes to write
    originals: dict[str, bytes] = field(default_factory=dict)
    rewritten: dict[str, bytes] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        return sorted(self.rewritten)


@dataclass(frozen=True)
class RenameResult:
    plan: RenamePlan
    written: tuple[str, ...]  # files rewritten (root-relative, before the move)
    git: bool  # moved with `git mv`


# --- planning ------------------------------------------------------------------------------


def plan_rename(
    loaded: LoadedConfig, path: str | Path, new_slug: str, *, cwd: Path | None = None
) -> RenamePlan:
    """Plan renaming the note or session folder at `path` (relative to `cwd`, or to the WG
    root) to `new_slug`; raises ProceedingsError for anything that cannot be renamed."""
    validate_slug(new_slug, flag="NEW-SLUG")
    workspace = load_workspace(loaded)
    root = Path(os.path.realpath(workspace.root))
    given = _find(Path(path), root, cwd or Path.cwd())
    shown = _shown(path)
    problem = confinement_problem(given, root)
    if problem is not None:
        raise ProceedingsError(_confinement_sentence(shown, problem),
                               hint=_("rename notes and sessions of this repository only"))
    if given.is_symlink():
        raise ProceedingsError(_("{path} is a symbolic link").format(path=shown),
                               hint=_("rename the file or folder it points to"))
    real = Path(os.path.realpath(given))
    sessions_real = Path(os.path.realpath(workspace.sessions_path))
    kind, session = _what(workspace, real, sessions_real, shown)
    if kind == "session":
        source = session.path
        target = source.parent / f"{_session_date(session, root, shown)}-{new_slug}"
    else:
        match = _NOTE_NUMBER.match(real.name)
        if real.name == SESSION_FILE or match is None:
            raise ProceedingsError(
                _("{path} is not a topic note named NN-slug.md").format(path=shown),
                hint=_("only notes with a number (01-…) and session folders are renamed"),
            )
        source = session.path / real.name
        target = source.parent / f"{match['number']}-{new_slug}.md"
    if source.name == target.name:
        raise ProceedingsError(
            _("{path} is already named `{name}`").format(path=shown, name=target.name))
    if os.path.lexists(target) and not _same_entry(source, target):
        raise ProceedingsError(
            _("`{path}` already exists").format(path=relative_posix(target, root)),
            hint=_("pick another slug; rename never overwrites a file or folder"),
        )
    rename = _Rename(root, source, target, kind == "session")
    changes, leftovers, originals, rewritten = rename.scan(workspace)
    return RenamePlan(
        root, kind, relative_posix(source, root), relative_posix(target, root), source,
        target, tuple(changes), tuple(leftovers), originals, rewritten,
    )


def _confinement_sentence(shown: str, problem: str) -> str:
    """`paths.confinement_problem`'s reason as one sentence about `shown`."""
    if problem == INTO_GIT:
        return _("{path} leads into the repository's .git folder").format(path=shown)
    return _("{path} leads outside the repository").format(path=shown)


def _shown(path: str | Path) -> str:
    text = os.fspath(path)
    return repr(text) if any(ord(ch) < 32 or ord(ch) == 127 for ch in text) else f"`{text}`"


def _find(path: Path, root: Path, cwd: Path) -> Path:
    """The path as given (absolute, lexically normalized): relative to the current folder,
    or else to the WG root (with `--root` from elsewhere); one inside the root comes first."""
    candidates = [path] if path.is_absolute() else [cwd / path, root / path]
    existing = [Path(os.path.abspath(c)) for c in candidates if os.path.lexists(c)]
    for candidate in existing:
        if confinement_problem(candidate.parent, root) is None:
            return candidate
    if existing:
        return existing[0]
    raise ProceedingsError(
        _("{path} does not exist").format(path=_shown(path)),
        hint=_("give a note (sessions/<session>/NN-slug.md) or a session folder "
               "(sessions/YYYY-MM-DD-slug)"),
    )


def _what(
    workspace: Workspace, real: Path, sessions_real: Path, shown: str
) -> tuple[str, Session]:
    """("session", it) or ("note", its session) for the real path of what is renamed."""
    by_real = {Path(os.path.realpath(s.path)): s for s in workspace.sessions}
    if real.is_dir() and real in by_real:
        return "session", by_real[real]
    if real.is_file() and real.parent in by_real and real.parent.parent == sessions_real:
        return "note", by_real[real.parent]
    inside = real == sessions_real or sessions_real in real.parents
    message = (
        _("{path} is neither a topic note nor a session folder") if inside
        else _("{path} is neither a topic note nor a session folder under `{folder}`")
    )
    raise ProceedingsError(
        message.format(path=shown, folder=workspace.config.sessions_dir),
        hint=_("give a note (sessions/<session>/NN-slug.md) or a session folder "
               "(sessions/YYYY-MM-DD-slug)"),
    )


def _session_date(session: Session, root: Path, shown: str) -> str:
    match = SESSION_DIR_PATTERN.match(session.name)
    if match and session.folder_date is not None:
        return match["date"]
    proposal = propose_session_folder(session.name, session_meta(session.path, root))
    if proposal.date is None:
        raise ProceedingsError(
            _("{path} has no valid date in its name, and its session.md gives none").format(
                path=shown),
            hint=_("set `date: YYYY-MM-DD` in its session.md, then rename it"),
        )
    return proposal.date.isoformat()


def _same_entry(source: Path, target: Path) -> bool:
    """The target is the source itself (a case-only rename on a case-insensitive disk)."""
    try:
        return os.path.samefile(source, target)
    except OSError:
        return False


class _Rename:
    """Rewrites destinations from the old path to the new one, in the checker's coordinates:
    relative links resolve from the file's folder, `/…` from the WG root, lexically."""

    def __init__(self, root: Path, source: Path, target: Path, folder: bool) -> None:
        self.root = os.fspath(root)
        self.old = os.path.normpath(source)
        self.new = os.path.normpath(target)
        self.folder = folder
        self.old_name = source.name

    def moved(self, path: str) -> str:
        """Where `path` is after the rename."""
        if path == self.old or path.startswith(self.old + os.sep):
            return self.new + path[len(self.old):]
        return path

    def resolve(self, base: str, href: str) -> str | None:
        """The file a destination points at, as `proceedings check` resolves it; None for a
        URL, a same-file `#anchor` or nothing."""
        href = href.strip()
        if not href or href.startswith("//") or _SCHEME.match(href):
            return None
        path_part = unquote(href.partition("#")[0].split("?", 1)[0])
        if not path_part:
            return None
        if path_part.startswith("/"):
            return os.path.normpath(os.path.join(self.root, path_part.lstrip("/")))
        return os.path.normpath(os.path.join(base, path_part))

    def points_here(self, target: str | None) -> bool:
        return target is not None and (
            target == self.old or (self.folder and target.startswith(self.old + os.sep))
        )

    def scan(
        self, workspace: Workspace
    ) -> tuple[list[Change], list[Leftover], dict[str, bytes], dict[str, bytes]]:
        from proceedings.load.destinations import destinations

        changes: list[Change] = []
        leftovers: list[Leftover] = []
        originals: dict[str, bytes] = {}
        rewritten: dict[str, bytes] = {}
        for file in workspace.markdown_files():
            rel = relative_posix(file.path, Path(self.root))
            if file.text is None:
                if self.old_name.encode() in file.raw:
                    leftovers.append(Leftover(rel, 1, 1, self.old_name,
                                              _("the file could not be read as UTF-8 text")))
                continue
            found, lost = destinations(file.body)
            base = os.path.dirname(os.path.normpath(file.path))
            edits: list[Change] = []
            kept: list[Leftover] = []
            for item in lost:
                if self.points_here(self.resolve(base, item.href)):
                    kept.append(Leftover(rel, item.line + 1 + file.body_offset, 1, item.href,
                                         _("a link whose text could not be located (fix it by "
                                           "hand)")))
            for dest in found:
                target = self.resolve(base, dest.href)
                if not self.points_here(target) or (
                    target is not None and self.resolve(self.moved(base), dest.href)
                    == self.moved(target)
                ):
                    continue  # elsewhere, or relative from inside the moved folder: still right
                line, col = dest.line + 1 + file.body_offset, dest.col + 1
                new = self.rewrite(dest.raw, dest.kind, base, target)
                if new is None:
                    kept.append(Leftover(rel, line, col, dest.raw, _("a link that could not be "
                                         "rewritten safely (fix it by hand)")))
                else:
                    edits.append(Change(rel, line, col, dest.raw, new))
            spans = [(c.line, c.col, c.old) for c in edits] + [
                (k.line, k.col, k.text) for k in kept]
            leftovers += kept
            leftovers += self._mentions(rel, file.text, spans)
            if not edits:
                continue
            if file.path.is_symlink() or confinement_problem(file.path, self.root) is not None:
                reason = _("the file is a symbolic link; it is not rewritten")
                leftovers += [Leftover(c.rel, c.line, c.col, c.old, reason) for c in edits]
                continue
            data = _apply(file.raw, edits)
            if data is None:
                reason = _("the line changed while planning (run again)")
                leftovers += [Leftover(c.rel, c.line, c.col, c.old, reason) for c in edits]
                continue
            changes += edits
            originals[rel] = file.raw
            rewritten[rel] = data
        return changes, leftovers, originals, rewritten

    def rewrite(self, raw: str, kind: str, base: str, target: str | None) -> str | None:
        """The destination text with each path segment that names the old path replaced by
        the new name; None when the result would not point at the moved target."""
        from markdown_it.common.utils import unescapeAll

        from proceedings.load.markdown import parser

        angle = kind != "html" and raw.startswith("<") and raw.endswith(">") and len(raw) >= 2
        inner = raw[1:-1] if angle else raw
        units = list(_units(inner, markdown=kind != "html"))
        path_end = next((i for i, (_piece, ch) in enumerate(units) if ch in "#?"), len(units))
        current = self.root if units[:1] and units[0][1] == "/" else base
        pieces: list[str] = []
        segment: list[tuple[str, str]] = []
        replaced = False

        def flush() -> None:
            nonlocal current, replaced
            name = unquote("".join(ch for _piece, ch in segment))
            text = "".join(piece for piece, _meaning in segment)
            if name == "..":
                current = os.path.dirname(current)
            elif name not in ("", "."):
                current = os.path.normpath(os.path.join(current, name))
                if current == self.old:
                    text, replaced = os.path.basename(self.new), True
            pieces.append(text)
            segment.clear()

        for piece, ch in units[:path_end]:
            if ch == "/":
                flush()
                pieces.append(piece)
            else:
                segment.append((piece, ch))
        flush()
        if not replaced:
            return None
        new_inner = "".join(pieces) + "".join(piece for piece, _meaning in units[path_end:])
        md = parser()
        href = new_inner if kind == "html" else md.normalizeLink(unescapeAll(new_inner))
        new_base = self.moved(base)
        if target is None or self.resolve(new_base, href) != self.moved(target):
            return None
        return f"<{new_inner}>" if angle else new_inner

    def _mentions(
        self, rel: str, text: str, spans: list[tuple[int, int, str]]
    ) -> Iterator[Leftover]:
        """Where the old name appears in the text outside the destinations already listed
        (line, column, text)."""
        if self.old_name not in text:
            return
        covered = {(line, col + i) for line, col, old in spans for i in range(len(old))}
        for number, line in enumerate(text.split("\n"), start=1):
            at = line.find(self.old_name)
            while at >= 0:
                if (number, at + 1) not in covered:
                    yield Leftover(rel, number, at + 1, line.strip()[:120],
                                   _("names `{name}` but does not link to it; left as is")
                                   .format(name=self.old_name))
                at = line.find(self.old_name, at + len(self.old_name))


def _units(text: str, *, markdown: bool) -> Iterator[tuple[str, str]]:
    """(as written, meaning) per character: in Markdown `\\#` means `#`."""
    index = 0
    while index < len(text):
        ch = text[index]
        if markdown and ch == "\\" and index + 1 < len(text) and text[index + 1] in _ASCII_PUNCT:
            yield text[index:index + 2], text[index + 1]
            index += 2
        else:
            yield ch, ch
            index += 1


def _apply(raw: bytes, edits: list[Change]) -> bytes | None:
    """The file's bytes with the edits made, keeping its BOM and line endings; None when an
    edit's old text is not where it should be."""
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    parts = _ENDING.split(raw[len(bom):].decode("utf-8"))
    lines, endings = parts[0::2], parts[1::2] + [""]
    for edit in sorted(edits, key=lambda e: (e.line, e.col), reverse=True):
        index, col = edit.line - 1, edit.col - 1
        if index >= len(lines) or lines[index][col:col + len(edit.old)] != edit.old:
            return None
        lines[index] = lines[index][:col] + edit.new + lines[index][col + len(edit.old):]
    return bom + "".join(line + ending for line, ending in zip(lines, endings, strict=True)) \
        .encode("utf-8")


# --- applying ------------------------------------------------------------------------------


def apply_rename(plan: RenamePlan, *, use_git: bool = True) -> RenameResult:
    """Rewrite the files of the plan, then move the note or folder; all or nothing as far as
    the file system allows."""
    from proceedings.atomic import stage_beside, write_bytes_atomic

    if os.path.lexists(plan.target) and not _same_entry(plan.source, plan.target):
        raise ProceedingsError(_("`{path}` already exists").format(path=plan.target_rel),
                               hint=_("pick another slug; rename never overwrites"))
    if not os.path.lexists(plan.source):
        raise ProceedingsError(_("`{path}` no longer exists").format(path=plan.source_rel))
    paths = {rel: _writable(plan.root, rel, original) for rel, original in plan.originals.items()}
    staged: dict[str, str] = {}
    try:
        for rel, data in plan.rewritten.items():
            staged[rel] = stage_beside(paths[rel], data)
    except OSError as exc:
        for temp in staged.values():
            Path(temp).unlink(missing_ok=True)
        raise ProceedingsError(
            _("cannot write {path}: {problem}; nothing was changed").format(
                path=rel, problem=exc.strerror or exc),
            path=None) from None
    replaced: list[str] = []
    try:
        for rel, temp in staged.items():
            os.replace(temp, paths[rel])
            replaced.append(rel)
        moved_with_git = _move(plan, use_git)
    except (OSError, ProceedingsError) as exc:
        for rel in replaced:
            write_bytes_atomic(paths[rel], plan.originals[rel])
        for rel, temp in staged.items():
            if rel not in replaced:
                Path(temp).unlink(missing_ok=True)
        if isinstance(exc, ProceedingsError):
            exc.message = _("{problem}; the rewritten links were put back").format(
                problem=exc.message)
            raise
        raise ProceedingsError(
            _("cannot rename {path}: {problem}; nothing was changed").format(
                path=plan.source_rel, problem=exc.strerror or exc)
        ) from None
    return RenameResult(plan, tuple(sorted(replaced)), moved_with_git)


def _writable(root: Path, rel: str, original: bytes) -> Path:
    """The file to rewrite, checked again just before writing: inside the repository, not a
    link, and still holding the bytes the plan was made from."""
    path = root / rel
    try:
        if path.is_symlink():
            raise OutsideRepository(0, _("is a symbolic link"))
        current = read_inside(path, root)
    except OSError as exc:
        raise ProceedingsError(
            _("cannot rewrite {path}: {problem}; nothing was changed").format(
                path=rel, problem=exc.strerror or exc)) from None
    if current != original:
        raise ProceedingsError(
            _("{path} changed while the rename was planned; nothing was changed").format(
                path=rel),
            hint=_("run the command again"))
    return path


def _move(plan: RenamePlan, use_git: bool) -> bool:
    """Move the note or folder; True when `git mv` did it."""
    if use_git and _tracked(plan):
        from proceedings.publish.gitrepo import git_errors, open_repo

        repo = open_repo(plan.root)
        with git_errors():
            repo.git.mv("--", os.fspath(plan.source), os.fspath(plan.target))
        return True
    if plan.kind == "note" and not _same_entry(plan.source, plan.target):
        try:
            os.link(plan.source, plan.target)  # fails if the target appeared meanwhile
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            if os.path.lexists(plan.target):
                raise ProceedingsError(
                    _("`{path}` already exists").format(path=plan.target_rel)) from None
            os.rename(plan.source, plan.target)
        else:
            os.unlink(plan.source)
    else:
        if os.path.lexists(plan.target) and not _same_entry(plan.source, plan.target):
            raise ProceedingsError(_("`{path}` already exists").format(path=plan.target_rel))
        os.rename(plan.source, plan.target)
    return False


def _tracked(plan: RenamePlan) -> bool:
    """Whether git tracks the note (or any file in the folder)."""
    try:
        from proceedings.publish.gitrepo import open_repo

        repo = open_repo(plan.root)
    except ProceedingsError:
        return False
    try:
        return bool(repo.git.ls_files("--", os.fspath(plan.source)).strip())
    except Exception:  # noqa: BLE001 - git unusable here: a plain rename still works
        return False
