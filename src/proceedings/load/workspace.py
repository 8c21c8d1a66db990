"""Discover and load a WG archive: sessions, their notes and assets.

`load_workspace` never raises for bad notes: every problem becomes a Diagnostic and the rest of
the archive still loads. Every file under the sessions folder ends up as a note, a session
file, an asset, or a diagnostic — nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from pathlib import Path
from typing import NamedTuple

from proceedings import codes
from proceedings.config import Config, LoadedConfig
from proceedings.diagnostics import Diagnostic
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.load import schema
from proceedings.load.markdown import key_point_lines
from proceedings.load.naming import session_folder_hint
from proceedings.load.source import (
    MAX_NOTE_BYTES,
    MarkdownFile,
    is_special_file,
    outside_message,
    read_markdown,
)
from proceedings.paths import confinement_problem, real_path, relative_posix

SESSION_DIR_PATTERN = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)$"
)
NOTE_FILE_PATTERN = re.compile(r"^(?P<number>\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
SESSION_FILE = "session.md"
# Images a note can show (suffix -> media type): the build embeds exactly these.
IMAGE_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
}
# Every file a session folder may hold besides its Markdown: images plus attachments.
ASSET_SUFFIXES = frozenset(IMAGE_TYPES) | frozenset(".pdf .csv .tsv .txt .json".split())
IGNORED_NAMES = frozenset({".gitkeep"})


class Note(NamedTuple):
    """One topic note of a session: `NN-slug.md`."""

    file: MarkdownFile
    number: int
    slug: str

    @property
    def rel(self) -> str:
        return self.file.rel

    @property
    def title(self) -> str:
        value = self.file.meta.get("title")
        return value if isinstance(value, str) and value.strip() else self.slug

    @property
    def status(self) -> str:
        value = self.file.meta.get("status")
        return value if value in ("draft", "final") else "draft"

    def key_point_lines(self, marker: str) -> list[int]:
        return key_point_lines(self.file.tokens, marker, self.file.body_offset)


class Session:
    """One session folder: `YYYY-MM-DD-slug/` with its session.md and notes."""

    def __init__(
        self, path: Path, rel: str, folder_date: dt.date | None, slug: str,
        info: MarkdownFile | None,
    ) -> None:
        self.path = path
        self.rel = rel
        self.folder_date = folder_date
        self.slug = slug
        self.info = info  # session.md; None when missing
        self.notes: list[Note] = []
        self.assets: list[str] = []  # paths relative to the WG root

    def __repr__(self) -> str:
        return f"Session({self.rel!r})"

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def title(self) -> str:
        value = self.info.meta.get("title") if self.info else None
        return value if isinstance(value, str) and value.strip() else self.name

    @property
    def date(self) -> dt.date | None:
        if self.info is not None:
            parsed = schema.parse_iso_date(self.info.meta.get("date"))
            if parsed is not None:
                return parsed
        return self.folder_date

    def language(self, config: Config) -> str:
        value = self.info.meta.get("language") if self.info else None
        return value if value in ("ja", "en") else config.language

    def files(self) -> list[MarkdownFile]:
        return ([self.info] if self.info else []) + [note.file for note in self.notes]


class Workspace(NamedTuple):
    """The loaded archive: the config and every session found."""

    root: Path
    config: Config
    config_source: Path | None
    sessions: list[Session]
    diagnostics: list[Diagnostic]  # tree-level problems (stray files, names, numbering)

    @property
    def sessions_path(self) -> Path:
        return self.root / self.config.sessions_dir

    def notes(self) -> list[Note]:
        return [note for session in self.sessions for note in session.notes]

    def markdown_files(self) -> list[MarkdownFile]:
        return [file for session in self.sessions for file in session.files()]

    def all_diagnostics(self) -> list[Diagnostic]:
        """Loader diagnostics: tree problems plus each file's decoding/front-matter problems."""
        found = list(self.diagnostics)
        for file in self.markdown_files():
            found += file.diagnostics
        return sorted(found)

    def session_for(self, path: Path) -> Session | None:
        path = real_path(path)
        for session in self.sessions:
            if path == session.path or session.path in path.parents:
                return session
        return None


def load_workspace(loaded: LoadedConfig, only: list[str] | None = None) -> Workspace:
    """Load every session under the configured folder (or only the named session folders)."""
    root, config = loaded.root, loaded.config
    sessions_path = real_path(root / config.sessions_dir)
    if not sessions_path.is_dir():
        raise ProceedingsError(
            _("sessions folder `{folder}` does not exist under {root}").format(
                folder=config.sessions_dir, root=root),
            hint=_("create it with `proceedings new-session` or set `sessions_dir`"),
        )
    tree: list[Diagnostic] = []
    sessions: list[Session] = []
    # Only named sessions (a pre-commit run): look up just those, not every entry of a large
    # archive (a stat and a relative path each, a few ms per hundred sessions).
    entries = (
        [sessions_path / name for name in sorted(only)]
        if only is not None
        else list_sessions_folder(sessions_path)
    )
    for entry in entries:
        if entry.name in IGNORED_NAMES:
            continue
        problem = top_level_problem(entry, root)
        if problem is None:
            session = _load_session(entry, root, tree, config.check.max_note_size * 1024)
            if session is not None:
                sessions.append(session)
        elif only is None or problem.code == codes.OUTSIDE_REPOSITORY.code:
            tree.append(problem)
    sessions.sort(key=lambda s: (s.date or dt.date.max, s.name))
    return Workspace(root, config, loaded.source, sessions, tree)


def top_level_problem(entry: Path, root: Path) -> Diagnostic | None:
    """What is wrong with an entry directly in the sessions folder; None for a session
    folder to load. A link that leaves the repository is F107 and is never followed."""
    rel = relative_posix(entry, root)
    if entry.is_symlink():
        problem = confinement_problem(entry, root)
        if problem is not None:
            return _tree(codes.OUTSIDE_REPOSITORY, rel, *outside_message(problem))
    if entry.is_dir() and not entry.name.startswith("."):
        if not _is_utf8_name(entry.name):
            # Such a name cannot be written into the proceedings: the session is left out.
            return _tree(
                codes.BAD_SESSION_NAME, rel, _("session folder name is not valid UTF-8"),
                _("rename it to YYYY-MM-DD-slug (slug: a-z, 0-9, -); it is left out until then"),
            )
        return None
    return _tree(
        codes.STRAY_FILE, rel, _("`{name}` is not a session folder").format(name=entry.name),
        _("sessions/ holds only YYYY-MM-DD-slug folders; move or delete it"),
    )


def _is_utf8_name(name: str) -> bool:
    """False for a file name with bytes that are not UTF-8 (Python holds them as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def list_sessions_folder(sessions_path: Path) -> list[Path]:
    """The entries of the sessions folder by name, or a user error when it cannot be listed."""
    try:
        return sorted(sessions_path.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise ProceedingsError(
            _("cannot list the sessions folder: {reason}").format(reason=exc.strerror or exc),
            path=sessions_path, hint=_("fix its permissions (`chmod u+rx`)"),
        ) from None


def _load_session(
    folder: Path, root: Path, tree: list[Diagnostic], max_bytes: int = MAX_NOTE_BYTES
) -> Session | None:
    """The session in `folder`; None (with an F109 error) when the folder cannot be listed,
    so that it never becomes an empty chapter."""
    rel = relative_posix(folder, root)
    unlisted: list[OSError] = []
    files = _walk_files(folder, unlisted)
    for error in unlisted:
        tree.append(
            _tree(
                codes.UNREADABLE_FOLDER,
                relative_posix(Path(error.filename or folder), root),
                _("cannot list this folder: {reason}; its files are left out").format(
                    reason=error.strerror or error),
                _("fix its permissions (`chmod u+rx`) or remove it"),
            )
        )
        if Path(error.filename or folder) == folder:
            return None
    folder_date, slug = _folder_name(folder, root, rel, tree)
    session = Session(real_path(folder), rel, folder_date, slug, None)
    numbered: list[Note] = []
    refused_info = False  # session.md is a link out: F107 says so, not T505
    for path in files:
        refused = _load_file(path, folder, root, session, numbered, tree, max_bytes)
        refused_info = refused_info or (refused and path == folder / SESSION_FILE)
    numbered.sort(key=lambda n: (n.number, n.file.path.name))
    session.notes = numbered
    tree += _numbering_problems(session)
    _check_complete(session, refused_info, tree)
    return session


def _folder_name(
    folder: Path, root: Path, rel: str, tree: list[Diagnostic]
) -> tuple[dt.date | None, str]:
    """The session's date and slug from its folder's name (T506 when it is not one)."""
    match = SESSION_DIR_PATTERN.match(folder.name)
    if match is None:
        tree.append(
            _tree(
                codes.BAD_SESSION_NAME,
                rel,
                _("session folder `{name}` is not named YYYY-MM-DD-slug").format(
                    name=folder.name),
                session_folder_hint(folder, root, rel),
            )
        )
        return None, folder.name
    folder_date = schema.parse_iso_date(match["date"])
    if folder_date is None:
        tree.append(
            _tree(
                codes.BAD_SESSION_NAME,
                rel,
                _("folder date `{date}` is not a real date").format(date=match["date"]),
                session_folder_hint(folder, root, rel),
            )
        )
    return folder_date, match["slug"]


def _load_file(
    path: Path,
    folder: Path,
    root: Path,
    session: Session,
    numbered: list[Note],
    tree: list[Diagnostic],
    max_bytes: int = MAX_NOTE_BYTES,
) -> bool:
    """Take one file of a session folder into `session` (or `numbered`), or report it.
    True when it is a link out of the repository and so was refused."""
    file_rel = relative_posix(path, root)
    if path.is_symlink():
        # A link is followed only while it stays in the repository: a note, asset or
        # folder that leads out is reported (F107) and never read, copied or walked.
        problem = confinement_problem(path, root)
        if problem is not None:
            tree.append(_tree(codes.OUTSIDE_REPOSITORY, file_rel, *outside_message(problem)))
            return True
        if path.is_dir():
            return False  # a folder linked from inside the repository: not walked, as before
    if path.parent == folder and path.suffix == ".md":
        if path.name == SESSION_FILE:
            session.info = read_markdown(path, file_rel, root, max_bytes=max_bytes)
            _validate_session_info(session, tree)
            return False
        note_match = NOTE_FILE_PATTERN.match(path.name)
        file = read_markdown(path, file_rel, root, max_bytes=max_bytes)
        if note_match is None:
            tree.append(
                _tree(
                    codes.BAD_NOTE_NAME,
                    file_rel,
                    _("`{name}` is not named NN-slug.md").format(name=path.name),
                    _("rename it, e.g. 03-data-quality.md (slug: a-z, 0-9, -)"),
                )
            )
            return False
        note = Note(file, int(note_match["number"]), note_match["slug"])
        _validate_note_meta(note)
        numbered.append(note)
    elif path.suffix.lower() in ASSET_SUFFIXES and not is_special_file(path):
        session.assets.append(file_rel)
    elif path.name not in IGNORED_NAMES:
        tree.append(
            _tree(
                codes.STRAY_FILE,
                file_rel,
                _stray_message(path, folder, root),
                _stray_hint(path, folder),
            )
        )
    return False


def _check_complete(session: Session, refused_info: bool, tree: list[Diagnostic]) -> None:
    """A session needs session.md (unless it was refused as a link) and a topic note."""
    if session.info is None and not refused_info:
        tree.append(
            _tree(
                codes.MISSING_SESSION_FILE,
                session.rel,
                _("session folder has no session.md"),
                _("add session.md with `title` and `date` front matter"),
            )
        )
    if not session.notes:
        tree.append(
            _tree(
                codes.EMPTY_SESSION,
                session.rel,
                _("session has no topic notes"),
                _("add one with `proceedings new-session --add-topic`"),
            )
        )


def _walk_files(folder: Path, unlisted: list[OSError]) -> list[Path]:
    """Every file under `folder`; the folders that cannot be listed go to `unlisted`."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, onerror=unlisted.append, followlinks=False):
        dirnames.sort()
        links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        names = sorted(filenames + links)
        found += [Path(dirpath) / name for name in names]
    return found


def _validate_session_info(session: Session, tree: list[Diagnostic]) -> None:
    info = session.info
    assert info is not None
    if not _validate_front_matter(info, schema.SESSION_KEYS):
        return
    meta_date = schema.parse_iso_date(info.meta.get("date"))
    if meta_date and session.folder_date and meta_date != session.folder_date:
        info.report(
            codes.DATE_MISMATCH,
            info.key_lines.get("date", 1),
            _("date {date} differs from the folder's date {folder_date}").format(
                date=meta_date, folder_date=session.folder_date),
            _("fix the date or rename the folder"),
        )


def _validate_note_meta(note: Note) -> None:
    _validate_front_matter(note.file, schema.NOTE_KEYS)


def _validate_front_matter(file: MarkdownFile, specs: tuple[schema.KeySpec, ...]) -> bool:
    """Report missing front matter or schema problems; False when there is nothing to judge."""
    if not file.readable or _has_front_matter_error(file):
        return False
    if not file.has_front_matter:
        if file.path.name == SESSION_FILE:
            message = _("session.md has no front matter")
            hint = _("start the file with `---`, `title: …`, `date: YYYY-MM-DD`, `---`")
        else:
            message = _("note has no front matter")
            hint = _("start the file with `---`, `title: …`, `---`")
        file.report(codes.NO_FRONT_MATTER, 1, message, hint)
        return False
    file.diagnostics += schema.validate(
        file.meta, file.key_lines, file.closing_line, specs, file.rel
    )
    return True


_FRONT_MATTER_FAILURES = {codes.YAML_SYNTAX.code, codes.NOT_MAPPING.code, codes.UNSAFE_YAML.code,
                          codes.UNCLOSED.code}


def _has_front_matter_error(file: MarkdownFile) -> bool:
    """True when the front matter could not be read at all (so its keys can't be judged)."""
    return any(d.code in _FRONT_MATTER_FAILURES for d in file.diagnostics)


def _numbering_problems(session: Session) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    counts = Counter(note.number for note in session.notes)
    for note in session.notes:
        if counts[note.number] > 1:
            others = [
                n.file.path.name for n in session.notes if n.number == note.number and n is not note
            ]
            problems.append(
                _tree(
                    codes.DUPLICATE_NUMBER,
                    note.rel,
                    _("number {number:02d} is also used by {others}").format(
                        number=note.number, others=", ".join(others)),
                    _("renumber one of them"),
                )
            )
    numbers = sorted(counts)
    expected = list(range(1, len(numbers) + 1))
    if numbers and numbers != expected:
        missing = sorted(set(range(1, numbers[-1] + 1)) - set(numbers))
        first_after = next(n for n in session.notes if n.number > (missing[0] if missing else 0))
        detail = ", ".join(f"{m:02d}" for m in missing) if missing else "00"
        problems.append(
            _tree(
                codes.NUMBER_GAP,
                first_after.rel,
                _("note numbers skip {numbers}; notes are numbered 01, 02, … in order").format(
                    numbers=detail),
                _("renumber the files so the order has no gaps"),
            )
        )
    return problems


def _stray_message(path: Path, folder: Path, root: Path) -> str:
    if is_special_file(path):
        message = _("`{name}` is not a regular file (a pipe, socket or device)")
    elif path.suffix == ".md":
        message = _("`{name}` is Markdown inside a subfolder and will not be built")
    else:
        message = _("`{name}` is neither a note nor a known asset type")
    return message.format(name=path.name)


def _stray_hint(path: Path, folder: Path) -> str:
    if path.suffix == ".md":
        return _("move it next to session.md as NN-slug.md, or delete it")
    return _("assets are {suffixes}; move or delete it").format(
        suffixes=" ".join(sorted(ASSET_SUFFIXES)))


def _tree(code: codes.Code, rel: str, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(rel, 1, 1, code.code, message, code.severity, hint)
