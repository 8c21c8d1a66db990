"""Where the built proceedings come from: the source commit and each note's history.

The source commit is the last commit that touched the *sources* (the sessions folder, the
config file and the WG's templates), not HEAD: after `build --commit`, HEAD is the
proceedings commit itself, and naming it in the colophon would change the output on every
rebuild and make an endless chain of commits. Everything recorded here is a pure function of
the repository's history, so a rebuild with unchanged inputs is byte-identical.

Author names are published, so they pass the privacy rules first (`public_author`): git lets
anyone commit under any name, and some people commit under their e-mail address. A name that
is or holds an e-mail address, a phone number or a term from `check.private_terms` is
replaced by "(withheld)"; e-mail addresses themselves are never read.

GitPython is imported inside the functions that need it, so `proceedings check` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from proceedings import __version__
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.publish.gitrepo import git_errors, open_repo, repo_path
from proceedings.visible import visible

if TYPE_CHECKING:
    from git import Repo

    from proceedings.config import LoadedConfig

# Fixed-length short hashes: git's own abbreviation grows with the repository, which would
# change the output of a rebuild months later although nothing else changed.
SHORT_HASH = 12
DIRTY_MARK = "+dirty"
WITHHELD = "(withheld)"


@dataclass(frozen=True)
class NoteHistory:
    path: str  # note path relative to the WG root
    # short hash of the last commit that touched the note, with "+dirty" when the note has
    # uncommitted changes; "" when it was never committed
    commit: str
    date: str  # ISO date (author date) of that commit ("" if never committed)
    # everyone who committed to the note, oldest first, as public_author() shows them
    authors: tuple[str, ...]
    dirty: bool = False  # the note has changes that are not committed

    def summary(self) -> str:
        """One line for metadata: `path | commit | date | authors`. In each field a backslash
        and `|` are escaped with a backslash, and so is `,` in a name, so that the fields and
        the names can be split apart again whatever the names hold."""
        commit = self.commit or "uncommitted"
        authors = ", ".join(_field(name).replace(",", "\\,") for name in self.authors)
        fields = (_field(visible(self.path)), commit, self.date, authors)
        return " | ".join(fields)


def _field(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def public_author(name: str, private_terms: Sequence[str] = ()) -> str:
    """An author name as the proceedings may publish it: WITHHELD when it is or holds an
    e-mail address, a phone number or one of `private_terms` (the rules C407–C409 apply to
    names as to notes, documentation domains included), otherwise the name with control and
    bidi characters written as visible escapes (`\\u202e`)."""
    from proceedings.check.rules.privacy import private_reason

    if private_reason(name, private_terms) is not None:
        return WITHHELD
    return visible(name.strip())


@dataclass(frozen=True)
class Provenance:
    # short hash of the last commit that touched the sources, with "+dirty" when the sources
    # had uncommitted changes; None when no commit touched them yet
    source_commit: str | None
    commit_date: str | None  # ISO date-time (committer date) of that commit
    tool_version: str
    notes: dict[str, NoteHistory] = field(default_factory=dict)  # keyed by note path

    @property
    def dirty(self) -> bool:
        return bool(self.source_commit and self.source_commit.endswith(DIRTY_MARK)) or any(
            note.dirty for note in self.notes.values()
        )


def metadata_entries(
    provenance: Provenance, paths: Iterable[str] | None = None
) -> tuple[tuple[str, str], ...]:
    """Document-information entries for the PDF (names are plain ASCII letters, as PDF
    viewers and `pdfinfo -custom` show them); `paths` orders and selects the notes."""
    order = list(provenance.notes) if paths is None else list(paths)
    notes = [provenance.notes[path] for path in order if path in provenance.notes]
    entries = [
        ("SourceCommit", provenance.source_commit or "uncommitted"),
        ("SourceCommitDate", provenance.commit_date or ""),
        ("ToolVersion", f"proceedings {provenance.tool_version}"),
        ("SourceNotes", "\n".join(note.summary() for note in notes)),
    ]
    return tuple((name, value) for name, value in entries if value)


def source_paths(loaded: LoadedConfig) -> list[str]:
    """The WG-root-relative paths whose content determines the build: notes, config, templates."""
    config = loaded.config
    paths = [config.sessions_dir, config.templates_dir]
    if loaded.source is not None:
        try:
            paths.append(loaded.source.resolve().relative_to(loaded.root.resolve()).as_posix())
        except ValueError:
            pass
    return paths


def dirty_sources(
    repo: Repo,
    root: Path,
    sources: Sequence[str],
    note_paths: Iterable[str] = (),
    exclude: Sequence[str] = (),
) -> list[str]:
    """Source files (WG-root relative) that differ from HEAD: modified, staged, untracked,
    or notes that were never committed (e.g. because they are gitignored)."""
    specs = [repo_path(repo, root, s) for s in sources]
    specs += [f":(exclude){repo_path(repo, root, e)}" for e in exclude]
    top_to_rel = _top_to_rel(repo, root)
    out = repo.git.status("--porcelain=v1", "-z", "--untracked-files=all", "--", *specs)
    found: list[str] = []
    entries = out.split("\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            index += 1  # the next entry is the rename's source path
        found.append(top_to_rel(path))
    committed = _paths_in_head(repo, [repo_path(repo, root, n) for n in note_paths])
    for note in note_paths:
        if repo_path(repo, root, note) not in committed and note not in found:
            found.append(note)
    return sorted(set(found))


def collect_provenance(
    root: Path,
    note_paths: Iterable[str],
    *,
    allow_dirty: bool,
    sources: Sequence[str] = ("sessions", "proceedings.toml", "templates"),
    exclude: Sequence[str] = (),
    private_terms: Sequence[str] = (),
) -> Provenance:
    """Provenance of a build of `note_paths` (WG-root relative) from the repository at `root`.

    `sources` are the paths whose last commit is the source commit; `exclude` (e.g. the
    output folder) is left out of it. Uncommitted source changes raise a ProceedingsError
    unless `allow_dirty`, which marks the source commit (and the changed notes) dirty.
    Author names pass `public_author` with `private_terms` (the WG's check.private_terms).
    """
    note_paths = list(note_paths)
    repo = open_repo(root)
    try:
        with git_errors():
            return _collect(repo, root, note_paths, allow_dirty, sources, exclude,
                            tuple(private_terms))
    finally:
        repo.close()


def _collect(
    repo: Repo,
    root: Path,
    note_paths: list[str],
    allow_dirty: bool,
    sources: Sequence[str],
    exclude: Sequence[str],
    private_terms: tuple[str, ...] = (),
) -> Provenance:
    dirty = dirty_sources(repo, root, sources, note_paths, exclude)
    if dirty and not allow_dirty:
        raise dirty_error(dirty)
    source_commit: str | None = None
    commit_date: str | None = None
    if repo.head.is_valid():
        specs = [repo_path(repo, root, s) for s in sources]
        specs += [f":(exclude){repo_path(repo, root, e)}" for e in exclude]
        line = repo.git.log("-1", "--no-show-signature", "--format=%H%x00%cI", "--", *specs)
        if line:
            full, commit_date = line.split("\0")
            source_commit = full[:SHORT_HASH]
    if dirty and source_commit is not None:
        source_commit += DIRTY_MARK
    dirty_set = set(dirty)
    has_history = repo.head.is_valid()
    # Only `git log` subprocesses run in the threads: GitPython's object database (a shared
    # `git cat-file` process) is not safe to use from several threads at once.
    with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
        histories = list(
            pool.map(
                lambda rel: _note_history(
                    repo, root, rel, rel in dirty_set, has_history, private_terms
                ),
                note_paths,
            )
        )
    return Provenance(
        source_commit=source_commit,
        commit_date=commit_date,
        tool_version=__version__,
        notes={history.path: history for history in histories},
    )


def dirty_error(dirty: Sequence[str]) -> ProceedingsError:
    shown = ", ".join(dirty[:5])
    if len(dirty) > 5:
        shown = _("{paths} and {count} more").format(paths=shown, count=len(dirty) - 5)
    return ProceedingsError(
        _("uncommitted changes in the sources: {paths}").format(paths=shown),
        hint=_("the proceedings would match no commit; commit the notes first, "
               "or pass --allow-dirty to build anyway (the colophon then says +dirty)"),
    )


def _note_history(
    repo: Repo, root: Path, rel: str, dirty: bool, has_history: bool,
    private_terms: tuple[str, ...] = (),
) -> NoteHistory:
    if not has_history:
        return NoteHistory(rel, "", "", (), dirty=True)
    # Newest first; --follow keeps the history across renames of the note.
    out = repo.git.log(
        "--follow",
        "--no-show-signature",
        "--format=%H%x00%as%x00%aN",
        "--",
        repo_path(repo, root, rel),
    )
    rows = [line.split("\0") for line in out.splitlines() if line]
    if not rows:
        return NoteHistory(rel, "", "", (), dirty=True)
    authors: list[str] = []
    for *_unused, author in reversed(rows):
        shown = public_author(author, private_terms)
        if shown and shown not in authors:
            authors.append(shown)
    last_hash, last_date, _author = rows[0]
    commit = last_hash[:SHORT_HASH] + (DIRTY_MARK if dirty else "")
    return NoteHistory(rel, commit, last_date, tuple(authors), dirty=dirty)


def _paths_in_head(repo: Repo, paths: list[str]) -> set[str]:
    if not paths or not repo.head.is_valid():
        return set()
    out = repo.git.ls_tree("-r", "-z", "--name-only", "--full-tree", "HEAD", "--", *paths)
    return {path for path in out.split("\0") if path}


def _top_to_rel(repo: Repo, root: Path) -> Callable[[str], str]:
    top = Path(repo.working_tree_dir).resolve()  # type: ignore[arg-type]
    prefix = root.resolve().relative_to(top).as_posix()

    def convert(path: str) -> str:
        if prefix in ("", "."):
            return path
        return path[len(prefix) + 1 :] if path.startswith(prefix + "/") else path

    return convert
