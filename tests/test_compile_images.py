"""Images resolve against their own note: embedded in HTML, copied beside proceedings.md."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from build_archives import PNG, SVG, Elements, archive, note, run, section_of, session

S1 = "2024-05-01-spring"
S2 = "2024-06-01-summer"
BODY = "## 概要\n\n図を示す。\n\n![春の図](images/diagrams/flow.png)\n\n## 議論\n\n- 論点\n"


def image_archive(root: Path) -> Path:
    return archive(
        root,
        {
            f"{S1}/session.md": session("春の会", "2024-05-01"),
            f"{S1}/01-a.md": note("春の話題", BODY),
            f"{S1}/images/diagrams/flow.png": PNG,
            f"{S2}/session.md": session("夏の会", "2024-06-01"),
            # the same relative path in another session is another picture
            f"{S2}/01-b.md": note("夏の話題", BODY.replace("flow.png", "flow.svg")),
            f"{S2}/images/diagrams/flow.svg": SVG,
        },
    )


def test_images_in_subfolders_are_embedded_and_copied(tmp_path: Path) -> None:
    root = image_archive(tmp_path / "wg")
    result = run(root)
    assert result.exit_code == 0, result.output
    out = root / "proceedings"
    markdown = (out / "proceedings.md").read_text("utf-8")
    assert f"![春の図](assets/{S1}/images/diagrams/flow.png)" in markdown
    assert f"![春の図](assets/{S2}/images/diagrams/flow.svg)" in markdown
    assert (out / "assets" / S1 / "images" / "diagrams" / "flow.png").read_bytes() == PNG
    assert (out / "assets" / S2 / "images" / "diagrams" / "flow.svg").read_bytes() == SVG
    page = (out / "proceedings.html").read_text("utf-8")
    spring = Elements(section_of(page, f"{S1}--a")).find("img")
    summer = Elements(section_of(page, f"{S2}--b")).find("img")
    assert spring == [{"src": "data:image/png;base64," + base64.b64encode(PNG).decode(),
                       "alt": "春の図"}]
    assert summer[0]["src"] == "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()
    # self-contained: nothing in the page refers to a file
    assert all(src.startswith("data:") for _, a in Elements(page).tags for src in [a.get("src")]
               if src)


def test_file_image_mode_points_into_the_wg_root(tmp_path: Path) -> None:
    from build_archives import workspace
    from proceedings.compile.document import compile_workspace
    from proceedings.render.html import render_html

    root = image_archive(tmp_path / "wg")
    document = compile_workspace(workspace(root))
    page = render_html(document, image_mode="file", stylesheet_css="body { color: black }")
    srcs = [a["src"] for t, a in Elements(page).tags if t == "img"]
    assert srcs == [f"sessions/{S1}/images/diagrams/flow.png",
                    f"sessions/{S2}/images/diagrams/flow.svg"]
    assert all((root / src).is_file() for src in srcs)
    assert "body { color: black }" in page and "--accent" not in page


def test_missing_image_stops_the_build_with_file_and_line(tmp_path: Path) -> None:
    root = image_archive(tmp_path / "wg")
    (root / "sessions" / S1 / "images" / "diagrams" / "flow.png").unlink()
    result = run(root)
    assert result.exit_code == 1
    assert f"sessions/{S1}/01-a.md:13" in result.output
    assert "flow.png" in result.output
    assert not (root / "proceedings").exists()


def test_an_image_whose_content_is_not_its_type_stops_the_build(tmp_path: Path) -> None:
    root = image_archive(tmp_path / "wg")
    (root / "sessions" / S1 / "images" / "diagrams" / "flow.png").write_bytes(b"not a picture")
    result = run(root)
    assert result.exit_code == 1
    assert (f"sessions/{S1}/01-a.md:13:1: B803 image `images/diagrams/flow.png` is named .png "
            "but is not a PNG file") in result.output
    assert not (root / "proceedings").exists()


def test_missing_image_with_force_builds_and_says_so(tmp_path: Path) -> None:
    root = image_archive(tmp_path / "wg")
    (root / "sessions" / S1 / "images" / "diagrams" / "flow.png").unlink()
    result = run(root, "--force", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert any(f"sessions/{S1}/01-a.md:13" in e and "B801" in e for e in summary["errors"])
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    assert "[画像がありません: 春の図]" in section_of(page, f"{S1}--a")


def test_image_outside_the_sessions_folder_is_refused(tmp_path: Path) -> None:
    root = image_archive(tmp_path / "wg")
    (root / "secret.png").write_bytes(PNG)
    note_path = root / "sessions" / S1 / "01-a.md"
    note_path.write_text(
        note_path.read_text("utf-8").replace("images/diagrams/flow.png", "../../secret.png"),
        "utf-8",
    )
    result = run(root, "--force", "--json")
    assert result.exit_code == 0, result.output
    assert any("B802" in e for e in json.loads(result.stdout)["errors"])
    out = root / "proceedings"
    assert base64.b64encode(PNG).decode() not in (out / "proceedings.html").read_text("utf-8")
    assert not list(out.rglob("secret.png"))


def test_stale_assets_are_removed_and_linked_files_copied(tmp_path: Path) -> None:
    root = image_archive(tmp_path / "wg")
    assert run(root).exit_code == 0
    out = root / "proceedings"
    note_path = root / "sessions" / S1 / "01-a.md"
    note_path.write_text(
        note_path.read_text("utf-8").replace(
            "![春の図](images/diagrams/flow.png)", "[データ](data/table.csv)"
        ),
        "utf-8",
    )
    (root / "sessions" / S1 / "data").mkdir()
    (root / "sessions" / S1 / "data" / "table.csv").write_text("a,b\n1,2\n", "utf-8")
    result = run(root, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["removed"] == [f"proceedings/assets/{S1}/images/diagrams/flow.png"]
    assert not (out / "assets" / S1 / "images").exists()
    assert (out / "assets" / S1 / "data" / "table.csv").read_text("utf-8") == "a,b\n1,2\n"
    page = (out / "proceedings.html").read_text("utf-8")
    assert f'href="assets/{S1}/data/table.csv"' in page


def test_a_build_that_leaves_the_markdown_alone_keeps_its_images(tmp_path: Path) -> None:
    root = image_archive(tmp_path / "wg")
    assert run(root).exit_code == 0
    out = root / "proceedings"
    copies = sorted(p.relative_to(out) for p in (out / "assets").rglob("*") if p.is_file())
    assert copies
    result = run(root, "--format", "html", "--json")  # proceedings.md stays, with its links
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["removed"] == []
    assert sorted(p.relative_to(out) for p in (out / "assets").rglob("*") if p.is_file()) == copies
