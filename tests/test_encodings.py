"""F101/F110 and S310 as a member sees them: notes saved in legacy encodings by real editors,
named with how sure the detector is, converted by `--fix` only when that is lossless; and
full-width slips fixed by `--fix`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import SESSION, make_wg, note, run_check
from proceedings.cli import app

A = f"{SESSION}/01-alpha.md"
REPO = Path(__file__).resolve().parents[1]
# A real note of the sample archive: long enough for the detector, like a member's note.
REAL_NOTE = (REPO / "sessions/2024-08-24-summer-camp/01-monitoring.md").read_text("utf-8")


def check(root: Path, *args: str):
    return CliRunner().invoke(app, ["check", "--root", str(root), *args])


def _only(report, code: str):
    found = [d for d in report.diagnostics if d.code == code]
    assert len(found) == 1, [d.format() for d in report.diagnostics]
    return found[0]


@pytest.mark.parametrize(("codec", "name", "sure"), [
    ("cp932", "Shift_JIS (CP932)", "high confidence"),
    ("euc_jp", "EUC-JP", "high confidence"),
    ("utf_16", "UTF-16 LE", "certain: it starts with a UTF-16 LE byte-order mark"),
    ("utf_16_be", "UTF-16 BE", "high confidence"),
    ("iso2022_jp", "ISO-2022-JP", "high confidence"),
])
def test_a_note_in_a_legacy_encoding_is_named_and_fix_converts_it(
    tmp_path: Path, codec: str, name: str, sure: str
) -> None:
    raw = REAL_NOTE.encode(codec)
    root = make_wg(tmp_path / "wg", {A: raw})
    finding = _only(run_check(root), "F110")
    assert f"the file is {name} ({sure}" in finding.message
    assert "proceedings check --fix" in finding.hint

    diff = check(root, "--diff")
    assert f"# {A}: convert from {name} to UTF-8 (the text is unchanged)" in diff.output
    assert (root / A).read_bytes() == raw  # --diff writes nothing

    result = check(root, "--fix")
    assert "Fixed 1 problem in 1 file." in result.output, result.output
    assert (root / A).read_bytes() == REAL_NOTE.encode("utf-8")  # the same text, in UTF-8
    assert "F110" not in result.output and "F101" not in result.output


def test_the_encoding_is_not_converted_when_converting_back_would_change_bytes(
    tmp_path: Path,
) -> None:
    # Old mail software wrote ISO-2022-JP with `ESC $ @` (JIS C 6226-1978); Python reads it
    # but writes `ESC $ B`, so the conversion would not be lossless.
    raw = REAL_NOTE.encode("iso2022_jp").replace(b"\x1b$B", b"\x1b$@")
    root = make_wg(tmp_path / "wg", {A: raw})
    finding = _only(run_check(root), "F101")
    assert "most likely ISO-2022-JP" in finding.message
    assert "not converted automatically: converting back to ISO-2022-JP does not give the " \
           "same bytes" in finding.hint
    assert "`iconv -f ISO-2022-JP -t UTF-8 01-alpha.md > 01-alpha.md.utf8 && mv " \
           "01-alpha.md.utf8 01-alpha.md`" in finding.hint
    result = check(root, "--fix")
    assert (root / A).read_bytes() == raw  # never converted
    assert "F101" in result.output and result.exit_code == 1


def test_an_ambiguous_short_note_is_named_with_low_confidence_and_not_converted(
    tmp_path: Path,
) -> None:
    raw = "---\ntitle: 監視\n---\n".encode("cp932")  # too little text to tell encodings apart
    root = make_wg(tmp_path / "wg", {A: raw})
    finding = _only(run_check(root), "F101")
    assert "low confidence" in finding.message and "Shift_JIS (CP932)" in finding.message
    assert "other encodings read it differently" in finding.hint
    check(root, "--fix")
    assert (root / A).read_bytes() == raw


def test_a_single_byte_encoding_is_named_but_never_converted(tmp_path: Path) -> None:
    text = "---\ntitle: Cafe\n---\n\n# Cafe\n\n## Summary\n\nDéjà vu à la crème.\n"
    root = make_wg(tmp_path / "wg", {A: text.encode("cp1252")})
    finding = _only(run_check(root), "F101")
    assert "most likely Windows-1252" in finding.message
    assert "single-byte encoding" in finding.hint
    assert "iconv -f WINDOWS-1252 -t UTF-8" in finding.hint


def test_a_converted_crlf_note_keeps_its_endings_and_the_next_fix_makes_them_lf(
    tmp_path: Path,
) -> None:
    raw = REAL_NOTE.replace("\n", "\r\n").encode("cp932")
    root = make_wg(tmp_path / "wg", {A: raw})
    first = check(root, "--fix")
    assert (root / A).read_bytes() == REAL_NOTE.replace("\n", "\r\n").encode("utf-8")
    assert "F103" in first.output
    check(root, "--fix")
    assert (root / A).read_bytes() == REAL_NOTE.encode("utf-8")


def test_the_detector_is_imported_only_when_a_file_fails_to_decode(tmp_path: Path) -> None:
    probe = (
        "import json, sys, runpy\n"
        "sys.argv = ['proceedings.check.hook', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_module('proceedings.check.hook', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print(json.dumps({'code': code, 'loaded': 'charset_normalizer' in sys.modules}),"
        " file=sys.stderr)\n"
    )

    def run(root: Path) -> dict:
        done = subprocess.run([sys.executable, "-c", probe, A], cwd=root, capture_output=True,
                              text=True)
        return json.loads(done.stderr.strip().splitlines()[-1])

    clean = run(make_wg(tmp_path / "clean"))
    assert clean == {"code": 0, "loaded": False}
    legacy = run(make_wg(tmp_path / "legacy", {A: REAL_NOTE.encode("cp932")}))
    assert legacy == {"code": 1, "loaded": True}


def test_full_width_slips_are_one_finding_each_and_fix_makes_the_note_clean(
    tmp_path: Path,
) -> None:
    slipped = (note("アルファ")
               .replace("---\ntitle: アルファ\n---", "---\u3000\ntitle：アルファ\n---\u3000")
               .replace("## 概要", "##\u3000概要").replace("## 議論", "＃＃ 議論"))
    root = make_wg(tmp_path / "wg", {A: slipped})
    report = run_check(root)
    assert [(d.code, d.line, d.col) for d in report.diagnostics] == [
        ("S310", 1, 4), ("S310", 2, 6), ("S310", 3, 4), ("S310", 7, 3), ("S310", 11, 1),
    ]
    heading = next(d for d in report.diagnostics if d.line == 7)
    assert "full-width space after `##` in a heading" in heading.message
    assert heading.hint == "write `## 概要`; `proceedings check --fix` does"
    result = check(root, "--fix")
    assert "Fixed 5 problems in 1 file." in result.output
    assert (root / A).read_text("utf-8") == note("アルファ")
    assert result.exit_code == 0, result.output


def test_full_width_space_in_a_code_block_heading_is_left_alone(tmp_path: Path) -> None:
    text = note("アルファ") + "\n```markdown\n##\u3000例\n```\n"
    root = make_wg(tmp_path / "wg", {A: text})
    assert [d for d in run_check(root).diagnostics if d.code == "S310"] == []
