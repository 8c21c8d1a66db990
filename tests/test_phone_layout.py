"""proceedings.html on a phone (390 px wide), in Debian's headless Chromium through playwright.

What a reader on a phone must see (issue 18, docs/build.md "On a phone"): nothing wider than
the screen outside a sideways scroll box, tables that scroll instead of breaking short words
(`ほぼゼ/ロ`, `フェ/ーズ`), meta items that never break inside (`参加者：18 / 名`), strict
Japanese line breaking, and captioned figures whose images load.

The browser is the system's /usr/bin/chromium (`scripts/dev test` installs the Debian package);
playwright never downloads one.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from build_archives import SVG, archive, note, run, session
from conftest import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
WIDTH = 390

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[dev]'")
if shutil.which(CHROMIUM) is None:
    pytest.skip(
        f"{CHROMIUM} is missing: `scripts/dev test` installs the Debian package chromium",
        allow_module_level=True,
    )

# Every element that reaches outside the viewport, unless an ancestor scrolls sideways.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left >= -0.5 && box.right <= width + 0.5) continue;
    let parent = el.parentElement, boxed = false;
    for (; parent && parent !== document.body; parent = parent.parentElement) {
      const overflow = getComputedStyle(parent).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') { boxed = true; break; }
    }
    if (!boxed) found.push(`${el.tagName.toLowerCase()}.${el.className}: ` +
                           `${Math.round(box.left)}..${Math.round(box.right)} ` +
                           (el.textContent || '').trim().slice(0, 40));
  }
  return found;
}"""

# The number of lines an element's text is laid out on.
LINES = """(el) => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => r.top)
    .sort((a, b) => a - b);
  let lines = 0, last = -1e9;
  for (const top of tops) { if (top - last > 4) { lines += 1; last = top; } }
  return lines;
}"""

STYLE = """(el) => { const s = getComputedStyle(el);
  return {lineBreak: s.lineBreak, wordBreak: s.wordBreak, overflowWrap: s.overflowWrap,
          whiteSpace: s.whiteSpace}; }"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


def open_phone(browser: Any, html: Path) -> Any:
    page = browser.new_page(viewport={"width": WIDTH, "height": 844})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html.as_uri())
    page.errors = errors
    return page


@pytest.fixture(scope="module")
def sample_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("phone-sample") / "wg"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "sessions", root / "sessions")
    shutil.copy(REPO_ROOT / "proceedings.toml", root / "proceedings.toml")
    result = run(root, "--format", "html")
    assert result.exit_code == 0, result.output
    page = open_phone(browser, root / "proceedings" / "proceedings.html")
    yield page
    page.close()


# A crowded archive: a wide table of the words the issue saw broken, meta lines of every
# length (so some item always ends near the right edge), long URLs, code and a wide image.
WORDS = ["フェーズ", "ほぼゼロ", "スプレッドシート運用", "ロールバック", "オンコール", "監視"]
WIDE_SVG = SVG.replace(b'width="10" height="10"', b'width="1400" height="300"')
LONG_URL = "https://example.com/" + "very-long-path-segment/" * 12
CROWDED_BODY = f"""## 概要

要約。<{LONG_URL}> を参照。`a_very_long_identifier_without_any_break_{"x" * 80}` も長い。

![横に長い構成図](images/wide.svg)

表: 段階と担当の対応

| {" | ".join(WORDS)} |
| {" | ".join("---" for _ in WORDS)} |
| {" | ".join(reversed(WORDS))} |
| ほぼゼロ | フェーズ | 監視 | 運用 | 検証 | 本番 |

## 議論

```
{"x" * 200}
```

- 論点
"""


@pytest.fixture(scope="module")
def crowded_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    files: dict[str, str | bytes] = {}
    for day in range(1, 13):
        folder = f"2025-05-{day:02d}-day-{day}"
        location = "東京・" + "渋谷" * day + "の会議室"
        extra = (
            f"location: {location}\nfacilitators: [佐藤, {'田中' * (day % 4 + 1)}]\n"
            "participants: 18\nevent: MLOps WG 第3回オンサイトワークショップ\n"
        )
        files[f"{folder}/session.md"] = session(f"第 {day} 回", f"2025-05-{day:02d}",
                                                extra=extra)
        files[f"{folder}/01-topic.md"] = note(
            "話題", CROWDED_BODY, scribes=f"[{'山本' * (day % 3 + 1)}, 鈴木]",
            extra="tags: [monitoring, observability]\n",
        )
        files[f"{folder}/images/wide.svg"] = WIDE_SVG
    root = archive(tmp_path_factory.mktemp("phone-crowded") / "wg", files,
                   config='wg_name = "テスト WG"\ntitle = "テスト記録集"\nlanguage = "ja"\n')
    result = run(root, "--format", "html")
    assert result.exit_code == 0, result.output
    page = open_phone(browser, root / "proceedings" / "proceedings.html")
    yield page
    page.close()


@pytest.mark.parametrize("which", ["sample_page", "crowded_page"])
def test_nothing_is_wider_than_the_phone_outside_a_scroll_box(
    which: str, request: pytest.FixtureRequest
) -> None:
    page = request.getfixturevalue(which)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert page.evaluate(OVERFLOWING) == []
    assert page.errors == []


@pytest.mark.parametrize("which", ["sample_page", "crowded_page"])
def test_table_cells_never_break_a_word(which: str, request: pytest.FixtureRequest) -> None:
    page = request.getfixturevalue(which)
    cells = page.query_selector_all("td, th")
    assert cells
    single_words = 0
    for cell in cells:
        text = cell.inner_text().strip()
        if re.fullmatch(r"\w+", text):  # one word: letters, kana, kanji, no space/punctuation
            single_words += 1
            assert page.evaluate(LINES, cell) == 1, f"{text!r} is broken over lines"
    assert single_words >= 10
    # the wide tables are wider than the phone and scroll sideways in their box
    boxes = page.evaluate("""() => [...document.querySelectorAll('.table-scroll')].map(
        b => [b.scrollWidth, b.clientWidth, getComputedStyle(b).overflowX])""")
    assert boxes and all(overflow == "auto" for _, _, overflow in boxes)
    assert any(scroll > client for scroll, client, _ in boxes)


@pytest.mark.parametrize("which", ["sample_page", "crowded_page"])
def test_meta_items_never_break_inside(which: str, request: pytest.FixtureRequest) -> None:
    page = request.getfixturevalue(which)
    items = page.query_selector_all(".session-meta li, .topic-meta li")
    assert items
    checked = 0
    for item in items:
        fits = page.evaluate("""(li) => {
            const probe = li.cloneNode(true);
            probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;' +
                                  'display:inline-block;max-width:none';
            li.parentElement.appendChild(probe);
            const width = probe.getBoundingClientRect().width;
            probe.remove();
            return width <= li.parentElement.clientWidth;
        }""", item)
        if fits:  # an item longer than a whole line has to wrap somewhere
            checked += 1
            assert page.evaluate(LINES, item) == 1, item.inner_text()
    assert checked >= 10
    participants = [i.inner_text() for i in items if i.inner_text().startswith("参加者")]
    assert participants and all(re.fullmatch(r"参加者：\d+ 名", p) for p in participants)


def test_japanese_line_breaking_is_strict(sample_page: Any) -> None:
    paragraph = sample_page.query_selector("article.topic p")
    style = sample_page.evaluate(STYLE, paragraph)
    assert style["lineBreak"] == "strict"
    assert style["wordBreak"] == "normal"  # never break-all
    assert style["overflowWrap"] == "anywhere"  # a long URL breaks rather than overflow
    cell = sample_page.query_selector("td")
    style = sample_page.evaluate(STYLE, cell)
    assert style["lineBreak"] == "strict"
    assert style["wordBreak"] == "keep-all"  # breaks only at spaces and punctuation
    assert style["overflowWrap"] == "normal"  # `anywhere` would squeeze the columns again


def test_figures_show_their_image_and_numbered_caption(sample_page: Any) -> None:
    figures = sample_page.query_selector_all("figure")
    captions = [f.query_selector("figcaption").inner_text() for f in figures]
    assert [c.split("\u3000")[0] for c in captions] == ["表 1", "図 1", "図 2", "表 2"]
    for figure in sample_page.query_selector_all("figure.figure-image"):
        image = figure.query_selector("img")
        assert sample_page.evaluate("(img) => img.complete && img.naturalWidth > 0", image)
        box = image.bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= WIDTH
        caption = figure.query_selector("figcaption").bounding_box()
        assert caption is not None and caption["y"] >= box["y"] + box["height"]


def test_screenshot_reads_well(crowded_page: Any, tmp_path: Path) -> None:
    """A screenshot at 390 px for a person to look at (kept in the test's tmp folder, out of
    git); the test itself only checks that the table's box scrolls by script."""
    crowded_page.evaluate("document.querySelector('figure.figure-table').scrollIntoView()")
    crowded_page.screenshot(path=str(tmp_path / "phone-390.png"))
    scrolled = crowded_page.evaluate("""() => {
        const box = document.querySelector('.table-scroll');
        box.scrollLeft = 1000; return box.scrollLeft; }""")
    assert scrolled > 0
