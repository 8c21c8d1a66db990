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


_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20]")


def default_url_policy(attribute: str, url: str) -> str | None:
    """http(s), mailto, relative paths and fragments; `data:image/…` only for `src`."""
    value = url.strip()
    lowered = _CONTROL_OR_SPACE.sub("", value).lower()
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
            self._drop(f"<{tag}> element")
            if not closed and tag not in VOID:
                self.skip.append(tag)
            return
        allowed = TAGS.get(tag)
        if allowed is None:
            self._drop(f"<{tag}> tag")
            return
        kept: list[str] = []
        for name, value in attrs:
            name = name.lower()
            if name not in allowed and name not in GLOBAL_ATTRIBUTES:
                self._drop(f"`{name}` attribute")
                continue
            value = value or ""
            if name in URL_ATTRIBUTES:
                checked = self.url_policy(name, value)
                if checked is None:
                    self._drop(f"`{name}` URL `{value[:40]}`")
                    continue
                value = checked
            if name in NUMERIC and not value.strip().isdigit():
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        if tag == "img" and not any(k.startswith(" src=") for k in kept):
            self._drop("<img> without an allowed src")
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
        self._drop("declaration")

    def handle_pi(self, data: str) -> None:
        self._drop("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self._drop("declaration")
