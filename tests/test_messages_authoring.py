"""Japanese messages of the authoring commands (new-session, rename, import, init) and of the
compile stage of a build: real CLI runs on real temporary WG archives, with Japanese chosen by
PROCEEDINGS_MESSAGES=ja or by a WG that states `language = "ja"`. Codes, paths, option names
and exit codes stay as they are; with PROCEEDINGS_MESSAGES=en the same runs read in English.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import SESSION, make_wg
from messages_support import JAPANESE
from proceedings.cli import app

JA_CONFIG = 'wg_name = "テスト WG"\nlanguage = "ja"\n'
MEMOS = Path(__file__).parent / "fixtures" / "memos"
ENV = {"COLUMNS": "200", "NO_COLOR": "1", "PROCEEDINGS_INTERACTIVE": "0"}
PNG_NAMED_BUT_NOT = "## 概要\n\n図。\n\n![図](images/flow.png)\n\n## 議論\n\n- 論点\n"


def _messages(monkeypatch: pytest.MonkeyPatch, language: str | None) -> None:
    """Messages in `language` (None: no override, so the WG's settings decide)."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    if language is None:
        monkeypatch.delenv("PROCEEDINGS_MESSAGES", raising=False)
    else:
        monkeypatch.setenv("PROCEEDINGS_MESSAGES", language)


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), env=ENV, catch_exceptions=False)


def _error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("error: ")]
    assert lines, output
    return lines[0]


def _without_quoted(text: str) -> str:
    """`text` without what it quotes from the repository or the command line."""
    return re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "", text)


# --- new-session -------------------------------------------------------------------------------

def test_new_session_missing_values_in_japanese_and_english(tmp_path, monkeypatch):
    root = make_wg(tmp_path / "wg")
    _messages(monkeypatch, "ja")
    result = _cli("new-session", "--root", str(root), "夏合宿")
    assert result.exit_code == 2
    line = _error_line(result.output)
    # the missing options joined the Japanese way, each example and option kept as typed
    assert "--date と --topic がありません" in line, line
    assert "--date YYYY-MM-DD" in line and '--topic "TOPIC"' in line
    assert "トピックごとに繰り返してください" in line and "ターミナル" in line

    _messages(monkeypatch, "en")
    result = _cli("new-session", "--root", str(root), "夏合宿")
    assert result.exit_code == 2
    assert _error_line(result.output) == (
        'error: missing --date and --topic: pass --date YYYY-MM-DD --topic "TOPIC" (repeat '
        "for each topic) — prompts appear only on a terminal")


def test_new_session_slug_and_add_topic_errors_in_japanese(tmp_path, monkeypatch):
    root = make_wg(tmp_path / "wg")
    _messages(monkeypatch, "ja")
    bad_slug = _cli("new-session", "--root", str(root), "Camp", "--date", "2025-01-02",
                    "--topic", "A", "--slug", "../x")
    assert bad_slug.exit_code == 2
    line = _error_line(bad_slug.output)
    assert line.startswith("error: スラッグ `../x` (--slug): ") and "(`..`)" in line, line
    assert JAPANESE.search(_without_quoted(line.split("—")[-1]))  # the hint too

    extra = _cli("new-session", "--root", str(root), "--add-topic", "2024-08-24-camp",
                 "--date", "2025-01-02", "--event", "Meetup", "--topic", "A")
    assert extra.exit_code == 2
    line = _error_line(extra.output)
    assert "--date と --event は使えません" in line, line

    taken = _cli("new-session", "--root", str(root), "Camp", "--date", "2024-08-24",
                 "--topic", "A", "--slug", "camp")
    assert taken.exit_code == 2
    line = _error_line(taken.output)
    assert "sessions/2024-08-24-camp" in line and "すでに存在します" in line, line
    assert "--add-topic 2024-08-24-camp" in line
    assert not (root / "sessions" / "2024-08-24-camp" / "01-a.md").exists()

    _messages(monkeypatch, "en")
    extra = _cli("new-session", "--root", str(root), "--add-topic", "2024-08-24-camp",
                 "--date", "2025-01-02", "--event", "Meetup", "--topic", "A")
    assert "--date and --event do not apply" in _error_line(extra.output)


def test_a_template_that_breaks_the_note_is_reported_in_japanese(tmp_path, monkeypatch):
    """A WG's template that makes a note without front matter: nothing is written, and the
    error (made of the problems found) is Japanese in a `language = "ja"` WG."""
    root = make_wg(tmp_path / "wg", {"templates/note.md.j2": "# {{ title }}\n"},
                   config=JA_CONFIG)
    _messages(monkeypatch, None)
    result = _cli("new-session", "--root", str(root), "Camp", "--date", "2025-01-02",
                  "--topic", "Monitoring")
    assert result.exit_code == 2
    line = _error_line(result.output)
    assert "front matter がありません" in line and "何も書き込んでいません" in line, line
    assert not (root / "sessions" / "2025-01-02-camp").exists()


# --- rename --------------------------------------------------------------------------------------

def test_rename_dry_run_lists_what_stays_in_japanese(tmp_path, monkeypatch):
    root = make_wg(tmp_path / "wg", {
        f"{SESSION}/02-beta.md": "---\ntitle: ベータ\n---\n\n# ベータ\n\n## 概要\n\n"
        "[アルファ](01-alpha.md) を参照。古い名前は 01-alpha.md だった。\n\n## 議論\n\n- 論点\n",
    }, config=JA_CONFIG)
    _messages(monkeypatch, None)  # the WG's `language = "ja"` decides
    result = _cli("rename", "--root", str(root), "--dry-run", f"{SESSION}/01-alpha.md", "first")
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert f"{SESSION}/02-beta.md:9:" in flat
    assert "`01-alpha.md` の名前を含みますがリンクではないため、そのままにしました" in flat, flat
    assert (root / SESSION / "01-alpha.md").exists()  # a dry run

    as_json = _cli("rename", "--root", str(root), "--dry-run", "--json",
                   f"{SESSION}/01-alpha.md", "first")
    data = json.loads(as_json.stdout)
    assert data["changes"][0]["new"] == "01-first.md"  # keys and values of the format as ever
    assert JAPANESE.search(data["left_alone"][0]["reason"])

    _messages(monkeypatch, "en")
    result = _cli("rename", "--root", str(root), "--dry-run", f"{SESSION}/01-alpha.md", "first")
    assert "names `01-alpha.md` but does not link to it; left as is" in " ".join(
        result.output.split())


def test_rename_confinement_and_slug_errors_are_whole_japanese_sentences(tmp_path, monkeypatch):
    root = make_wg(tmp_path / "wg")
    outside = tmp_path / "outside.md"
    outside.write_text("# x\n", encoding="utf-8")
    _messages(monkeypatch, "ja")
    result = _cli("rename", "--root", str(root), str(outside), "x")
    assert result.exit_code == 2
    assert _error_line(result.output) == (
        f"error: `{outside}` はリポジトリの外を指しています — "
        "このリポジトリのノートとセッションだけを指定してください")

    bad = _cli("rename", "--root", str(root), f"{SESSION}/01-alpha.md", "Bad_Slug")
    assert bad.exit_code == 2
    line = _error_line(bad.output)
    assert line.startswith("error: NEW-SLUG `Bad_Slug`: ") and "NEW-SLUG bad-slug" in line, line
    assert JAPANESE.search(_without_quoted(line))

    _messages(monkeypatch, "en")
    result = _cli("rename", "--root", str(root), str(outside), "x")
    assert _error_line(result.output) == (
        f"error: `{outside}` leads outside the repository — rename notes and sessions of "
        "this repository only")


# --- import --------------------------------------------------------------------------------------

def test_import_findings_and_errors_in_japanese(tmp_path, monkeypatch):
    memos = tmp_path / "memos"
    shutil.copytree(MEMOS, memos)
    root = make_wg(tmp_path / "wg", config=JA_CONFIG)
    _messages(monkeypatch, None)
    summer = memos / "20200704_SummerCampDiscussion"
    result = _cli("import", "--root", str(root), "--dry-run", "--json", str(summer))
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    findings = [f["message"] for memo in plan["sessions"]
                for f in memo["unmapped"] + memo["decisions"]]
    assert findings and all(JAPANESE.search(_without_quoted(m)) for m in findings), findings
    assert "セクション `まとめ` はトピックの後にあるため、session.md に残しました" in findings

    undated = _cli("import", "--root", str(root), str(memos / "LunchTalkNotes"))
    assert undated.exit_code == 2
    line = _error_line(undated.output)
    assert "LunchTalkNotes/memo.md: 日付が見つかりません" in line, line
    assert line.endswith("--date YYYY-MM-DD を指定してください")

    two = _cli("import", "--root", str(root), "--date", "2020-01-01", str(summer),
               str(memos / "20210305_OnlineStudyGroup"))
    assert two.exit_code == 2
    assert "--date は 1 つのメモにだけ使えますが、メモが 2 件見つかりました" in two.output

    _messages(monkeypatch, "en")
    undated = _cli("import", "--root", str(root), str(memos / "LunchTalkNotes"))
    assert "has no recognisable date" in _error_line(undated.output)
    assert not JAPANESE.search(_without_quoted(_error_line(undated.output)))


# --- init ----------------------------------------------------------------------------------------

def test_init_errors_in_japanese(tmp_path, monkeypatch):
    a_file = tmp_path / "taken"
    a_file.write_text("", encoding="utf-8")
    _messages(monkeypatch, "ja")
    result = _cli("init", str(a_file))
    assert result.exit_code == 2
    assert _error_line(result.output) == f"error: {a_file} は存在しますがフォルダではありません"

    result = _cli("init", str(tmp_path / "wg"), "--ci", "gitlab")
    assert result.exit_code == 2
    assert _error_line(result.output) == (
        "error: 不明な CI サービス 'gitlab' です — 対応しているもの: github")
    result = _cli("init", str(tmp_path / "wg"), "--pages")
    assert _error_line(result.output) == (
        "error: --pages には --ci github が必要です — --ci github --pages を指定してください")
    assert not (tmp_path / "wg").exists()

    _messages(monkeypatch, "en")
    result = _cli("init", str(tmp_path / "wg"), "--ci", "gitlab")
    assert _error_line(result.output) == (
        "error: unknown CI provider 'gitlab' — supported: github")


# --- build: the compile stage -------------------------------------------------------------------

def test_a_compile_finding_in_japanese(tmp_path, monkeypatch):
    root = make_wg(tmp_path / "wg", {
        f"{SESSION}/01-alpha.md": "---\ntitle: アルファ\n---\n\n# アルファ\n\n"
        + PNG_NAMED_BUT_NOT,
        f"{SESSION}/images/flow.png": b"not a picture",
    }, config=JA_CONFIG)
    _messages(monkeypatch, None)
    result = _cli("build", "--root", str(root), "--format", "md")
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if " B803 " in line)
    assert line.startswith(f"{SESSION}/01-alpha.md:11:1: B803 画像 `images/flow.png` の名前は "
                           ".png ですが、PNG ファイルではありません"), line
    assert "書き出し直すか" in line  # the hint
    assert not (root / "proceedings").exists()

    _messages(monkeypatch, "en")
    result = _cli("build", "--root", str(root), "--format", "md")
    assert (f"{SESSION}/01-alpha.md:11:1: B803 image `images/flow.png` is named .png but is "
            "not a PNG file") in result.output


def test_build_of_an_unknown_session_in_japanese(tmp_path, monkeypatch):
    root = make_wg(tmp_path / "wg")
    _messages(monkeypatch, "ja")
    result = _cli("build", "--root", str(root), "--format", "md", "--session", "nope")
    assert result.exit_code == 2
    assert _error_line(result.output) == (
        "error: sessions/ にセッション `nope` がありません — セッション: 2024-08-24-camp")
