"""Nothing in a note is dropped without a word (issue #16, "Silent loss").

markdown-it stopped parsing lists nested ten deep (its commonmark preset allows 20 levels) and
silently left the rest out of every output; footnote definitions that nothing cites vanished;
a NUL byte became U+FFFD. Now: lists and quotes reach the outputs up to 100 levels (the PDF
too), anything deeper is an error (S309) that blocks the build, uncited footnotes are C410,
a footnote defined twice C411 (markdown-it keeps the last) and NUL bytes F106 (which `--fix`
deletes, changing nothing else).
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from build_archives import archive, note, run, session
from check_support import SESSION, make_wg
from check_support import note as check_note
from pdf_helpers import page_texts, reader
from proceedings.cli import app

A = f"{SESSION}/01-alpha.md"


def _deep_list(depth: int) -> str:
    return "".join("  " * level + f"- deep{level}\n" for level in range(depth))


def _deep_quote(depth: int) -> str:
    return "".join(">" * level + f" quote{level}\n" + ">" * level + "\n"
                   for level in range(1, depth + 1))


def _check(root: Path, *args: str):
    return CliRunner().invoke(app, ["check", "--root", str(root), *args])


def test_deeply_nested_lists_and_quotes_reach_the_md_html_and_pdf(tmp_path: Path) -> None:
    body = f"## 概要\n\n要約。\n\n## 議論\n\n{_deep_list(49)}\n{_deep_quote(99)}"
    root = archive(tmp_path / "wg", {
        "2024-08-24-camp/session.md": session("夏合宿", "2024-08-24"),
        "2024-08-24-camp/01-deep.md": note("深い入れ子", body),
    })
    assert _check(root).exit_code == 0
    result = run(root, "--format", "md,html,pdf")
    assert result.exit_code == 0, result.output
    out = root / "proceedings"
    markdown = (out / "proceedings.md").read_text("utf-8")
    page = (out / "proceedings.html").read_text("utf-8")
    text = " ".join(page_texts(reader((out / "proceedings.pdf").read_bytes())))
    for word in ["deep9", "deep10", "deep48", "quote20", "quote21", "quote99"]:
        assert word in markdown
        assert word in page
        assert word in text, word


def test_nesting_past_the_limit_is_an_error_at_its_line_and_blocks_the_build(
    tmp_path: Path,
) -> None:
    deep = check_note().replace("- 論点\n", "- 論点\n\n" + _deep_list(52) + "\n後ろの段落\n")
    root = make_wg(tmp_path / "wg", {A: deep})
    checked = _check(root)
    assert checked.exit_code == 1
    # line 15 is the first item; the 50th (deep49, line 64) is where parsing stops, and the
    # paragraph after the list (line 68) is lost with it
    assert f"{A}:64:1: S309 " in checked.output
    assert "lines 64–68" in checked.output
    built = CliRunner().invoke(app, ["build", "--root", str(root), "--format", "md"])
    assert built.exit_code == 1
    assert "S309" in built.output
    assert not (root / "proceedings" / "proceedings.md").exists()


def test_an_uncited_footnote_is_a_finding_a_cited_one_is_not(tmp_path: Path) -> None:
    text = check_note().replace("要約。", "要約。[^used]") + (
        "\n[^used]: 使われる注。\n\n[^orphan]: 使われない注。\n"
    )
    root = make_wg(tmp_path / "wg", {A: text})
    checked = _check(root)
    assert f"{A}:17:1: C410 footnote `[^orphan]` is never cited" in checked.output
    assert "[^used]" not in checked.output
    assert checked.output.count("C410") == 1
    built = run(root)
    assert built.exit_code == 0, built.output
    assert "C410" in built.output  # the build says so too, as a warning
    assert "使われる注" in (root / "proceedings" / "proceedings.md").read_text("utf-8")


def test_a_nul_byte_is_reported_at_line_and_column_and_fix_deletes_only_it(
    tmp_path: Path,
) -> None:
    text = check_note().replace("要約。", "要\x00約。").replace("- 論点", "- 論\x00点")
    root = make_wg(tmp_path / "wg", {A: text})
    checked = _check(root)
    assert checked.exit_code == 1
    assert f"{A}:9:2: F106 NUL byte (U+0000), and 1 more in the file" in checked.output
    fixed = _check(root, "--fix")
    assert (root / A).read_bytes() == check_note().encode("utf-8")
    assert "F106" not in _check(root).output, fixed.output


def test_a_footnote_defined_twice_is_a_finding_at_the_definition_the_outputs_drop(
    tmp_path: Path,
) -> None:
    text = check_note().replace("要約。", "要約。[^1]") + (
        "\n[^1]: 最初の定義。\n\n[^1]: 二番目の定義。\n"
    )
    root = make_wg(tmp_path / "wg", {A: text})
    checked = _check(root)
    assert f"{A}:15:1: C411 footnote `[^1]` is defined again on line 17" in checked.output
    assert checked.output.count("C411") == 1
    built = run(root)
    assert built.exit_code == 0, built.output
    assert "C411" in built.output
    markdown = (root / "proceedings" / "proceedings.md").read_text("utf-8")
    assert "二番目の定義" in markdown and "最初の定義" not in markdown  # what C411 warns of
