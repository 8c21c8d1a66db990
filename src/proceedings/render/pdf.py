"""Render the compiled HTML document to PDF with WeasyPrint — once, safely, reproducibly.

- The whole document is laid out in one pass so page counters, `target-counter()` page numbers
  in the table of contents and the outline all refer to the same pages.
- Every resource goes through `fetcher.SafeFetcherPolicy` (only `data:` and files inside the
  WG root); file attachments are never embedded. Blocked requests become diagnostics.
- A character that no font can draw (WeasyPrint logs `.notdef glyph rendered …`) fails the
  render with the characters, the notes that use them and the fix, unless allowed.
- Metadata (title, authors, keywords, language, dates) comes from the HTML `<meta>` tags and
  may be overridden by the caller; nothing reads the clock, so equal inputs give equal bytes.

`weasyprint` is imported inside the functions: `proceedings check` must not pay for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from proceedings.codes import BLOCKED_RESOURCE, MISSING_GLYPH, SLOW_SUBSETTING
from proceedings.diagnostics import Diagnostic, Severity
from proceedings.errors import EXIT_FINDINGS, ProceedingsError
from proceedings.i18n import N_, _
from proceedings.paths import real_path
from proceedings.render.fetcher import BlockedRequest, SafeFetcherPolicy, make_url_fetcher
from proceedings.render.fonts import (
    MissingGlyph,
    describe_chars,
    first_line,
    load_wg_fonts,
    locate_missing,
    missing_glyph_hint,
    missing_glyph_message,
    notes_using,
    settings_css,
)

if TYPE_CHECKING:
    from proceedings.compile.document import Document
    from proceedings.load.workspace import Workspace

PRINT_CSS = "print.css"
NOTDEF_PREFIX = ".notdef glyph rendered"
NO_SUBSETTING_WARNING = N_(  # translated where it becomes a finding
    "HarfBuzz font subsetting (libharfbuzz-subset0) is not available: WeasyPrint falls back to "
    "fontTools, which is several times slower for CJK fonts — "
    "`sudo apt-get install libharfbuzz-subset0`"
)


@dataclass(frozen=True)
class PdfMetadata:
    """Document metadata; `None`/empty fields keep what the HTML `<meta>` tags say."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    lang: str | None = None
    created: str | None = None  # W3C date(-time) taken from the sources, never the clock
    modified: str | None = None
    generator: str | None = None
    # extra document-information entries (e.g. the provenance: SourceCommit, SourceNotes)
    custom: tuple[tuple[str, str], ...] = ()


@dataclass
class PdfResult:
    data: bytes
    pages: int
    diagnostics: list[Diagnostic] = field(default_factory=list)
    blocked_requests: list[BlockedRequest] = field(default_factory=list)
    missing_glyphs: list[MissingGlyph] = field(default_factory=list)
    fetched: list[str] = field(default_factory=list)  # files read, relative to the WG root
    warnings: list[str] = field(default_factory=list)  # environment problems (no subsetting)


class MissingGlyphsError(ProceedingsError):
    """Raised when characters would render as empty boxes and that is not allowed."""

    def __init__(self, missing: list[MissingGlyph], diagnostics: list[Diagnostic]) -> None:
        first = next((glyph.places[0] for glyph in missing if glyph.places), None)
        super().__init__(
            missing_glyph_message(missing),
            path=first[0] if first else None,
            line=first[1] if first else None,
            hint=missing_glyph_hint(missing),
            exit_code=EXIT_FINDINGS,
        )
        self.missing = missing
        self.diagnostics = diagnostics


def harfbuzz_subsetting_available() -> bool:
    """Whether WeasyPrint found libharfbuzz-subset (fast font subsetting)."""
    from weasyprint.text.ffi import harfbuzz_subset

    return harfbuzz_subset is not None


def render_pdf(html: str, *, allow_missing_glyphs: bool = False, **options: Any) -> PdfResult:
    """Lay out `html` once and return the PDF bytes with what happened on the way; raise
    MissingGlyphsError when a character would print as an empty box, unless allowed.

    The options are those of `layout_pdf`.
    """
    return require_glyphs(
        layout_pdf(html, allow_missing_glyphs=allow_missing_glyphs, **options),
        allow_missing_glyphs,
    )


def require_glyphs(result: PdfResult, allow_missing_glyphs: bool) -> PdfResult:
    """Raise MissingGlyphsError when `result` has characters no font can draw (not allowed)."""
    if result.missing_glyphs and not allow_missing_glyphs:
        glyph_diagnostics = [d for d in result.diagnostics if d.code == MISSING_GLYPH.code]
        raise MissingGlyphsError(result.missing_glyphs, glyph_diagnostics)
    return result


def layout_pdf(
    html: str,
    *,
    root: Path,
    base_url: str | Path | None = None,
    stylesheets: Sequence[str] = (),
    paper: str = "A4",
    fonts: Sequence[str] = (),
    config_source: Path | None = None,
    metadata: PdfMetadata | None = None,
    sources: Mapping[str, str] | None = None,
    allow_missing_glyphs: bool = False,
    origin: str = "proceedings.pdf",
) -> PdfResult:
    """Lay out `html` once and return the PDF bytes with what happened on the way.

    `root` is the WG root: the only folder files may be read from. `stylesheets` are extra CSS
    texts applied after the HTML's own styles are considered (as user stylesheets). `fonts` are
    `build.fonts` entries. `sources` maps note paths (relative to the root) to their text, to
    name the notes a missing character comes from; `origin` names the output for diagnostics
    that belong to no note. Missing glyphs are reported in the result (as errors, or warnings
    when allowed), never raised: see `require_glyphs`.
    """
    root = Path(root)
    faces = load_wg_fonts(root, fonts, config_source)
    policy = SafeFetcherPolicy(root)
    if base_url is None:
        base_url = real_path(root).as_uri() + "/"
    css_texts = [settings_css(faces, paper), *stylesheets]
    data, pages, missing_chars = _lay_out(html, str(base_url), css_texts, policy, metadata)
    sources = dict(sources or {})
    missing = locate_missing(missing_chars, sources)
    diagnostics = _blocked_diagnostics(policy.blocked, sources, origin)
    diagnostics += _glyph_diagnostics(missing, origin, allow_missing_glyphs)
    warnings = [] if harfbuzz_subsetting_available() else [NO_SUBSETTING_WARNING]
    return PdfResult(
        data=data,
        pages=pages,
        diagnostics=sorted(diagnostics),
        blocked_requests=list(policy.blocked),
        missing_glyphs=missing,
        fetched=sorted(set(policy.fetched)),
        warnings=warnings,
    )


def _lay_out(
    html: str,
    base_url: str,
    css_texts: Sequence[str],
    policy: SafeFetcherPolicy,
    metadata: PdfMetadata | None,
) -> tuple[bytes, int, list[str]]:
    """WeasyPrint's part: (the PDF's bytes, its page count, the characters no font had).
    Every file it reads goes through `policy`; embedded files are dropped."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fetcher = make_url_fetcher(policy)
    font_config = FontConfiguration()
    css = [
        weasyprint.CSS(string=text, base_url=base_url, url_fetcher=fetcher,
                       font_config=font_config)
        for text in css_texts
    ]
    with _CapturedLog() as log:
        html_document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        document = html_document.render(font_config=font_config, stylesheets=css)
        _drop_attachments(html_document, document, policy)
        _apply_metadata(document, metadata)
        data = document.write_pdf(
            pdf_identifier=True, custom_metadata=bool(metadata and metadata.custom),
            finisher=_compress_streams_once,
        )
    return data, len(document.pages), log.missing_chars


def _drop_attachments(html_document: Any, document: Any, policy: SafeFetcherPolicy) -> None:
    """Proceedings never carry embedded files: `<link rel=attachment>` and `<a rel=attachment>`
    are dropped before anything is fetched for them (WeasyPrint would also stamp them with
    the current time)."""
    for element in html_document.etree_element.iter():
        if element.tag in ("link", "a") and "attachment" in element.get("rel", "").split():
            href = element.get("href") or f"<{element.tag} rel=attachment>"
            policy.block(href, _("file attachments are never embedded in the PDF"))
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def _compress_streams_once(document: Any, pdf: Any) -> None:
    """Compress every stream before pydyf writes the file.

    To make the file identifier (the /ID hash), pydyf serialises every object a second time,
    deflating each page, font and image stream again: a tenth of the write. Deflating here,
    with the same level and the same filter pydyf would use, gives the same bytes once.
    """
    import zlib

    import pydyf

    to_bytes = getattr(pydyf, "_to_bytes", None)  # pydyf's own serialiser: the same bytes
    if to_bytes is None:
        return
    for item in pdf.objects:
        if isinstance(item, pydyf.Stream) and item.compress:
            raw = b"\n".join(to_bytes(part) for part in item.stream)
            deflate = zlib.compressobj(level=9)
            item.stream = [deflate.compress(raw) + deflate.flush()]
            item.extra["Filter"] = "/FlateDecode"
            item.compress = False


def render_document_pdf(
    workspace: Workspace,
    document: Document,
    *,
    markdown: str | None = None,
    override_dir: Path | None = None,
    allow_missing_glyphs: bool = False,
    output_rel: str = "proceedings.pdf",
    environ: Mapping[str, str] | None = None,
    layout: Callable[..., PdfResult] | None = None,
) -> PdfResult:
    """proceedings.pdf for a compiled Document: the same HTML as proceedings.html, laid out
    with print.css (the WG's own if it has one), images read from the WG root.

    `layout` does the WeasyPrint part (`layout_pdf`'s signature); the CLI passes a helper
    process that has imported WeasyPrint meanwhile (render/helper.py).
    """
    from proceedings.render.html import render_html
    from proceedings.templates import template_source_path

    print_css_path = template_source_path(PRINT_CSS, override_dir)
    print_css = print_css_path.read_text("utf-8")
    page = render_html(
        document, stylesheet_css=print_css, image_mode="file",
        override_dir=override_dir, markdown=markdown,
    )
    config = workspace.config
    result = (layout or layout_pdf)(
        page,
        root=workspace.root,
        paper=config.build.paper,
        fonts=config.build.fonts,
        config_source=workspace.config_source,
        metadata=document_metadata(document, environ if environ is not None else os.environ),
        sources=_document_sources(workspace, document, (print_css_path, print_css)),
        allow_missing_glyphs=allow_missing_glyphs,
        origin=output_rel,
    )
    require_glyphs(result, allow_missing_glyphs)
    if result.warnings:
        warning = result.warnings[0]  # NO_SUBSETTING_WARNING, marked with N_()
        result.diagnostics.append(
            Diagnostic(output_rel, 1, 1, SLOW_SUBSETTING.code, _(warning),
                       SLOW_SUBSETTING.severity, _("run `proceedings doctor`"))
        )
    return result


def document_metadata(document: Document, environ: Mapping[str, str]) -> PdfMetadata:
    """Title, author (the WG), keywords (tags), language and dates — all from the sources.

    created: `SOURCE_DATE_EPOCH` when set, else the latest session date.
    modified: `SOURCE_DATE_EPOCH` when set, else the source commit's time when the build
    knows it (provenance), else the created date. Never the clock.
    """
    created = document.created
    modified = document.provenance.commit_date if document.provenance else None
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            stamp = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise ProceedingsError(
                _("SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970").format(
                    epoch=epoch),
                hint=_("unset it or set it to e.g. `git log -1 --format=%ct`"),
            ) from None
        created = modified = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    from proceedings.render.build import GENERATED_NOTICE

    custom: tuple[tuple[str, str], ...] = (("Notice", GENERATED_NOTICE),)
    if document.provenance is not None:
        from proceedings.publish.provenance import metadata_entries

        custom += metadata_entries(document.provenance, [s.path for s in document.sources])
    return PdfMetadata(
        title=document.title,
        authors=(document.wg_name,),
        keywords=tuple(document.keywords),
        lang=document.language,
        created=_w3c(created),
        modified=_w3c(modified) or _w3c(created),
        generator=document.generator,
        custom=custom,
    )


def _w3c(value: str | None) -> str | None:
    """An ISO date or date-time in the W3C profile WeasyPrint accepts (else None)."""
    if not value:
        return None
    value = value.strip()
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value).isoformat()
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    text = stamp.isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def _document_sources(
    workspace: Workspace, document: Document, stylesheet: tuple[Path, str] | None = None
) -> dict[str, str]:
    """The texts a character or a request in the PDF can come from: the built notes, the
    config, the SVG images (their text and links are drawn too) and the WG's own print.css."""
    wanted = {note.rel for note in document.notes}
    wanted |= {s.info_rel for s in document.sessions if s.info_rel}
    sources = {
        file.rel: file.text
        for file in workspace.markdown_files()
        if file.rel in wanted and file.text is not None
    }
    for asset in document.assets:
        if asset.image and asset.source.suffix.lower() == ".svg":
            try:
                sources[asset.rel] = asset.source.read_text("utf-8", "replace")
            except OSError:
                pass  # unreadable: the image itself is reported where it is used
    if stylesheet is not None:  # (path, text) of the print.css in use, already read
        path, text = stylesheet
        root, real = real_path(workspace.root), real_path(path)
        if real.is_relative_to(root):  # the WG's own; the packaged one is not the WG's to fix
            sources[real.relative_to(root).as_posix()] = text
    if workspace.config_source is not None and workspace.config_source.is_file():
        source = workspace.config_source
        rel = source.relative_to(workspace.root).as_posix() if source.is_relative_to(
            workspace.root) else source.name
        sources[rel] = source.read_text("utf-8", "replace")
    return sources


def _apply_metadata(document: Any, metadata: PdfMetadata | None) -> None:
    if metadata is None:
        return
    target = document.metadata
    if metadata.title is not None:
        target.title = metadata.title
    if metadata.authors:
        target.authors = list(metadata.authors)
    if metadata.keywords:
        target.keywords = list(metadata.keywords)
    if metadata.lang is not None:
        target.lang = metadata.lang
    if metadata.created is not None:
        target.created = metadata.created
    if metadata.modified is not None:
        target.modified = metadata.modified
    if metadata.generator is not None:
        target.generator = metadata.generator
    if metadata.custom:  # only ours, not whatever other <meta> names the HTML has
        target.custom = dict(metadata.custom)


class _CapturedLog(logging.Handler):
    """Collect WeasyPrint's warnings while rendering (missing glyphs in particular)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.missing_chars: list[str] = []
        self.messages: list[str] = []
        self._logger = logging.getLogger("weasyprint")
        self._old_level = self._logger.level

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith(NOTDEF_PREFIX) and record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            text = str(args[0])
            self.missing_chars.extend(char for char in text if not char.isspace())
        else:
            self.messages.append(record.getMessage())

    def __enter__(self) -> _CapturedLog:
        self._logger.addHandler(self)
        if self._logger.getEffectiveLevel() > logging.WARNING:
            self._logger.setLevel(logging.WARNING)
        return self

    def __exit__(self, *exc: object) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._old_level)


def _blocked_diagnostics(
    blocked: list[BlockedRequest], sources: Mapping[str, str], origin: str
) -> list[Diagnostic]:
    found = []
    for request in blocked:
        path, line = _find_reference(request.url, sources) or (origin, 1)
        found.append(
            Diagnostic(
                path, line, 1, BLOCKED_RESOURCE.code,
                _("not put into the PDF: {url} ({reason})").format(
                    url=request.url, reason=request.reason),
                BLOCKED_RESOURCE.severity,
                _("reference images inside the repository with a relative path"),
            )
        )
    return found


def _find_reference(url: str, sources: Mapping[str, str]) -> tuple[str, int] | None:
    """The note (and line) that mentions `url`, trying the full URL, then its last segment."""
    candidates = [url]
    tail = url.rstrip("/").rsplit("/", 1)[-1]
    if tail and tail != url and len(tail) > 2:
        candidates.append(tail)
    for candidate in candidates:
        for rel in sorted(sources):
            index = sources[rel].find(candidate)
            if index >= 0:
                return rel, sources[rel].count("\n", 0, index) + 1
    return None


def _glyph_diagnostics(
    missing: list[MissingGlyph], origin: str, allowed: bool
) -> list[Diagnostic]:
    """One diagnostic per note that uses characters no font has (at its first such line)."""
    severity = Severity.WARNING if allowed else Severity.ERROR
    groups = list(notes_using(missing).items())
    unplaced = [glyph for glyph in missing if not glyph.places]
    found = [
        Diagnostic(
            rel, first_line(glyphs, rel), 1, MISSING_GLYPH.code,
            _("no installed font can draw {chars}; they would print as empty boxes").format(
                chars=describe_chars(glyphs)),
            severity, missing_glyph_hint(glyphs),
        )
        for rel, glyphs in groups
    ]
    if unplaced:
        found.append(
            Diagnostic(
                origin, 1, 1, MISSING_GLYPH.code,
                _("no installed font can draw {chars} (from the templates or labels); they "
                  "would print as empty boxes").format(chars=describe_chars(unplaced)),
                severity, missing_glyph_hint(unplaced),
            )
        )
    return found
