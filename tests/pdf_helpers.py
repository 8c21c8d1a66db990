"""Helpers for the PDF tests: a hand-written document in the compiled HTML's shape, and pypdf
readers for outline, text, metadata, fonts, attachments and images."""

from __future__ import annotations

import http.server
import io
import threading
from html import escape
from pathlib import Path

from pypdf import PdfReader

from proceedings.templates import packaged_templates_dir

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
    '<rect width="200" height="60" fill="#8ab"/></svg>'
)

SESSIONS = [
    ("s-2024-03-16", "ワークフロー・ワークショップ 2024", "2024-03-16", [
        ("t-01", "実験管理と再現性"),
        ("t-02", "モデルの引き渡し"),
    ]),
    ("s-2024-08-24", "夏合宿 2024 ディベート", "2024-08-24", [
        ("t-03", "監視・可観測性アーキテクチャ"),
        ("t-04", "責任分界"),
        ("t-05", "Feature Store は必要か"),
    ]),
]

PARAGRAPH = (
    "ML 指標の計算はバッチ処理であり、リアルタイムの metrics 基盤に無理に載せるべきではない、"
    "という意見が多く出た。一方で、アラートと可視化の入口は一本化したいという要望も強く、"
    "「入口統合・計算分離」という構成が落としどころになった。"
)


def document_html(
    *, extra_body: str = "", print_css: str | None = None, lang: str = "ja",
    paragraphs: int = 6, image: str | None = None,
) -> str:
    """A compiled-document-shaped HTML page (cover, toc, digest, sessions, colophon)."""
    if print_css is None:
        print_css = (packaged_templates_dir() / "print.css").read_text(encoding="utf-8")
    css = print_css
    toc = []
    body = []
    for sid, title, date, topics in SESSIONS:
        toc.append(f'<li><a class="toc-session" href="#{sid}">{escape(title)}</a><ul>')
        articles = []
        for tid, topic in topics:
            toc.append(f'<li><a class="toc-topic" href="#{tid}">{escape(topic)}</a></li>')
            text = "\n".join(f"<p>{PARAGRAPH}</p>" for _ in range(paragraphs))
            picture = f'<p><img src="{image}" alt="図"></p>' if image else ""
            articles.append(
                f'<article class="topic" id="{tid}"><h2 class="topic-title">{escape(topic)}</h2>'
                f'<p class="topic-meta">記録: 田中, 山本</p>'
                f'<h3 id="{tid}-summary">概要</h3>{text}{picture}'
                f'<h3 id="{tid}-discussion">議論</h3>'
                '<ul><li>★ <strong>要約統計量はアラート用、詳細分布は調査用</strong></li>'
                '<li>trace ID で推論ログを突き合わせる</li></ul>'
                '<pre><code>' + "x" * 300 + '</code></pre>'
                '<table><thead><tr><th>指標</th><th>頻度</th></tr></thead><tbody>'
                + "".join(f"<tr><td>指標 {n}</td><td>日次</td></tr>" for n in range(4))
                + "</tbody></table></article>"
            )
        toc.append("</ul></li>")
        body.append(
            f'<section class="session" id="{sid}" lang="{lang}">'
            f'<h1 class="session-title">{escape(title)}</h1>'
            f'<dl class="session-meta"><dt>日付</dt><dd>{date}</dd></dl>'
            + "".join(articles) + "</section>"
        )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>議論記録集 2024</title>
<meta name="author" content="MLOps WG">
<meta name="keywords" content="monitoring, debate">
<meta name="dcterms.created" content="2024-08-24">
<style>{css}</style>
</head>
<body>
<section class="cover"><h1 class="title">議論記録集 2024</h1>
<p class="wg">MLOps WG</p><p class="dates">2024-03-16 – 2024-08-24</p></section>
<nav class="toc"><h2>目次</h2><ul>{"".join(toc)}</ul></nav>
<section class="digest"><h2>要点のまとめ</h2><h3>夏合宿</h3>
<ul><li><a href="#t-03">ドリフトのアラートで夜中にオンコールを起こさない</a></li></ul></section>
{"".join(body)}
{extra_body}
<section class="colophon"><h2>奥付</h2><p>sessions/ から生成。</p></section>
</body>
</html>
"""


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def outline_entries(pdf: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) for every outline entry, in document order."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, pdf.get_destination_page_number(item) + 1))

    walk(pdf.outline, 1)
    return found


def page_texts(pdf: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in pdf.pages]


def font_names(pdf: PdfReader) -> set[str]:
    names: set[str] = set()
    for page in pdf.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font.get("/BaseFont")))
            for descendant in font.get("/DescendantFonts", []):
                names.add(str(descendant.get_object().get("/BaseFont")))
    return names


def embedded_font_files(pdf: PdfReader) -> set[str]:
    """BaseFont names of fonts whose program is embedded (/FontFile, /FontFile2, /FontFile3)."""
    found: set[str] = set()
    for page in pdf.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for candidate in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                descriptor = candidate.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    found.add(str(candidate.get("/BaseFont")))
    return found


def image_count(pdf: PdfReader) -> int:
    """Distinct image XObjects used by the pages (pages may share one resource dictionary)."""
    seen: set[int] = set()
    for page in pdf.pages:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        for ref in xobjects.values():
            if ref.get_object().get("/Subtype") == "/Image":
                seen.add(ref.idnum if hasattr(ref, "idnum") else id(ref.get_object()))
    return len(seen)


def has_embedded_files(data: bytes) -> bool:
    pdf = reader(data)
    names = pdf.trailer["/Root"].get("/Names", {})
    if "/EmbeddedFiles" in names:
        return True
    if pdf.attachments:
        return True
    for page in pdf.pages:
        for annot in page.get("/Annots", []) or []:
            if annot.get_object().get("/Subtype") == "/FileAttachment":
                return True
    return b"/EmbeddedFile" in data or b"/FileAttachment" in data


def write_svg(root: Path, rel: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SVG, encoding="utf-8")
    return path


class CountingServer:
    """A real HTTP server on 127.0.0.1 that counts the requests it gets."""

    def __init__(self, png: bytes) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args: object) -> None:
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CountingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
