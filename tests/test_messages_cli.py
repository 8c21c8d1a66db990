"""What the commands themselves print, in Japanese: results, summaries, next steps, table
headings and the `error:` line, chosen by PROCEEDINGS_MESSAGES=ja, by a Japanese locale or
by a WG's `language = "ja"`. Rule codes, paths, JSON and exit codes stay as they are, and
English (PROCEEDINGS_MESSAGES=en) reads as before.

Only the CLI's own lines are asserted here: findings, hints and the core's error texts are
other modules' messages (tests/test_messages.py covers them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from check_support import SESSION, make_wg
from git_helpers import commit_all, init_repo, isolated_git  # noqa: F401
from messages_support import JAPANESE
from proceedings.cli import app

JA_WAYS = ["PROCEEDINGS_MESSAGES=ja", "LANG=ja_JP.UTF-8"]
JA_CONFIG = 'wg_name = "Test WG"\nlanguage = "ja"\n'


def _messages(monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """Choose the message language the way a person would: `how` is one of JA_WAYS,
    `en` (the override) or `wg` (nothing set: the WG's settings decide)."""
    for variable in ("PROCEEDINGS_MESSAGES", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8" if how == "LANG=ja_JP.UTF-8" else "C.UTF-8")
    if how == "PROCEEDINGS_MESSAGES=ja":
        monkeypatch.setenv("PROCEEDINGS_MESSAGES", "ja")
    elif how == "en":
        monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    monkeypatch.setenv("COLUMNS", "200")  # Rich tables: no heading folded over two lines


def _run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _line(output: str, containing: str) -> str:
    found = [line for line in output.splitlines() if containing in line]
    assert found, f"no line with {containing!r} in:\n{output}"
    return found[0]


@pytest.fixture
def wg(tmp_path: Path) -> Path:
    return make_wg(tmp_path / "wg")  # `language` not stated: the messages are not Japanese


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", JA_WAYS)
def test_a_usage_error_is_one_japanese_line(wg, monkeypatch, how):
    _messages(monkeypatch, how)
    result = _run("check", "--json", "--format", "sarif", "--root", str(wg))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert line.startswith("error: ") and "--json" in line and "--format json" in line
    assert "どちらか一方だけを指定してください" in line, line


def test_a_usage_error_in_english(wg, monkeypatch):
    _messages(monkeypatch, "en")
    result = _run("check", "--json", "--format", "sarif", "--root", str(wg))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert result.stderr.rstrip().endswith("— --json is --format json: pass one of them")


@pytest.mark.parametrize("how", JA_WAYS)
def test_no_settings_file_gives_a_japanese_error_line(tmp_path, monkeypatch, how):
    _messages(monkeypatch, how)
    monkeypatch.chdir(tmp_path)  # no proceedings.toml here or above
    for command in ("check", "list", "build"):
        result = _run(command)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: "), result.stderr
        assert "proceedings.toml" in result.stderr


def test_no_settings_file_in_english(tmp_path, monkeypatch):
    _messages(monkeypatch, "en")
    monkeypatch.chdir(tmp_path)
    result = _run("list")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "proceedings.toml" in result.stderr


@pytest.mark.parametrize("how", JA_WAYS)
def test_an_unknown_rule(monkeypatch, how):
    _messages(monkeypatch, how)
    result = _run("explain", "M2O1")
    assert result.exit_code == 2
    assert re.fullmatch(r"error: ルール `M2O1` はありません — "
                        r"`[A-Z]\d{3}` のことではありませんか\n", result.stderr), result.stderr
    _messages(monkeypatch, "en")
    english = _run("explain", "M2O1")
    assert english.exit_code == 2
    assert re.fullmatch(r"error: no rule `M2O1` — did you mean `[A-Z]\d{3}`\?\n", english.stderr)


# --- check --------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", JA_WAYS)
def test_check_keeps_its_codes_paths_and_exit_code(tmp_path, monkeypatch, how):
    files = {f"{SESSION}/01-alpha.md": "no front matter\n"}
    root = make_wg(tmp_path / "wg", files)
    _messages(monkeypatch, "en")
    english = _run("check", "--root", str(root))
    english_json = json.loads(_run("check", "--json", "--root", str(root)).output)
    _messages(monkeypatch, how)
    japanese = _run("check", "--root", str(root))
    japanese_json = json.loads(_run("check", "--json", "--root", str(root)).output)
    assert japanese.exit_code == english.exit_code == 1

    def starts(output: str) -> list[str]:  # path:line:col: CODE
        return [m.group(0) for m in re.finditer(r"^\S+:\d+:\d+: [A-Z]\d{3} ", output, re.M)]

    assert starts(japanese.output) == starts(english.output) != []
    assert set(japanese_json) == set(english_json)
    assert [(d["code"], d["severity"], d["path"]) for d in japanese_json["diagnostics"]] == \
        [(d["code"], d["severity"], d["path"]) for d in english_json["diagnostics"]]


# --- build --------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", [*JA_WAYS, "wg"])
def test_build_reports_in_japanese(tmp_path, monkeypatch, how):
    root = make_wg(tmp_path / "wg", config=JA_CONFIG if how == "wg" else "")
    _messages(monkeypatch, how)
    first = _run("build", "--format", "md", "--root", str(root))
    assert first.exit_code == 0, first.output
    assert "書き込み済み" in _line(first.output, "proceedings.md")
    summary = first.output.strip().splitlines()[-1]
    assert re.fullmatch(r"セッション 1 件、トピック 2 件、要点 \d+ 件", summary), summary
    again = _run("build", "--format", "md", "--root", str(root))
    assert again.exit_code == 0
    assert "変更なし" in _line(again.output, "proceedings.md")
    assert again.output.strip().endswith(" — 変更はありません")


def test_build_reports_in_english(wg, monkeypatch):
    _messages(monkeypatch, "en")
    first = _run("build", "--format", "md", "--root", str(wg))
    assert first.exit_code == 0, first.output
    assert "written" in _line(first.output, "proceedings.md")
    assert re.fullmatch(r"1 session, 2 topics, \d+ key points?",
                        first.output.strip().splitlines()[-1])
    again = _run("build", "--format", "md", "--root", str(wg))
    assert "unchanged" in _line(again.output, "proceedings.md")
    assert again.output.strip().endswith(" — nothing changed")
    assert not re.search("書き込み|変更|セッション|件", first.output + again.output)


@pytest.mark.parametrize("how", JA_WAYS)
def test_build_commit_says_what_it_committed(tmp_path, monkeypatch, isolated_git, how):  # noqa: F811
    root = make_wg(tmp_path / "wg")
    repo = init_repo(root)
    commit_all(repo, "notes")
    _messages(monkeypatch, how)
    result = _run("build", "--format", "md", "--commit", "--root", str(root))
    assert result.exit_code == 0, result.output
    line = _line(result.output, "コミットしました")
    assert f"{repo.head.commit.hexsha[:7]}" in line and "(main)" in line, line
    assert re.search(r"\d+ ファイル \(", line), line
    again = _run("build", "--format", "md", "--commit", "--root", str(root))
    assert "前回のコミットから変わっていません — main にコミットしませんでした" in again.output


# --- new-session --------------------------------------------------------------------------------

@pytest.mark.parametrize("how", JA_WAYS)
def test_new_session_in_japanese(wg, monkeypatch, how):
    _messages(monkeypatch, how)
    args = ["new-session", "Kickoff", "--date", "2025-05-01", "--topic", "Intro=intro",
            "--topic", "監視", "--no-input", "--root", str(wg)]
    dry = _run(*args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "作成する予定 (dry run — 何も書き込んでいません):" in dry.output
    assert "(新しいセッション)" in dry.output
    assert "--dry-run を付けずにもう一度実行してください" in dry.output
    assert not (wg / "sessions" / "2025-05-01-kickoff").exists()
    made = _run(*args)
    assert made.exit_code == 0, made.output
    assert "作成しました (3 ファイル):" in made.output
    # the Japanese-only topic falls back to topic-2, and the note says how to choose
    fallback = _line(made.output, "topic-2")
    assert fallback.startswith("注: 「監視」にはファイル名に使える ASCII 文字がないため")
    assert '--topic "監視=SLUG" で選んでください' in fallback
    assert "proceedings rename sessions/2025-05-01-kickoff/02-topic-2.md NEW-SLUG" in fallback
    assert "次の手順" in made.output
    assert "2. チェックしてください: proceedings check" in made.output
    assert '3. コミットしてください: git add sessions/2025-05-01-kickoff && ' \
        'git commit -m "Add sessions/2025-05-01-kickoff"' in made.output


def test_new_session_in_english_and_its_json_in_both(tmp_path, monkeypatch):
    args = ["new-session", "Kickoff", "--date", "2025-05-01", "--topic", "Intro=intro",
            "--no-input"]
    english_root, japanese_root = make_wg(tmp_path / "en"), make_wg(tmp_path / "ja")
    _messages(monkeypatch, "en")
    english = json.loads(_run(*args, "--dry-run", "--json", "--root", str(english_root)).output)
    made = _run(*args, "--root", str(english_root))
    assert made.exit_code == 0
    assert "Created 2 files:" in made.output and "Next steps" in made.output
    assert "  2. Check them: proceedings check" in made.output
    assert "  3. Commit: git add sessions/2025-05-01-kickoff && " in made.output
    _messages(monkeypatch, "PROCEEDINGS_MESSAGES=ja")
    japanese = json.loads(_run(*args, "--dry-run", "--json", "--root", str(japanese_root)).output)
    del english["root"], japanese["root"]
    assert japanese == english


# --- list --------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", [*JA_WAYS, "wg"])
def test_list_in_japanese(tmp_path, monkeypatch, how):
    root = make_wg(tmp_path / "wg", config=JA_CONFIG if how == "wg" else "")
    _messages(monkeypatch, how)
    result = _run("list", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert "Test WG — セッション 1 件" in result.output
    header = _line(result.output, "日付")
    for heading in ("セッション", "トピック", "状態", "問題"):
        assert heading in header, header
    assert "2024-08-24" in result.output and "01" in result.output


def test_list_counts_problems_in_japanese(tmp_path, monkeypatch):
    root = make_wg(tmp_path / "wg", {f"{SESSION}/01-alpha.md": "no front matter\n"})
    _messages(monkeypatch, "PROCEEDINGS_MESSAGES=ja")
    result = _run("list", "--root", str(root))
    assert re.search(r"エラー \d+ 件", result.output), result.output
    _messages(monkeypatch, "en")
    english = _run("list", "--root", str(root))
    assert re.search(r"\d+ errors?", english.output), english.output
    assert "Test WG — 1 sessions" in english.output
    assert "date" in english.output and "problems" in english.output


def test_list_of_an_empty_archive(tmp_path, monkeypatch):
    root = tmp_path / "wg"
    (root / "sessions").mkdir(parents=True)
    (root / "proceedings.toml").write_text('wg_name = "W"\n', encoding="utf-8")
    _messages(monkeypatch, "LANG=ja_JP.UTF-8")
    assert _run("list", "--root", str(root)).output.strip() == \
        "セッションはまだありません。proceedings new-session で始めてください"
    _messages(monkeypatch, "en")
    assert _run("list", "--root", str(root)).output.strip() == \
        "No sessions yet. Start one with proceedings new-session."


# --- rename --------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", JA_WAYS)
def test_rename_dry_run_in_japanese(wg, monkeypatch, how):
    _messages(monkeypatch, how)
    note = wg / SESSION / "01-alpha.md"
    result = _run("rename", str(note), "first", "--dry-run", "--root", str(wg))
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert first == (f"ドライラン: ノートの名前を変更します: {SESSION}/01-alpha.md → "
                     f"{SESSION}/01-first.md"), first
    assert result.output.strip().endswith("何も書き込んでいません")
    assert note.exists()
    _messages(monkeypatch, "en")
    english = _run("rename", str(note), "first", "--dry-run", "--root", str(wg))
    assert english.output.splitlines()[0] == (
        f"Dry run: would rename the note {SESSION}/01-alpha.md → {SESSION}/01-first.md")
    assert re.fullmatch(r"Would rewrite \d+ links? in \d+ files?\. Nothing was written\.",
                        english.output.strip().splitlines()[-1])


def test_rename_in_japanese(wg, monkeypatch):
    _messages(monkeypatch, "PROCEEDINGS_MESSAGES=ja")
    result = _run("rename", str(wg / SESSION / "02-beta.md"), "second", "--root", str(wg))
    assert result.exit_code == 0, result.output
    assert "ノートの名前を変更しました: " in result.output
    assert "次に: proceedings check を実行してから、コミットしてください" in result.output
    assert (wg / SESSION / "02-second.md").exists()


# --- doctor, init, rules ------------------------------------------------------------------------

@pytest.mark.parametrize("how", JA_WAYS)
def test_doctor_table_in_japanese(wg, monkeypatch, how):
    _messages(monkeypatch, "en")
    english = _run("doctor", "--root", str(wg))
    assert "check" in english.output and "status" in english.output
    _messages(monkeypatch, how)
    result = _run("doctor", "--root", str(wg))
    assert result.exit_code == english.exit_code  # 1 when something required is missing
    header = _line(result.output, "チェック")
    assert "状態" in header and "検出結果" in header
    assert "✓ OK" in result.output or "✗ 不足" in result.output
    assert ("✓ ok" in english.output) == ("✓ OK" in result.output)
    # each row names its check in the reader's language; `--json` keeps the stable names
    assert "CJK fonts" in english.output and "CJK フォント" in result.output
    assert "CJK fonts" not in result.output
    japanese_json = json.loads(_run("doctor", "--json", "--root", str(wg)).output)
    _messages(monkeypatch, "en")
    english_json = json.loads(_run("doctor", "--json", "--root", str(wg)).output)
    assert set(japanese_json) == set(english_json)


@pytest.mark.parametrize("how", JA_WAYS)
def test_init_in_japanese(tmp_path, monkeypatch, isolated_git, how):  # noqa: F811
    _messages(monkeypatch, how)
    monkeypatch.chdir(tmp_path)
    result = _run("init", "new", "--name", "New WG")
    assert result.exit_code == 0, result.output
    assert re.search(r"^作成 +new/proceedings\.toml$", result.output, re.M), result.output
    assert "new に git リポジトリを初期化しました" in result.output
    assert "次にすること:" in result.output
    assert "メンバー全員が一度だけ:" in result.output
    again = _run("init", "new", "--name", "New WG")
    assert "既にあるためそのまま" in again.output
    assert "既存のファイルを上書きするには --force を指定してください" in again.output


def test_init_in_english(tmp_path, monkeypatch, isolated_git):  # noqa: F811
    _messages(monkeypatch, "en")
    monkeypatch.chdir(tmp_path)
    result = _run("init", "new", "--name", "New WG")
    assert result.exit_code == 0, result.output
    assert re.search(r"^created     new/proceedings\.toml$", result.output, re.M), result.output
    assert "initialized git repository in new" in result.output
    assert "Next:" in result.output and "every member, once:" in result.output
    assert not JAPANESE.search(result.output)


@pytest.mark.parametrize("how", JA_WAYS)
def test_rules_table_in_japanese_with_the_same_codes(monkeypatch, how):
    _messages(monkeypatch, "en")
    english = _run("rules")
    english_json = _run("rules", "--json").output
    _messages(monkeypatch, how)
    result = _run("rules")
    assert result.exit_code == english.exit_code == 0
    assert re.search(r"ルール \d+ 件 — 詳しくは `proceedings explain CODE`", result.output)
    header = _line(result.output, "コード")
    assert "名前" in header and "重大度" in header and "概要" in header
    codes = re.compile(r"\b[A-Z]\d{3}\b")
    assert codes.findall(result.output) == codes.findall(english.output) != []
    assert _run("rules", "--json").output == english_json
    assert re.search(r"\d+ rules — `proceedings explain CODE` for details", english.output)


def test_new_session_asks_in_japanese(wg, monkeypatch):
    _messages(monkeypatch, "LANG=ja_JP.UTF-8")
    monkeypatch.setenv("PROCEEDINGS_INTERACTIVE", "1")
    answers = "夏合宿\n2025-05-01\n\ncamp\n監視\n\nmonitoring\n"
    result = CliRunner().invoke(app, ["new-session", "--root", str(wg)], input=answers,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    asked = result.stderr
    for prompt in ("セッションのタイトル", "日付 (YYYY-MM-DD)",
                   "「夏合宿」にはフォルダ名を作れる ASCII 文字がありません",
                   "「夏合宿」のフォルダ名 (a-z, 0-9, -)",
                   "a-z、0-9 とハイフンで名前を入力してください (例: summer-camp)",
                   "トピック 01 のタイトル", "トピック 02 のタイトル (空行で終了)",
                   "「監視」のファイル名 (a-z, 0-9, -)"):
        assert prompt in asked, f"{prompt!r} not in:\n{asked}"
    assert (wg / "sessions" / "2025-05-01-camp" / "01-monitoring.md").exists()
