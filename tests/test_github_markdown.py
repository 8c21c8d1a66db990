"""proceedings.md as GitHub shows it: rendered with cmark-gfm (GitHub's own engine) and
GitHub's heading-anchor rule, it shows no dialect syntax and every internal link lands."""

from __future__ import annotations

import html
import re
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from typer.testing import CliRunner

from proceedings.cli import app
from proceedings.render.github import to_github

from helpers import write

GFM = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES


def github_html(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=GFM)


def github_heading_anchors(page: str) -> set[str]:
    """The ids GitHub gives headings: lower case, only letters, marks, numbers, `_`, `-` and
    spaces kept, spaces to `-`, repeats numbered -1, -2 … (written out here, independently of
    proceedings.load.anchors)."""
    import unicodedata

    anchors: set[str] = set()
    counts: dict[str, int] = {}
    for inner in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", page, flags=re.S):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip().lower()
        slug = "".join(
            "-" if c in " -" else c
            for c in text
            if c in " -" or unicodedata.category(c)[0] in "LMN" or unicodedata.category(c) == "Pc"
        )
        number = counts.get(slug, 0)
        counts[slug] = number + 1
        anchors.add(slug if number == 0 else f"{slug}-{number}")
    return anchors


def landing_places(page: str) -> set[str]:
    raw = set(re.findall(r'<a [^>]*(?:id|name)="([^"]+)"', page))
    footnotes = set(re.findall(r'\sid="([^"]+)"', page))  # cmark-gfm's own footnote ids
    return {html.unescape(a) for a in raw | footnotes} | github_heading_anchors(page)


def visible_text(page: str) -> str:
    without_code = re.sub(r"<(pre|code)>.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", without_code))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The sample archive built to Markdown (GitHub flavour, the default) and to the dialect."""

    from conftest import copy_sample

    root = copy_sample(tmp_path_factory.mktemp("gh"))
    result = CliRunner().invoke(app, ["build", "--root", str(root), "--format", "md,html"])
    assert result.exit_code == 0, result.output
    markdown = (root / "proceedings" / "proceedings.md").read_text(encoding="utf-8")
    page = (root / "proceedings" / "proceedings.html").read_text(encoding="utf-8")
    return markdown, page


def test_github_shows_no_dialect_markup(built: tuple[str, str]) -> None:
    text = visible_text(github_html(built[0]))
    assert ":::" not in text
    assert not re.search(r"\{[#.][^{}]*\}", text), re.search(r".{40}\{[#.][^{}]*\}.{20}", text)


def test_every_internal_link_lands_on_an_anchor_github_creates(built: tuple[str, str]) -> None:
    page = github_html(built[0])
    targets = [html.unescape(h) for h in re.findall(r'href="#([^"]*)"', page)]
    assert len(targets) > 40  # table of contents, key-point digest, footnotes
    places = landing_places(page)
    assert [t for t in targets if t not in places] == []


def test_every_key_point_is_linked_from_the_digest(built: tuple[str, str]) -> None:
    page = github_html(built[0])
    key_points = set(re.findall(r'<a id="([^"]+--kp-\d+)"', page))
    linked = set(re.findall(r'href="#([^"]+--kp-\d+)"', page))
    assert key_points and key_points == linked


def test_the_html_is_the_same_whichever_markdown_flavour(
    built: tuple[str, str], tmp_path: Path
) -> None:
    import shutil

    from conftest import REPO_ROOT

    root = tmp_path / "wg"
    shutil.copytree(REPO_ROOT / "sessions", root / "sessions")
    config = (REPO_ROOT / "proceedings.toml").read_text(encoding="utf-8")
    flavour = '[build]\nmarkdown_flavor = "pandoc"\n'
    if "[build]" in config:
        config = config.replace("[build]\n", flavour, 1)
    else:
        config += "\n" + flavour
    write(root / "proceedings.toml", config)
    result = CliRunner().invoke(app, ["build", "--root", str(root), "--format", "md,html"])
    assert result.exit_code == 0, result.output
    pandoc_md = (root / "proceedings" / "proceedings.md").read_text(encoding="utf-8")
    assert "{#cover .cover}" in pandoc_md and "::: {" in pandoc_md
    assert (root / "proceedings" / "proceedings.html").read_text(encoding="utf-8") == built[1]
    assert to_github(pandoc_md) == built[0]


def test_dialect_syntax_inside_code_is_left_alone() -> None:
    dialect = (
        "# Title {#top .cover}\n\n"
        "A key point[]{#kp-1} and `code with []{#kp-2} in it`.\n\n"
        "```\n::: {.not-a-div}\n# not a heading {#x}\n```\n"
    )
    github = to_github(dialect)
    assert github.startswith('<a id="top"></a>\n\n# Title\n')
    assert 'A key point<a id="kp-1"></a> and `code with []{#kp-2} in it`.' in github
    assert "```\n::: {.not-a-div}\n# not a heading {#x}\n```" in github


def test_a_hostile_id_cannot_break_out_of_the_anchor() -> None:
    github = to_github('# T {#a"onmouseover="x}\n')
    assert 'onmouseover="x"' not in github
