"""Bounded output: a build stops, before rendering and again before writing, when its
outputs would outgrow their sources (build.max_output_ratio × the selected sessions' files,
plus OUTPUT_ALLOWANCE) — a link, reference or image repeated very many times."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from proceedings.errors import ProceedingsError
from proceedings.i18n import _

if TYPE_CHECKING:
    from proceedings.compile.document import Document
    from proceedings.load.workspace import Session, Workspace

# Room above build.max_output_ratio × the sources, for what every build adds whatever the
# notes: the PDF's fonts, the stylesheets, the cover, contents and colophon.
OUTPUT_ALLOWANCE = 10_000_000


def check_output_size(
    workspace: Workspace, sessions: list[Session], files: list[tuple[Path, bytes]]
) -> None:
    """Stop before writing when the outputs outgrow their sources (build.max_output_ratio)."""
    limit, sources = output_limit(workspace, sessions)
    total = sum(len(data) for _path, data in files)
    if total > limit:
        raise output_too_large(total, sources, workspace.config.build.max_output_ratio)


def check_estimated_size(
    workspace: Workspace, document: Document, markdown: str, sessions: list[Session],
    formats: list[str],
) -> None:
    """Stop before rendering when proceedings.md, or the HTML it would give (which the PDF is
    laid out from), already exceeds the limit: such an HTML page is what fills memory."""
    limit, sources = output_limit(workspace, sessions)
    ratio = workspace.config.build.max_output_ratio
    size = len(markdown.encode("utf-8")) if "md" in formats else 0
    if size > limit:
        raise output_too_large(size, sources, ratio)
    if {"html", "pdf"} & set(formats):
        from proceedings.render.html import estimated_size

        size += estimated_size(markdown, document)
        if size > limit:
            raise output_too_large(size, sources, ratio)


def source_bytes(sessions: list[Session]) -> int:
    """The size of what a build reads: every file of the selected session folders."""
    total = 0
    for session in sessions:
        for dirpath, _dirnames, filenames in os.walk(session.path):
            for name in filenames:
                with contextlib.suppress(OSError):
                    total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def output_limit(workspace: Workspace, sessions: list[Session]) -> tuple[int, int]:
    """(the largest output set allowed, the sources' size)."""
    sources = source_bytes(sessions)
    ratio = workspace.config.build.max_output_ratio
    return int(ratio * sources) + OUTPUT_ALLOWANCE, sources


def output_too_large(size: int, sources: int, ratio: float) -> ProceedingsError:
    return ProceedingsError(
        _("the outputs would be {size}, more than {ratio:g} × the {sources} of notes and "
          "images (+ {allowance}); nothing was written").format(
            size=_megabytes(size), ratio=ratio, sources=_megabytes(sources),
            allowance=_megabytes(OUTPUT_ALLOWANCE)),
        hint=_("look for a link, reference or image repeated very many times; if the outputs "
               "really are that large, raise `max_output_ratio` in the [build] table"),
    )


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} KB"
