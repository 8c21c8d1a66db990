"""One failing and one passing fixture per diagnostic code, asserting code, file and line.

Each case changes the base archive (tests/check_support.py: one session, two good notes) in a
way that must trigger the code at an exact file and line, and a fixed variant that must not.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from check_support import SESSION, SESSION_MD, found, make_wg, note, run_check
from proceedings import codes
from proceedings.check.rules import all_rules

S = SESSION
A = f"{S}/01-alpha.md"
B = f"{S}/02-beta.md"
GOOD = note("アルファ")


def body(text: str, title: str = "アルファ") -> str:
    """A note with front matter and this body (the body starts on line 5)."""
    return f"---\ntitle: {title}\n---\n\n{text}"


def sections(extra: str = "", title: str = "アルファ") -> str:
    """A complete note with `extra` added at the end (extra starts on line 15)."""
    return note(title) + "\n" + extra


@dataclass
class Case:
    code: str
    failing: dict  # files changed from the base archive
    where: list[tuple[str, int]]  # every (path, line) the code must be reported at
    passing: dict
    config: str = ""
    symlinks: dict = field(default_factory=dict)  # rel -> target, made after the files


CASES = [
    # --- file and encoding
    Case("F101", {A: GOOD.encode() + b"\n\x82\xa0\n"}, [(A, 15)],
         {A: GOOD}),
    # A real Shift_JIS (CP932) note; EUC-JP, UTF-16 and the refusals: tests/test_encodings.py
    Case("F110", {A: GOOD.encode("cp932")}, [(A, 2)], {A: GOOD}),
    Case("F102", {A: b"\xef\xbb\xbf" + GOOD.encode()}, [(A, 1)], {A: GOOD}),
    Case("F103", {A: GOOD.replace("\n", "\r\n")}, [(A, 1)], {A: GOOD}),
    Case("F104", {A: GOOD.rstrip("\n")}, [(A, 13)], {A: GOOD}),
    Case("F105", {}, [(f"{S}/03-gamma.md", 1)], {f"{S}/03-gamma.md": note("ガンマ")},
         symlinks={f"{S}/03-gamma.md": "does-not-exist.md"}),
    Case("F107", {}, [(f"{S}/03-gamma.md", 1)], {f"{S}/03-gamma.md": note("ガンマ")},
         symlinks={f"{S}/03-gamma.md": "../../../outside.md"}),
    # 2.1 MB: more than check.max_note_size's default of 2048 KiB
    Case("F108", {A: GOOD + "- " + "あ" * 700_000 + "\n"}, [(A, 1)], {A: GOOD}),
    Case("F106", {A: GOOD.replace("要約。", "要\x00約。")}, [(A, 9)], {A: GOOD}),
    # --- front matter
    Case("M201", {A: "# アルファ\n\n## 概要\n\nx\n\n## 議論\n\ny\n"}, [(A, 1)], {A: GOOD}),
    Case("M202", {A: GOOD.replace("title: アルファ", "title: アルファ\n\tscribes: [田中]")},
         [(A, 3)], {A: GOOD.replace("title: アルファ", "title: アルファ\nscribes: [田中]")}),
    Case("M212", {A: note("監視: 統合")}, [(A, 2)],
         {A: note("監視: 統合").replace("title: 監視: 統合", 'title: "監視: 統合"')}),
    Case("M213", {A: GOOD.replace("title: アルファ", "title: アルファ\ntags: [a, b")}, [(A, 3)],
         {A: GOOD.replace("title: アルファ", "title: アルファ\ntags: [a, b]")}),
    Case("M203", {A: GOOD.replace("title: アルファ", "scribes: [田中]")}, [(A, 3)],
         {A: GOOD.replace("title: アルファ", "title: アルファ\nscribes: [田中]")}),
    Case("M204", {A: GOOD.replace("title: アルファ", "title: アルファ\nscribe: [田中]")},
         [(A, 3)], {A: GOOD.replace("title: アルファ", "title: アルファ\nscribes: [田中]")}),
    Case("M205", {A: GOOD.replace("title: アルファ", "title: アルファ\nscribes: 田中")},
         [(A, 3)], {A: GOOD.replace("title: アルファ", "title: アルファ\nscribes: [田中]")}),
    Case("M206", {f"{S}/session.md": SESSION_MD.replace("2024-08-24", "2024-08-32")},
         [(f"{S}/session.md", 3)], {f"{S}/session.md": SESSION_MD}),
    Case("M207", {f"{S}/session.md": SESSION_MD.replace("2024-08-24", "2024-08-25")},
         [(f"{S}/session.md", 3)], {f"{S}/session.md": SESSION_MD}),
    Case("M208", {A: "---\n- title\n---\n\n" + GOOD.split("---\n", 2)[2]}, [(A, 2)],
         {A: GOOD}),
    Case("M209", {A: GOOD.replace("title: アルファ", "title: &t アルファ\nx: *t")}, [(A, 1)],
         {A: GOOD}),
    Case("M211", {A: GOOD.replace("title: アルファ", "title: アルファ\n<<: {title: 別}")},
         [(A, 3)], {A: GOOD}),
    # --- tree
    Case("T501", {f"{S}/gamma.md": note("ガンマ")}, [(f"{S}/gamma.md", 1)],
         {f"{S}/03-gamma.md": note("ガンマ")}),
    Case("T502", {f"{S}/04-delta.md": note("デルタ")}, [(f"{S}/04-delta.md", 1)],
         {f"{S}/03-delta.md": note("デルタ")}),
    Case("T503", {f"{S}/02-gamma.md": note("ガンマ")}, [(B, 1), (f"{S}/02-gamma.md", 1)],
         {f"{S}/03-gamma.md": note("ガンマ")}),
    Case("T504", {f"{S}/minutes.docx": b"PK\x03\x04"}, [(f"{S}/minutes.docx", 1)],
         {f"{S}/images/minutes.png": b"\x89PNG"}),
    Case("T505", {f"{S}/session.md": None}, [(S, 1)], {}),
    Case("T506", {"sessions/summer-camp/session.md": SESSION_MD,
                  "sessions/summer-camp/01-a.md": note("a")},
         [("sessions/summer-camp", 1)], {}),
    Case("T507", {"sessions/2024-09-01-empty/session.md": SESSION_MD.replace("08-24", "09-01")},
         [("sessions/2024-09-01-empty", 1)], {}),
    # --- structure
    Case("S301", {A: GOOD.replace("# アルファ", "# アルファー")}, [(A, 5)], {A: GOOD}),
    Case("S302", {A: GOOD.replace("# アルファ\n\n", "")}, [(A, 5)], {A: GOOD}),
    Case("S303", {A: sections("# もう一つ\n\nx\n")}, [(A, 15)],
         {A: sections("## もう一つ\n\nx\n")}),
    Case("S304", {A: body("# アルファ\n\n## 概要\n\nx\n")}, [(A, 5)],
         {A: body("# アルファ\n\n## Summary\n\nx\n\n## discussion\n\ny\n")}),
    Case("S305", {A: GOOD.replace("要約。\n", "")}, [(A, 7)],
         {A: GOOD.replace("要約。\n", "✎ 要約を書く\n")}),
    Case("S306", {A: sections("#### 詳細\n\nx\n")}, [(A, 15)], {A: sections("### 詳細\n\nx\n")}),
    Case("S307", {A: sections("### 論点\n\nx\n\n### 論点\n\ny\n")}, [(A, 19)],
         {A: sections("### 論点\n\nx\n\n## 今後の課題\n\n### 論点\n\ny\n")}),
    Case("S308", {B: note("アルファ")}, [(B, 2)], {B: note("ベータ")}),
    Case("S310", {A: GOOD.replace("---\ntitle: アルファ", "---\u3000\ntitle：アルファ")
                  .replace("## 概要", "##\u3000概要")}, [(A, 1), (A, 2), (A, 7)],
         {A: GOOD + "\n```\n##\u3000コード例\n```\n"}),
    # 50 nested list items are 100 levels: the 50th (line 15 + 49) is the first one dropped
    Case("S309", {A: sections("".join("  " * i + f"- {i}\n" for i in range(52)))}, [(A, 64)],
         {A: sections("".join("  " * i + f"- {i}\n" for i in range(49)))}),
    # --- content
    Case("C401", {A: GOOD.replace("要約。", "✎ 議論の結論を 2〜3 文で")}, [(A, 9)], {A: GOOD}),
    Case("C402", {A: sections("[責任分界](02-betta.md) を参照。\n")}, [(A, 15)],
         {A: sections("[責任分界](02-beta.md) を参照。\n")}),
    Case("C403", {A: sections("\n![構成](images/arch.svg)\n")}, [(A, 16)],
         {A: sections("\n![構成](images/arch.svg)\n"), f"{S}/images/arch.svg": "<svg/>"}),
    Case("C404", {A: sections("[ベータの議論](02-beta.md#議論まとめ)\n")}, [(A, 15)],
         {A: sections("[ベータの議論](02-beta.md#議論)\n")}),
    Case("C405", {A: sections("[資料](../../../outside.pdf)\n")}, [(A, 15)],
         {A: sections("[資料](../../README.md)\n"), "README.md": "# WG\n"}),
    Case("C406", {A: sections("重要: <span>本番</span>\n")}, [(A, 15)],
         {A: sections("重要: **本番**\n")}),
    Case("C407", {A: sections("連絡は taro.yamada@corp.co.jp まで。\n")}, [(A, 15)],
         {A: sections("連絡は taro@example.com まで(例)。\n")}),
    Case("C408", {A: sections("田中さん 090-1234-5678\n")}, [(A, 15)],
         {A: sections("2024-08-24 に v1.2.3 を 10:00 から\n")}),
    Case("C410", {A: sections("本文。\n\n[^1]: 使われない注。\n")}, [(A, 17)],
         {A: sections("本文。[^1]\n\n[^1]: 使われる注。\n")}),
    Case("C411", {A: sections("本文。[^1]\n\n[^1]: 最初。\n\n[^1]: 二番目。\n")}, [(A, 17)],
         {A: sections("本文。[^1][^2]\n\n[^1]: 最初。\n\n[^2]: 二番目。\n")}),
    Case("C409", {A: sections("Project\nKestrel の結果\n")}, [(A, 15)],
         {A: sections("次期基盤の結果\n")},
         config='[check]\nprivate_terms = ["project kestrel"]\n'),
    # A title with a YAML-escaped override (reported at its key), a scribe's name with raw
    # isolates, and an ESC sequence in the body; emoji joiners, tabs and Hebrew text pass.
    Case("C412", {A: sections("本文 \x1b[2J です\n").replace(
        "title: アルファ", 'title: "アルファ\\u202e"\nscribes: ["田中\u2066太郎\u2069"]')},
         [(A, 2), (A, 3), (A, 16)],
         {A: sections("家族 👨\u200d👩\u200d👧 と\tשלום\n").replace(
             "title: アルファ", "title: アルファ\nscribes: [田中太郎]")}),
    # --- meta
    Case("X601", {A: sections("<!-- proceedings-disable-next-line C406 -->\nただの文\n")},
         [(A, 15)], {A: sections("<!-- proceedings-disable-next-line C406 -->\n<b>HTML</b>\n")}),
    Case("X602", {A: sections("<!-- proceedings-disable-next-line C999 -->\n<b>x</b>\n")},
         [(A, 15)], {A: sections("<!-- proceedings-disable-next-line raw-html -->\n<b>x</b>\n")}),
]


def _build(root: Path, case: Case, files: dict, symlinks: dict | None = None) -> Path:
    make_wg(root, files, case.config)
    for rel, target in (symlinks or {}).items():
        os.symlink(target, root / rel)
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_failing_fixture_reports_code_at_file_and_line(tmp_path: Path, case: Case) -> None:
    root = _build(tmp_path / "wg", case, case.failing, case.symlinks)
    report = run_check(root)
    assert sorted(found(report, case.code)) == sorted(case.where), [
        d.format() for d in report.diagnostics
    ]
    assert not found(report, "X603"), "no rule may crash"


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_passing_fixture_does_not_report_code(tmp_path: Path, case: Case) -> None:
    root = _build(tmp_path / "wg", case, case.passing)
    report = run_check(root)
    assert found(report, case.code) == [], [d.format() for d in report.diagnostics]
    assert report.errors == 0, [d.format() for d in report.diagnostics]


def test_every_code_has_a_fixture() -> None:
    all_rules()  # registers every code
    covered = {case.code for case in CASES} | {"X603"}  # X603: see test_rules_safety_net
    # F109 needs a folder that cannot be listed, which root (these tests run as root in CI
    # containers) can always list: tests/test_hostile_misc.py runs the CLI without root's
    # DAC override for it.
    covered |= {"F109"}
    checker_groups = {"file", "front-matter", "tree", "structure", "content", "meta"}
    checked = {entry.code for entry in codes.all_codes() if entry.group in checker_groups}
    assert checked == covered


def test_x603_a_crashing_rule_becomes_a_finding_and_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from proceedings.check import rules as rules_module

    def crash(doc, ctx):
        raise IndexError("boom")

    broken = rules_module.Rule(codes.get("S306"), "markdown", crash)
    monkeypatch.setitem(rules_module._RULES, "S306", broken)
    monkeypatch.delenv("PROCEEDINGS_DEBUG", raising=False)
    root = make_wg(tmp_path / "wg", {A: sections("<b>x</b>\n")})
    report = run_check(root)
    assert (A, 1) in found(report, "X603")
    crashed = next(d for d in report.diagnostics if d.code == "X603" and d.path == A)
    assert "S306" in crashed.message and "IndexError" in crashed.message
    assert found(report, "C406") == [(A, 15)]  # the other rules still ran


def test_x603_passing_no_crash_on_the_sample(sample_archive: Path) -> None:
    report = run_check(sample_archive)
    assert report.diagnostics == []


def test_details_byte_offset_yaml_column_did_you_mean_and_closing_line(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {
        A: GOOD.encode() + b"\n\x82\xa0\n",
        B: note("ベータ").replace("title: ベータ", "title: ベータ\nscribe: [田中]"),
        f"{S}/03-gamma.md": note("ガンマ").replace("title: ガンマ", "title: 監視: 統合"),
        f"{S}/05-epsilon.md": note("イプシロン").replace("title: イプシロン",
                                                      "title: イプシロン\ntags: [a, b"),
        f"{S}/04-delta.md": note("デルタ").replace("title: デルタ", "tags: [a]"),
    })
    by_code = {d.code: d for d in run_check(root).diagnostics}
    offset = len(GOOD.encode()) + 1  # the note's bytes, the blank line, then 0x82
    assert f"byte offset {offset} (byte 0x82)" in by_code["F101"].message
    assert (by_code["M212"].line, by_code["M212"].col) == (2, 10)  # the second `:`
    assert by_code["M212"].hint == 'write `title: "監視: 統合"`'  # the exact line to write
    assert "M202" not in by_code
    # The unclosed `[` is reported where it was opened, and where the parser noticed.
    unclosed = by_code["M213"]
    assert (unclosed.path, unclosed.line, unclosed.col) == (f"{S}/05-epsilon.md", 3, 7)
    assert "noticed at the closing `---`" in unclosed.message
    assert by_code["M204"].hint == "did you mean `scribes`?"
    assert (by_code["M203"].path, by_code["M203"].line) == (f"{S}/04-delta.md", 3)  # the `---`
