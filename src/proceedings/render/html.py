"""proceedings.html: the compiled document as one self-contained HTML file.

The HTML body is proceedings.md (see `render.markdown_out`) read back with the dialect parser
and rendered here, so the two outputs cannot drift apart: parsing the written proceedings.md
again gives exactly this body. On top of plain Markdown rendering this module

- wraps the parts of the document (`# … {.session}` etc.) in sectioning elements, Pandoc
  `--section-divs` style: `<section class="cover">`, `<nav class="toc">`,
  `<section class="digest">`, `<section class="session" id lang>` with
  `<h1 class="session-title">`, `<article class="topic" id>` with `<h2 class="topic-title">`,
  `<section class="colophon">`;
- puts each note's footnotes at the end of its own article, numbered from 1 per note, with
  namespaced ids (`fn--<label>`, `fnref--<label>`);
- escapes raw HTML (or passes it through the allowlist when `build.allow_raw_html`), and
  drops links whose URL is not http(s), mailto, relative or a `#` fragment;
- embeds images as `data:` URIs (`image_mode="embed"`), or points at the files under the WG
  root (`"file"`, for WeasyPrint with base_url = the WG root), or keeps the copied assets'
  paths (`"assets"`).

`render_html(document, stylesheet_css=..., image_mode=...)` is what the PDF renderer calls
with print.css.
"""

from __future__ import annotations

import base64
import contextlib
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from proceedings.compile.labels import labels_for
from proceedings.compile.records import Asset, Document
from proceedings.compile.rewrite import copy_tokens
from proceedings.load.markdown import split_footnotes
from proceedings.render.dialect import dialect_parser, parse_dialect
from proceedings.render.figures import html_figures
from proceedings.render.markdown_out import render_markdown
from proceedings.render.sanitize import CONTROL_OR_SPACE, default_url_policy, sanitize_html
from proceedings.templates import render_template, template_source_path

TEMPLATE = "proceedings.html.j2"
SCREEN_CSS = "html/style.css"
ImageMode = Literal["embed", "file", "assets"]

# The document's parts: heading class -> wrapping element.
PARTS = {
    "cover": "section",
    "toc": "nav",
    "digest": "section",
    "session": "section",
    "topic": "article",
    "colophon": "section",
}


def render_html(
    document: Document,
    *,
    stylesheet_css: str | None = None,
    image_mode: ImageMode = "embed",
    override_dir: Path | None = None,
    markdown: str | None = None,
) -> str:
    """The complete HTML page. `stylesheet_css` replaces the screen CSS (e.g. print.css);
    `markdown` is proceedings.md when the caller already rendered it."""
    if markdown is None:
        markdown = render_markdown(document, override_dir=override_dir)
    if stylesheet_css is None:
        stylesheet_css = screen_stylesheet(override_dir)
    body, image_css = _body_and_image_css(markdown, document, image_mode)
    provenance = document.provenance
    css = stylesheet_css + image_css
    context = {
        "document": document,
        "labels": labels_for(document.language),
        "body": Markup(body),
        "css": Markup(css.replace("</", "<\\/")),
        "keywords": ", ".join(document.keywords),
        "provenance": provenance,
    }
    return render_template(TEMPLATE, context, override_dir=override_dir)


def screen_stylesheet(override_dir: Path | None = None) -> str:
    return template_source_path(SCREEN_CSS, override_dir).read_text("utf-8")


def render_body(markdown: str, document: Document, *, image_mode: ImageMode = "embed") -> str:
    """The `<body>` content for proceedings.md text `markdown`. An image shown more than once
    (embed mode) needs the rules `render_html` adds to the stylesheet."""
    return _body_and_image_css(markdown, document, image_mode)[0]


def _body_and_image_css(
    markdown: str, document: Document, image_mode: ImageMode
) -> tuple[str, str]:
    tokens = _parsed(markdown)
    images = _ImageResolver(document, image_mode, _image_uses(tokens, document))
    tokens, footnotes = _take_footnotes(tokens)
    tokens = html_figures(tokens)  # <figure>s with captions; tables in scroll boxes
    numbering = _FootnoteNumbering(footnotes)
    for token in tokens:
        if token.type == "inline":
            token.children = _clean_inline(token.children or [], images, numbering)
    for note in footnotes.values():
        for token in note.tokens:
            if token.type == "inline":
                token.children = _clean_inline(token.children or [], images, numbering)
    renderer = _Renderer(document.allow_raw_html, images, footnotes)
    tokens = _sections(tokens, footnotes, numbering, renderer)
    body = renderer.render(tokens, dialect_parser().options, {}).strip("\n") + "\n"
    return body, images.shared_css()


def estimated_size(markdown: str, document: Document) -> int:
    """About how many bytes the HTML of `markdown` will take (text, attributes and embedded
    images, without the tags), found without rendering it: a link or reference repeated
    many times shows here before it fills memory."""
    size = 0
    stack = list(_parsed_shared(markdown))
    while stack:
        token = stack.pop()
        if token.children:
            stack.extend(token.children)
        elif token.type != "inline":
            size += len(token.content)
        if token.attrs:
            size += sum(len(str(value)) for value in token.attrs.values())
    for asset in document.assets:
        if asset.image:
            with contextlib.suppress(OSError):
                size += (asset.source.stat().st_size + 2) // 3 * 4
    return size


_last_parse: tuple[str, list[Token]] | None = None


def _parsed(markdown: str) -> list[Token]:
    """Tokens of `markdown`; the HTML and the PDF of one build share one parse (a copy each,
    since rendering rewrites them)."""
    return copy_tokens(_parsed_shared(markdown))


def _parsed_shared(markdown: str) -> list[Token]:
    """The shared parse itself: not to be changed."""
    global _last_parse
    if _last_parse is None or _last_parse[0] != markdown:
        _last_parse = (markdown, parse_dialect(markdown))
    return _last_parse[1]


# ----------------------------------------------------------------------------- images/links


def _image_uses(tokens: list[Token], document: Document) -> dict[str, int]:
    """How often each copied image is shown (Markdown images; raw HTML is not counted)."""
    assets = document.asset_by_output()
    uses: dict[str, int] = {}
    stack = list(tokens)
    while stack:
        token = stack.pop()
        if token.children:
            stack.extend(token.children)
        if token.type == "image":
            asset = assets.get(unquote(str(token.attrGet("src") or "")))
            if asset is not None:
                uses[asset.output] = uses.get(asset.output, 0) + 1
    return uses


class _ImageResolver:
    """Image sources per mode. Embedding, an image shown once gets its `data:` URI in its
    `src`; an image shown more often is embedded once, as a stylesheet rule
    `img[data-image="N"] { content: url(data:…) }`, and each use is `<img data-image="N">`
    (browsers without CSS image replacement show the alt text) — so the page stays one
    self-contained file whose size does not grow with the number of uses."""

    def __init__(self, document: Document, mode: ImageMode, uses: dict[str, int]) -> None:
        self.mode = mode
        self.assets: dict[str, Asset] = document.asset_by_output()
        self.cache: dict[str, str] = {}
        self.uses = uses
        self.shared: dict[str, int] = {}  # asset output -> number in data-image

    def src(self, src: str) -> str | None:
        asset = self.assets.get(unquote(src))
        if asset is None:
            if CONTROL_OR_SPACE.sub("", src).lower().startswith("http:"):
                return None  # plain http is never shown (B812 in docs/build.md)
            return default_url_policy("src", src)
        if self.mode == "assets":
            return quote(asset.output)
        if self.mode == "file":
            return quote(asset.rel)
        return self._data_uri(asset)

    def _data_uri(self, asset: Asset) -> str:
        if asset.output not in self.cache:
            data = base64.b64encode(asset.data()).decode("ascii")
            self.cache[asset.output] = f"data:{asset.mime};base64,{data}"
        return self.cache[asset.output]

    def set_image(self, token: Token) -> bool:
        """Point the image token at its source; False when it may not be shown."""
        src = str(token.attrGet("src") or "")
        asset = self.assets.get(unquote(src))
        if asset is None or self.mode != "embed" or self.uses.get(asset.output, 0) <= 1:
            resolved = self.src(src)
            if resolved is None:
                return False
            token.attrSet("src", resolved)
            return True
        number = self.shared.setdefault(asset.output, len(self.shared) + 1)
        if token.attrs is not None:
            token.attrs.pop("src", None)
        token.attrSet("data-image", str(number))
        return True

    def shared_css(self) -> str:
        """The stylesheet rules of the images shown more than once (embed mode)."""
        rules = [
            f'\nimg[data-image="{number}"] {{ content: url("{self._data_uri(self.assets[o])}"); }}'
            for o, number in self.shared.items()
        ]
        return "".join(rules) + ("\n" if rules else "")

    def raw_policy(self, attribute: str, url: str) -> str | None:
        if attribute == "src":
            return self.src(url)
        return _href(url)


def _href(href: str) -> str | None:
    if href.startswith("#"):
        return "#" + unquote(href[1:])  # ids keep their Japanese text; so do the links
    return default_url_policy("href", href)


def _clean_inline(
    children: list[Token], images: _ImageResolver, numbering: _FootnoteNumbering
) -> list[Token]:
    out: list[Token] = []
    dropped: list[bool] = []
    for child in children:
        if child.type == "link_open":
            href = _href(str(child.attrGet("href") or ""))
            dropped.append(href is None)
            if href is None:
                continue
            child.attrSet("href", href)
        elif child.type == "link_close":
            if dropped and dropped.pop():
                continue
        elif child.type == "image":
            if not images.set_image(child):
                out.append(Token("text", "", 0, content=child.content))
                continue
        elif child.type == "footnote_ref":
            numbering.reference(child)
        out.append(child)
    return out


# ----------------------------------------------------------------------------- footnotes


@dataclass
class _Footnote:
    label: str
    tokens: list[Token]
    scope: str | None = None
    number: int = 0
    refs: int = 0


def _take_footnotes(tokens: list[Token]) -> tuple[list[Token], dict[str, _Footnote]]:
    body, definitions = split_footnotes(tokens)
    footnotes: dict[str, _Footnote] = {}
    for definition in definitions:
        label = definition.label or f"_{definition.number}"
        footnotes.setdefault(label, _Footnote(label, [])).tokens.extend(definition.tokens)
    return body, footnotes


@dataclass
class _FootnoteNumbering:
    """Numbers each scope's footnotes 1, 2, … in order of first reference."""

    footnotes: dict[str, _Footnote]

    def reference(self, token: Token) -> None:
        label = token.meta.get("label") or f"_{token.meta.get('id')}"
        token.meta["label"] = label
        note = self.footnotes.get(label)
        if note is None:
            return
        note.refs += 1
        token.meta["ref"] = note.refs

    def assign(self, scopes: list[str]) -> None:
        """Decide each footnote's scope (its note) and number, once the ids are known."""
        ordered = sorted(scopes, key=len, reverse=True)
        for note in self.footnotes.values():
            note.scope = next((s for s in ordered if note.label.startswith(s + "--")), None)


# ----------------------------------------------------------------------------- sections


def _sections(
    tokens: list[Token],
    footnotes: dict[str, _Footnote],
    numbering: _FootnoteNumbering,
    renderer: _Renderer,
) -> list[Token]:
    """`tokens` with each part of the document wrapped in its sectioning element (`PARTS`)
    and each scope's footnotes placed at the end of its part."""
    scopes = [
        str(t.attrGet("id"))
        for t in tokens
        if t.type == "heading_open" and t.level == 0 and t.attrGet("id")
        and _part(t) is not None
    ]
    numbering.assign(scopes)
    by_scope = _footnotes_by_scope(_reference_order(tokens, footnotes), footnotes)
    return _SectionWrapper(by_scope, renderer).wrap(tokens)


def _footnotes_by_scope(
    order: list[str], footnotes: dict[str, _Footnote]
) -> dict[str | None, list[_Footnote]]:
    """Each scope's footnotes in the order of their first reference, numbered from 1."""
    by_scope: dict[str | None, list[_Footnote]] = {}
    for label in order:
        note = footnotes[label]
        by_scope.setdefault(note.scope, []).append(note)
    for notes in by_scope.values():
        for number, note in enumerate(notes, start=1):
            note.number = number
    return by_scope


class _SectionWrapper:
    """Opens a sectioning element at each part's heading and closes it (after the part's
    footnotes) where a heading of the same or a higher level begins, or at the end."""

    def __init__(
        self, by_scope: dict[str | None, list[_Footnote]], renderer: _Renderer
    ) -> None:
        self.by_scope = by_scope
        self.renderer = renderer
        self.out: list[Token] = []
        self.stack: list[tuple[int, str, str | None]] = []  # (level, tag, scope id)
        self.flushed: set[str | None] = set()

    def wrap(self, tokens: list[Token]) -> list[Token]:
        for token in tokens:
            if token.type == "heading_open" and token.level == 0:
                self._heading(token)
            self.out.append(token)
        self._close(0)
        self._flush(None)
        return self.out

    def _heading(self, token: Token) -> None:
        level = int(token.tag[1:])
        part = _part(token)
        if part is not None or (self.stack and self.stack[-1][0] >= level):
            self._close(level)
        if part is None:
            return
        if self.stack:
            self._flush(self.stack[-1][2])
        tag = PARTS[part]
        wrapper = Token(f"{tag}_open", tag, 1, block=True)
        wrapper.attrSet("class", part)
        scope = token.attrGet("id")
        if scope:
            wrapper.attrSet("id", str(scope))
        if token.attrGet("lang"):
            wrapper.attrSet("lang", str(token.attrGet("lang")))
        others = [c for c in str(token.attrGet("class")).split() if c != part]
        token.attrs = {"class": " ".join([f"{part}-title", *others])}
        self.out.append(wrapper)
        self.stack.append((level, tag, str(scope) if scope else None))

    def _flush(self, scope: str | None) -> None:
        """The footnotes of `scope`, once, where its part ends."""
        if scope in self.flushed or scope not in self.by_scope:
            return
        self.flushed.add(scope)
        block = Token("footnotes_html", "", 0, block=True)
        block.content = _footnotes_html(self.by_scope[scope], self.renderer)
        self.out.append(block)

    def _close(self, until_level: int) -> None:
        while self.stack and self.stack[-1][0] >= until_level:
            _, tag, scope = self.stack.pop()
            self._flush(scope)
            self.out.append(Token(f"{tag}_close", tag, -1, block=True))


def _part(token: Token) -> str | None:
    classes = str(token.attrGet("class") or "").split()
    return next((c for c in classes if c in PARTS), None)


def _reference_order(tokens: list[Token], footnotes: dict[str, _Footnote]) -> list[str]:
    order: list[str] = []

    def visit(children: list[Token]) -> None:
        for child in children:
            if child.type == "footnote_ref":
                label = child.meta.get("label")
                if label in footnotes and label not in order:
                    order.append(label)
                    for token in footnotes[label].tokens:
                        if token.type == "inline":
                            visit(token.children or [])

    for token in tokens:
        if token.type == "inline":
            visit(token.children or [])
    return order


def _footnotes_html(notes: list[_Footnote], renderer: _Renderer) -> str:
    items = []
    for note in notes:
        label = html.escape(note.label, quote=True)
        content = renderer.render(note.tokens, dialect_parser().options, {}).rstrip("\n")
        back = f' <a href="#fnref--{label}" class="footnote-backref">↩︎</a>'
        if content.endswith("</p>"):
            content = content[: -len("</p>")] + back + "</p>"
        else:
            content += back
        items.append(f'<li id="fn--{label}" class="footnote-item">{content}</li>')
    return (
        '<section class="footnotes">\n<ol class="footnotes-list">\n'
        + "\n".join(items)
        + "\n</ol>\n</section>\n"
    )


# ----------------------------------------------------------------------------- renderer


class _Renderer(RendererHTML):
    def __init__(
        self, allow_raw_html: bool, images: _ImageResolver, footnotes: dict[str, _Footnote]
    ) -> None:
        super().__init__()
        self.allow_raw_html = allow_raw_html
        self.images = images
        self.footnotes = footnotes

    def html_block(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        content = tokens[idx].content
        if not self.allow_raw_html:
            return f'<pre class="raw-html"><code>{html.escape(content)}</code></pre>\n'
        return sanitize_html(content, self.images.raw_policy).html

    def html_inline(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        content = tokens[idx].content
        if not self.allow_raw_html:
            return html.escape(content)
        return sanitize_html(content, self.images.raw_policy).html

    def footnote_ref(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        token = tokens[idx]
        label = str(token.meta.get("label", ""))
        note = self.footnotes.get(label)
        number = note.number if note is not None and note.number else None
        escaped = html.escape(label, quote=True)
        ref = token.meta.get("ref", 1)
        ref_id = f"fnref--{escaped}" + (f"--{ref}" if ref and ref > 1 else "")
        shown = number if number is not None else "?"
        return (
            f'<sup class="footnote-ref"><a href="#fn--{escaped}" id="{ref_id}">{shown}</a></sup>'
        )

    def footnotes_html(
        self, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
    ) -> str:
        return tokens[idx].content

