"""Raw HTML and hostile URLs in notes never reach the outputs as markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from build_archives import Elements, archive, body_of, note, run, session
from proceedings.render.sanitize import sanitize_html

PAYLOADS = """## 概要

<script>alert("block")</script>

<iframe src="https://evil.example/frame"></iframe>

Inline: <img src="x.png" onerror="alert('img')"> and <span onclick="alert(2)">click</span>.

<link rel="attachment" href="file:///etc/passwd">

<object data="file:///etc/passwd"></object><embed src="evil.swf">

[javascript link](javascript:alert(3)) and <a href="javascript:alert(4)">raw link</a>
and <a href="JaVaScRiPt:alert(5)">mixed case</a> and [data link](data:text/html;base64,PHNjcmlwdD4=)
and <javascript:alert(6)> and <style>body{display:none}</style> and <kbd>Ctrl</kbd>.

<details><summary>もっと見る</summary>

中身は **Markdown**。

</details>

## 議論

<form action="https://evil.example"><input name="q"><button>go</button></form>
<svg onload="alert(7)"><circle r="1"/></svg>
"""

FORBIDDEN_TAGS = {"script", "iframe", "link", "object", "embed", "style", "form", "input",
                  "button", "svg", "base", "meta"}


def hostile_archive(root: Path, config: str = "") -> Path:
    return archive(
        root,
        {
            "2024-05-01-spring/session.md": session("春の会", "2024-05-01"),
            "2024-05-01-spring/01-payloads.md": note("危ない入力", PAYLOADS),
        },
        config,
    )


def assert_harmless(html_text: str, *, allow_head: bool) -> None:
    elements = Elements(html_text)
    for tag, attrs in elements.tags:
        if allow_head and tag in ("meta", "style"):
            continue  # the page's own <head>
        assert tag not in FORBIDDEN_TAGS, (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src"):
                assert not value.strip().lower().startswith(("javascript:", "file:", "vbscript:"))
                if value.lower().startswith("data:"):
                    assert tag == "img" and value.lower().startswith("data:image/"), (tag, value)


def build(root: Path) -> tuple[str, str, dict]:
    # --force: the checks already refuse these notes (missing images, file:// links); the
    # point here is that even a forced build lets nothing through.
    result = run(root, "--format", "md,html", "--json", "--force")
    assert result.exit_code == 0, result.output
    out = root / "proceedings"
    return (
        (out / "proceedings.md").read_text("utf-8"),
        (out / "proceedings.html").read_text("utf-8"),
        json.loads(result.stdout),
    )


def test_raw_html_is_escaped_by_default(tmp_path: Path) -> None:
    markdown, page, _ = build(hostile_archive(tmp_path / "wg"))
    assert_harmless(page, allow_head=True)
    body = body_of(page)
    assert "<meta" not in body and "<style" not in body
    # the reader still sees what the scribe wrote, as text
    assert "&lt;script&gt;alert(&quot;block&quot;)&lt;/script&gt;" in body
    assert "&lt;kbd&gt;Ctrl&lt;/kbd&gt;" in body
    assert "javascript link" in body
    # proceedings.md is safe too, even for a viewer that renders raw HTML (e.g. GitHub)
    assert_harmless(MarkdownIt("commonmark", {"html": True}).render(markdown), allow_head=False)
    gfm = MarkdownIt("gfm-like", {"html": True, "linkify": False})
    assert_harmless(gfm.render(markdown), allow_head=False)


def test_allowed_raw_html_passes_only_the_safe_subset(tmp_path: Path) -> None:
    config = 'wg_name = "テスト WG"\n[build]\nallow_raw_html = true\n'
    markdown, page, summary = build(hostile_archive(tmp_path / "wg", config))
    assert_harmless(page, allow_head=True)
    assert_harmless(MarkdownIt("commonmark", {"html": True}).render(markdown), allow_head=False)
    body = body_of(page)
    assert "<kbd>Ctrl</kbd>" in body
    assert "<details><summary>もっと見る</summary>" in body
    assert "<strong>Markdown</strong>" in body
    assert '<span>click</span>' in body
    assert "alert(&quot;block&quot;)" not in body and 'alert("block")' not in body
    warnings = "\n".join(summary["warnings"])
    assert "B808" in warnings and "<script> element" in warnings
    assert "`onerror` attribute" in warnings


def test_unsafe_links_in_front_matter_are_not_links(tmp_path: Path) -> None:
    root = archive(
        tmp_path / "wg",
        {
            "2024-05-01-spring/session.md": session(
                "春の会", "2024-05-01", extra='url: "javascript:alert(1)"\n'
            ),
            "2024-05-01-spring/01-a.md": note("話題", "## 概要\n\n本文。\n\n## 議論\n\n- 論点\n"),
        },
    )
    markdown, page, summary = build(root)
    assert_harmless(page, allow_head=True)
    assert_harmless(MarkdownIt("commonmark", {"html": True}).render(markdown), allow_head=False)
    assert "alert" not in markdown and "alert" not in page
    assert any("session.md:4:1: B807" in w for w in summary["warnings"])


def test_links_markdown_it_refuses_are_named_too(tmp_path: Path) -> None:
    # markdown-it leaves `[x](javascript:…)` as plain text; the author still hears about it.
    body = ("## 概要\n\n本文 [js](javascript:alert(1)) と [d](data:text/html,hi)。\n\n"
            "## 議論\n\n- 論点\n")
    root = archive(
        tmp_path / "wg",
        {
            "2024-05-01-spring/session.md": session("春の会", "2024-05-01"),
            "2024-05-01-spring/01-a.md": note("話題", body),
        },
    )
    markdown, page, summary = build(root)
    assert_harmless(page, allow_head=True)
    b807 = [w for w in summary["warnings"] if " B807 " in w]
    assert len(b807) == 2
    assert any("`javascript:alert(1)`" in w for w in b807)
    assert any("`data:text/html,hi`" in w for w in b807)


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ('<a href="https://ok.example" onclick="x()">ok</a>', '<a href="https://ok.example">ok</a>'),
        ("<script>alert(1)</script><b>b</b>", "<b>b</b>"),
        ('<img src="javascript:alert(1)"><i>i</i>', "<i>i</i>"),
        ('<img src="data:image/png;base64,AAAA" alt="p">',
         '<img src="data:image/png;base64,AAAA" alt="p">'),
        ('<a href="data:text/html,x">d</a>', "<a>d</a>"),
        ('<p style="background:url(x)" class="session" id="toc">t</p>', "<p>t</p>"),
        ("<iframe><b>inside</b></iframe>after", "after"),
        ("<!-- comment -->x", "x"),
        ("a &amp; b &lt;c&gt;", "a &amp; b &lt;c&gt;"),
    ],
)
def test_sanitizer_allowlist(fragment: str, expected: str) -> None:
    assert sanitize_html(fragment).html == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<a href='javascript:x'>", "<b>", "</b>", "<script>", "</script>", "<img src=x "
             "onerror=y>", "text", "&amp;", "<", ">", '"', "<p title='a\"b'>", "</p>", "<br/>",
             "<style>", "<svg>", "</svg>", "<!--", "-->", "<kbd>", "</kbd>", "<a href=/x>",
             "</a>", "<iframe>", "\n"]
        ),
        max_size=20,
    ).map("".join)
)
def test_sanitizer_is_safe_and_idempotent(fragment: str) -> None:
    once = sanitize_html(fragment).html
    assert sanitize_html(once).html == once
    assert_harmless(once, allow_head=False)


def test_html_comments_and_disable_directives_are_never_published(tmp_path: Path) -> None:
    body = """## 概要

<!-- proceedings-disable-next-line C406 -->
要約です。<!-- 編集メモ: 名前は伏せる --> 続き。

<!-- scribe: 佐藤さんに確認 -->

## 議論

- 論点
"""
    for allow in (False, True):
        root = archive(
            tmp_path / f"wg-{allow}",
            {
                "2024-05-01-spring/session.md": session("春の会", "2024-05-01"),
                "2024-05-01-spring/01-topic.md": note("話題", body),
            },
            f"[build]\nallow_raw_html = {'true' if allow else 'false'}\n",
        )
        markdown, page, _ = build(root)
        for text in (markdown, page):
            assert "proceedings-disable" not in text
            assert "編集メモ" not in text and "佐藤さんに確認" not in text
        assert "要約です。" in page and "続き。" in page
