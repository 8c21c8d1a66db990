"""What a rule may look at: the file in hand, its session, and shared per-run lookups."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from proceedings import codes
from proceedings.check.facts import Facts, collect
from proceedings.config import Config
from proceedings.diagnostics import Diagnostic
from proceedings.load.source import MarkdownFile, read_markdown
from proceedings.load.workspace import Note, Session, Workspace
from proceedings.paths import relative_posix


class FileInput(NamedTuple):
    """One Markdown file as a file rule sees it."""

    facts: Facts
    session: Session
    note: Note | None  # None for session.md

    @property
    def file(self) -> MarkdownFile:
        return self.facts.file

    @property
    def rel(self) -> str:
        return self.facts.file.rel

    def diag(
        self, code: codes.Code, line: int, message: str, hint: str = "", col: int = 1
    ) -> Diagnostic:
        return Diagnostic(self.rel, line, col, code.code, message, code.severity, hint)


class CheckContext:
    """Per-run state shared by all rules: the workspace and cached file-system lookups."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.root = os.path.realpath(workspace.root)
        self.facts_by_path: dict[str, Facts] = {}
        # A broken cross-note link's diagnostic -> the root-relative path it points at, so a
        # run on some files can also report links into those files that their change broke.
        self.link_targets: dict[Diagnostic, str] = {}
        self.cache: dict[object, object] = {}  # for rules sharing one pass
        self._exists: dict[str, bool] = {}
        self._realdirs: dict[str, str] = {}
        self._caches: dict[str, Any] = {}  # session folder -> SessionCache
        self._loaded: dict[str, MarkdownFile | None] = {
            os.path.normpath(str(file.path)): file for file in workspace.markdown_files()
        }

    @property
    def config(self) -> Config:
        return self.workspace.config

    def facts(self, file: MarkdownFile) -> Facts:
        key = os.path.normpath(str(file.path))
        found = self.facts_by_path.get(key)
        if found is None:
            cache = self._caches.get(file.path.parent.name) if file.text is not None else None
            if cache is not None:
                found = Facts(file, file.text.split("\n"), True)  # type: ignore[union-attr]
                if not cache.restore(found):
                    found = collect(file)
                    cache.store(found)
            else:
                found = collect(file)
            self.facts_by_path[key] = found
        return found

    def use_cache(self, session: Session) -> None:
        """Take (and later save) cached facts for the files of `session`, run in full."""
        from proceedings.check import cache
        from proceedings.load import cache as cache_store

        if cache_store.enabled():
            self._caches[session.path.name] = cache.SessionCache(self.workspace.root,
                                                                 session.path.name)

    def save_caches(self) -> None:
        for entry in self._caches.values():
            entry.save()

    def exists(self, path: str) -> bool:
        found = self._exists.get(path)
        if found is None:
            found = self._exists[path] = os.path.exists(path)
        return found

    def realpath(self, path: str) -> str:
        """os.path.realpath, with the folder part cached (links share a few folders)."""
        folder, name = os.path.split(path)
        real_folder = self._realdirs.get(folder)
        if real_folder is None:
            real_folder = self._realdirs[folder] = os.path.realpath(folder)
        joined = os.path.join(real_folder, name)
        return os.path.realpath(joined) if os.path.islink(joined) else joined

    def inside_root(self, path: str) -> bool:
        """True when `path` (normalised, absolute) stays in the repository, links resolved."""
        real = self.realpath(path)
        return real == self.root or real.startswith(self.root + os.sep)

    def inside_sessions(self, path: str) -> bool:
        """True when `path` is inside the sessions folder (where the build takes images)."""
        sessions = self.cache.get("sessions-real")
        if sessions is None:
            sessions = self.cache["sessions-real"] = os.path.realpath(
                self.workspace.sessions_path
            )
        return self.realpath(path).startswith(str(sessions) + os.sep)

    def anchors_of(self, path: str) -> set[str] | None:
        """Heading anchors of the Markdown file at `path`; None when it cannot be read.

        Files outside the loaded sessions (a run on a few files loads only their sessions) are
        read and parsed on first use.
        """
        key = os.path.normpath(path)
        if key not in self._loaded:
            if not os.path.isfile(key):
                self._loaded[key] = None
            else:
                self._loaded[key] = read_markdown(
                    Path(key), self.rel(key), self.workspace.root,
                    max_bytes=self.workspace.config.check.max_note_size * 1024,
                )
        file = self._loaded[key]
        if file is None or not file.readable:
            return None
        return self.facts(file).anchors

    def rel(self, path: str) -> str:
        return relative_posix(Path(path), self.workspace.root)

    @cached_property
    def private_terms(self) -> list[str]:
        return [term for term in self.config.check.private_terms if term.strip()]
