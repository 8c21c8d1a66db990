"""The raw-HTML allowlist (used only when a WG sets `build.allow_raw_html = true`).

Raw HTML in a note is normally shown as text. A WG may opt in to a safe subset: the tags in
`TAGS` with the attributes listed there (plus `title`, `lang`, `dir`), nothing else. Never:
`script`, `style`, `iframe`, `object`, `embed`, `link`, `meta`, `base`, `form` controls, `svg`,
`on*` event handlers, `style` or `class`/`id` attributes (ids must stay namespaced), or URLs
other than http(s), mailto, relative paths and `#` fragments (`img` also `data:image/…`).

The output is normalised (`<tag a="v">`, text re-escaped), so sanitising it again gives the
same text — the HTML renderer sanitises once more when it reads proceedings.md back.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from proceedings.i18n import _

GLOBAL_ATTRIBUTES = frozenset({"title", "lang", "dir"})
TAGS: dict[str, frozenset[str]] = {
    name: frozenset(attributes.split())
    for name, attributes in {
        "a": "href", "abbr": "", "b": "", "bdi": "", "bdo": "", "blockquote": "", "br": "",
        "caption": "", "cite": "", "code": "", "col": "span", "colgroup": "span", "dd": "",
        "del": "", "details": "open", "dfn": "", "div": "", "dl": "", "dt": "", "em": "",
        "figcaption": "", "figure": "", "hr": "", "i": "", "img": "src alt width height",
        "ins": "", "kbd": "", "li": "", "mark": "", "ol": "start reversed type", "p": "",
        "pre": "", "q": "", "rp": "", "rt": "", "ruby": "", "s": "", "samp": "", "small": "",
        "span": "", "strong": "", "sub": "", "summary": "", "sup": "", "table": "",
        "tbody": "", "td": "colspan rowspan align", "tfoot": "",
        "th": "colspan rowspan align scope", "thead": "", "time": "datetime", "tr": "",
        "u": "", "ul": "", "var": "", "wbr": "",
    }.items()
}
VOID = frozenset({"br", "col", "hr", "img", "wbr"})
# Every element HTML defines as void: it has no content and no end tag, so a dropped one must
# not swallow what follows it (`<embed src=x> text` keeps "text").
VOID_ELEMENTS = VOID | frozenset(
    "area base embed frame input keygen link meta param source track".split()
)
# Removed together with everything inside them.
DROP_WITH_CONTENT = frozenset(
    "script style iframe object embed applet noscript noembed noframes template textarea "
    "select svg math title head frameset frame xmp plaintext".split()
)
NUMERIC = frozenset({"width", "height", "colspan", "rowspan", "span", "start"})
URL_ATTRIBUTES = frozenset({"href", "src"})
# CommonMark HTML-block start condition 6: a block starting with one of these stays one block.
BLOCK_TAGS = frozenset(
    "address article aside blockquote caption center col colgroup dd details dialog dir div "
    "dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr legend li main "
    "menu nav ol p search section summary table tbody td tfoot th thead tr ul".split()
)

UrlPolicy = Callable[[str, str], "str | None"]  # (attribute, url) -> url to use, or None


_FIRST_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)")


@dataclass
class Sanitized:
    html: str
    dropped: list[str] = field(default_factory=list)  # what was removed, for diagnostics

    def block_html(self) -> str:
        """The HTML as one CommonMark HTML block: no blank lines, starting with a block tag."""
        lines = [line for line in self.html.strip("\n").split("\n") if line.strip()]
        text = "\n".join(lines)
        match = _FIRST_TAG.match(text)
        if match is None or match.group(1).lower() not in BLOCK_TAGS:
            text = f"<div>\n{text}\n</div>"
        return text


CONTROL_OR_SPACE = re.compile(r"[\x00-\x20]")


def default_url_policy(attribute: str, url: str) -> str | None:
    """http(s), mailto, relative paths and fragments; `data:image/…` only for `src`."""
    value = url.strip()
    lowered = CONTROL_OR_SPACE.sub("", value).lower()
    if attribute == "src" and lowered.startswith("data:image/"):
        return value
    parts = urlsplit(lowered)
    if parts.scheme in ("http", "https") or (attribute == "href" and parts.scheme == "mailto"):
        return value
    if parts.scheme or lowered.startswith("//") or ":" in lowered.split("/", 1)[0]:
        return None
    return value


def sanitize_html(fragment: str, url_policy: UrlPolicy | None = None) -> Sanitized:
    """Keep only the allowlisted tags/attributes of `fragment`; everything else is removed."""
    parser = _Sanitizer(url_policy or default_url_policy)
    parser.feed(fragment)
    parser.close()
    return Sanitized("".join(parser.out), parser.dropped)


class _Sanitizer(HTMLParser):
    def __init__(self, url_policy: UrlPolicy) -> None:
        super().__init__(convert_charrefs=True)
        self.url_policy = url_policy
        self.out: list[str] = []
        self.dropped: list[str] = []
        self.skip: list[str] = []  # open elements whose content is being dropped

    def _drop(self, what: str) -> None:
        if what not in self.dropped:
            self.dropped.append(what)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if self.skip:
            if tag == self.skip[-1] and not closed:
                self.skip.append(tag)
            return
        if tag in DROP_WITH_CONTENT:
            self._drop(_("<{tag}> element").format(tag=tag))
            if not closed and tag not in VOID_ELEMENTS:
                self.skip.append(tag)
            return
        allowed = TAGS.get(tag)
        if allowed is None:
            self._drop(_("<{tag}> tag").format(tag=tag))
            return
        kept: list[str] = []
        for name, value in attrs:
            name = name.lower()
            if name not in allowed and name not in GLOBAL_ATTRIBUTES:
                self._drop(_("`{name}` attribute").format(name=name))
                continue
            value = value or ""
            if name in URL_ATTRIBUTES:
                checked = self.url_policy(name, value)
                if checked is None:
                    self._drop(_("`{name}` URL `{url}`").format(name=name, url=value[:40]))
                    continue
                value = checked
            if name in NUMERIC and not value.strip().isdigit():
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        if tag == "img" and not any(k.startswith(" src=") for k in kept):
            self._drop(_("<img> without an allowed src"))
            return
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in TAGS and tag not in VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(html.escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        del data  # comments are dropped without a word: they never show

    def handle_decl(self, decl: str) -> None:
        self._drop(_("declaration"))

    def handle_pi(self, data: str) -> None:
        self._drop(_("processing instruction"))

    def unknown_decl(self, data: str) -> None:
        self._drop(_("declaration"))


# ----------------------------------------------------------------------------- SVG images

# An SVG is a document that a browser runs when it is opened by itself (the copy in
# <output>/assets/ on GitHub Pages): scripts, event handlers, embedded HTML and references to
# other addresses are removed before an SVG reaches the outputs.
SVG_DROP_ELEMENTS = frozenset(
    "script foreignobject handler listener iframe embed object audio video".split()
)
SVG_ANIMATIONS = frozenset({"set", "animate", "animatemotion", "animatetransform", "animatecolor"})
_SVG_DATA_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp)[;,]", re.I)
# `url(` in CSS or a presentation attribute, unless it points into the same file (`url(#g)`).
_EXTERNAL_CSS = re.compile(r"url\s*+\(\s*+(?:['\"]\s*+)?(?!#)|@import|\\", re.I)


@dataclass
class SanitizedSvg:
    data: bytes  # the file as it may be published (the original bytes when nothing was removed)
    dropped: list[str] = field(default_factory=list)


class UnsafeSvgError(ValueError):
    """The file is not an SVG that can be made safe: not well-formed XML, or it declares
    entities (which could expand without bound). The message says what and where."""


def sanitize_svg(raw: bytes) -> SanitizedSvg:
    """`raw` without scripts, `on…` handlers, embedded HTML or references outside the file.

    Parsed with expat; any entity declaration is refused before it could expand (so no
    "billion laughs"), no external DTD or entity is ever loaded, and the output is written
    while parsing (no tree, so deep nesting costs no recursion). Raises UnsafeSvgError."""
    from xml.parsers import expat

    writer = _SvgWriter()
    parser = expat.ParserCreate()  # no namespace processing: names are kept as written
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = writer.start
    parser.EndElementHandler = writer.end
    parser.CharacterDataHandler = writer.text
    parser.EntityDeclHandler = writer.entity
    parser.ProcessingInstructionHandler = writer.instruction
    parser.ordered_attributes = True
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        raise UnsafeSvgError(
            _("not well-formed XML (line {line}: {error})").format(
                line=exc.lineno, error=expat.ErrorString(exc.code))
        ) from None
    if not writer.dropped:
        return SanitizedSvg(raw)
    return SanitizedSvg("".join(writer.out).encode("utf-8"), writer.dropped)


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].lower()


class _SvgWriter:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.dropped: list[str] = []
        self.skipping = 0  # depth inside an element that is dropped with its content
        self.style: list[str] | None = None  # text of the <style> element being read

    def _drop(self, what: str) -> None:
        if what not in self.dropped:
            self.dropped.append(what)

    def entity(self, name: str, *_rest: object) -> None:
        raise UnsafeSvgError(
            _("declares the entity `{name}` (entities are not allowed)").format(name=name))

    def instruction(self, target: str, data: str) -> None:
        # e.g. xml-stylesheet, which loads a file
        self._drop(_("<?{target}?> instruction").format(target=target))

    def start(self, name: str, attributes: list[str]) -> None:
        local = _local(name)
        if self.skipping:
            self.skipping += 1
            return
        pairs = list(zip(attributes[::2], attributes[1::2], strict=True))
        target = next((_local(v) for k, v in pairs if _local(k) == "attributename"), "")
        if local in SVG_DROP_ELEMENTS or (
            local in SVG_ANIMATIONS and (target in ("href", "src") or target.startswith("on"))
        ):
            self._drop(_("<{tag}> element").format(tag=name))
            self.skipping = 1
            return
        kept = []
        for key, value in pairs:
            problem = _svg_attribute_problem(local, key, value)
            if problem:
                self._drop(problem)
            else:
                kept.append(f' {key}="{_xml_escape(value, attribute=True)}"')
        self.out.append(f"<{name}{''.join(kept)}>")
        if local == "style":
            self.style = []

    def end(self, name: str) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        if self.style is not None:
            css, self.style = "".join(self.style), None
            if _EXTERNAL_CSS.search(css):
                self._drop(_("<style> with an external reference"))
            else:
                self.out.append(_xml_escape(css))
        self.out.append(f"</{name}>")

    def text(self, data: str) -> None:
        if self.skipping:
            return
        if self.style is not None:
            self.style.append(data)
        else:
            self.out.append(_xml_escape(data))


def _svg_attribute_problem(element: str, key: str, value: str) -> str | None:
    """What is wrong with an attribute (for the finding), or None to keep it."""
    local = _local(key)
    if local.startswith("on"):
        return _("`{name}` handler").format(name=key)
    if local == "base" and key.lower().startswith("xml:"):
        return _("`{name}` attribute").format(name=key)
    if local in ("href", "src"):
        url = CONTROL_OR_SPACE.sub("", value).lower()
        if url.startswith("#") or _SVG_DATA_IMAGE.match(url):
            return None
        if element == "a" and url.startswith(("https://", "http://")):
            return None  # a link to follow, not a resource to load
        return _("`{name}` to `{url}`").format(name=key, url=value[:40])
    if _EXTERNAL_CSS.search(value):
        return _("`{name}` with an external reference").format(name=key)
    return None


def _xml_escape(text: str, *, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
        text = text.replace("\r", "&#13;")
    return text
