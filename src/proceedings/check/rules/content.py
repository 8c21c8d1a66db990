"""C4xx: what is in a note — placeholders, links and images, raw HTML."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from urllib.parse import unquote

from proceedings import codes
from proceedings.check.facts import LinkFact
from proceedings.check.rules import rule
from proceedings.check.rules.context import CheckContext, FileInput
from proceedings.diagnostics import Diagnostic
from proceedings.i18n import _
from proceedings.load.anchors import slugify_heading
from proceedings.text import closest, did_you_mean

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


@rule(codes.UNFILLED_PLACEHOLDER, kind="markdown")
def placeholders(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    for line in doc.facts.placeholder_lines:
        yield doc.diag(codes.UNFILLED_PLACEHOLDER, line,
                       _("template placeholder `✎ …` is still here"),
                       _("replace it with the real text"), doc.facts.find_col(line, "✎"))


@rule(codes.MISSING_LINK_TARGET, kind="markdown")
def missing_link_target(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from _links(doc, ctx, "C402")


@rule(codes.MISSING_IMAGE_TARGET, kind="markdown")
def missing_image(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from _links(doc, ctx, "C403")


@rule(codes.MISSING_ANCHOR, kind="markdown")
def missing_anchor(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from _links(doc, ctx, "C404")


@rule(codes.LINK_OUTSIDE_REPO, kind="markdown")
def link_outside_repo(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    yield from _links(doc, ctx, "C405")


@rule(codes.UNUSED_FOOTNOTE, kind="markdown")
def unused_footnote(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    for line, label in doc.facts.unused_footnotes:
        yield doc.diag(
            codes.UNUSED_FOOTNOTE, line,
            _("footnote `[^{label}]` is never cited: the outputs leave it out").format(
                label=label),
            _("cite it with `[^{label}]` in the text, or delete the definition").format(
                label=label),
            doc.facts.find_col(line, f"[^{label}]"),
        )


@rule(codes.DUPLICATE_FOOTNOTE, kind="markdown")
def duplicate_footnote(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    for line, label, later in doc.facts.replaced_footnotes:
        yield doc.diag(
            codes.DUPLICATE_FOOTNOTE, line,
            _("footnote `[^{label}]` is defined again on line {line}: the outputs keep only "
              "that one and leave this one out").format(label=label, line=later),
            _("merge the two definitions, or give one of them its own label"),
            doc.facts.find_col(line, f"[^{label}]"),
        )


def _links(doc: FileInput, ctx: CheckContext, wanted: str) -> Iterator[Diagnostic]:
    """One pass over the file's links; each of C402–C405 keeps only its own findings."""
    key = ("links", doc.rel)
    cached = ctx.cache.get(key)
    if isinstance(cached, list):
        found: list[Diagnostic] = cached
    else:
        found = [d for link in doc.facts.links for d in _check_link(doc, ctx, link)]
        ctx.cache[key] = found
    return (d for d in found if d.code == wanted)


def _check_link(doc: FileInput, ctx: CheckContext, link: LinkFact) -> Iterator[Diagnostic]:
    href = link.href.strip()
    is_image = link.kind == "image" or (link.kind == "html" and _is_src(doc, link))
    if not href or href.startswith("//"):
        return
    scheme = _SCHEME.match(href)
    if scheme:
        name = scheme.group(1).lower()
        if name == "file" or len(name) == 1:  # file:///… or a Windows drive path (C:\…)
            message = (_("image `{href}` points at a file on one computer, outside the "
                         "repository") if is_image else
                       _("link `{href}` points at a file on one computer, outside the "
                         "repository"))
            yield doc.diag(codes.LINK_OUTSIDE_REPO, link.line, message.format(href=href),
                           _("copy the file next to the note and link it relatively"), link.col)
        return
    path_part, _hash, fragment = href.partition("#")
    path_part = unquote(path_part.split("?", 1)[0])
    fragment = unquote(fragment)
    base = os.path.dirname(str(doc.file.path))
    if not path_part:
        target = os.path.normpath(str(doc.file.path))
    elif path_part.startswith("/"):
        target = os.path.normpath(os.path.join(ctx.root, path_part.lstrip("/")))
    else:
        target = os.path.normpath(os.path.join(base, path_part))
    if not ctx.inside_root(target):
        message = (_("image `{href}` leaves the repository") if is_image
                   else _("link `{href}` leaves the repository"))
        yield doc.diag(codes.LINK_OUTSIDE_REPO, link.line, message.format(href=href),
                       _("published proceedings cannot reach files outside the WG repository"),
                       link.col)
        return
    if is_image and not ctx.inside_sessions(target):
        yield doc.diag(codes.LINK_OUTSIDE_REPO, link.line,
                       _("image `{href}` is outside the sessions folder").format(href=href),
                       _("the build embeds images only from the sessions folder; move it into "
                         "the session (e.g. images/)"), link.col)
        return
    if not ctx.exists(target):
        code = codes.MISSING_IMAGE_TARGET if is_image else codes.MISSING_LINK_TARGET
        message = (_("image target `{path}` does not exist") if is_image
                   else _("link target `{path}` does not exist"))
        yield doc.diag(code, link.line, message.format(path=path_part), _near_miss(target),
                       link.col)
        return
    if fragment and target.endswith(".md") and not is_image:
        anchors = ctx.anchors_of(target)
        # The same leniency as the build: the anchor as written, lower-cased, or slugified.
        if anchors is None or {fragment, fragment.lower(), slugify_heading(fragment)} & anchors:
            return
        message = (_("anchor `#{fragment}` is not a heading in `{path}`") if path_part
                   else _("anchor `#{fragment}` is not a heading in this note"))
        close = closest(fragment, sorted(anchors), cutoff=0.5)
        hint = (did_you_mean(f"#{close}") if close
                else _("link to one of its headings"))
        diag = doc.diag(codes.MISSING_ANCHOR, link.line,
                        message.format(fragment=fragment, path=path_part), hint, link.col)
        ctx.link_targets[diag] = ctx.rel(target)
        yield diag


# Searched only in the last 200 characters before a link: from the start of a long line of
# many raw HTML links, each search would cost the whole line (quadratic time).
_SRC_BEFORE = re.compile(r"\bsrc\s*+=\s*+[\"']?$", re.I)


def _is_src(doc: FileInput, link: LinkFact) -> bool:
    text = doc.facts.line_text(link.line)
    before = text[: max(link.col - 1, 0)]
    return _SRC_BEFORE.search(before, max(0, len(before) - 200)) is not None


def _near_miss(target: str) -> str:
    folder, name = os.path.split(target)
    try:
        siblings = os.listdir(folder)
    except OSError:
        return _("check the path (it is relative to this note's folder)")
    if name in siblings:  # there, but a symbolic link that leads nowhere (or to itself)
        return _("it is a symbolic link that leads nowhere; replace it with the file itself")
    close = closest(name, siblings)
    if close:
        return did_you_mean(close)
    return _("check the path (it is relative to this note's folder)")


@rule(codes.RAW_HTML, kind="markdown")
def raw_html(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    reported: set[int] = set()
    for html in doc.facts.html:
        if html.line in reported:
            continue  # `<b>x</b>`: one finding per line, not one per tag
        reported.add(html.line)
        yield doc.diag(codes.RAW_HTML, html.line,
                       _("raw HTML `{snippet}`").format(snippet=html.snippet),
                       _("the build escapes HTML; use Markdown instead"), html.col)


# Bidi embeddings, overrides, isolates and marks, the other invisible characters
# `proceedings.visible` escapes, and control characters — but not tab, newline and CR (line
# endings are F103's), nor NUL (markdown-it turns it into U+FFFD; reported as its own finding).
_INVISIBLE = re.compile(
    "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@rule(codes.INVISIBLE_CONTROL, kind="markdown", needs_body=False)
def invisible_controls(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    """Trojan-source text: a right-to-left override (or isolate) makes a title, a name or a
    sentence display differently from what it says, and control characters act on terminals.
    The whole file is scanned (front matter included), one finding per line; front-matter
    values that got such a character from a YAML escape (`"\\u202e"`) are reported at their
    key."""
    text = doc.file.text
    if text is None:
        return
    if _INVISIBLE.search(text):
        for number, line in enumerate(doc.facts.lines, start=1):
            found = _INVISIBLE.search(line)
            if found is not None:
                yield _invisible_diag(doc, number, found.start() + 1, found.group(),
                                      len(_INVISIBLE.findall(line)) - 1)
    raw = set(_INVISIBLE.findall(text))
    for key, key_line in doc.file.key_lines.items():
        escaped = [c for c in _strings_chars(doc.file.meta.get(key)) if c not in raw]
        if escaped:
            yield _invisible_diag(doc, key_line, 1, escaped[0], len(escaped) - 1, key=key)


def _strings_chars(value: object) -> list[str]:
    """Every invisible or control character in the strings of a front-matter value."""
    if isinstance(value, str):
        return _INVISIBLE.findall(value)
    if isinstance(value, dict):
        return [c for k, v in value.items() for c in _strings_chars(k) + _strings_chars(v)]
    if isinstance(value, (list, tuple)):
        return [c for item in value for c in _strings_chars(item)]
    return []


def _invisible_diag(doc: FileInput, line: int, col: int, char: str, more: int,
                    key: str | None = None) -> Diagnostic:
    import unicodedata

    name = unicodedata.name(char, "")
    what = f"U+{ord(char):04X}" + (f" {name}" if name else "")
    bidi = _BIDI.match(char) is not None
    if key:
        message = (_("bidi control {char} in the value of `{key}`") if bidi
                   else _("control character {char} in the value of `{key}`") if not name
                   else _("invisible character {char} in the value of `{key}`"))
    else:
        message = (_("bidi control {char}") if bidi
                   else _("control character {char}") if not name
                   else _("invisible character {char}"))
    message = message.format(char=what, key=key)
    if more:
        message = _("{finding} (and {more} more)").format(finding=message, more=more)
    hint = (_("delete it: it makes the text display in another order than it is written")
            if bidi else _("delete it: it is invisible or acts on terminals"))
    return doc.diag(codes.INVISIBLE_CONTROL, line, message, hint, col)
