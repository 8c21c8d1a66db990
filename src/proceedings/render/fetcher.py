"""The only way WeasyPrint may read anything: `data:` URLs and plain files inside the WG root.

WeasyPrint's default fetcher reads any `file://` path and any `http://` URL, so a note with
raw HTML such as `<img src="file:///etc/passwd">` or `<link rel="attachment" href=…>` could
pull local files or intranet pages into a published PDF. This fetcher allows:

- `data:` URLs (images the build embeds inline);
- `file:` URLs whose real path (symlinks resolved) lies inside the WG root, is a regular
  file, and has no hidden component (`.git/…`, `.env`).

Everything else — other schemes, other hosts, `..` escapes, symlinks leading out, missing
files — is refused without touching the network, and recorded as a `BlockedRequest` so the
build can report it. There is no redirect handling because there is no network at all.

`weasyprint` is imported lazily (inside `make_url_fetcher`) to keep `proceedings check` fast.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request, url2pathname

from proceedings.i18n import _
from proceedings.paths import read_inside


@dataclass(frozen=True)
class BlockedRequest:
    """A resource the document asked for and did not get."""

    url: str
    reason: str


class RefusedURL(ValueError):
    """Raised inside the fetcher; WeasyPrint logs it and leaves the resource out."""


class SafeFetcherPolicy:
    """Decides what may be read. Separate from WeasyPrint so it can be tested on its own."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))
        self.blocked: list[BlockedRequest] = []
        self.fetched: list[str] = []

    def block(self, url: str, reason: str) -> RefusedURL:
        entry = BlockedRequest(_short(url), reason)
        if entry not in self.blocked:
            self.blocked.append(entry)
        return RefusedURL(f"{reason}: {entry.url}")

    def local_path(self, url: str) -> Path:
        """The real, allowed file a `file:` URL names, or raise RefusedURL (and record it)."""
        try:
            parts = urlsplit(url)
        except ValueError:
            raise self.block(url, _("malformed URL")) from None
        if parts.scheme.lower() != "file":
            raise self.block(url, _("`{scheme}:` URLs are not fetched").format(
                scheme=parts.scheme or "relative"))
        if parts.netloc not in ("", "localhost"):
            raise self.block(url, _("file URL names another host `{host}`").format(
                host=parts.netloc))
        requested = Path(url2pathname(unquote(parts.path)))
        if not requested.is_absolute():
            raise self.block(url, _("relative file URL"))
        real = Path(os.path.realpath(requested))
        try:
            inside = real.relative_to(self.root)
        except ValueError:
            if ".." in requested.parts:
                reason = _("path leaves the WG repository through `..`")
            elif real != Path(os.path.normpath(requested)):
                reason = _("path leaves the WG repository through a symbolic link")
            else:
                reason = _("file is outside the WG repository")
            raise self.block(url, reason) from None
        if any(part.startswith(".") for part in inside.parts):
            raise self.block(url, _("hidden files and folders (such as .git) are never read"))
        if not real.is_file():
            raise self.block(url, _("file does not exist"))
        return real

    def read(self, url: str) -> tuple[str, bytes, str | None]:
        """(final URL, body, content type or None) for an allowed URL; raise RefusedURL else."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            try:
                with DataHandler().data_open(Request(url)) as response:
                    body = response.read()
                    content_type = response.headers.get_content_type()
            except ValueError:
                raise self.block(url, _("malformed data: URL")) from None
            return url, body, content_type
        if scheme in ("http", "https", "ftp"):
            raise self.block(url, _("network access is disabled for the PDF"))
        path = self.local_path(url)
        self.fetched.append(path.relative_to(self.root).as_posix())
        return url, read_inside(path, self.root), mimetypes.guess_type(path.name)[0]


def make_url_fetcher(policy: SafeFetcherPolicy) -> Any:
    """A WeasyPrint `URLFetcher` that asks `policy` for every resource."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            final_url, body, content_type = policy.read(url)
            response_headers = {"Content-Type": content_type} if content_type else {}
            return URLFetcherResponse(final_url, body, response_headers)

    return SafeURLFetcher()


def _short(url: str) -> str:
    """Keep diagnostics readable: a data: URL is reported by its head only."""
    if url.lower().startswith("data:") and len(url) > 60:
        return url[:40] + "…"
    return url
