"""Japanese messages of `proceedings check` (engine, summary, --fix/--diff, the pre-commit hook)
and of `build --commit` (publish): a WG that says `language = "ja"` (or a person who sets
PROCEEDINGS_MESSAGES=ja) reads Japanese sentences, while rule codes, option names, paths, JSON
keys and severities, and exit codes stay exactly as they are; PROCEEDINGS_MESSAGES=en gives the
English of today.

Only sentences made in check/ (not check/rules/) and publish/ are asserted to be Japanese here:
the loader's and the rules' findings are marked elsewhere.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import SESSION, make_wg, note
from git_helpers import commit_all, init_repo, isolated_git  # noqa: F401 (fixture)
from messages_support import JAPANESE, only_the_wg_decides, without_sentences
from proceedings import codes, i18n
from proceedings.check import rules as rules_module
from proceedings.check.engine import CheckReport
from proceedings.check.runner import summary_line
from proceedings.cli import app
from proceedings.diagnostics import Diagnostic, Severity

JA_CONFIG = 'wg_name = "テスト WG"\nlanguage = "ja"\n'
EN_CONFIG = 'wg_name = "Test WG"\n'
NOTE_PATH = f"{SESSION}/01-alpha.md"
# CRLF line endings (F103, fixable) and no `## 議論` section (S304, fixable)
BROKEN = note("アルファ").split("## 議論")[0].replace("\n", "\r\n")


def _cli(args: list[str]):
    return CliRunner().invoke(app, args, catch_exceptions=False)


def _broken_wg(tmp_path: Path, config: str = JA_CONFIG) -> Path:
    return make_wg(tmp_path / "wg", {NOTE_PATH: BROKEN}, config=config)


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


# --- the summary line ---------------------------------------------------------------------------

def _report(errors: int, warnings: int, infos: int, *, files: int = 1,
            suppressed: int = 0) -> CheckReport:
    found = [Diagnostic(f"a{n}.md", 1, 1, "F103", "m", Severity.ERROR) for n in range(errors)]
    found += [Diagnostic(f"b{n}.md", 1, 1, "S305", "m", Severity.WARNING) for n in range(warnings)]
    found += [Diagnostic(f"c{n}.md", 1, 1, "S306", "m", Severity.INFO) for n in range(infos)]
    return CheckReport(found, files=files, suppressed=suppressed, codes_run=[])


@pytest.mark.parametrize(("report", "fixable", "english", "japanese"), [
    (_report(4, 1, 0), 2,
     "Found 4 errors, 1 warning, 0 info in 1 file; 2 fixable with --fix — fails "
     "(--fail-on error).",
     "1 ファイルでエラー 4 件、警告 1 件、情報 0 件が見つかりました。うち 2 件は --fix で修正"
     "できます — 不合格 (--fail-on error)"),
    (_report(0, 2, 1, files=3), 0,
     "Found 0 errors, 2 warnings, 1 info in 3 files — passes (--fail-on error).",
     "3 ファイルでエラー 0 件、警告 2 件、情報 1 件が見つかりました — 合格 (--fail-on error)"),
    (_report(1, 0, 0, files=0), 0,
     "Found 1 error, 0 warnings, 0 info — fails (--fail-on error).",
     "エラー 1 件、警告 0 件、情報 0 件が見つかりました — 不合格 (--fail-on error)"),
    (_report(0, 0, 0, files=2, suppressed=3), 0,
     "All clear: 2 files checked, no problems; 3 suppressed by disable comments.",
     "問題なし: 2 ファイルをチェックし、問題は見つかりませんでした。無効化コメントで 3 件を抑止し"
     "ました"),
])
def test_summary_line_in_both_languages(report, fixable, english, japanese):
    assert summary_line(report, Severity.ERROR, fixable) == english
    i18n.use_language("ja")
    assert summary_line(report, Severity.ERROR, fixable) == japanese


def test_check_of_a_japanese_wg_ends_with_a_japanese_summary(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = _broken_wg(tmp_path)
    result = _cli(["check", "--root", str(root)])
    assert result.exit_code == 1, result.output
    assert f"{NOTE_PATH}:1:1: F103 " in result.output  # paths and codes as always
    assert f"{NOTE_PATH}:5:1: S304 " in result.output
    summary = _last_line(result.output)
    assert JAPANESE.search(summary), summary
    assert re.fullmatch(r"3 ファイルでエラー (\d+) 件、警告 (\d+) 件、"
                        r"情報 (\d+) 件が見つかりました。"
                        r"うち (\d+) 件は --fix で修正できます — "
                        r"不合格 \(--fail-on error\)",
                        summary), summary

    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    english = _cli(["check", "--root", str(root)])
    assert english.exit_code == 1
    assert re.fullmatch(r"Found \d+ errors?, \d+ warnings?, \d+ info in 3 files; \d+ fixable "
                        r"with --fix — fails \(--fail-on error\)\.", _last_line(english.output))


def test_a_bad_option_value_is_a_japanese_error_with_the_same_exit_code(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = _broken_wg(tmp_path)
    result = _cli(["check", "--root", str(root), "--select", "ZZZ"])
    assert result.exit_code == 2
    assert "--select" in result.output and "`ZZZ`" in result.output
    assert "ルールのコード" in result.output, result.output


# --- JSON -----------------------------------------------------------------------------------------

def _crashing_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """S306 raises: the engine reports it as X603, a finding whose words the engine makes."""

    def crash(doc, ctx):
        raise IndexError("boom")

    broken = rules_module.Rule(codes.get("S306"), "markdown", crash)
    monkeypatch.setitem(rules_module._RULES, "S306", broken)
    monkeypatch.delenv("PROCEEDINGS_DEBUG", raising=False)


def test_json_has_the_same_shape_in_english_and_japanese(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    _crashing_rule(monkeypatch)
    root = _broken_wg(tmp_path)
    japanese = _cli(["check", "--root", str(root), "--format", "json"])
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    english = _cli(["check", "--root", str(root), "--format", "json"])
    assert japanese.exit_code == english.exit_code == 1
    ja, en = json.loads(japanese.output), json.loads(english.output)
    # keys, codes, severities, paths, counts: unchanged
    assert without_sentences(ja) == without_sentences(en)
    assert [list(item) for item in ja["diagnostics"]] == [list(item) for item in
                                                          en["diagnostics"]]
    crashed_ja = next(item for item in ja["diagnostics"] if item["code"] == "X603")
    crashed_en = next(item for item in en["diagnostics"] if item["code"] == "X603")
    assert crashed_ja["severity"] == crashed_en["severity"] == "error"
    assert crashed_en["message"] == "rule S306 failed: IndexError: boom"
    assert crashed_en["hint"] == "please report this bug; PROCEEDINGS_DEBUG=1 shows the traceback"
    assert crashed_ja["message"] == "ルール S306 の実行に失敗しました: IndexError: boom"
    assert JAPANESE.search(crashed_ja["hint"]) and "PROCEEDINGS_DEBUG=1" in crashed_ja["hint"]


# --- --fix and --diff ------------------------------------------------------------

def test_fix_and_diff_report_in_japanese(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = _broken_wg(tmp_path)
    note_file = root / NOTE_PATH
    before = note_file.read_bytes()

    diff = _cli(["check", "--root", str(root), "--diff", str(note_file)])
    assert diff.exit_code == 1, diff.output
    assert f"# {NOTE_PATH}: CRLF の改行を LF に変換します" in diff.output
    assert re.search(r"^1 ファイルで \d+ 件の問題を修正できます（"
                     r"まだ何も書き込んでいません。"
                     r"適用するには --fix を付けて実行してください）$",
                     diff.output, re.M), diff.output
    assert note_file.read_bytes() == before

    fixed = _cli(["check", "--root", str(root), "--fix", str(note_file)])
    assert fixed.exit_code == 0, fixed.output
    assert re.search(r"^1 ファイルで \d+ 件の問題を修正しました$", fixed.output, re.M), fixed.output
    # the inserted section's placeholder is still to be written: a warning, which passes
    assert re.fullmatch(r"1 ファイルでエラー 0 件、警告 \d+ 件、情報 \d+ 件が見つかりました — 合格 "
                        r"\(--fail-on error\)", _last_line(fixed.output)), fixed.output
    assert b"\r\n" not in note_file.read_bytes()

    again = _cli(["check", "--root", str(root), "--diff", str(note_file)])
    assert again.exit_code == 0 and "修正するものはありません" in again.output


def test_fix_report_in_english_when_asked(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    root = _broken_wg(tmp_path)
    note_file = root / NOTE_PATH
    diff = _cli(["check", "--root", str(root), "--diff", str(note_file)])
    assert f"# {NOTE_PATH}: convert CRLF line endings to LF" in diff.output
    assert re.search(r"^Would fix \d+ problems in 1 file \(nothing written; run with --fix to "
                     r"apply\)\.$", diff.output, re.M), diff.output
    fixed = _cli(["check", "--root", str(root), "--fix", str(note_file)])
    assert re.search(r"^Fixed \d+ problems in 1 file\.$", fixed.output, re.M), fixed.output
    assert re.fullmatch(r"Found 0 errors, \d+ warnings?, \d+ info in 1 file — passes "
                        r"\(--fail-on error\)\.", _last_line(fixed.output)), fixed.output
    assert not JAPANESE.search(re.sub(r"`[^`]*`", "", fixed.output))


# --- the pre-commit hook, as pre-commit runs it ----------------------------------------

def _hook(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {key: value for key, value in os.environ.items()
               if key not in ("PROCEEDINGS_MESSAGES", "LANGUAGE", "LC_ALL", "LC_MESSAGES",
                              "FORCE_COLOR")}
    environ.update({"LANG": "C.UTF-8", **env})
    return subprocess.run([sys.executable, "-m", "proceedings.check.hook", *args],
                          cwd=root, env=environ, capture_output=True, text=True, timeout=120)


def test_hook_speaks_japanese_for_a_japanese_wg(tmp_path):
    root = _broken_wg(tmp_path)
    run = _hook(root, NOTE_PATH)
    assert run.returncode == 1, run.stderr
    assert f"{NOTE_PATH}:1:1: F103 " in run.stdout and f"{NOTE_PATH}:5:1: S304 " in run.stdout
    summary = _last_line(run.stdout)
    assert summary.startswith("1 ファイルでエラー ") and summary.endswith(
        "— 不合格 (--fail-on error)"), summary

    english = _hook(root, NOTE_PATH, PROCEEDINGS_MESSAGES="en")  # a person's own choice
    assert english.returncode == 1
    assert re.fullmatch(r"Found \d+ errors?, \d+ warnings?, \d+ info in 1 file; \d+ fixable with "
                        r"--fix — fails \(--fail-on error\)\.", _last_line(english.stdout))

    error = _hook(root, "--select", "ZZZ", NOTE_PATH)  # a usage error after the WG is read
    assert error.returncode == 2 and error.stdout == ""
    assert error.stderr.startswith("error: --select の `ZZZ` は"), error.stderr


def test_hook_of_a_wg_that_states_no_language_follows_the_locale(tmp_path):
    root = _broken_wg(tmp_path, config=EN_CONFIG)
    english = _hook(root, NOTE_PATH)
    assert english.returncode == 1
    assert _last_line(english.stdout).startswith("Found ")
    japanese = _hook(root, NOTE_PATH, LANG="ja_JP.UTF-8")
    assert japanese.returncode == 1
    assert _last_line(japanese.stdout).startswith("1 ファイルでエラー ")
    # before any WG is read: the locale's language
    both = _hook(root, "--json", "--format", "sarif", LANG="ja_JP.UTF-8")
    assert both.returncode == 2
    assert both.stderr.strip() == ("error: --json と --format sarif で 2 つの形式が指定されています"
                                   " — --json は --format json と同じです。どちらか一方だけを指定"
                                   "してください")


# --- build --commit: publish errors ---------------------------------------------------------------

@pytest.fixture
def ja_repo(tmp_path: Path, isolated_git) -> Path:  # noqa: F811 (fixture)
    root = make_wg(tmp_path / "wg", config=JA_CONFIG)
    commit_all(init_repo(root), "notes")
    return root


def _build(root: Path, *args: str):
    return _cli(["build", "--root", str(root), "--format", "md", *args])


def test_build_commit_refuses_uncommitted_notes_in_japanese(ja_repo, monkeypatch):
    only_the_wg_decides(monkeypatch)
    with open(ja_repo / NOTE_PATH, "a", encoding="utf-8") as handle:
        handle.write("- 追記\n")
    result = _build(ja_repo, "--commit")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"ソースにコミットされていない変更があります: {NOTE_PATH}" in text, text
    assert "--allow-dirty" in text

    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    english = _build(ja_repo, "--commit")
    assert english.exit_code == 2
    assert f"uncommitted changes in the sources: {NOTE_PATH}" in " ".join(english.output.split())


def test_publish_option_and_git_errors_in_japanese(ja_repo, tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    # the options are checked before the WG's settings are read: a person's own choice counts
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "ja")
    without_commit = _build(ja_repo, "--push")
    assert without_commit.exit_code == 2
    assert "--push は --commit と一緒にしか使えません" in " ".join(without_commit.output.split())
    monkeypatch.delenv("PROCEEDINGS_MESSAGES")  # from here on the WG's `language` decides

    unknown = _build(ja_repo, "--commit", "--push", "--remote", "nowhere")
    assert unknown.exit_code == 2
    text = " ".join(unknown.output.split())
    assert "`nowhere` という git のリモートはありません（リモート: なし）" in text, text

    plain = make_wg(tmp_path / "plain", config=JA_CONFIG)  # no git repository at all
    outside = _build(plain, "--commit")
    assert outside.exit_code == 2
    assert "は git リポジトリの中にありません" in " ".join(outside.output.split())
