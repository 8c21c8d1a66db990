"""`proceedings build` writes proceedings.pdf: the real build of the sample archive, read back
with pypdf — outline, TOC page numbers, text, metadata, fonts, attachments, reproducibility —
plus missing glyphs and hostile raw HTML through the whole pipeline."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from pdf_helpers import (
    CountingServer,
    embedded_font_files,
    has_embedded_files,
    image_count,
    outline_entries,
    page_texts,
    reader,
)
from proceedings.cli import app
from proceedings.config import load_config
from proceedings.load.workspace import load_workspace

REPO_ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _copy_sample(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "sessions", target / "sessions")
    shutil.copy(REPO_ROOT / "proceedings.toml", target / "proceedings.toml")
    return target


def _build(root: Path, *args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, ["build", "--root", str(root), *args], env=env)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory):
    """The sample archive built once with the default formats (md, html, pdf)."""
    root = _copy_sample(tmp_path_factory.mktemp("sample") / "wg")
    result = _build(root, "--json", env={"SOURCE_DATE_EPOCH": ""})
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    pdf_path = root / "proceedings" / "proceedings.pdf"
    return root, summary, pdf_path.read_bytes()


@pytest.fixture(scope="session")
def sample_texts(sample_build) -> list[str]:
    return page_texts(reader(sample_build[2]))


@pytest.fixture(scope="session")
def sample_workspace(sample_build):
    return load_workspace(load_config(sample_build[0]))


def test_build_writes_the_pdf_with_the_other_formats(sample_build) -> None:
    _root, summary, data = sample_build
    formats = {output["format"]: output for output in summary["outputs"]}
    assert set(formats) == {"md", "html", "pdf"}
    assert formats["pdf"]["path"] == "proceedings/proceedings.pdf"
    assert formats["pdf"]["size"] == len(data)
    assert data.startswith(b"%PDF-")
    assert not any("P70" in line for line in summary["warnings"])  # nothing blocked, no tofu


def test_outline_is_sessions_and_topics(sample_build, sample_workspace) -> None:
    pdf = reader(sample_build[2])
    expected = []
    for session in sample_workspace.sessions:
        expected.append((1, session.title))
        expected += [(2, note.title) for note in session.notes]
    assert [(level, title) for level, title, _ in outline_entries(pdf)] == expected


def test_toc_page_numbers_are_the_pages_of_the_headings(sample_build, sample_texts) -> None:
    pdf = reader(sample_build[2])
    texts = sample_texts
    toc_pages = [text for text in texts if text.lstrip().startswith("目次")]
    assert len(toc_pages) == 1
    numbers = [int(n) for n in re.findall(r"(?:\.\s*){3,}(\d+)", toc_pages[0])]
    outline = outline_entries(pdf)
    # TOC: the digest, then every session and topic, then the colophon.
    assert numbers[1:-1] == [page for _level, _title, page in outline]
    for _level, title, page in outline:
        assert title in texts[page - 1]
    digest_page, colophon_page = numbers[0], numbers[-1]
    assert texts[digest_page - 1].lstrip().startswith("要点一覧")
    assert "奥付" in texts[colophon_page - 1]
    assert colophon_page == len(pdf.pages)


def test_layout_cover_running_header_page_numbers_sessions_on_new_pages(
    sample_build, sample_texts
) -> None:
    pdf = reader(sample_build[2])
    texts = sample_texts
    total = len(texts)
    assert total >= 15
    assert "議論記録集 2024–2025" in texts[0] and " / " not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert f"{number} / {total}" in text
    sessions = [(title, page) for level, title, page in outline_entries(pdf) if level == 1]
    for (title, page), (next_title, next_page) in zip(sessions, sessions[1:], strict=False):
        assert next_page > page
        # the running header names the session on its following pages, not the next one
        # (inside pages hold no session heading, so the title there comes from the header)
        for inside in range(page + 1, next_page):
            assert title in texts[inside - 1] and next_title not in texts[inside - 1]
        assert next_title not in texts[next_page - 2]  # a session starts on a fresh page


def test_japanese_text_metadata_fonts_and_no_attachments(sample_build, sample_texts) -> None:
    data = sample_build[2]
    pdf = reader(data)
    text = "\n".join(sample_texts)
    assert "入口統合・計算分離" in text
    assert "特徴量の定義が一か所にあること自体が最大の価値" in text
    assert "On-call Runbooks for Model Serving" in text
    info = pdf.metadata
    assert info["/Title"] == "議論記録集 2024–2025"
    assert info["/Author"] == "MLOps WG(機械学習基盤・運用ワーキンググループ)"
    assert {"monitoring", "drift", "runbook"} <= set(info["/Keywords"].split(", "))
    assert info["/CreationDate"] == "D:20250215"  # the latest session's date, not today
    assert pdf.trailer["/Root"]["/Lang"] == "ja"
    assert not has_embedded_files(data)
    fonts = {name.replace("-", "") for name in embedded_font_files(pdf)}
    assert any("NotoSerifCJKJP" in name for name in fonts), fonts
    assert any("NotoSansCJKJP" in name for name in fonts), fonts


def test_rebuild_is_byte_identical_and_not_rewritten(sample_build, tmp_path: Path) -> None:
    root, _summary, data = sample_build
    again = _build(root, "--json", env={"SOURCE_DATE_EPOCH": ""})
    pdf = next(o for o in json.loads(again.stdout)["outputs"] if o["format"] == "pdf")
    assert pdf["changed"] is False
    assert (root / "proceedings" / "proceedings.pdf").read_bytes() == data
    # The same notes in another folder give the same bytes: no paths, no clock.
    elsewhere = _copy_sample(tmp_path / "elsewhere")
    assert _build(elsewhere, "--format", "pdf", env={"SOURCE_DATE_EPOCH": ""}).exit_code == 0
    assert (elsewhere / "proceedings" / "proceedings.pdf").read_bytes() == data


def test_format_selection_and_source_date_epoch(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path / "wg")
    result = _build(
        root, "--format", "pdf", "--session", "2025-02-15-online-followup", "--json",
        env={"SOURCE_DATE_EPOCH": "1739577600"},
    )
    assert result.exit_code == 0, result.output
    assert [o["format"] for o in json.loads(result.stdout)["outputs"]] == ["pdf"]
    assert sorted(p.name for p in (root / "proceedings").iterdir()) == [
        ".proceedings-manifest.json", "proceedings.pdf"
    ]
    pdf = reader((root / "proceedings" / "proceedings.pdf").read_bytes())
    assert pdf.metadata["/CreationDate"] == "D:20250215000000Z"
    assert [title for level, title, _ in outline_entries(pdf) if level == 1] == [
        "夏合宿フォローアップ オンライン会"
    ]
    bad = _build(root, "--format", "pdf", env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in bad.output


HIEROGLYPH_NOTE = """---
title: 文字の確認
---

# 文字の確認

## 概要

古代エジプトの記号 \U00013000 を引用した。

## 議論

- 特になし
"""


def test_missing_glyph_fails_the_build_naming_note_character_and_fix(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path / "wg")
    note = root / "sessions" / "2025-02-15-online-followup" / "03-glyphs.md"
    note.write_text(HIEROGLYPH_NOTE, encoding="utf-8")
    only = ("--session", "2025-02-15-online-followup")
    result = _build(root, *only)
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # undo the terminal's line wrapping
    rel = "sessions/2025-02-15-online-followup/03-glyphs.md"
    assert f"{rel}:9:1: P701 no installed font can draw “\U00013000” (U+13000)" in output
    assert "error: 1 error found by the PDF renderer; nothing was written" in output
    assert "--allow-missing-glyphs" in output
    assert not (root / "proceedings").exists()  # nothing written, not even the Markdown

    allowed = _build(root, *only, "--format", "pdf", "--allow-missing-glyphs", "--json")
    assert allowed.exit_code == 0, allowed.output
    warnings = json.loads(allowed.stdout)["warnings"]
    assert any(w.startswith(f"{rel}:9:1: P701") for w in warnings)
    assert (root / "proceedings" / "proceedings.pdf").is_file()


NO_CJK_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{cache}</cachedir></fontconfig>
"""


def test_machine_without_japanese_fonts_fails_instead_of_printing_boxes(tmp_path: Path) -> None:
    """The GUIDE's tofu scenario: fontconfig sees no CJK font at all."""
    root = _copy_sample(tmp_path / "wg")
    config = tmp_path / "fonts.conf"
    config.write_text(NO_CJK_FONTCONFIG.format(cache=tmp_path / "fc-cache"))
    result = subprocess.run(
        [sys.executable, "-m", "proceedings", "build", "--root", str(root), "--format", "pdf",
         "--session", "2024-08-24-summer-camp"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "FONTCONFIG_FILE": str(config), "COLUMNS": "400"},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "sessions/2024-08-24-summer-camp/01-monitoring.md" in output
    assert "no installed font can draw" in output and "characters (" in output
    assert "sudo apt-get install fonts-noto-cjk" in output
    assert not (root / "proceedings").exists()


def test_hostile_raw_html_puts_nothing_into_the_pdf(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path / "wg")
    with (root / "proceedings.toml").open("a", encoding="utf-8") as config:
        config.write("\n[build]\nallow_raw_html = true\n")
    outside = tmp_path / "outside.png"
    Image.new("RGB", (40, 20), (200, 0, 0)).save(outside)
    session = root / "sessions" / "2024-08-24-summer-camp"
    os.symlink(outside, session / "images" / "escape.png")
    with CountingServer(outside.read_bytes()) as server:
        beacon = f"http://127.0.0.1:{server.port}/beacon.png"
        secure = f"https://127.0.0.1:{server.port}/beacon.png"
        with (session / "03-feature-store.md").open("a", encoding="utf-8") as note:
            note.write(
                f'\n<img src="file:///etc/passwd" alt="p">\n\n'
                f'<img src="{outside.as_uri()}" alt="o">\n\n'
                '<img src="../../../outside.png" alt="up">\n\n'
                '<img src="images/escape.png" alt="link">\n\n'
                f'<img src="{beacon}" alt="net">\n\n'
                f'<img src="{secure}" alt="tls">\n\n'
                '<link rel="attachment" href="file:///etc/hostname">\n\n'
                '<a rel="attachment" href="file:///etc/hostname">添付</a>\n\n'
                "![symlink](images/escape.png)\n"
            )
        blocked = _build(root, "--format", "pdf")
        assert blocked.exit_code == 1  # the checks catch most of it before anything renders
        result = _build(root, "--format", "pdf", "--force", "--json")
        assert result.exit_code == 0, result.output
        assert server.hits == []
    data = (root / "proceedings" / "proceedings.pdf").read_bytes()
    assert image_count(reader(data)) == 0  # the sample's own figures are vector SVG
    assert not has_embedded_files(data)
    assert b"root:x:0:0" not in data
    warnings = json.loads(result.stdout)["warnings"]
    p702 = [w for w in warnings if " P702 " in w]
    assert any(secure in w and "network access is disabled" in w for w in p702)
    # plain http never gets as far as the renderer (docs/build.md)
    assert any(" B812 " in w and beacon in w for w in warnings), warnings
    assert all(w.startswith("sessions/2024-08-24-summer-camp/03-feature-store.md:") for w in p702)


def test_a_wg_print_css_and_config_override_the_packaged_style(tmp_path: Path) -> None:
    root = _copy_sample(tmp_path / "wg")
    with (root / "proceedings.toml").open("a", encoding="utf-8") as config:
        config.write('\n[build]\npaper = "B5"\n')
    (root / "templates").mkdir()
    packaged = (REPO_ROOT / "templates" / "print.css").read_text("utf-8")
    (root / "templates" / "print.css").write_text(
        packaged + "\n.topic-title { bookmark-level: none; }\n"
        '.cover { background: url("file:///etc/hostname"); }\n', "utf-8"
    )
    result = _build(root, "--format", "pdf", "--session", "2025-02-15-online-followup", "--json")
    assert result.exit_code == 0, result.output
    # A request the WG's own stylesheet makes is refused, and blamed on that stylesheet.
    [p702] = [w for w in json.loads(result.stdout)["warnings"] if " P702 " in w]
    css_line = packaged.count("\n") + 3
    assert p702.startswith(f"templates/print.css:{css_line}:1: P702 not put into the PDF: "
                           "file:///etc/hostname")
    pdf = reader((root / "proceedings" / "proceedings.pdf").read_bytes())
    assert [(level, title) for level, title, _ in outline_entries(pdf)] == [
        (1, "夏合宿フォローアップ オンライン会")
    ]
    width, height = (float(v) for v in pdf.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (176, 250)
