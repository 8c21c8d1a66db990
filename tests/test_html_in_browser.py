"""proceedings.html as a reader's browser shows it, at desktop and phone widths.

Debian's headless Chromium (/usr/bin/chromium, installed by `scripts/dev test`) driven by
playwright, which never downloads a browser. For the bundled sample: every internal link has
its target and clicking it scrolls the target into view, every image loads, and the console
stays free of errors.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from build_archives import run
from conftest import copy_sample

CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")
if shutil.which(CHROMIUM) is None:
    pytest.skip(
        f"{CHROMIUM} is missing: `scripts/dev test` installs the Debian package chromium",
        allow_module_level=True,
    )

INTERNAL_LINKS = """() => [...document.querySelectorAll('a[href^="#"]')].map((a, index) => {
  const id = decodeURIComponent(a.getAttribute('href').slice(1));
  return {index, id, text: (a.textContent || '').trim().slice(0, 40),
          found: document.getElementById(id) !== null};
})"""

IN_VIEW = """(id) => {
  const box = document.getElementById(id).getBoundingClientRect();
  return box.top >= -1 && box.top < window.innerHeight;
}"""

IMAGES = """() => [...document.images].map(img => ({
  src: (img.getAttribute('src') || '').slice(0, 60), complete: img.complete,
  loaded: img.naturalWidth > 0 || getComputedStyle(img).content.startsWith('url('),
}))"""


@pytest.fixture(scope="module")
def sample_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_sample(tmp_path_factory.mktemp("browser"))
    result = run(root, "--format", "html")
    assert result.exit_code == 0, result.output
    return root / "proceedings" / "proceedings.html"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture(params=sorted(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Any, sample_html: Path) -> Iterator[Any]:
    width, height = WIDTHS[request.param]
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(sample_html.as_uri())
    page.wait_for_load_state("load")
    page.console_errors = errors
    yield page
    page.close()


def test_every_internal_link_has_its_target_and_scrolls_it_into_view(page: Any) -> None:
    links = page.evaluate(INTERNAL_LINKS)
    assert len(links) > 40  # table of contents, key-point digest, footnotes, cross-note links
    assert [link for link in links if not link["found"]] == []
    clicked = 0
    for link in links:
        page.evaluate("window.scrollTo(0, 0)")
        anchor = page.locator('a[href^="#"]').nth(link["index"])
        if not anchor.is_visible():
            continue  # e.g. a footnote back-link hidden by the print styles
        anchor.click()
        clicked += 1
        assert page.evaluate(IN_VIEW, link["id"]), link
    assert clicked > 40


def test_every_image_loads(page: Any) -> None:
    images = page.evaluate(IMAGES)
    assert images, "the sample shows figures"
    assert [image for image in images if not (image["complete"] and image["loaded"])] == []


def test_the_console_has_no_errors(page: Any) -> None:
    page.wait_for_timeout(200)
    assert page.console_errors == []
