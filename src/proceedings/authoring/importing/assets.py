"""Files a memo links or sits beside: copied into the session's `images/` or `attachments/`,
with the memo's links rewritten to the copies."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

from proceedings.authoring.importing.model import MemoSource, Report
from proceedings.authoring.importing.vocabulary import (
    DEF_TARGET,
    HTML_TARGET,
    INLINE_TARGET,
    SCHEME,
)
from proceedings.i18n import _
from proceedings.load.workspace import ASSET_SUFFIXES, IMAGE_TYPES

_QUERY_OR_FRAGMENT = re.compile(r"[#?]")
_UNSAFE_IN_NAME = re.compile(r"[\s()\[\]<>#?%&'\"]+")

IMAGES_DIR = "images"
ATTACHMENTS_DIR = "attachments"


class MemoAssets:
    def __init__(self, memo: MemoSource, report: Report) -> None:
        self.memo = memo
        self.report = report
        self.rewrites: dict[str, str] = {}  # original link target -> target inside the session
        self.assets: dict[Path, str] = {}  # resolved source file -> path inside the session
        self.unlinked: list[str] = []  # copied files the memo never linked

    def rewrite_links(self, lines: list[str], code_lines: set[int]) -> None:
        """Point the links in `lines` (changed in place) at the copies; outside code only."""
        folder = self.memo.path.parent
        for index, line in enumerate(lines):
            if index in code_lines:
                continue

            def replace(match: re.Match[str], index: int = index) -> str:
                target = match.group(2)
                new = self._asset_target(target, folder, index)
                return match.group(1) + new if new is not None else match.group(0)

            line = INLINE_TARGET.sub(replace, line)
            line = DEF_TARGET.sub(replace, line)
            line = HTML_TARGET.sub(replace, line)
            lines[index] = line
        if self.memo.owns_folder:
            self._folder_assets(folder)

    def _asset_target(self, target: str, folder: Path, line: int) -> str | None:
        bare = target[1:-1] if target.startswith("<") and target.endswith(">") else target
        if not bare or bare.startswith(("#", "/")) or SCHEME.match(bare):
            return None
        path_part = _QUERY_OR_FRAGMENT.split(bare, maxsplit=1)[0]
        suffix = bare[len(path_part) :]
        if not path_part:
            return None
        source = (folder / unquote(path_part)).resolve()
        if target in self.rewrites:
            return self.rewrites[target]
        if not self._copyable(source, path_part, line):
            return None
        inside = self._add_asset(source)
        new = inside + suffix
        if target.startswith("<"):
            new = f"<{new}>"
        self.rewrites[target] = new
        return new

    def _copyable(self, source: Path, path_part: str, line: int) -> bool:
        if not source.is_file():
            self.report.unmapped(
                line,
                _("link target `{path}` does not exist; the link is kept as it is").format(
                    path=path_part),
            )
            return False
        if source.suffix.lower() not in ASSET_SUFFIXES:
            self.report.unmapped(
                line,
                _("`{path}` is not an asset type the WG format accepts ({suffixes}); "
                  "not copied, link kept").format(
                    path=path_part, suffixes=" ".join(sorted(ASSET_SUFFIXES))),
            )
            return False
        boundary = self.memo.boundary.resolve()
        if source != boundary and boundary not in source.parents:
            self.report.unmapped(
                line, _("`{path}` is outside the imported folder; not copied").format(
                    path=path_part))
            return False
        return True

    def _add_asset(self, source: Path) -> str:
        if source in self.assets:
            return self.assets[source]
        subfolder = IMAGES_DIR if source.suffix.lower() in IMAGE_TYPES else ATTACHMENTS_DIR
        name = _UNSAFE_IN_NAME.sub("-", source.name).strip("-") or "file"
        stem, suffix = os.path.splitext(name)
        taken = set(self.assets.values())
        candidate, number = f"{subfolder}/{name}", 2
        while candidate in taken:
            candidate, number = f"{subfolder}/{stem}-{number}{suffix}", number + 1
        self.assets[source] = candidate
        return candidate

    def _folder_assets(self, folder: Path) -> None:
        """Every other file in a memo's own folder: copied if the format accepts it."""
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if path != self.memo.path:
                    self._folder_asset(path, path.relative_to(folder).as_posix())

    def _folder_asset(self, path: Path, rel: str) -> None:
        if path.name.startswith("."):
            self.report.unmapped(None, _("hidden file `{path}` was not copied").format(path=rel))
            return
        resolved = path.resolve()
        if resolved in self.assets:
            return
        boundary = self.memo.boundary.resolve()
        if path.is_symlink() and boundary not in resolved.parents:
            self.report.unmapped(
                None, _("`{path}` links outside the imported folder; not copied").format(path=rel))
            return
        if path.suffix.lower() not in ASSET_SUFFIXES:
            self.report.unmapped(
                None,
                _("`{path}` is not an asset type the WG format accepts ({suffixes}); "
                  "not copied").format(path=rel, suffixes=" ".join(sorted(ASSET_SUFFIXES))),
            )
            return
        if not resolved.is_file():  # a FIFO or device: copying it would never end
            self.report.unmapped(
                None, _("`{path}` is not a regular file; not copied").format(path=rel))
            return
        inside = self._add_asset(resolved)
        self.unlinked.append(inside)
        self.report.decided(
            None,
            _("`{path}` was not linked from the memo; copied to `{copy}` "
              "and linked from session.md").format(path=rel, copy=inside),
        )
