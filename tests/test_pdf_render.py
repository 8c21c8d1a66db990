"""render_pdf on hand-written documents in the compiled HTML's shape: layout, fonts, paper,
missing glyphs, metadata, reproducibility. The end-to-end tests on the real build of the
sample archive are in tests/test_pdf_build.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pdf_helpers import (
    SESSIONS,
    document_html,
    embedded_font_files,
    font_names,
    outline_entries,
    page_texts,
    reader,
    write_svg,
)
from proceedings.errors import ProceedingsError
from proceedings.render.pdf import MissingGlyphsError, PdfMetadata, render_pdf


@pytest.fixture(scope="session")
def fixture_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wg")
    write_svg(root, "sessions/2024-08-24-camp/images/figure.svg")
    return root


@pytest.fixture(scope="session")
def rendered(fixture_root: Path):
    html = document_html(image="sessions/2024-08-24-camp/images/figure.svg")
    return render_pdf(html, root=fixture_root)


def _page_of(texts: list[str], needle: str) -> int:
    return next(number for number, text in enumerate(texts, 1) if needle in text)


def test_outline_has_sessions_and_topics_only(rendered) -> None:
    pdf = reader(rendered.data)
    expected = []
    for _sid, title, _date, topics in SESSIONS:
        expected.append((1, title))
        expected += [(2, topic) for _tid, topic in topics]
    assert [(level, title) for level, title, _page in outline_entries(pdf)] == expected
    assert rendered.pages == len(pdf.pages)


def test_toc_page_numbers_point_at_the_headings(rendered) -> None:
    pdf = reader(rendered.data)
    texts = page_texts(pdf)
    toc = texts[1]
    assert "目次" in toc
    numbers = {}
    for line in toc.splitlines():
        match = re.match(r"^(.*?)\s*(?:\.\s*){3,}(\d+)$", line.strip())
        if match:
            numbers[match[1].strip()] = int(match[2])
    outline = outline_entries(pdf)
    assert len(numbers) == len(outline)
    for _level, title, page in outline:
        assert numbers[title] == page, title
        assert title in texts[page - 1]


def test_cover_header_footer_and_session_pages(rendered) -> None:
    texts = page_texts(reader(rendered.data))
    total = len(texts)
    assert "議論記録集 2024" in texts[0] and "/ " not in texts[0]  # no number on the cover
    for number, text in enumerate(texts[1:], 2):
        assert f"{number} / {total}" in text
    outline = outline_entries(reader(rendered.data))
    first_session, second_session = (entry for entry in outline if entry[0] == 1)
    # Each session starts on a new page: the page before holds nothing of it.
    assert first_session[1] not in texts[first_session[2] - 2].split("\n")[0]
    previous_topic = SESSIONS[0][3][-1][1]
    assert previous_topic not in texts[second_session[2] - 1]
    # Running header: the session title heads pages inside the session, not the front matter.
    inside = first_session[2] + 1
    assert texts[inside - 1].startswith(first_session[1]) or first_session[1] in texts[inside - 1]
    assert first_session[1] not in texts[2]  # the digest page


def test_long_code_lines_wrap(rendered) -> None:
    text = "\n".join(page_texts(reader(rendered.data)))
    runs = [len(run) for run in re.findall(r"x{2,}", text)]
    topics = sum(len(topics) for *_, topics in SESSIONS)
    assert sum(runs) == 300 * topics  # every character is there …
    assert max(runs) < 300  # … but each 300-character line was broken up


def test_japanese_text_and_cjk_fonts_embedded(rendered) -> None:
    pdf = reader(rendered.data)
    text = "\n".join(page_texts(pdf))
    assert "リアルタイムの metrics 基盤に無理に載せるべきではない" in text
    embedded = embedded_font_files(pdf)
    assert any("NotoSerifCJK" in name.replace("-", "") for name in embedded), embedded
    assert any("NotoSansCJK" in name.replace("-", "") for name in embedded), embedded


def test_tables_break_across_pages(fixture_root: Path) -> None:
    rows = "".join(f"<tr><td>行番号 {n:03d}</td><td>値</td></tr>" for n in range(150))
    table = f"<table><thead><tr><th>列A</th><th>列B</th></tr></thead><tbody>{rows}</tbody></table>"
    html = document_html(paragraphs=1, extra_body=(
        f'<section class="session" id="s-t"><h1 class="session-title">表</h1>{table}</section>'))
    texts = page_texts(reader(render_pdf(html, root=fixture_root).data))
    pages = [number for number, text in enumerate(texts, 1) if "行番号" in text]
    assert len(pages) >= 2
    assert all("列A" in texts[page - 1] for page in pages)  # the header row repeats


def test_headings_are_never_left_at_the_foot_of_a_page(fixture_root: Path) -> None:
    sections = []
    for number in range(70):
        sentences = "議論の内容をここに記録する。" * (6 + (number * 7) % 23)
        sections.append(f"<h3>見出し{number:02d}</h3><p>本文{number:02d} {sentences}</p>")
    body = '<section class="session" id="s-h"><h1 class="session-title">見出し</h1>'
    body += "".join(sections) + "</section>"

    def pages_apart(css: str) -> list[int]:
        html = document_html(paragraphs=1, extra_body=body + css)
        texts = page_texts(reader(render_pdf(html, root=fixture_root).data))
        return [
            n for n in range(70)
            if _page_of(texts, f"見出し{n:02d}") != _page_of(texts, f"本文{n:02d}")
        ]

    assert pages_apart("") == []
    # Control: without the print rules the same document does strand a heading.
    loose = "<style>h3 { break-after: auto !important } h3 + * { break-before: auto !important }"
    loose += " p { orphans: 1 !important; widows: 1 !important }</style>"
    assert pages_apart(loose) != []


def test_missing_glyphs_fail_naming_characters_notes_and_fix(fixture_root: Path) -> None:
    note = "sessions/2024-08-24-camp/01-monitoring.md"
    sources = {note: "---\ntitle: x\n---\n\n## 概要\n\n象形文字 \U00013000 の例\n"}
    html = document_html(paragraphs=1, extra_body="<p>象形文字 \U00013000 の例</p>")
    with pytest.raises(MissingGlyphsError) as caught:
        render_pdf(html, root=fixture_root, sources=sources)
    error = caught.value
    assert isinstance(error, ProceedingsError) and error.exit_code == 1
    message = str(error)
    assert message.startswith(f"{note}:7: no installed font can draw “\U00013000” (U+13000)")
    assert "build.fonts" in message and "--allow-missing-glyphs" in message
    assert [(d.path, d.line, d.code) for d in error.diagnostics] == [(note, 7, "P701")]

    allowed = render_pdf(html, root=fixture_root, sources=sources, allow_missing_glyphs=True)
    assert allowed.data.startswith(b"%PDF")
    assert [(d.path, d.line, str(d.severity)) for d in allowed.diagnostics] == [
        (note, 7, "warning")
    ]
    assert [glyph.char for glyph in allowed.missing_glyphs] == ["\U00013000"]


def test_paper_size_and_wg_font_from_config(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    font = TTFont("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    for record in font["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = "WG Test Sans"
        elif record.nameID == 6:
            record.string = "WGTestSans"
    (tmp_path / "fonts").mkdir()
    font.save(tmp_path / "fonts" / "wg-test-sans.ttf")
    html = document_html(paragraphs=1, extra_body="<p lang='en'>Latin text in the WG font.</p>")
    result = render_pdf(html, root=tmp_path, paper="B5", fonts=["fonts/wg-test-sans.ttf"])
    pdf = reader(result.data)
    width, height = (float(v) for v in pdf.pages[1].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (176, 250)
    assert any("WGTestSans" in name.replace("-", "") for name in font_names(pdf))
    assert "fonts/wg-test-sans.ttf" in result.fetched

    with pytest.raises(ProceedingsError, match="font file `fonts/none.otf` does not exist"):
        render_pdf(html, root=tmp_path, fonts=["fonts/none.otf"])
    with pytest.raises(ProceedingsError, match="must be a CSS page size"):
        render_pdf(html, root=tmp_path, paper="A4; } body { display: none")
    jis = reader(render_pdf(html, root=tmp_path, paper="JIS-B5").data)  # B5 as Japan cuts it
    width, height = (float(v) for v in jis.pages[1].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (182, 257)


def test_metadata_from_the_sources_and_byte_identical(fixture_root: Path, rendered) -> None:
    pdf = reader(rendered.data)
    info = pdf.metadata
    assert info["/Title"] == "議論記録集 2024"
    assert info["/Author"] == "MLOps WG"
    assert info["/Keywords"] == "monitoring, debate"
    assert info["/CreationDate"] == "D:20240824"  # from the document, not the clock
    assert pdf.trailer["/Root"]["/Lang"] == "ja"
    html = document_html(image="sessions/2024-08-24-camp/images/figure.svg")
    again = render_pdf(html, root=fixture_root)
    assert again.data == rendered.data

    meta = PdfMetadata(title="別題", authors=("WG",), keywords=("a", "b"),
                       created="2025-02-15T10:00:00+09:00", modified="2025-02-15")
    overridden = reader(render_pdf(document_html(paragraphs=1), root=fixture_root,
                                   metadata=meta).data).metadata
    assert overridden["/Title"] == "別題"
    assert overridden["/Author"] == "WG"
    assert overridden["/Keywords"] == "a, b"
    assert overridden["/CreationDate"].startswith("D:20250215100000+09")
    assert overridden["/ModDate"] == "D:20250215"


def test_streams_deflated_once_give_the_file_weasyprint_would_write(fixture_root: Path) -> None:
    # render_pdf deflates the streams itself so that pydyf's /ID hash does not redo it; the
    # file must be exactly what WeasyPrint writes on its own, identifier included.
    import weasyprint

    from proceedings.render.pdf import _compress_streams_once

    html = document_html(image="sessions/2024-08-24-camp/images/figure.svg")
    document = weasyprint.HTML(string=html, base_url=fixture_root.as_uri() + "/").render()
    plain = document.write_pdf(pdf_identifier=True)
    once = document.write_pdf(pdf_identifier=True, finisher=_compress_streams_once)
    assert once == plain
    identifier = reader(once).trailer["/ID"]
    assert len(identifier) == 2 and len(identifier[0]) == 32
