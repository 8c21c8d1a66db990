"""Japanese findings from the checker's rules (check/rules: structure S30x, content C40x,
privacy C407–C409, the disable-comment findings X601/X602): a WG whose settings say
`language = "ja"` (or a person with PROCEEDINGS_MESSAGES=ja) reads every message and hint in
Japanese, while codes, paths, lines, severities and exit codes stay what they are; with
PROCEEDINGS_MESSAGES=en the same findings read in English.

Real temporary WG archives (tests/check_support.make_wg), the real checker and the real CLI.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import SESSION, make_wg, note, parse_text_output, run_check
from messages_support import JAPANESE, only_the_wg_decides, without_sentences
from proceedings.check.rules import all_rules
from proceedings.cli import app
from test_rules_fixtures import CASES, Case

CODE_SPAN = re.compile(r"`[^`]*`")
A = f"{SESSION}/01-alpha.md"

# The codes the rule modules produce: the registered rules, and the disable-comment findings
# of check/rules/meta.py (reported by the engine).
RULE_CODES = {rule.code.code for rule in all_rules()} | {"X601", "X602"}
RULE_CASES = [case for case in CASES if case.code in RULE_CODES]


def _tool_words(text: str) -> str:
    """`text` without its `code spans`: what is left is the tool's own words (the spans quote
    the WG's headings, titles and links, which are often Japanese whatever the language)."""
    return CODE_SPAN.sub("", text)


def _ja_config(config: str) -> str:
    return 'wg_name = "テスト WG"\nlanguage = "ja"\n' + config


def _build(root: Path, case: Case, config: str) -> Path:
    make_wg(root, case.failing, config)
    for rel, target in case.symlinks.items():
        os.symlink(target, root / rel)
    return root


def _findings(root: Path, code: str):
    return [d for d in run_check(root).diagnostics if d.code == code]


def test_every_rule_code_has_a_case_here():
    assert {case.code for case in RULE_CASES} == RULE_CODES


@pytest.mark.parametrize("case", RULE_CASES, ids=[c.code for c in RULE_CASES])
def test_a_japanese_wg_reads_the_finding_and_its_hint_in_japanese(tmp_path, monkeypatch, case):
    only_the_wg_decides(monkeypatch)
    root = _build(tmp_path / "wg", case, _ja_config(case.config))
    found = _findings(root, case.code)
    # the same places as in English (tests/test_rules_fixtures.py pins them)
    assert sorted((d.path, d.line) for d in found) == sorted(case.where)
    for diagnostic in found:
        assert JAPANESE.search(_tool_words(diagnostic.message)), diagnostic.format()
        assert diagnostic.hint and JAPANESE.search(_tool_words(diagnostic.hint)), \
            diagnostic.format()
        assert str(diagnostic.severity) in ("error", "warning", "info")


@pytest.mark.parametrize("case", RULE_CASES, ids=[c.code for c in RULE_CASES])
def test_english_when_the_person_asks_for_it(tmp_path, monkeypatch, case):
    only_the_wg_decides(monkeypatch)
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    root = _build(tmp_path / "wg", case, _ja_config(case.config))
    found = _findings(root, case.code)
    assert sorted((d.path, d.line) for d in found) == sorted(case.where)
    for diagnostic in found:
        words = _tool_words(diagnostic.format())
        assert not JAPANESE.search(words), diagnostic.format()
        assert re.search(r"[a-z]{3}", words), diagnostic.format()


def sections(extra: str = "") -> str:
    return note("アルファ") + "\n" + extra


# The variants the fixture cases do not reach (an image rather than a link, the file rather
# than the next line, ...): each is its own Japanese sentence, not English pieces glued.
VARIANTS = [
    ("C405", {A: sections("![図](../../img.png)\n"), "img.png": "x"},
     "画像 `../../img.png` が sessions フォルダの外にあります",
     "ビルドは sessions フォルダ内の画像だけを埋め込みます。セッションの中（例: images/）に"
     "移動してください"),
    ("C405", {A: sections("[資料](file:///etc/passwd)\n")},
     "リンク `file:///etc/passwd` がリポジトリの外、特定のコンピューター上のファイルを指しています",
     "ファイルをノートと同じフォルダにコピーし、相対パスでリンクしてください"),
    ("C405", {A: sections("![x](../../../out.png)\n")},
     "画像 `../../../out.png` がリポジトリの外を指しています",
     "公開された議論記録集からは WG リポジトリの外のファイルを参照できません。ファイルを"
     "リポジトリの中に置いてください"),
    ("C404", {A: sections("[前](#議論まとめ)\n")},
     "アンカー `#議論まとめ` はこのノートの見出しにありません",
     "`#議論` のことではありませんか"),
    ("C402", {A: sections("[b](02-betta.md)\n")},
     "リンク先 `02-betta.md` が存在しません", "`02-beta.md` のことではありませんか"),
    ("C403", {A: sections("![x](nope.png)\n")},
     "画像の参照先 `nope.png` が存在しません",
     "パスを確認してください（このノートのフォルダからの相対パスです）"),
    ("S304", {A: note("アルファ").replace("## 概要", "## 概用")},
     "必須のセクション `Summary` または `概要` がありません",
     "`概用`（7 行目）は認識できるセクション名ではありません。`Summary` または `概要` に"
     "名前を変えてください"),
    ("S302", {A: "---\ntitle: アルファ\n---\n\n## 概要\n\nx\n\n## 議論\n\ny\n"},
     "ノートに `# title` の見出しがありません",
     "front matter の直後の最初の行に `# アルファ` を追加してください"),
    ("S309", {A: sections("".join("  " * i + f"- {i}\n" for i in range(50)))},
     "入れ子が 100 段階より深くなっています（リスト項目は 2 段階、引用は 1 段階と数えます）。"
     "Markdown の解析がここで止まるため、64 行目が出力から欠落します",
     "入れ子を浅くしてください（例: 最上位で新しいリストや引用を始める）"),
    ("X601", {A: sections("<!-- proceedings-disable C406 -->\nただの文\n")},
     "`C406` はファイル全体で無効にされていますが、このファイルでは何も指摘していません",
     "コメントを削除するか、コメントからそのコードを削除してください"),
    ("X601", {A: sections("<!-- proceedings-disable-next-line -->\nただの文\n")},
     "次の行の無効化コメントが何も抑制していません",
     "コメントを削除するか、コメントからそのコードを削除してください"),
    ("C407", {A: sections("連絡は ｔａｒｏ＠ｃｏｒｐ．ｃｏ．ｊｐ まで\n")},
     "メールアドレス `ta…@corp.co.jp` があります（全角文字で入力されています）",
     "削除するか、代わりにその人の名前を書いてください（リポジトリは公開されています）"),
    ("C412", {A: sections("本文 \x1b[2J \x1b[0m です\n")},
     "制御文字 U+001B があります（ほかに 1 個）",
     "削除してください（目に見えない文字、または端末を操作する文字です）"),
    ("C412", {A: sections("本文 \u202e です\n")},
     "双方向制御文字 U+202E RIGHT-TO-LEFT OVERRIDE があります",
     "削除してください（書かれた順序と異なる順序で文字を表示させます）"),
    ("C412", {A: sections("本文 \u200b です\n")},
     "不可視文字 U+200B ZERO WIDTH SPACE があります",
     "削除してください（目に見えない文字、または端末を操作する文字です）"),
]


@pytest.mark.parametrize(("code", "files", "message", "hint"), VARIANTS,
                         ids=[f"{v[0]}-{i}" for i, v in enumerate(VARIANTS)])
def test_each_variant_is_a_whole_japanese_sentence(tmp_path, monkeypatch, code, files, message,
                                                   hint):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", files, _ja_config(""))
    assert [(d.message, d.hint) for d in _findings(root, code)] == [(message, hint)]


def test_the_override_makes_an_unstated_wg_japanese(tmp_path, monkeypatch):
    """PROCEEDINGS_MESSAGES=ja for a WG whose settings do not state a language."""
    only_the_wg_decides(monkeypatch)
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "ja")
    root = make_wg(tmp_path / "wg", {A: sections("重要: <span>本番</span>\n")},
                   config='wg_name = "W"\n')
    assert [(d.line, d.message, d.hint) for d in _findings(root, "C406")] == [
        (15, "生の HTML `<span>` があります",
         "ビルドでは HTML はエスケープされます。代わりに Markdown を使ってください")]


# --- the CLI ---------------------------------------------------------------------------------

FILES = {
    A: sections("[責任分界](02-betta.md) を参照。\n\n連絡は taro.yamada@corp.co.jp まで。\n"
                "\n#### 詳細\n\nx\n"),
}


def _cli(args: list[str]):
    return CliRunner().invoke(app, args, catch_exceptions=False)


def test_cli_check_shows_the_rules_findings_in_japanese(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", FILES, _ja_config(""))
    japanese = _cli(["check", "--root", str(root)])
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    english = _cli(["check", "--root", str(root)])

    ja_lines, en_lines = parse_text_output(japanese.output), parse_text_output(english.output)
    assert japanese.exit_code == english.exit_code == 1
    where = [(d["path"], d["line"], d["col"], d["code"]) for d in ja_lines]
    assert where == [(d["path"], d["line"], d["col"], d["code"]) for d in en_lines]
    assert {"C402", "C407", "S306"} <= {d["code"] for d in ja_lines}
    for ja, en in zip(ja_lines, en_lines, strict=True):
        assert JAPANESE.search(_tool_words(ja["message"])), ja
        assert not JAPANESE.search(_tool_words(en["message"])), en
    by_code = {d["code"]: d["message"] for d in ja_lines}
    # `path:line:col: CODE message (hint)`, the shape tools parse, with Japanese inside
    assert by_code["C402"] == ("リンク先 `02-betta.md` が存在しません "
                               "(`02-beta.md` のことではありませんか)")
    assert by_code["S306"].startswith("見出しのレベルが H2 から H4 に飛んでいます")


def test_cli_check_json_keeps_keys_codes_and_severities(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", FILES, _ja_config(""))
    japanese = _cli(["check", "--root", str(root), "--format", "json"])
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    english = _cli(["check", "--root", str(root), "--format", "json"])
    assert japanese.exit_code == english.exit_code == 1
    ja, en = json.loads(japanese.stdout), json.loads(english.stdout)

    assert without_sentences(ja) == without_sentences(en)  # with the summary
    ours = [d for d in ja["diagnostics"] if d["code"] in RULE_CODES]
    assert {d["code"] for d in ours} >= {"C402", "C407", "S306"}
    for item in ours:
        assert JAPANESE.search(_tool_words(item["message"])), item
        assert JAPANESE.search(_tool_words(item["hint"])), item
    severities = {d["code"]: d["severity"] for d in ja["diagnostics"]}
    assert severities["C407"] in ("error", "warning", "info")
