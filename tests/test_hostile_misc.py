"""Issue #16, defect 10 ("smaller"): each hostile input here once gave an internal error, a
hang, a silent loss or a leak. Every test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from build_archives import archive, body_of, note, run, session
from proceedings.cli import app

from helpers import make_archive, make_session, write

GOOD_BODY = "## 概要\n\n本文。\n\n## 議論\n\n- 論点\n"


def check(root: Path, *args: str):
    return CliRunner().invoke(app, ["check", "--root", str(root), *args])


# ------------------------------------------------------------------ raw HTML: void elements


def test_text_after_a_dropped_embed_reaches_the_html(tmp_path: Path) -> None:
    body = (
        "## 概要\n\n<p>前 <embed src=\"movie.swf\"> 後ろの文章 <source src=\"a.mp4\"> 最後</p>\n\n"
        "## 議論\n\n- 論点\n"
    )
    root = archive(
        tmp_path / "wg",
        {"2024-05-01-a/session.md": session("会", "2024-05-01"),
         "2024-05-01-a/01-a.md": note("話題", body)},
        'wg_name = "WG"\n[build]\nallow_raw_html = true\n',
    )
    result = run(root, "--json", "--force")  # the missing movie files are errors
    assert result.exit_code == 0, result.output
    page = body_of((root / "proceedings" / "proceedings.html").read_text("utf-8"))
    markdown = (root / "proceedings" / "proceedings.md").read_text("utf-8")
    for text in (markdown, page):
        assert "後ろの文章" in text and "最後" in text
        assert "<embed" not in text and "<source" not in text
    warnings = "\n".join(json.loads(result.stdout)["warnings"])
    assert "01-a.md:" in warnings and "<embed> element" in warnings


# ------------------------------------------------------------------ YAML merge keys


def test_a_merge_key_in_front_matter_is_a_finding(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    session_dir = make_session(root, "2024-05-01-a")
    hidden = "<<: {title: 隠れた題}\n"
    write(session_dir / "01-topic-1.md", note("本当の題", GOOD_BODY, extra=hidden))
    result = check(root)
    assert result.exit_code == 1, result.output
    assert "01-topic-1.md:5:1: M211" in result.output
    assert "merge key" in result.output


def test_a_duplicate_title_hidden_in_a_nested_merge_is_a_finding(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    session_dir = make_session(root, "2024-05-01-a")
    extra = "tags:\n  - {<<: {a: 1}, b: 2}\n"
    write(session_dir / "01-topic-1.md", note("題", GOOD_BODY, extra=extra))
    result = check(root)
    assert result.exit_code == 1, result.output
    assert "01-topic-1.md:6:" in result.output and "M211" in result.output
