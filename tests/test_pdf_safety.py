"""Hostile HTML reaches render_pdf (as it would with `build.allow_raw_html = true`): nothing from
outside the WG repository gets into the PDF, nothing touches the network, and every refused
request is reported. A control render with WeasyPrint's default fetcher shows the same
document *would* leak, so these tests can fail."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from pdf_helpers import CountingServer, document_html, has_embedded_files, image_count, reader
from proceedings.render.pdf import render_pdf


def _png(path: Path, color: tuple[int, int, int]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), color).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def hostile(tmp_path: Path):
    root = tmp_path / "wg"
    session = root / "sessions" / "2024-08-24-camp"
    _png(session / "images" / "legit.png", (20, 120, 60))
    outside = _png(tmp_path / "outside" / "secret.png", (200, 0, 0))
    os.symlink(outside, session / "images" / "escape.png")
    (root / ".git").mkdir()
    _png(root / ".git" / "hidden.png", (0, 0, 200))
    with CountingServer(outside.read_bytes()) as server:
        payload = f"""
        <section class="session" id="s-evil"><h1 class="session-title">悪意のある HTML</h1>
        <p><img src="sessions/2024-08-24-camp/images/legit.png" alt="正しい画像"></p>
        <p><img src="file:///etc/passwd"></p>
        <p><img src="{outside.as_uri()}"></p>
        <p><img src="sessions/2024-08-24-camp/../../../outside/secret.png"></p>
        <p><img src="sessions/2024-08-24-camp/images/escape.png"></p>
        <p><img src=".git/hidden.png"></p>
        <p><img src="http://127.0.0.1:{server.port}/beacon.png"></p>
        <link rel="attachment" href="file:///etc/hostname">
        <a rel="attachment" href="{outside.as_uri()}">添付</a>
        <link rel="stylesheet" href="http://127.0.0.1:{server.port}/evil.css">
        <div style="background: url('{outside.as_uri()}')">背景</div>
        </section>"""
        html = document_html(paragraphs=1, extra_body=payload)
        yield root, html, server, outside


def test_nothing_from_outside_gets_into_the_pdf(hostile) -> None:
    root, html, server, outside = hostile
    sources = {"sessions/2024-08-24-camp/01-evil.md": f"![x]({outside.as_uri()})\n"}
    result = render_pdf(html, root=root, sources=sources)
    pdf = reader(result.data)

    assert image_count(pdf) == 1  # only the legitimate image
    assert not has_embedded_files(result.data)
    assert server.hits == []  # the network was never touched
    assert result.fetched == ["sessions/2024-08-24-camp/images/legit.png"]

    blocked = [(request.url, request.reason) for request in result.blocked_requests]

    def refused(url: str, reason: str) -> bool:
        return any(u == url and reason in r for u, r in blocked)

    assert refused("file:///etc/passwd", "outside the WG repository")
    assert refused(outside.as_uri(), "outside the WG repository")
    assert refused(outside.as_uri(), "attachments are never embedded")
    escape = (root / "sessions/2024-08-24-camp/images/escape.png").as_uri()
    assert refused(escape, "symbolic link")
    assert refused((root / ".git/hidden.png").resolve().as_uri(), "hidden")
    assert refused(f"http://127.0.0.1:{server.port}/beacon.png", "network")
    assert refused(f"http://127.0.0.1:{server.port}/evil.css", "network")
    assert refused("file:///etc/hostname", "attachments are never embedded")

    # Every refusal is a diagnostic; one that names a URL in a note points at that note.
    assert len(result.diagnostics) == len(result.blocked_requests)
    assert {d.code for d in result.diagnostics} == {"P702"}
    by_url = {d.message: d for d in result.diagnostics}
    located = [d for m, d in by_url.items() if outside.as_uri() in m]
    assert located and all(d.path == "sessions/2024-08-24-camp/01-evil.md" for d in located)
    assert any(d.path == "proceedings.pdf" for d in result.diagnostics)


def test_control_weasyprint_default_fetcher_would_leak(hostile) -> None:
    """The same document through WeasyPrint's default fetcher embeds the outside files."""
    import weasyprint

    root, html, server, _outside = hostile
    data = weasyprint.HTML(string=html, base_url=root.as_uri() + "/").write_pdf()
    assert image_count(reader(data)) > 1
    assert has_embedded_files(data)
    assert server.hits  # and it phoned home
