"""Images and linked files: resolving them against their note and collecting them as assets.

An image or a linked file is published only when it lies inside the sessions folder, exists,
and (for images) is of a supported type whose first bytes match its name; an SVG must also
survive `render.sanitize.sanitize_svg`. What passes becomes an `Asset` at
`assets/<path inside the sessions folder>`; what does not is reported (B8xx) and the caller
shows text instead. Each SVG is read and reported once per build, however often it is used.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from proceedings.codes import (
    IMAGE_OUTSIDE,
    INSECURE_IMAGE,
    MISSING_IMAGE,
    REMOTE_IMAGE,
    SVG_CLEANED,
    UNSAFE_URL,
    UNSUPPORTED_IMAGE,
)
from proceedings.compile.records import Asset, Report, short
from proceedings.i18n import _
from proceedings.load.source import MarkdownFile
from proceedings.load.workspace import IMAGE_TYPES
from proceedings.paths import real_path
from proceedings.render.sanitize import UnsafeSvgError, sanitize_svg

# How each raster type's file starts. SVG is text and is left to the renderer.
_MAGIC = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
}


def _content_fits_suffix(path: Path) -> bool:
    """Whether a raster image's first bytes match its name (a PDF would drop a mismatch
    without a word, and the HTML would embed it under the wrong type)."""
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as handle:
            head = handle.read(12)
    except OSError:
        return True  # unreadable: reported when it is copied or embedded
    if suffix in _MAGIC:
        return head.startswith(_MAGIC[suffix])
    if suffix == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if suffix == ".avif":
        return head[4:8] == b"ftyp"
    return True


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` lies in `folder` (both resolved)."""
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


class AssetResolver:
    """Resolves image sources and linked files of one build and collects their assets."""

    def __init__(self, root: Path, sessions_path: Path, report: Report) -> None:
        self.root = root  # resolved WG root
        self.sessions_path = sessions_path  # resolved sessions folder
        self.report = report
        self.assets: dict[str, Asset] = {}  # by path relative to the WG root
        self._svg_checked: dict[Path, bool] = {}  # SVGs already looked at (each reported once)

    def collected(self) -> list[Asset]:
        """Every asset of the build, in the order of its output path."""
        return sorted(self.assets.values(), key=lambda a: a.output)

    def is_session_file(self, target: Path) -> bool:
        """Whether a link target is a file inside the sessions folder (so may be published)."""
        return os.path.isfile(target) and inside(target, self.sessions_path)

    def linked_file(self, target: Path, path: str, rel: str, line: int) -> str | None:
        """The output path of a linked file in the sessions folder; None for an unsafe SVG."""
        if not self.svg_usable(target, path, rel, line):
            return None
        return self.add(target, image=False).output

    def add(self, target: Path, image: bool) -> Asset:
        """The asset for `target`, made once; a file linked before and now shown as an
        image becomes an image asset."""
        rel = target.relative_to(self.root).as_posix()
        if rel not in self.assets:
            within = target.relative_to(self.sessions_path).as_posix()
            mime = IMAGE_TYPES.get(target.suffix.lower()) or (
                mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            )
            self.assets[rel] = Asset(target, rel, f"assets/{within}", mime, image)
        elif image and not self.assets[rel].image:
            old = self.assets[rel]
            self.assets[rel] = Asset(old.source, old.rel, old.output, old.mime, True)
        return self.assets[rel]

    def image_src(self, src: str, file: MarkdownFile, line: int) -> str | None:
        """What an image in `file` shows: a data: URI or https URL as it is, a local image
        as its asset's output path, or None (reported) when it is left out."""
        parts = urlsplit(src)
        scheme = parts.scheme.lower()
        if scheme == "data" and src.lower().startswith("data:image/"):
            return src
        if scheme == "http":
            self.report(
                INSECURE_IMAGE, file.rel, line,
                _("image `{src}` is loaded over plain http; left out").format(src=short(src)),
                _("use its https:// address, or download it into the session's images/ folder"),
            )
            return None
        if scheme == "https":
            self.report(
                REMOTE_IMAGE, file.rel, line,
                _("image `{src}` is loaded from the network and not embedded").format(
                    src=short(src)),
                _("download it into the session's images/ folder and link it relatively"),
            )
            return src
        if scheme or parts.netloc:
            self.report(
                UNSAFE_URL, file.rel, line,
                _("image `{src}` is not a file or https URL").format(src=short(src)),
            )
            return None
        path = unquote(parts.path)
        target = real_path(file.path.parent / path)
        if not self._local_image_usable(target, path, file.rel, line):
            return None
        return self.add(target, image=True).output

    def _local_image_usable(self, target: Path, path: str, rel: str, line: int) -> bool:
        if not inside(target, self.sessions_path):
            self.report(
                IMAGE_OUTSIDE, rel, line,
                _("image `{path}` is outside the sessions folder").format(path=path),
                _("put images in the session's folder (e.g. images/) and link them relatively"),
            )
            return False
        if not os.path.isfile(target):  # (False, not an error, in a folder it may not enter)
            self.report(
                MISSING_IMAGE, rel, line, _("image `{path}` does not exist").format(path=path),
                _("check the file name (it is relative to the note), or add the file"),
            )
            return False
        if target.suffix.lower() not in IMAGE_TYPES:
            self.report(
                UNSUPPORTED_IMAGE, rel, line,
                _("image `{path}` is not SVG, PNG, JPEG, GIF, WebP or AVIF").format(path=path),
            )
            return False
        if not _content_fits_suffix(target):
            kind = IMAGE_TYPES[target.suffix.lower()].split("/")[1].upper()
            self.report(
                UNSUPPORTED_IMAGE, rel, line,
                _("image `{path}` is named .{suffix} but is not a {kind} file").format(
                    path=path, suffix=target.suffix[1:], kind=kind),
                _("export the image again, or give it the name of its real type"),
            )
            return False
        return self.svg_usable(target, path, rel, line)

    def svg_usable(self, target: Path, path: str, rel: str, line: int) -> bool:
        """False (with B803) for an SVG that cannot be made safe; B813 when the published
        copy leaves something out. Other files: True. Each SVG is read and reported once."""
        if target.suffix.lower() != ".svg":
            return True
        if target in self._svg_checked:
            return self._svg_checked[target]
        usable = True
        try:
            cleaned = sanitize_svg(target.read_bytes())
        except OSError:
            cleaned = None  # reported when it is copied or embedded
        except UnsafeSvgError as exc:
            self.report(
                UNSUPPORTED_IMAGE, rel, line,
                _("SVG `{path}` is left out: {problem}").format(path=path, problem=exc),
                _("export it again as a plain SVG file"),
            )
            cleaned, usable = None, False
        if cleaned is not None and cleaned.dropped:
            separator = _(", ")
            shown = separator.join(cleaned.dropped[:4]) + (
                separator + "…" if len(cleaned.dropped) > 4 else "")
            self.report(
                SVG_CLEANED, rel, line,
                _("SVG `{path}`: removed from the published copy: {shown}").format(
                    path=path, shown=shown),
                _("export the image without scripts, event handlers or links to other files"),
            )
        self._svg_checked[target] = usable
        return usable
