"""`proceedings check --fix` and `--diff`: safe mechanical fixes only, written atomically."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from check_support import SESSION, make_wg, note, parse_text_output
from proceedings.cli import app

A = f"{SESSION}/01-alpha.md"
B = f"{SESSION}/02-beta.md"


def check(root: Path, *args: str):
    return CliRunner().invoke(app, ["check", "--root", str(root), *args])


def _is_subsequence(original: list[str], fixed: list[str]) -> bool:
    """Every original line is still there, in order (insertions only)."""
    it = iter(fixed)
    return all(any(line == candidate for candidate in it) for line in original)


def test_fix_removes_bom_crlf_and_adds_final_newline(tmp_path: Path) -> None:
    text = note("アルファ")
    raw = b"\xef\xbb\xbf" + text.rstrip("\n").replace("\n", "\r\n").encode()
    root = make_wg(tmp_path / "wg", {A: raw})
    before = check(root)
    assert {d["code"] for d in parse_text_output(before.output)} == {"F102", "F103", "F104"}
    result = check(root, "--fix")
    assert result.exit_code == 0, result.output
    assert "Fixed 3 problems in 1 file." in result.output
    assert (root / A).read_bytes() == text.encode()
    assert "All clear" in result.output
    assert not list((root / SESSION).glob(".*.tmp"))  # the atomic write left nothing behind


def test_an_old_mac_cr_file_is_read_line_by_line_and_fixed_to_lf(tmp_path: Path) -> None:
    # Every line ends in a lone CR; `## 議論` is missing. Read as one long line, the file used
    # to lose its front matter (M201) and get a final newline after its last CR.
    original = "---\ntitle: アルファ\n---\n\n# アルファ\n\n## 概要\n\n短い。\n"
    root = make_wg(tmp_path / "wg", {A: original.replace("\n", "\r").encode()})
    before = parse_text_output(check(root).output)
    assert [(d["code"], d["line"]) for d in before] == [("F103", "1"), ("S304", "5")]
    assert "CR (old Mac) line endings" in check(root).output
    preview = check(root, "--diff")
    assert f"# {A}: convert CR line endings to LF" in preview.output
    assert "+## 議論" in preview.output
    result = check(root, "--fix")
    assert "Fixed 2 problems in 1 file." in result.output
    added = "\n## 議論\n\n✎ ここに「議論」を書いてください。\n"
    assert (root / A).read_text("utf-8") == original + added


def test_an_old_mac_file_keeps_its_cr_endings_when_f103_is_not_fixed(tmp_path: Path) -> None:
    original = "---\ntitle: アルファ\n---\n\n# アルファ\n\n## 概要\n\n短い。"
    root = make_wg(tmp_path / "wg", {A: original.replace("\n", "\r").encode()})
    result = check(root, "--fix", "--ignore", "F103")
    assert "Fixed 2 problems in 1 file." in result.output  # the section and the final newline
    added = "\n\n## 議論\n\n✎ ここに「議論」を書いてください。\n"
    assert (root / A).read_bytes() == (original + added).replace("\n", "\r").encode()


def test_diff_names_both_kinds_of_line_endings_it_converts(tmp_path: Path) -> None:
    raw = note("アルファ").replace("\n", "\r\n", 3).replace("\n\n", "\r\r", 1).encode()
    root = make_wg(tmp_path / "wg", {A: raw})
    assert "F103 CRLF and CR (old Mac) line endings" in check(root).output
    assert f"# {A}: convert CRLF and CR line endings to LF" in check(root, "--diff").output


def test_fix_inserts_every_missing_section_in_order_and_keeps_wording(tmp_path: Path) -> None:
    original = (
        "---\ntitle: アルファ\n---\n\n# アルファ\n\n本文の前置き。\n\n## 要点\n\n- ★ 大事\n\n"
        "## 今後の課題\n\n- 宿題\n"
    )
    root = make_wg(tmp_path / "wg", {A: original})
    result = check(root, "--fix")
    fixed = (root / A).read_text("utf-8")
    assert fixed == (
        "---\ntitle: アルファ\n---\n\n# アルファ\n\n本文の前置き。\n\n"
        "## 概要\n\n✎ ここに「概要」を書いてください。\n\n"
        "## 議論\n\n✎ ここに「議論」を書いてください。\n\n"
        "## 要点\n\n- ★ 大事\n\n## 今後の課題\n\n- 宿題\n"
    )
    assert _is_subsequence(original.splitlines(), fixed.splitlines())
    # What is left are the placeholders to fill in: warnings, so the run passes.
    assert result.exit_code == 0
    assert {d["code"] for d in parse_text_output(result.output)} == {"C401"}


def test_fix_uses_the_names_the_note_already_uses(tmp_path: Path) -> None:
    original = "---\ntitle: Alpha\n---\n\n# Alpha\n\n## Summary\n\nShort.\n"
    root = make_wg(tmp_path / "wg", {A: original})
    check(root, "--fix")
    assert (root / A).read_text("utf-8") == original + (
        "\n## Discussion\n\n✎ Write the Discussion here.\n"
    )


def test_fix_respects_crlf_when_crlf_is_not_being_fixed(tmp_path: Path) -> None:
    original = "---\ntitle: アルファ\n---\n\n# アルファ\n\n## 議論\n\nx\n"
    root = make_wg(tmp_path / "wg", {A: original.replace("\n", "\r\n")})
    check(root, "--fix", "--ignore", "F103")
    fixed = (root / A).read_bytes()
    assert fixed.count(b"\r\n") == fixed.count(b"\n")  # still CRLF everywhere
    assert "## 概要".encode() in fixed


def test_fix_keeps_mixed_line_endings_when_crlf_is_not_being_fixed(tmp_path: Path) -> None:
    # The first lines end in CRLF, the rest in LF; no final newline; `## 概要` is missing.
    head = "---\r\ntitle: アルファ\r\n---\r\n"
    original = head + "\n# アルファ\n\n## 議論\n\nx"
    root = make_wg(tmp_path / "wg", {A: original.encode()})
    result = check(root, "--fix", "--ignore", "F103")
    assert "Fixed 1 problem in 1 file." in result.output  # the final newline
    assert (root / A).read_bytes() == (original + "\n").encode()  # every line as it was
    assert [d["code"] for d in parse_text_output(result.output)] == ["S304"]  # still reported


def test_fix_leaves_ignored_and_unfixable_problems_alone(tmp_path: Path) -> None:
    text = note("アルファ").replace("# アルファ", "# 別名")  # S301: not fixable
    root = make_wg(tmp_path / "wg", {A: text, B: b"\xef\xbb\xbf" + note("ベータ").encode()})
    result = check(root, "--fix", "--ignore", "F102")
    assert result.exit_code == 1
    assert (root / A).read_text("utf-8") == text
    assert (root / B).read_bytes().startswith(b"\xef\xbb\xbf")
    assert "Fixed" not in result.output


def test_diff_previews_and_writes_nothing(tmp_path: Path) -> None:
    original = "---\ntitle: アルファ\n---\n\n# アルファ\n\n## 議論\n\nx"
    root = make_wg(tmp_path / "wg", {A: original})
    before = sorted(p.stat().st_mtime_ns for p in (root / SESSION).iterdir())
    result = check(root, "--diff")
    assert result.exit_code == 1
    assert (root / A).read_text("utf-8") == original
    assert sorted(p.stat().st_mtime_ns for p in (root / SESSION).iterdir()) == before
    out = result.output
    assert f"--- a/{A}" in out and f"+++ b/{A}" in out
    assert "+## 概要" in out and "+✎ ここに「概要」を書いてください。" in out
    assert "\\ No newline at end of file" in out
    assert "Would fix 2 problems in 1 file" in out


def test_diff_on_a_clean_archive(tmp_path: Path) -> None:
    result = check(make_wg(tmp_path / "wg"), "--diff")
    assert result.exit_code == 0 and result.output == "Nothing to fix.\n"


def test_diff_mentions_bom_and_line_endings(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf" + note("アルファ").replace("\n", "\r\n").encode()
    root = make_wg(tmp_path / "wg", {A: raw})
    result = check(root, "--diff")
    assert f"# {A}: remove the byte-order mark; convert CRLF line endings to LF" in result.output
    assert (root / A).read_bytes() == raw


def test_fix_on_given_files_only_touches_those(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {A: note("アルファ").rstrip("\n"),
                                     B: note("ベータ").rstrip("\n")})
    check(root, "--fix", str(root / A))
    assert (root / A).read_text("utf-8").endswith("\n")
    assert not (root / B).read_text("utf-8").endswith("\n")


def test_fix_removes_every_leading_byte_order_mark(tmp_path: Path) -> None:
    # Found by the property test: a note whose text starts with U+FEFF after the BOM starts
    # with the mark's bytes again once one BOM is removed, and F102 came back.
    root = make_wg(tmp_path / "wg", {A: b"\xef\xbb\xbf\xef\xbb\xbf" + note().encode()})
    result = check(root, "--fix", str(root / A))
    assert result.exit_code == 0, result.output
    assert (root / A).read_bytes() == note().encode()
    assert check(root, str(root / A)).exit_code == 0


# --- which files a fix may touch, and how ------------------------------------------------------


def test_fix_with_the_config_among_the_files_changes_only_the_notes_given(tmp_path: Path) -> None:
    # A config change re-checks the whole archive; it must not turn `--fix` loose on it.
    unfixed = note("ベータ").rstrip("\n")  # F104 in beta, which is not given
    root = make_wg(tmp_path / "wg", {A: note("アルファ").rstrip("\n"), B: unfixed})
    result = check(root, "--fix", str(root / "proceedings.toml"), str(root / A))
    assert "Fixed 1 problem in 1 file." in result.output
    assert (root / A).read_text("utf-8") == note("アルファ")
    assert (root / B).read_text("utf-8") == unfixed
    # beta's finding (a warning) is still reported, for the user to fix or not
    assert [(d["path"], d["code"]) for d in parse_text_output(result.output)] == [(B, "F104")]


def test_fix_writes_through_a_symlinked_note(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {A: None})
    real = root / SESSION / "shared-note.txt"
    real.write_text(note("アルファ").rstrip("\n"), "utf-8")
    (root / A).symlink_to(real.name)
    result = check(root, "--fix", str(root / A))
    assert result.exit_code == 0, result.output
    assert (root / A).is_symlink()  # still a link, not replaced by a plain file
    assert real.read_text("utf-8") == note("アルファ")


def test_a_fix_that_cannot_be_written_is_one_line_and_exit_2(tmp_path: Path) -> None:
    # A 245-character name leaves no room for the temporary file beside it (255 at most):
    # an OSError that happens even as root, like a read-only or full disk would.
    long_note = f"{SESSION}/01-{'a' * 238}.md"
    root = make_wg(tmp_path / "wg", {A: None, long_note: note("アルファ").rstrip("\n")})
    result = check(root, "--fix", str(root / long_note))
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith(
        f"error: {long_note}: cannot write the fix: File name too long"
    )
    assert "Traceback" not in result.output
    assert (root / long_note).read_text("utf-8") == note("アルファ").rstrip("\n")
