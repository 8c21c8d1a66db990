"""Archives and readers for the build tests (tests/test_build_*.py, tests/test_compile_*.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from typer.testing import CliRunner

from proceedings.cli import app
from proceedings.config import load_config
from proceedings.load.workspace import load_workspace

from helpers import write

# A 1x1 PNG (red pixel), written byte by byte so tests can compare the embedded data.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d7"
    "63f8cfc000000301010018dd8db00000000049454e44ae426082"
)
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>\n'
)


def note(title: str, body: str, *, scribes: str = "[記録係]", extra: str = "") -> str:
    front = f"---\ntitle: {title}\nscribes: {scribes}\nstatus: final\n{extra}---\n"
    return f"{front}\n# {title}\n\n{body}"


def session(title: str, date: str, body: str = "セッションの概要。\n", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{body}"


def archive(root: Path, files: dict[str, str | bytes], config: str = "") -> Path:
    """Write `files` (paths relative to sessions/) under `root` with a proceedings.toml."""
    write(root / "proceedings.toml", config or 'wg_name = "テスト WG"\ntitle = "テスト記録集"\n')
    (root / "sessions").mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        write(root / "sessions" / rel, content)
    return root


def run(root: Path, *args: str):
    """`proceedings build --root ROOT ARGS`, as md and html unless ARGS say otherwise (the
    PDF has its own tests and takes seconds)."""
    if "--format" not in args:
        args = ("--format", "md,html", *args)
    return CliRunner().invoke(app, ["build", "--root", str(root), *args])


def run_default_formats(root: Path, *args: str):
    return CliRunner().invoke(app, ["build", "--root", str(root), *args])


def workspace(root: Path):
    return load_workspace(load_config(root))


def body_of(page: str) -> str:
    match = re.search(r"<body>\n(.*)</body>", page, re.S)
    assert match, "no <body> in the page"
    return match.group(1)


class Elements(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag

    def ids(self) -> list[str]:
        return [attrs["id"] for _, attrs in self.tags if "id" in attrs]

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a for t, a in self.tags
            if t == tag and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def hrefs(self) -> list[str]:
        return [a["href"] for t, a in self.tags if t == "a" and "href" in a]


def section_of(page: str, element_id: str) -> str:
    """The HTML of the <article>/<section> with this id (up to its closing tag)."""
    start = page.index(f'id="{element_id}"')
    start = page.rindex("<", 0, start)
    tag = re.match(r"<(\w+)", page[start:]).group(1)
    end = page.index(f"</{tag}>", start)
    return page[start:end]
