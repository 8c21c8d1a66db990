"""Metadata lines in a memo (`Date: 2020/07/04`, `- 場所：…`) and the front matter made of them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from proceedings.authoring.importing.model import Report
from proceedings.authoring.importing.structure import Heading, MemoStructure
from proceedings.authoring.importing.vocabulary import (
    KEY_LOOKUP,
    key_value,
    normal,
    normal_key,
    words_from_name,
)
from proceedings.i18n import _

_PARTICIPANT_COUNT = re.compile(
    r"^(?:約|およそ|about|approx\.?|~)?\s*(\d+)\s*(名|人|people|persons|participants)?"
    r"\s*(程度|くらい|ぐらい|ほど)?(?P<rest>.*)$",
    re.IGNORECASE,
)
_NAME_SEPARATORS = re.compile(r"[,、，/・]")
_URL_VALUE = re.compile(r"^<(.+)>$|^\[[^\]]*\]\((\S+)\)$")
_TAG_SEPARATORS = re.compile(r"[,、，/]")
# Spaces before `and` are matched from the start of their run only (quadratic otherwise).
_PEOPLE_SEPARATORS = re.compile(r"[,、，/・]|(?<!\s)\s++(?:and|&)\s+")


@dataclass
class Metadata:
    key: str  # front-matter key
    raw_key: str
    value: str
    line: int  # 0-based


def header_metadata(
    memo: MemoStructure, title: Heading | None, report: Report
) -> tuple[list[Metadata], set[int]]:
    """`Key: value` paragraphs right under the title (or at the very top)."""
    start = title.end if title is not None else 0
    metadata: list[Metadata] = []
    lines: set[int] = set()
    for block_start, block_end, token in memo.blocks:
        if block_start < start or block_start in memo.removed:
            continue
        if token.type != "paragraph_open":
            break
        pairs = []
        for line in range(block_start, block_end):
            pair = key_value(memo.lines[line])
            if pair is None or not pair[2]:
                break
            pairs.append(pair)
        if not any(KEY_LOOKUP.get(normal_key(pair[0])) for pair in pairs):
            break
        for offset, pair in enumerate(pairs):
            line = block_start + offset
            lines.add(line)
            key = KEY_LOOKUP.get(normal_key(pair[0]))
            if key is None:
                report.unmapped(
                    line,
                    _("metadata `{key}` has no place in the format; kept in session.md "
                      "under the original metadata").format(key=pair[0]),
                )
                continue
            metadata.append(Metadata(key, pair[0], pair[1], line))
        if len(pairs) < block_end - block_start:
            break  # the paragraph goes on with ordinary text
    return metadata, lines


def bullet_metadata(
    memo: MemoStructure, ranges: list[tuple[int, int]], skip: set[int]
) -> list[Metadata]:
    """Top-level `- Key: value` bullets in the introduction (kept in place as well)."""
    found: list[Metadata] = []
    for block_start, block_end, token in memo.blocks:
        if token.type != "bullet_list_open":
            continue
        if not any(start <= block_start < end for start, end in ranges):
            continue
        for line in range(block_start, block_end):
            if line in skip or line in memo.removed:
                continue
            pair = key_value(memo.lines[line])
            if pair is None or pair[2] or memo.lines[line][:1] in (" ", "\t"):
                continue
            key = KEY_LOOKUP.get(normal_key(pair[0]))
            if key is not None:
                found.append(Metadata(key, pair[0], pair[1], line))
    return found


def front_matter(
    metadata: list[Metadata], title_heading: Heading | None, name: str, report: Report
) -> tuple[dict[str, Any], str]:
    """The front matter and the title; `name` (the memo's) gives a title when nothing else does."""
    front: dict[str, Any] = {}
    seen: dict[str, Metadata] = {}
    for item in metadata:
        if item.key in seen:
            if normal(seen[item.key].value) != normal(item.value):
                report.unmapped(
                    item.line,
                    _("`{key}: {value}` differs from line {line}, which was used").format(
                        key=item.raw_key, value=item.value, line=seen[item.key].line + 1),
                )
            continue
        seen[item.key] = item
        value = convert(item, report)
        if value is not None:
            front[item.key] = value
    title = title_heading.text if title_heading is not None else ""
    if "title" in front:
        if title and front["title"] != title:
            report.unmapped(
                seen["title"].line,
                _("the `title` line differs from the H1, "
                  "which was used; the line is kept in session.md"),
            )
        title = title or front["title"]
    front.pop("title", None)
    if not title:
        title = words_from_name(name) or name
        report.decided(
            None, _("no H1 title; the title `{title}` comes from the name `{name}`").format(
                title=title, name=name))
    return front, title


def convert(item: Metadata, report: Report) -> Any:
    """A metadata value as front matter holds it; None (and a finding) when it has no place."""
    value = item.value.strip()
    text = unicodedata.normalize("NFKC", value)
    if item.key == "date":
        return value  # parsed later, with the other date sources
    if not value:
        report.unmapped(item.line, _("metadata `{key}` is empty").format(key=item.raw_key))
        return None
    if item.key in ("tags", "facilitators", "scribes"):
        separators = _TAG_SEPARATORS if item.key == "tags" else _PEOPLE_SEPARATORS
        parts = [p.strip().lstrip("#").strip() for p in separators.split(value)]
        return [p for p in parts if p]
    if item.key == "participants":
        return _participants(item, value, text, report)
    if item.key == "language":
        lowered = text.lower()
        if lowered in ("ja", "japanese", "日本語"):
            return "ja"
        if lowered in ("en", "english", "英語"):
            return "en"
        report.unmapped(
            item.line, _("language `{value}` is neither ja nor en; not used").format(value=value))
        return None
    if item.key == "url":
        link = _URL_VALUE.match(value)
        return (link.group(1) or link.group(2)) if link else value
    return value


def _participants(item: Metadata, value: str, text: str, report: Report) -> int | list[str]:
    count = _PARTICIPANT_COUNT.match(text)
    if count:
        if count.group("rest").strip():
            report.unmapped(
                item.line,
                _("`participants` keeps only the count {count}; "
                  "`{rest}` stays in the memo text").format(
                    count=count.group(1), rest=count.group("rest").strip()),
            )
        return int(count.group(1))
    return [p.strip() for p in _NAME_SEPARATORS.split(value) if p.strip()]
