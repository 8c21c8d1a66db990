"""Japanese messages of `proceedings build` and `proceedings doctor` (src/proceedings/render):
real builds of small WG archives and of the sample, with Japanese chosen by the WG's
`language = "ja"` or by PROCEEDINGS_MESSAGES=ja. Findings, errors, hints, the build's steps
and the doctor's details are Japanese; rule codes, paths, exit codes and the `--json` keys
and names stay as they are; with PROCEEDINGS_MESSAGES=en the same text is English.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import SESSION, make_wg
from conftest import copy_sample
from messages_support import JAPANESE, only_the_wg_decides
from proceedings import i18n
from proceedings.cli import app
from proceedings.config import load_config
from proceedings.load.workspace import load_workspace
from proceedings.render.build import BuildOptions, build_proceedings
from proceedings.render.doctor import run_doctor
from proceedings.render.fetcher import RefusedURL, SafeFetcherPolicy
from proceedings.render.manifest import MANIFEST_NAME
from proceedings.render.output_limits import output_too_large
from proceedings.render.sanitize import UnsafeSvgError, sanitize_svg

JA_WG = 'wg_name = "テスト WG"\nlanguage = "ja"\n'
PLAIN_WG = 'wg_name = "Test WG"\n'  # `language` not stated: the messages follow the person
NO_FRONT_MATTER = "# 見出しだけ\n\n本文。\n"


def _messages(monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", language)


def _build(root: Path, *args: str):
    if "--format" not in args:
        args = ("--format", "md", *args)
    return CliRunner().invoke(app, ["build", "--root", str(root), *args])


def _flat(text: str) -> str:
    """Without whitespace: the terminal wraps long lines, Japanese ones anywhere."""
    return re.sub(r"\s+", "", text)


def _error_line(output: str) -> str:
    """The `error: …` line and what the terminal wrapped onto the lines after it."""
    index = output.index("error:")
    return _flat(output[index:])


# --- build: blocked, usage errors, results ------------------------------------------------------

def test_a_blocked_build_says_so_in_japanese_in_a_japanese_wg(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", {f"{SESSION}/03-bare.md": NO_FRONT_MATTER}, config=JA_WG)
    result = _build(root)
    assert result.exit_code == 1, result.output
    line = _error_line(result.output)
    assert re.search(r"チェックでエラーが\d+件見つかりました。何も書き込んでいません", line), line
    assert "--forceを付けてそのままビルドしてください" in line
    assert f"{SESSION}/03-bare.md:" in result.output  # paths and codes as they are
    assert re.search(r"\b[A-Z]\d{3}\b", result.output)
    assert not (root / "proceedings").exists()

    as_json = _build(root, "--json")
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["blocked"] == "checks"  # a machine value: English


def test_a_blocked_build_stays_english_for_an_english_reader(tmp_path, monkeypatch):
    _messages(monkeypatch, "en")
    root = make_wg(tmp_path / "wg", {f"{SESSION}/03-bare.md": NO_FRONT_MATTER}, config=JA_WG)
    result = _build(root)
    assert result.exit_code == 1
    line = " ".join(result.output[result.output.index("error:"):].split())
    assert re.search(r"error: \d+ errors? found by the checks; nothing was written — fix them "
                     r"\(see above\), or build anyway with --force", line), line
    assert not JAPANESE.search(line)


@pytest.mark.parametrize(("args", "japanese", "english"), [
    (("--format", "docx"), "不明な出力形式`docx`です—md,html,pdfから選んでください",
     "unknown output format `docx` — choose from md, html, pdf"),
    (("--format", ","), "--formatに形式が指定されていません—例:--formatmd,html",
     "--format names no format — e.g. --format md,html"),
    (("--since", "2099-01-01"), "選択(--since2099-01-01)に合うセッションがありません—"
     "セッション:2024-08-24-camp", "no session matches the selection (--since 2099-01-01)"),
])
def test_build_usage_errors_follow_the_reader(tmp_path, monkeypatch, args, japanese, english):
    root = make_wg(tmp_path / "wg", config=PLAIN_WG)
    _messages(monkeypatch, "ja")
    result = _build(root, *args)
    assert result.exit_code == 2, result.output
    assert japanese in _error_line(result.output)

    _messages(monkeypatch, "en")
    result = _build(root, *args)
    assert result.exit_code == 2
    assert english in " ".join(result.output.split())
    assert not JAPANESE.search(result.output)


def test_an_empty_archive_and_an_output_folder_among_the_notes(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    empty = tmp_path / "empty"
    (empty / "sessions").mkdir(parents=True)
    (empty / "proceedings.toml").write_text(JA_WG, encoding="utf-8")
    result = _build(empty)
    assert result.exit_code == 2
    assert ("アーカイブにまだセッションがありません:sessions/が空です—"
            "`proceedingsnew-session`で始めてください") in _error_line(result.output)

    root = make_wg(tmp_path / "wg", config=JA_WG)
    inside = _build(root, "--output", str(root / "sessions" / "out"))
    assert inside.exit_code == 2
    assert "がセッションのフォルダの中にあります" in _error_line(inside.output)


def test_build_steps_and_skipped_formats_in_japanese(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", config=JA_WG + '[build]\nformats = ["md", "docx"]\n')
    steps: list[str] = []
    result = build_proceedings(
        load_workspace(load_config(root)), BuildOptions(progress=steps.append)
    )
    assert steps == ["チェック", "コンパイル", "入力を比較", "proceedings.md を生成", "書き込み"]
    assert result.skipped_formats == {"docx": "build.formats にある不明な形式です"}

    cli = _build(root, "--format", "md")
    assert cli.exit_code == 0, cli.output

    _messages(monkeypatch, "en")
    steps.clear()
    result = build_proceedings(
        load_workspace(load_config(root)), BuildOptions(progress=steps.append, force=True)
    )
    assert steps == ["check", "compile", "compare inputs", "render proceedings.md", "write"]
    assert result.skipped_formats == {"docx": "unknown format in build.formats"}


def test_hand_edits_and_an_unreadable_record_of_the_outputs(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", config=JA_WG)
    assert _build(root).exit_code == 0
    output = root / "proceedings" / "proceedings.md"
    output.write_text(output.read_text("utf-8") + "\n手で足した行\n", encoding="utf-8")

    edited = _build(root)
    assert edited.exit_code == 1
    line = _error_line(edited.output)
    assert ("proceedings/proceedings.mdが前回のビルドの後に手で編集されています。"
            "ビルドすると編集が上書きされるため、何も書き込んでいません") in line
    assert "--forceを付けて実行し直して変更を捨ててください" in line

    (root / "proceedings" / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    ignored = _build(root)
    assert ignored.exit_code == 0, ignored.output
    finding = _flat(ignored.output)
    assert f"proceedings/{MANIFEST_NAME}:1:1:B810" in finding  # path and code as they are
    assert ("ビルド自身のファイルの記録が使えません(正しいJSONではありません(JSONDecodeError)):"
            "無視して置き換えるため、以前のビルドのファイルは削除していません") in finding
    assert "以前のビルドがassets/に残したファイルがあれば、手で削除してください" in finding

    _messages(monkeypatch, "en")
    (root / "proceedings" / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    english = _build(root)
    assert "the record of the build's own files is not valid JSON (JSONDecodeError): it is " \
        "ignored and replaced" in " ".join(english.output.split())


HIEROGLYPH_NOTE = """---
title: 文字の確認
---

# 文字の確認

## 概要

古代エジプトの記号 \U00013000 を引用した。

## 議論

- 特になし
"""


def test_missing_glyphs_stop_the_pdf_in_japanese(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = copy_sample(tmp_path)  # the sample WG says `language = "ja"`
    session = "2025-02-15-online-followup"
    (root / "sessions" / session / "03-glyphs.md").write_text(HIEROGLYPH_NOTE, encoding="utf-8")
    result = _build(root, "--session", session, "--format", "pdf")
    assert result.exit_code == 1, result.output
    flat = _flat(result.output)
    rel = f"sessions/{session}/03-glyphs.md"
    assert (f"{rel}:9:1:P701インストールされたどのフォントにも"
            "“\U00013000”(U+13000)がありません") in flat
    line = _error_line(result.output)
    assert "PDFの生成でエラーが1件見つかりました。何も書き込んでいません" in line
    assert "--allow-missing-glyphsを付けてビルドしてください" in line
    assert not (root / "proceedings").exists()


# --- doctor -------------------------------------------------------------------------------------

def test_doctor_details_follow_a_japanese_wg(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", config=JA_WG + '[build]\nfonts = ["fonts/missing.otf"]\n')
    checks = {check.name: check for check in run_doctor(root).checks}
    wg_fonts = checks["WG fonts"]
    assert wg_fonts.label == "WG のフォント"
    assert "フォントファイル `fonts/missing.otf` がありません" in wg_fonts.detail
    assert wg_fonts.fix == "設定ファイルの `build.fonts` を修正してください"
    assert checks["CJK fonts"].label == "CJK フォント"
    assert checks["HarfBuzz subsetting"].label == "HarfBuzz サブセット化"
    assert checks["git"].label == "git"  # a program's own name
    assert "(フォントを速く埋め込めます)" in checks["HarfBuzz subsetting"].detail

    result = CliRunner().invoke(app, ["doctor", "--json", "--root", str(root)])
    assert result.exit_code == 1
    by_name = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert set(by_name) >= {"WeasyPrint", "Pango", "HarfBuzz subsetting", "CJK fonts", "git",
                            "WG fonts"}  # names are the machine's: never translated
    assert by_name["WG fonts"]["status"] == "missing"
    assert JAPANESE.search(by_name["WG fonts"]["detail"])


def test_doctor_details_stay_english_for_an_english_reader(tmp_path, monkeypatch):
    _messages(monkeypatch, "en")
    root = make_wg(tmp_path / "wg", config=JA_WG + '[build]\nfonts = ["fonts/missing.otf"]\n')
    checks = {check.name: check for check in run_doctor(root).checks}
    assert checks["WG fonts"].label == "WG fonts"
    assert "font file `fonts/missing.otf` does not exist" in checks["WG fonts"].detail
    assert checks["WG fonts"].fix == "fix `build.fonts` in the config"
    assert checks["HarfBuzz subsetting"].detail.endswith("(fast font embedding)")
    for check in checks.values():
        assert not JAPANESE.search(check.label + check.detail + check.fix), check


# --- what the PDF refuses, SVG cleaning, the size limit -----------------------------------------

def test_refused_resources_cleaned_svgs_and_the_size_limit_in_japanese(tmp_path):
    i18n.use_language("ja")
    policy = SafeFetcherPolicy(tmp_path)
    with pytest.raises(RefusedURL):
        policy.read("https://example.com/logo.png")
    with pytest.raises(RefusedURL):
        policy.read((tmp_path.parent / "outside.png").as_uri())
    assert [b.reason for b in policy.blocked] == [
        "PDF ではネットワークにアクセスしません", "ファイルが WG リポジトリの外にあります",
    ]

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script><rect onclick="y"/></svg>'
    assert sanitize_svg(svg).dropped == ["<script> 要素", "`onclick` ハンドラ"]
    with pytest.raises(UnsafeSvgError, match="エンティティ `boom` を宣言しています"):
        sanitize_svg(b'<!DOCTYPE svg [<!ENTITY boom "x">]><svg>&boom;</svg>')

    too_large = output_too_large(60_000_000, 1_000_000, 50)
    assert str(too_large).startswith("出力が 60.0 MB になり、ノートと画像の 1.0 MB の 50 倍")
    assert "[build] テーブルの `max_output_ratio` を大きくしてください" in str(too_large)

    i18n.use_language("en")
    english = output_too_large(60_000_000, 1_000_000, 50)
    assert str(english).startswith("the outputs would be 60.0 MB, more than 50 × the 1.0 MB")
    assert sanitize_svg(svg).dropped == ["<script> element", "`onclick` handler"]
