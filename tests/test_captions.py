"""Figure and table captions: 図 1 / 表 1 (Figure 1 / Table 1 in English sessions), numbered
through the whole proceedings, in proceedings.md, the HTML and the PDF (docs/build.md,
"Captions")."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from build_archives import PNG, SVG, Elements, archive, note, run, session
from proceedings.compile.captions import caption_paragraph, is_caption, split_label
from proceedings.compile.labels import labels_for
from proceedings.load.markdown import inline_text
from proceedings.render.dialect import parse_dialect
from proceedings.render.markdown_out import MarkdownWriter

S1 = "2025-03-01-spring"
S2 = "2025-04-01-english"

SPRING_BODY = """## 概要

構成図を示す。

![監視の全体像](images/flow.svg)

本文の途中の ![小さなアイコン](images/dot.png) は図ではない。

- 箇条書きの中の画像も図ではない ![箇条書きの画像](images/dot.png)
- 二つめ

表: 段階ごとの担当

| フェーズ | 担当 |
| --- | --- |
| 検証 | 研究チーム |

## 議論

| 案 | 費用 |
| --- | --- |
| スプレッドシート運用 | ほぼゼロ |

Table: 下に書いた表題

![](images/dot.png)

表：全角コロンの表題

| 指標 | 頻度 |
| --- | --- |
| 遅延 | 日次 |

| 表題のない表 | 値 |
| --- | --- |
| a | b |
"""

ENGLISH_BODY = """## Summary

![](images/flow.svg "Title only")

## Discussion

| Option | Cost |
| --- | --- |
| Spreadsheet | almost none |
"""


def caption_archive(root: Path) -> Path:
    return archive(
        root,
        {
            f"{S1}/session.md": session("春の会", "2025-03-01"),
            f"{S1}/01-monitoring.md": note("監視", SPRING_BODY),
            f"{S1}/images/flow.svg": SVG,
            f"{S1}/images/dot.png": PNG,
            f"{S2}/session.md": session("English session", "2025-04-01", extra="language: en\n"),
            f"{S2}/01-costs.md": note("Costs", ENGLISH_BODY),
            f"{S2}/images/flow.svg": SVG,
        },
        config='wg_name = "テスト WG"\ntitle = "テスト記録集"\nlanguage = "ja"\n',
    )


EXPECTED = [
    "図 1　監視の全体像",
    "表 1　段階ごとの担当",
    "表 2　下に書いた表題",
    "図 2",
    "表 3　全角コロンの表題",
    "表 4",
    "Figure 3: Title only",
    "Table 5",
]


def _figcaptions(page: str) -> list[str]:
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    return [re.sub(r"<[^>]+>", "", caption) for caption in captions]


def test_captions_are_numbered_through_the_proceedings_in_each_sessions_language(
    tmp_path: Path,
) -> None:
    root = caption_archive(tmp_path / "wg")
    result = run(root)
    assert result.exit_code == 0, result.output
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    assert _figcaptions(page) == EXPECTED
    # the label is marked up for the stylesheet; the <img> stands in the <figure> itself
    assert '<figcaption><span class="caption-label">図 1</span>　監視の全体像</figcaption>' in page
    assert re.search(r'<figure class="figure-image"><img src="data:image/svg\+xml;base64,[^"]+" '
                     r'alt="監視の全体像" ?/?>\n<figcaption>', page)
    # the `表:` / `Table:` paragraphs became captions and are no longer text of their own
    assert "<p>表: 段階ごとの担当</p>" not in page and "下に書いた表題</p>" not in page
    # an image within a line of text or in a tight list item is not a figure
    assert page.count('<figure class="figure-image">') == 3


def test_every_table_scrolls_in_its_own_box(tmp_path: Path) -> None:
    root = caption_archive(tmp_path / "wg")
    assert run(root).exit_code == 0
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    tables = page.count("<table>")
    assert tables == 6  # five in the notes, the colophon's list of sources
    assert page.count('<div class="table-scroll">\n<table>') == tables
    assert page.count('<figure class="figure-table">\n<figcaption>') == 5
    tags = [tag for tag, _ in Elements(page).tags]
    assert tags.count("figure") == 8


def test_markdown_shows_each_caption_as_an_italic_line(tmp_path: Path) -> None:
    root = caption_archive(tmp_path / "wg")
    assert run(root).exit_code == 0
    markdown = (root / "proceedings" / "proceedings.md").read_text("utf-8")
    image = "![監視の全体像](assets/2025-03-01-spring/images/flow.svg)"
    assert f"{image}\n\n*図 1　監視の全体像*\n" in markdown
    assert "*表 1　段階ごとの担当*\n\n| フェーズ | 担当 |" in markdown
    assert "*表 2　下に書いた表題*\n\n| 案 | 費用 |" in markdown
    assert "*表 4*\n\n| 表題のない表 | 値 |" in markdown
    assert '*Figure 3: Title only*' in markdown
    assert "表: 段階ごとの担当" not in markdown and "Table: 下に書いた表題" not in markdown
    # GitHub Markdown: no attribute or div syntax around the captions
    for line in markdown.splitlines():
        if line.startswith(("*図", "*表", "*Figure", "*Table")):
            assert re.fullmatch(r"\*[^*{}]+\*", line), line


def test_pdf_has_the_captions(tmp_path: Path) -> None:
    root = caption_archive(tmp_path / "wg")
    result = run(root, "--format", "pdf")
    assert result.exit_code == 0, result.output
    text = "\n".join(
        page.extract_text() for page in PdfReader(root / "proceedings" / "proceedings.pdf").pages
    )
    for caption in EXPECTED:
        assert caption in text, caption
    assert text.index("図 1　監視の全体像") < text.index("表 1　段階ごとの担当") < text.index(
        "Figure 3: Title only"
    )


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40))
def test_any_caption_text_reads_back_as_the_same_caption(caption: str) -> None:
    caption = " ".join(caption.split())
    labels = labels_for("ja")
    paragraph = caption_paragraph("図 7", caption, labels, 0)
    written = MarkdownWriter().blocks(paragraph)
    tokens = parse_dialect(written + "\n")
    assert is_caption(tokens, 0), written
    text = inline_text(tokens[1])
    assert split_label(text) == ("図 7", ("\u3000" + caption) if caption else "")


def test_a_table_paragraph_with_a_link_footnote_or_key_point_stays_text(tmp_path: Path) -> None:
    body = """## 概要

表: ★ 比較の結論

| 案 | 費用 |
| --- | --- |
| A | 低 |

表: [出典](https://example.com/a)つきの表題[^1]

| 案 | 費用 |
| --- | --- |
| B | 高 |

[^1]: 脚注。

## 議論

- 論点
"""
    root = archive(tmp_path / "wg", {
        f"{S1}/session.md": session("春の会", "2025-03-01"),
        f"{S1}/01-a.md": note("話題", body),
    })
    result = run(root)
    assert result.exit_code == 0, result.output
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    assert _figcaptions(page) == ["表 1", "表 2"]
    # the key point keeps its anchor (the digest links to it), the link and footnote stay
    anchor = re.search(r'<span id="([^"]+--kp-1)"></span>', page)
    assert anchor and f'href="#{anchor.group(1)}"' in page
    assert '<a href="https://example.com/a">出典</a>' in page
    assert 'class="footnote-item"' in page
