"""Japanese messages: every message has a translation, the compiled catalog is current, and a
Japanese WG (or locale) sees Japanese findings, hints, summaries and command output, while
rule codes and machine formats stay as they are.

The rest of the suite pins English with PROCEEDINGS_MESSAGES=en (tests/conftest.py); the
tests here lift that pin where they need to.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from typer.testing import CliRunner

from check_support import make_wg, run_check
from messages_support import JAPANESE, only_the_wg_decides, without_sentences
from proceedings import i18n
from proceedings.cli import app
from test_rules_fixtures import CASES, Case

SRC = Path(i18n.__file__).parent
PO_FILE = SRC / "locale" / "ja" / "LC_MESSAGES" / "proceedings.po"
MO_FILE = PO_FILE.with_suffix(".mo")
FIELD = re.compile(r"\{[a-z_0-9]*(?:![rs])?(?::[^{}]*)?\}")
MARKUP = re.compile(r"\[/?[a-z ]*\]")


def extracted() -> dict[str, str]:
    """Every marked message in src/proceedings (msgid → first file), as Babel extracts it."""
    found: dict[str, str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(str(SRC)):
        # a plural (ngettext) is one catalog entry, known by its singular
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, filename)
    return found


def catalog():
    with PO_FILE.open("rb") as handle:
        return read_po(handle, locale="ja")


def test_every_message_has_a_japanese_translation():
    translations = catalog()
    missing = []
    for msgid, filename in extracted().items():
        entry = translations.get(msgid)
        text = entry.string if entry is not None else ""
        texts = text if isinstance(text, tuple) else (text,)
        if entry is None or entry.fuzzy or not all(texts):
            missing.append(f"{filename}: {msgid!r}")
    assert not missing, "no Japanese translation (run `scripts/dev messages`, then translate " \
        "in proceedings.po):\n" + "\n".join(missing)


def test_translations_keep_fields_and_markup():
    """A translation that drops or renames `{field}` would raise or lose a value at run time;
    one that changes Rich markup would print tags or colour the wrong words."""
    wrong = []
    for entry in catalog():
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for text in strings:
            for pattern in (FIELD, MARKUP):
                if sorted(pattern.findall(ids[-1])) != sorted(pattern.findall(text)):
                    wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


def test_compiled_catalog_is_current():
    buffer = io.BytesIO()
    write_mo(buffer, catalog())
    assert MO_FILE.read_bytes() == buffer.getvalue(), "run `scripts/dev messages`"


def test_no_stale_entries():
    current = set(extracted())
    stale = [entry.id for entry in catalog() if entry.id and
             (entry.id[0] if isinstance(entry.id, tuple) else entry.id) not in current]
    assert not stale, f"run `scripts/dev messages`: {stale}"


def _translation_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_", "ngettext")):
            yield node


def test_messages_are_marked_as_plain_literals():
    """Babel extracts only a literal: `_(f"…{x}")`, `_("a" + b)` or `_("…".format(x))` would
    never be translated. (`_(name)` is how a string marked with `N_()` elsewhere is shown.)
    `N_()` and `ngettext()` take literals only. A module that imports `_` must not reuse the
    name as a throwaway variable."""
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        rel = path.relative_to(SRC)
        for call in _translation_calls(tree):
            name = call.func.id  # type: ignore[attr-defined]
            args = call.args[:2] if name == "ngettext" else call.args[:1]
            if name == "_" and args and isinstance(args[0], ast.Name | ast.Attribute):
                continue
            if not args or not all(isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                                   for arg in args):
                problems.append(f"{rel}:{call.lineno}: {name}() of something else than a "
                                "plain string literal")
        imports_underscore = any(
            isinstance(node, ast.ImportFrom) and any(alias.name == "_" for alias in node.names)
            for node in ast.walk(tree))
        if imports_underscore:
            problems.extend(
                f"{rel}:{node.lineno}: assigns to `_`, which is the translation function here"
                for node in ast.walk(tree)
                if isinstance(node, ast.Name) and node.id == "_"
                and isinstance(node.ctx, ast.Store))
    assert not problems, "\n".join(problems)


# --- choosing the language ---------------------------------------------------------------------

@pytest.mark.parametrize(("environ", "stated", "expected"), [
    ({}, None, "en"),
    ({"LANG": "C.UTF-8"}, None, "en"),
    ({"LANG": "en_US.UTF-8"}, "en", "en"),
    ({}, "ja", "ja"),
    ({"LANG": "ja_JP.UTF-8"}, None, "ja"),
    ({"LANGUAGE": "ja:en", "LANG": "en_US.UTF-8"}, None, "ja"),
    ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, None, "en"),  # LC_ALL wins over LANG
    ({"PROCEEDINGS_MESSAGES": "en"}, "ja", "en"),  # a person's own choice wins
    ({"PROCEEDINGS_MESSAGES": "ja", "LANG": "C"}, "en", "ja"),
    ({"PROCEEDINGS_MESSAGES": "fr", "LANG": "ja_JP.UTF-8"}, None, "ja"),  # unknown: ignored
])
def test_choose_language(environ, stated, expected):
    assert i18n.choose_language(stated, environ) == expected


# --- what a Japanese WG sees ---------------------------------------------------------------------


JA_CONFIG = 'wg_name = "テスト WG"\nlanguage = "ja"\n'


@pytest.mark.parametrize("case", CASES, ids=[case.code for case in CASES])
def test_every_finding_is_japanese_in_a_japanese_wg(
        case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", case.failing, _with_ja(case.config))
    for rel, target in case.symlinks.items():
        os.symlink(target, root / rel)
    report = run_check(root)
    findings = [d for d in report.diagnostics if d.code == case.code]
    assert findings
    for finding in findings:
        assert JAPANESE.search(finding.message), finding.format()
        assert not finding.hint or JAPANESE.search(finding.hint), finding.format()


def _with_ja(config: str) -> str:
    if not config:
        return JA_CONFIG
    return f'language = "ja"\n{config}' if "language" not in config else config


def _cli(args: list[str]):
    return CliRunner().invoke(app, args, catch_exceptions=False)


def test_check_summary_and_text_format_in_japanese(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    root = make_wg(tmp_path / "wg", {"sessions/2025-01-01-s/01-alpha.md": "no front matter\n"},
                   config=JA_CONFIG)
    result = _cli(["check", "--root", str(root)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    finding = next(line for line in lines if "01-alpha.md:" in line)
    # the machine-readable start of the line is unchanged: path:line:col: CODE
    assert re.match(r"sessions/2025-01-01-s/01-alpha\.md:\d+:\d+: [A-Z]\d{3} ", finding)
    assert JAPANESE.search(finding)
    assert JAPANESE.search(lines[-1]), lines[-1]  # the summary


def test_json_keys_codes_and_severities_stay_the_same(tmp_path, monkeypatch):
    files = {"sessions/2025-01-01-s/01-alpha.md": "no front matter\n"}
    english = make_wg(tmp_path / "en", files, config='wg_name = "W"\n')
    japanese = make_wg(tmp_path / "ja", files, config=JA_CONFIG)
    monkeypatch.setenv("PROCEEDINGS_MESSAGES", "en")
    before = json.loads(_cli(["check", "--json", "--root", str(english)]).output)
    only_the_wg_decides(monkeypatch)
    after = json.loads(_cli(["check", "--json", "--root", str(japanese)]).output)

    # two archives (en/ja) in two folders: all but `root` must match
    assert without_sentences(before)["diagnostics"] == without_sentences(after)["diagnostics"]
    assert set(before) == set(after)
    assert all(JAPANESE.search(d["message"]) for d in after["diagnostics"])


def test_english_stays_the_default(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)  # no override, C locale
    root = make_wg(tmp_path / "wg", {"sessions/2025-01-01-s/01-alpha.md": "no front matter\n"},
                   config='wg_name = "W"\n')  # `language` not stated: notes default to ja,
    result = _cli(["check", "--root", str(root)])  # messages stay English
    # section names in `backticks` are the WG's own words (its default sections are Japanese)
    tool_words = re.sub(r"`[^`]*`", "", result.output)
    assert result.exit_code == 1 and not JAPANESE.search(tool_words), result.output


def test_japanese_locale_without_a_config(tmp_path, monkeypatch):
    only_the_wg_decides(monkeypatch)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    monkeypatch.chdir(tmp_path)
    result = _cli(["check"])  # no proceedings.toml anywhere: the error is in Japanese
    assert result.exit_code != 0 and JAPANESE.search(result.output), result.output


def test_pre_commit_hook_speaks_japanese(tmp_path):
    root = make_wg(tmp_path / "wg", {"sessions/2025-01-01-s/01-alpha.md": "no front matter\n"},
                   config=JA_CONFIG)
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "proceedings.check.hook", "--root", str(root)],
        capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 1
    assert JAPANESE.search(done.stdout.replace("テスト", "")), done.stdout
