"""Japanese messages of the loader and the settings: what `check` shows about encodings, front
matter, file and folder names, and the one-line errors about proceedings.toml, in Japanese
when the WG states `language = "ja"` (or PROCEEDINGS_MESSAGES=ja, or a Japanese locale), and
exactly as before in English. Codes, paths, line numbers and exit codes do not change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import DIAGNOSTIC_LINE, SESSION, make_wg, note
from messages_support import JAPANESE, only_the_wg_decides
from proceedings import i18n
from proceedings.cli import app
from proceedings.config import load_config
from proceedings.errors import ProceedingsError
from proceedings.load.workspace import load_workspace

BACKTICKS = re.compile(r"`[^`]*`")

# One file or folder for each kind of problem the loader finds (code -> what causes it).
PROBLEMS: dict[str, dict[str, str | bytes | None]] = {
    "F103": {f"{SESSION}/02-beta.md": note("ベータ").replace("\n", "\r\n")},
    "F110": {f"{SESSION}/03-gamma.md": note("ガンマ、日本語の文章です。").encode("cp932")},
    "M201": {f"{SESSION}/04-delta.md": "# delta\n\nno front matter\n"},
    "M203": {f"{SESSION}/05-epsilon.md": "---\nscribes: [a]\n---\n\n# e\n"},
    "M204": {f"{SESSION}/06-zeta.md": "---\ntitle: z\ntitel: z\n---\n\n# z\n"},
    "M205": {f"{SESSION}/07-eta.md": "---\ntitle: e\nscribes: 3\n---\n\n# e\n"},
    "M212": {f"{SESSION}/08-theta.md": "---\ntitle: 監視: 設計\n---\n\n# t\n"},
    "M213": {f"{SESSION}/09-iota.md": "---\ntitle: i\ntags: [a, b\n---\n\n# i\n"},
    "S310": {f"{SESSION}/10-kappa.md": "---\ntitle：kappa\n---\n\n# kappa\n"},
    "T501": {f"{SESSION}/Notes.md": note("ノート")},
    "T504": {f"{SESSION}/data.xyz": "x\n"},
    "T506": {"sessions/2024_09_01_Retro/session.md": "---\ntitle: 振り返り\ndate: 2024-09-01\n"
                                                     "---\n",
             "sessions/2024_09_01_Retro/01-a.md": note("エー")},
    "T507": {"sessions/2024-10-01-empty/session.md": "---\ntitle: 空\ndate: 2024-10-01\n---\n"},
}


def _ja_config(extra: str = "") -> str:
    return f'wg_name = "テスト WG"\nlanguage = "ja"\n{extra}'


def _cli(args: list[str]):
    return CliRunner().invoke(app, args, catch_exceptions=False)


def _archive(tmp_path: Path, config: str) -> Path:
    files: dict[str, str | bytes | None] = {}
    for changes in PROBLEMS.values():
        files.update(changes)
    return make_wg(tmp_path / "wg", files, config=config)


def _findings(output: str) -> dict[str, list[tuple[str, str]]]:
    """code -> [(path, message with hint)] of each finding line of the text format."""
    found: dict[str, list[tuple[str, str]]] = {}
    for line in output.splitlines():
        match = DIAGNOSTIC_LINE.match(line)
        if match:
            found.setdefault(match["code"], []).append((match["path"], match["message"]))
    return found


def _tool_words(text: str) -> str:
    """`text` without what is quoted from the repository (in backticks, or the note titles)."""
    return BACKTICKS.sub("", text)


def test_a_japanese_wg_sees_the_loader_findings_in_japanese(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = _archive(tmp_path, _ja_config())
    result = _cli(["check", "--root", str(root)])
    assert result.exit_code == 1, result.output
    found = _findings(result.output)
    for code in PROBLEMS:
        assert code in found, f"{code} missing:\n{result.output}"
        for path, message in found[code]:
            assert path.startswith("sessions/"), path
            assert JAPANESE.search(_tool_words(message)), f"{code} not Japanese: {message}"
    # the hint (in parentheses) is Japanese too, and keeps the command it names
    crlf = found["F103"][0][1]
    assert "`proceedings check --fix` を実行してください" in crlf, crlf
    assert any("`proceedings rename " in message for _path, message in found["T506"])


def test_the_same_findings_read_as_before_in_english(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    root = _archive(tmp_path, _ja_config())
    result = _cli(["check", "--root", str(root)])
    assert result.exit_code == 1, result.output
    found = _findings(result.output)
    assert set(PROBLEMS) <= set(found), result.output
    for code in PROBLEMS:
        for _path, message in found[code]:
            assert not JAPANESE.search(_tool_words(message)), f"{code}: {message}"
    assert found["F103"][0][1] == "CRLF line endings (run `proceedings check --fix`)"
    assert found["M201"][0][1] == ("note has no front matter (start the file with `---`, "
                                   "`title: …`, `---`)")
    assert any(message.startswith("unknown key `titel` (did you mean `title`?)")
               for _path, message in found["M204"])


def test_json_keeps_codes_and_severities_with_japanese_messages(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "ja")
    root = _archive(tmp_path, 'wg_name = "W"\n')  # the override alone chooses Japanese
    result = _cli(["check", "--root", str(root), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    findings = data["diagnostics"]
    by_code = {finding["code"]: finding for finding in findings}
    assert set(PROBLEMS) <= set(by_code)
    assert by_code["M201"]["severity"] == "error"
    assert by_code["F103"]["severity"] == "warning"
    assert by_code["M201"]["message"] == "ノートに front matter がありません"
    assert JAPANESE.search(by_code["F110"]["message"])
    assert "Shift_JIS" in by_code["F110"]["message"]  # the encoding's name stays as it is


@pytest.mark.parametrize(("extra", "line", "english"), [
    ("wg_nam = \"x\"\n", 3, "unknown setting `wg_nam` — did you mean `wg_name`?"),
    ("[check]\nfail_on = \"fatal\"\n", 4,
     '`check.fail_on` must be one of "error", "warning", "info", not \'fatal\''),
    ("sessions_dir = \"/abs\"\n", 3, "`sessions_dir` must be a folder path relative to the WG"),
    ("[build]\nmax_output_ratio = 0\n", 4, "`build.max_output_ratio` must be a whole number of "
     "at least 1, not 0"),
])
def test_settings_errors_follow_the_language_the_settings_state(
        tmp_path, monkeypatch, extra, line, english):
    """`language = "ja"` counts from the moment the file is parsed: the errors about the
    other keys of the same file are Japanese already, with the same file, line and exit
    code; with PROCEEDINGS_MESSAGES=en they read as before."""
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", config=_ja_config(extra))
    result = _cli(["check", "--root", str(root)])
    assert result.exit_code == 2, result.output
    assert f"proceedings.toml:{line}:" in result.output
    assert JAPANESE.search(_tool_words(result.output.replace("テスト WG", ""))), result.output

    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    english_result = _cli(["check", "--root", str(root)])
    assert english_result.exit_code == 2
    assert f"proceedings.toml:{line}:" in english_result.output
    assert english in " ".join(english_result.output.split()), english_result.output
    assert not JAPANESE.search(english_result.output)


def test_language_stated_after_the_bad_key_still_counts(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", config='wg_name = 3\nlanguage = "ja"\n')
    with pytest.raises(ProceedingsError) as caught:
        load_config(root)
    assert str(caught.value).endswith(
        "proceedings.toml:1: `wg_name` の値 3 は使えません（指定できる値: 文字列）")
    assert i18n.current_language() == "ja"


def test_an_english_wg_gets_english_settings_errors(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", config='language = "en"\nwg_name = 3\n')
    with pytest.raises(ProceedingsError) as caught:
        load_config(root)
    assert str(caught.value).endswith("proceedings.toml:2: `wg_name` must be a string, not 3")


def test_invalid_toml_and_missing_settings_in_a_japanese_locale(tmp_path, monkeypatch):
    """Before any settings are read, the locale decides."""
    only_the_wg_decides(monkeypatch)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    nowhere = tmp_path / "empty"
    nowhere.mkdir()
    monkeypatch.chdir(nowhere)
    result = _cli(["check"])
    assert result.exit_code == 2
    assert "proceedings.toml が見つかりません" in result.output, result.output
    assert "--root DIR" in result.output and "`proceedings init`" in result.output

    root = make_wg(tmp_path / "wg", config="wg_name = \n")
    result = _cli(["check", "--root", str(root)])
    assert result.exit_code == 2
    assert "proceedings.toml:1: TOML として正しくありません" in result.output, result.output


def test_loader_errors_of_a_japanese_wg(tmp_path, monkeypatch):
    """A missing sessions folder is a one-line error in Japanese, naming the setting."""
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", config=_ja_config('sessions_dir = "notes"\n'))
    loaded = load_config(root)
    with pytest.raises(ProceedingsError) as caught:
        load_workspace(loaded)
    message = str(caught.value)
    assert "`notes`" in message and "`sessions_dir`" in message
    assert JAPANESE.search(_tool_words(message)), message


def test_encoding_hints_are_japanese_and_keep_the_command(tmp_path, monkeypatch):
    """F101 for bytes no conversion can be sure of: the reason and the `iconv` command."""
    only_the_wg_decides(monkeypatch)
    raw = "---\ntitle: café\n---\n\n# café résumé\n".encode("cp1252")
    root = make_wg(tmp_path / "wg", {f"{SESSION}/03-cafe.md": raw}, config=_ja_config())
    result = _cli(["check", "--root", str(root), "--select", "F1"])
    found = _findings(result.output)
    assert "F101" in found, result.output
    message = found["F101"][0][1]
    assert "iconv -f " in message and "-t UTF-8 03-cafe.md" in message
    assert JAPANESE.search(_tool_words(message)), message


@pytest.mark.parametrize(("language", "expected"), [
    ("ja", "front matter の YAML エラー: あるはずの '-' が見つかりません"),
    ("en", "YAML: did not find expected '-' indicator"),
])
def test_yaml_syntax_errors_say_what_pyyaml_found(tmp_path, monkeypatch, language, expected):
    """M202 shows PyYAML's own problem; the common ones are translated."""
    only_the_wg_decides(monkeypatch)
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", language)
    bad = "---\ntitle: t\ntags:\n  - a\n  b: 2\n---\n\n# t\n"
    root = make_wg(tmp_path / "wg", {f"{SESSION}/03-gamma.md": bad})
    result = _cli(["check", "--root", str(root), "--select", "M202"])
    found = _findings(result.output)
    assert result.exit_code == 1 and "M202" in found, result.output
    assert found["M202"][0] == (f"{SESSION}/03-gamma.md", expected)
