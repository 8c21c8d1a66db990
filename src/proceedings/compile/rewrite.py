"""Rewriting one file's tokens into its part of the Document.

Before any file is rewritten, `compile.document` plans every file (`FilePlan`): the ids of
its headings, claimed in one `IdRegistry` so they are unique document-wide. `FileRewriter`
then walks a copy of the file's tokens and, block by block and inline token by inline token:

- gives each heading its planned id and shifts its level below the topic title (the note's
  own H1 becomes the topic title and is dropped);
- turns links into `#id` links (notes, sessions, headings), asset paths (files in the
  sessions folder) or text (anything else, reported);
- resolves images through `compile.assets.AssetResolver`;
- prefixes footnote and reference-link labels with the file's scope id;
- anchors each key-point (★) paragraph and collects it;
- shows raw HTML as code, or passes it through the allowlist when `build.allow_raw_html`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from proceedings import codes
from proceedings.codes import LINK_NOT_BUILT, RAW_HTML_DROPPED, UNKNOWN_ANCHOR, UNSAFE_URL
from proceedings.compile.assets import AssetResolver
from proceedings.compile.labels import Labels
from proceedings.compile.records import Footnote, KeyPoint, short
from proceedings.config import Config
from proceedings.i18n import _
from proceedings.load.anchors import slugify_heading
from proceedings.load.markdown import (
    FootnoteDefinition,
    closing_index,
    comments_only,
    inline_text,
    split_footnotes,
    token_line,
)
from proceedings.load.placeholders import is_placeholder
from proceedings.load.source import MarkdownFile
from proceedings.paths import real_path
from proceedings.render.sanitize import sanitize_html

RESERVED_IDS = ("cover", "toc", "digest", "colophon")
LINK_SCHEMES = ("http", "https", "mailto")
# Links markdown-it refuses to make at all (its own safety rule), so they stay plain text and
# never reach _link: `[x](javascript:…)`. Said here, as B807, so the author knows. (`file:`
# is the checker's C405; `data:image/png;…` and the like markdown-it does accept.)
_REFUSED_LINK = re.compile(
    r"\]\(\s*+<?\s*+((?:javascript|vbscript|data):(?:[^()\s>]|\([^()\s]*\))*)", re.I
)
_ACCEPTED_DATA = re.compile(r"data:image/(?:gif|png|jpeg|webp);", re.I)


class IdRegistry:
    """Hands out document-wide unique ids; a taken id gets -2, -3, … appended."""

    def __init__(self) -> None:
        self.taken: set[str] = set(RESERVED_IDS)

    def claim(self, wanted: str) -> str:
        candidate, number = wanted, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{wanted}-{number}"
        self.taken.add(candidate)
        return candidate


@dataclass
class FilePlan:
    """Ids decided before any link is rewritten, so links may point forward."""

    file: MarkdownFile
    scope: str  # the session or topic id
    heading_ids: list[str]  # per heading of the file, in order (the dropped H1 maps to scope)
    anchors: dict[str, str]  # GitHub-style anchor -> document id
    drop_first_h1: bool


class Compilation(Protocol):
    """What a rewriter uses of the build it is part of (`compile.document`'s compiler)."""

    config: Config
    labels: Labels
    ids: IdRegistry
    allow_raw_html: bool
    plans: dict[Path, FilePlan]  # by resolved file path
    session_ids: dict[Path, str]  # by resolved session folder
    loaded_files: set[Path]  # every Markdown file of the workspace, resolved
    loaded_dirs: set[Path]  # every session folder of the workspace, resolved
    assets: AssetResolver

    def report(
        self, code: codes.Code, path: str, line: int, message: str, hint: str = ""
    ) -> None: ...


class FileRewriter:
    """Rewrites the tokens of one file (a note, or a session's overview)."""

    def __init__(
        self, compiler: Compilation, plan: FilePlan, session_id: str, note_id: str | None
    ) -> None:
        self.c = compiler
        self.plan = plan
        self.file = plan.file
        self.scope = plan.scope
        self.session_id = session_id
        self.note_id = note_id
        self.lines = self.file.body.split("\n")
        self.key_points: list[KeyPoint] = []
        self.footnote_labels: dict[int, str] = {}
        self.heading_index = 0

    def run(self) -> tuple[list[Token], list[Footnote], list[KeyPoint]]:
        tokens = copy_tokens(self.file.tokens)
        body, definitions = split_footnotes(tokens)
        self._name_footnotes(definitions)
        body = self._blocks(body, top=True)
        footnotes = [
            Footnote(self.footnote_labels[d.number], self._blocks(d.tokens, top=False))
            for d in definitions
        ]
        return body, footnotes, self.key_points

    # -- footnotes ------------------------------------------------------------------------

    def _name_footnotes(self, definitions: list[FootnoteDefinition]) -> None:
        used = {d.label for d in definitions if d.label}
        counter = 0
        for definition in definitions:
            label = definition.label
            if label is None:  # an inline footnote ^[…] has no label: make one up
                counter += 1
                while f"note-{counter}" in used:
                    counter += 1
                label = f"note-{counter}"
            self.footnote_labels[definition.number] = f"{self.scope}--{label}"

    # -- blocks ---------------------------------------------------------------------------

    def _blocks(self, tokens: list[Token], *, top: bool) -> list[Token]:
        out: list[Token] = []
        index = 0
        skip_first_h1 = top and self.plan.drop_first_h1
        while index < len(tokens):
            token = tokens[index]
            if token.type == "heading_open":
                close = closing_index(tokens, index)
                heading_id = self.plan.heading_ids[self.heading_index]
                self.heading_index += 1
                if skip_first_h1:
                    skip_first_h1 = False
                    index = close + 1
                    continue
                level = int(token.tag[1:])
                new_level = 3 if level == 1 else min(level + 1, 6)
                token.tag = f"h{new_level}"
                token.markup = "#" * new_level
                tokens[close].tag = token.tag
                token.attrs = {"id": heading_id}
                out.append(token)
                out += [self._inline(t) for t in tokens[index + 1 : close]]
                out.append(tokens[close])
                index = close + 1
                continue
            skip_first_h1 = False
            if token.type == "paragraph_open":
                inline = tokens[index + 1]
                if is_placeholder(inline.content):
                    index += 3  # template guidance the scribe never replaced: leave it out
                    continue
                if self.c.config.key_point_marker in inline.content:
                    self._key_point(token, inline)
                out.append(token)
                index += 1
                continue
            if token.type == "html_block":
                out += self._html_block(token)
                index += 1
                continue
            if token.type == "code_block":
                token.type, token.markup, token.info = "fence", "```", ""
            if token.type == "inline":
                token = self._inline(token)
            out.append(token)
            index += 1
        return out

    def _key_point(self, paragraph: Token, inline: Token) -> None:
        marker = self.c.config.key_point_marker
        number = len(self.key_points) + 1
        point_id = self.c.ids.claim(f"{self.scope}--kp-{number}")
        text = " ".join(inline_text(inline).replace(marker, "", 1).split()) or marker
        line = token_line(paragraph, self.file.body_offset)
        self.key_points.append(
            KeyPoint(point_id, text, self.file.rel, line, self.session_id, self.note_id)
        )
        anchor = Token("span_open", "span", 1)
        anchor.attrs = {"id": point_id}
        inline.children = [anchor, Token("span_close", "span", -1), *(inline.children or [])]

    def _html_block(self, token: Token) -> list[Token]:
        if comments_only(token.content):
            return []  # notes to fellow scribes and disable directives are never published
        line = token_line(token, self.file.body_offset)
        if not self.c.allow_raw_html:
            # Shown, never interpreted: the reader sees the HTML the scribe wrote.
            fence = Token("fence", "code", 0, markup="```", info="html", content=token.content)
            fence.map = token.map
            return [fence]
        result = sanitize_html(token.content, lambda kind, url: self._raw_url(kind, url, line))
        self._report_dropped(result.dropped, line)
        if not result.html.strip():
            return []
        token.content = result.block_html()
        return [token]

    # -- inline ---------------------------------------------------------------------------

    def _inline(self, token: Token) -> Token:
        if token.type != "inline" or not token.children:
            return token
        for match in _REFUSED_LINK.finditer(token.content):
            url = match.group(1)
            if not _ACCEPTED_DATA.match(url):
                self.c.report(
                    UNSAFE_URL, self.file.rel, self._line(token, url),
                    _("link `{url}` is not http(s), mailto or relative; shown as text").format(
                        url=short(url)),
                )
        children: list[Token] = []
        dropped_links: list[bool] = []  # per open link: was it neutralised?
        for child in token.children:
            if child.type == "link_open":
                href = self._link(_text_attr(child, "href"), token)
                if href is None:
                    dropped_links.append(True)
                    continue
                dropped_links.append(False)
                child.attrs["href"] = href
                if "label" in child.meta:
                    child.meta["label"] = f"{self.scope}--{child.meta['label'].lower()}"
                children.append(child)
            elif child.type == "link_close":
                if dropped_links and dropped_links.pop():
                    continue
                children.append(child)
            elif child.type == "image":
                children += self._image(child, token)
            elif child.type == "html_inline":
                children += self._html_inline(child, token)
            elif child.type == "footnote_ref":
                children.append(self._footnote_ref(child))
            else:
                children.append(child)
        token.children = children
        return token

    def _footnote_ref(self, child: Token) -> Token:
        """A footnote reference, labelled with its definition's namespaced label."""
        child.meta = dict(child.meta)
        number = child.meta.get("id")
        label = self.footnote_labels.get(number, "") if isinstance(number, int) else ""
        child.meta["label"] = label
        return child

    def _html_inline(self, child: Token, inline: Token) -> list[Token]:
        if comments_only(child.content):
            return []
        if not self.c.allow_raw_html:
            return [Token("text", "", 0, content=child.content)]
        line = self._line(inline, child.content)
        result = sanitize_html(child.content, lambda kind, url: self._raw_url(kind, url, line))
        self._report_dropped(result.dropped, line)
        if not result.html:
            return []
        child.content = result.html
        return [child]

    def _report_dropped(self, dropped: list[str], line: int) -> None:
        for what in dropped:
            self.c.report(
                RAW_HTML_DROPPED, self.file.rel, line,
                _("raw HTML {what} removed").format(what=what),
                _("only the allowlisted tags and attributes of docs/build.md pass"),
            )

    def _raw_url(self, kind: str, url: str, line: int) -> str | None:
        """URL policy for raw HTML (allow mode): the same rules as Markdown links/images."""
        if kind == "src":
            if url.lower().startswith("data:image/"):
                return url
            return self.c.assets.image_src(url, self.file, line)
        return self._resolve_href(url, line)

    def _line(self, inline: Token, needle: str) -> int:
        """The file line in `inline`'s block that mentions `needle` (best effort)."""
        start, end = inline.map if inline.map else (0, 1)
        candidates = [needle, unquote(needle), unquote(needle).rsplit("/", 1)[-1]]
        for offset in range(start, min(end, len(self.lines))):
            if any(c and c in self.lines[offset] for c in candidates):
                return offset + 1 + self.file.body_offset
        return start + 1 + self.file.body_offset

    # -- links ----------------------------------------------------------------------------

    def _link(self, href: str, inline: Token) -> str | None:
        return self._resolve_href(href, self._line(inline, href))

    def _resolve_href(self, href: str, line: int) -> str | None:
        parts = urlsplit(href)
        scheme = parts.scheme.lower()
        if scheme in LINK_SCHEMES:
            return href
        if scheme or parts.netloc:
            self.c.report(
                UNSAFE_URL, self.file.rel, line,
                _("link `{url}` is not http(s), mailto or relative; shown as text").format(
                    url=short(href)),
            )
            return None
        path, fragment = unquote(parts.path), unquote(parts.fragment)
        if not path:
            return "#" + self._anchor(self.plan, fragment, line, href)
        target = real_path(self.file.path.parent / path)
        if target in self.c.plans:
            return "#" + self._anchor(self.c.plans[target], fragment, line, href)
        if target in self.c.session_ids:
            return "#" + self.c.session_ids[target]
        if target in self.c.loaded_files or target in self.c.loaded_dirs:
            self.c.report(
                LINK_NOT_BUILT, self.file.rel, line,
                _("link to `{path}`, which is not part of this build; shown as text").format(
                    path=path),
                _("build that session too, or ignore this when building a selection"),
            )
            return None
        if self.c.assets.is_session_file(target):
            return self.c.assets.linked_file(target, path, self.file.rel, line)
        self.c.report(
            LINK_NOT_BUILT, self.file.rel, line,
            _("link to `{path}`, which is not a note or a file in the sessions folder; "
              "shown as text").format(path=path),
            _("link to notes and assets inside the sessions folder, or use a full https:// URL"),
        )
        return None

    def _anchor(self, plan: FilePlan, fragment: str, line: int, href: str) -> str:
        if not fragment:
            return plan.scope
        for candidate in (fragment, fragment.lower(), slugify_heading(fragment)):
            if candidate in plan.anchors:
                return plan.anchors[candidate]
        self.c.report(
            UNKNOWN_ANCHOR, self.file.rel, line,
            _("`{link}`: no heading with the anchor `#{fragment}` in {path}").format(
                link=short(unquote(href)), fragment=fragment, path=plan.file.rel),
            _("use the anchor of an existing heading (see `proceedings check`)"),
        )
        return plan.scope

    # -- images ---------------------------------------------------------------------------

    def _image(self, child: Token, inline: Token) -> list[Token]:
        src = _text_attr(child, "src")
        line = self._line(inline, src)
        new_src = self.c.assets.image_src(src, self.file, line)
        if new_src is None:
            alt = child.content or src
            return [Token("text", "", 0, content=f"[{self.c.labels.missing_image}: {alt}]")]
        child.attrs["src"] = new_src
        return [child]


def copy_tokens(tokens: list[Token]) -> list[Token]:
    """A copy to rewrite without touching the workspace's tokens (deepcopy is 10x slower)."""
    return [
        Token(
            t.type, t.tag, t.nesting, dict(t.attrs), list(t.map) if t.map else t.map, t.level,
            copy_tokens(t.children) if t.children else t.children, t.content, t.markup, t.info,
            dict(t.meta), t.block, t.hidden,
        )
        for t in tokens
    ]


def _text_attr(token: Token, name: str) -> str:
    """An attribute markdown-it always sets as text (a link's href, an image's src)."""
    value = token.attrs.get(name, "")
    return value if isinstance(value, str) else str(value)
