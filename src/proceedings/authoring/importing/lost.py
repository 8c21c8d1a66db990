"""Nothing is lost: every non-blank line of a memo must appear in the files made from it."""

from __future__ import annotations

from collections import Counter

import yaml

from proceedings.authoring.importing.vocabulary import ATX, LIST_MARKERS
from proceedings.load.markdown import parser


def normalize_line(line: str) -> str:
    """A line as `lost_lines` compares it: no indentation, heading marks or list markers."""
    text = line.strip()
    atx = ATX.match(text)
    if atx:
        text = atx.group(2).strip()
    return LIST_MARKERS.sub("", text).strip()


def lost_lines(original: str, outputs: list[str]) -> list[tuple[int, str]]:
    """Lines of `original` (1-based, text) that appear in none of `outputs`.

    A line counts as present when, after `normalize_line`, it equals a line of an output's
    body or a value in its front matter; each output line accounts for at most one original
    line. Setext underlines belong to their heading.
    """
    available: Counter[str] = Counter()
    for text in outputs:
        body = text
        if text.startswith("---\n"):
            end = text.find("\n---\n", 4)
            if end != -1:
                front = yaml.safe_load(text[4:end]) or {}
                for value in front.values():
                    for item in value if isinstance(value, list) else [value]:
                        available[normalize_line(str(item))] += 1
                body = text[end + 5 :]
        for line in body.split("\n"):
            if line.strip():
                available[normalize_line(line)] += 1
    lines = original.split("\n")
    underlines = set()
    for token in parser().parse(original, {}):
        if token.type == "heading_open" and token.map and token.map[1] - token.map[0] > 1:
            underlines.add(token.map[1] - 1)
    lost = []
    for number, line in enumerate(lines, start=1):
        key = normalize_line(line)
        if not key or number - 1 in underlines:  # blank, or a bare `#` / `-`: nothing to lose
            continue
        if available[key] > 0:
            available[key] -= 1
        else:
            lost.append((number, line))
    return lost
