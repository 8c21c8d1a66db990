"""Exact merging: ids, cross-note links, footnotes and reference labels across notes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from build_archives import Elements, archive, note, run, section_of, session, workspace
from proceedings.compile.document import compile_workspace
from proceedings.load.anchors import heading_anchors

S1 = "2024-05-01-spring"
S2 = "2024-06-01-summer"


def merged_archive(root: Path) -> Path:
    body_a = (
        "## 概要\n\n最初のノート。[^1] 仕様は [こちら][spec] と [^注]。\n\n"
        "## 議論\n\n- 論点 ★ **大事な点**\n\n### 詳細\n\n同じ見出し。\n\n"
        "## 議論\n\n二つ目の議論。\n\n## ？！\n\n記号だけの見出し。\n\n"
        "[^1]: Aの脚注。\n[^注]: Aの注。\n\n[spec]: https://a.example/spec\n"
    )
    body_b = (
        "## 概要\n\n二つ目のノート。[^1]\n\n"
        "## 議論\n\n[前のノートの二つ目の議論](01-first.md#議論-1)、"
        "[記号だけの節](01-first.md#)、[夏の詳細](../2024-06-01-summer/01-third.md#詳細) と "
        "[仕様][spec]。\n\n### 詳細\n\nBの詳細。\n\n"
        "[^1]: Bの脚注。\n\n[spec]: https://b.example/spec\n"
    )
    body_c = (
        "## 概要\n\n三つ目。インライン脚注^[その場の注。] と [^1]。\n\n"
        "## 議論\n\n[春の最初](../2024-05-01-spring/01-first.md) と "
        "[春の概要](../2024-05-01-spring/02-second.md#概要) と [自分の節](#詳細)。\n\n"
        "### 詳細\n\n夏の詳細。\n\n[^1]: Cの脚注。\n"
    )
    return archive(
        root,
        {
            f"{S1}/session.md": session("春の会", "2024-05-01"),
            f"{S1}/01-first.md": note("最初の話題", body_a),
            f"{S1}/02-second.md": note("二つ目の話題", body_b),
            f"{S2}/session.md": session("夏の会", "2024-06-01"),
            f"{S2}/01-third.md": note("三つ目の話題", body_c),
        },
    )


def built(tmp_path: Path) -> tuple[str, str]:
    root = merged_archive(tmp_path / "wg")
    result = run(root, "--format", "md,html")
    assert result.exit_code == 0, result.output
    out = root / "proceedings"
    markdown = (out / "proceedings.md").read_text("utf-8")
    return markdown, (out / "proceedings.html").read_text("utf-8")


def test_every_id_is_unique_and_namespaced_per_note(tmp_path: Path) -> None:
    _, page = built(tmp_path)
    ids = Elements(page).ids()
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert duplicates == []
    # equal headings in three notes: one id each, in its note's namespace
    for topic in (f"{S1}--first", f"{S1}--second", f"{S2}--third"):
        assert f"{topic}--概要" in ids
        assert f"{topic}--議論" in ids
    # the note's repeated heading gets GitHub's -1, like the checker's anchors
    assert heading_anchors(["最初の話題", "概要", "議論", "詳細", "議論", "？！"])[4] == "議論-1"
    assert "2024-05-01-spring--first--議論-1" in ids
    # a heading with no letters at all still gets a stable, readable id
    assert "2024-05-01-spring--first--sec-6" in ids


def test_japanese_ids_are_stable_across_builds(tmp_path: Path) -> None:
    _, first = built(tmp_path / "a")
    _, second = built(tmp_path / "b")
    assert Elements(first).ids() == Elements(second).ids()
    assert first == second


def test_cross_note_links_become_internal_links_to_existing_ids(tmp_path: Path) -> None:
    markdown, page = built(tmp_path)
    elements = Elements(page)
    ids = set(elements.ids())
    internal = [h for h in elements.hrefs() if h.startswith("#")]
    assert internal
    assert [h for h in internal if h[1:] not in ids] == []
    second = section_of(page, "2024-05-01-spring--second")
    assert 'href="#2024-05-01-spring--first--議論-1"' in second
    assert 'href="#2024-06-01-summer--third--詳細"' in second
    third = section_of(page, "2024-06-01-summer--third")
    assert 'href="#2024-05-01-spring--first"' in third
    assert 'href="#2024-05-01-spring--second--概要"' in third
    assert 'href="#2024-06-01-summer--third--詳細"' in third  # a note-local #anchor
    assert ".md" not in "".join(elements.hrefs())
    assert "(#2024-05-01-spring--first--議論-1)" in markdown


def test_equal_footnote_labels_never_collide(tmp_path: Path) -> None:
    markdown, page = built(tmp_path)
    first = section_of(page, "2024-05-01-spring--first")
    second = section_of(page, "2024-05-01-spring--second")
    third = section_of(page, "2024-06-01-summer--third")
    assert "Aの脚注。" in first and "Bの脚注。" not in first
    assert "Bの脚注。" in second and "Aの脚注。" not in second
    assert "Cの脚注。" in third and "その場の注。" in third
    # each note numbers its own footnotes from 1, and every reference reaches its note
    for part in (first, second, third):
        refs = Elements(part).find("sup", class_="footnote-ref")
        assert refs
        assert '">1</a></sup>' in part
    elements = Elements(page)
    ids = set(elements.ids())
    for href in elements.hrefs():
        if href.startswith("#fn"):
            assert href[1:] in ids
    assert "[^2024-05-01-spring--first--1]: Aの脚注。" in markdown
    assert "[^2024-05-01-spring--second--1]: Bの脚注。" in markdown


def test_equal_reference_labels_resolve_per_note(tmp_path: Path) -> None:
    markdown, page = built(tmp_path)
    first = section_of(page, "2024-05-01-spring--first")
    second = section_of(page, "2024-05-01-spring--second")
    assert 'href="https://a.example/spec"' in first and "b.example" not in first
    assert 'href="https://b.example/spec"' in second and "a.example" not in second
    assert "[2024-05-01-spring--first--spec]: https://a.example/spec" in markdown
    assert "[2024-05-01-spring--second--spec]: https://b.example/spec" in markdown


def test_front_matter_becomes_metadata_and_never_text(tmp_path: Path) -> None:
    markdown, page = built(tmp_path)
    assert "scribes:" not in markdown and "status: final" not in markdown
    assert "scribes:" not in page
    topic = section_of(page, "2024-05-01-spring--first")
    assert 'class="topic-meta"' in topic and "記録係" in topic
    # the note's own H1 is replaced by the topic heading: it appears once, as h2
    assert topic.count("最初の話題") == 1
    assert '<h2 class="topic-title">最初の話題</h2>' in topic


def test_headings_are_shifted_into_one_hierarchy(tmp_path: Path) -> None:
    _, page = built(tmp_path)
    topic = section_of(page, "2024-05-01-spring--first")
    assert '<h3 id="2024-05-01-spring--first--概要">概要</h3>' in topic
    assert '<h4 id="2024-05-01-spring--first--詳細">詳細</h4>' in topic
    assert "<h1" not in topic


def test_key_points_link_to_where_they_stand(tmp_path: Path) -> None:
    root = merged_archive(tmp_path / "wg")
    document = compile_workspace(workspace(root))
    assert [kp.text for kp in document.key_points] == ["論点 大事な点"]
    point = document.key_points[0]
    assert (point.path, point.line) == (f"sessions/{S1}/01-first.md", 15)
    result = run(root)
    assert result.exit_code == 0, result.output
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    digest = section_of(page, "digest")
    assert f'href="#{point.id}"' in digest
    assert f'<span id="{point.id}"></span>' in section_of(page, "2024-05-01-spring--first")


def test_link_to_a_session_outside_the_selection_is_text_with_a_warning(tmp_path: Path) -> None:
    root = merged_archive(tmp_path / "wg")
    result = run(root, "--session", "summer", "--json")
    assert result.exit_code == 0, result.output
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    assert "春の最初" in page and "2024-05-01-spring" not in page
    assert any("B805" in w and "01-third.md" in w for w in _json(result)["warnings"])


def test_unknown_anchor_points_to_the_note_and_warns(tmp_path: Path) -> None:
    root = merged_archive(tmp_path / "wg")
    text = (root / "sessions" / S2 / "01-third.md").read_text("utf-8")
    (root / "sessions" / S2 / "01-third.md").write_text(
        text.replace("02-second.md#概要", "02-second.md#存在しない"), "utf-8"
    )
    document = compile_workspace(workspace(root))
    found = [d for d in document.diagnostics if d.code == "B806"]
    assert [(d.path, d.line) for d in found] == [(f"sessions/{S2}/01-third.md", 15)]


def _json(result) -> dict:  # noqa: ANN001
    import json

    return json.loads(result.stdout)
