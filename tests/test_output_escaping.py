"""Nothing raw reaches a terminal or a CI log (issue #16, defect 8).

A hostile WG repository: a stray file whose name holds a newline and a GitHub workflow
command, a heading that clears the terminal and sets its title, a title with a right-to-left
override and Rich markup, a heading with an old-style `##[` command. The real CLI runs in a
subprocess in every output format (and the pre-commit entry, list, build, import, init,
new-session and an error line); the bytes it writes must hold no control, bidi or invisible
character, no `##[`, and no line a GitHub runner would take for a command, except the genuine
annotations of `--format github`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from check_support import SESSION, make_wg, note
from proceedings.visible import CONTROL_CHARS, json_safe, visible

RAW = re.compile(f"[{CONTROL_CHARS.replace(chr(0x0a) + '-', chr(0x0b) + '-')}]")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colours a console adds itself
COMMAND_NAME = "\n::error file=README.md::owned"
HEADING = "## \x1b[2J\x1b]0;pwned\x07 clear ##[add-mask]secret"
TITLE = "T\u202eevil [red]x[/] [link=file:///etc/passwd]y[/link]"
GENUINE = re.compile(
    r"^::(error|warning|notice) file=[^,:]*,line=\d+,col=\d+,title=[A-Z]\d{3} [a-z-]+::[^\n]*$"
)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    # S301 quotes the H1 and the title, S305 the empty section's heading.
    text = (note(TITLE).replace(f"# {TITLE}", "# H1 \x1b[2J\x1b]0;pwned\x07")
            + f"\n本文 \u2066x\u2069 and \x9b31m C1.\n\n{HEADING}\n")
    root = make_wg(tmp_path / "wg", {f"{SESSION}/01-alpha.md": text})
    (root / SESSION / COMMAND_NAME).write_text("x", encoding="utf-8")
    return root


def run(*args: str, cwd: Path, colour: bool = False) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    env["COLUMNS"] = "80"
    if colour:
        env["FORCE_COLOR"] = "1"
    return subprocess.run([sys.executable, "-m", "proceedings", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=300)


def inert(data: bytes, *, annotations: bool = False) -> str:
    """Assert that the bytes hold nothing a terminal or a GitHub runner would obey."""
    text = SGR.sub("", data.decode("utf-8"))
    raw = RAW.search(text)
    assert raw is None, f"raw {raw.group()!r} in {text!r}"
    assert "##[" not in text
    for line in text.split("\n"):
        if line.lstrip().startswith("::"):
            assert annotations and GENUINE.match(line), f"a workflow command: {line!r}"
    return text


@pytest.mark.parametrize("args", [
    (), ("--show-source",), ("--format", "json"), ("--format", "sarif"),
    ("--format", "github"),
], ids=["text", "show-source", "json", "sarif", "github"])
def test_check_in_every_format_prints_nothing_raw(hostile: Path, args: tuple[str, ...]) -> None:
    result = run("check", *args, cwd=hostile)
    assert result.returncode == 1, result.stderr
    out = inert(result.stdout, annotations="github" in args)
    inert(result.stderr)
    if not args or "--show-source" in args:
        assert "\\x1b[2J" in out and "\\u202e" in out and "\\n::error file" in out
        assert "[red]x[/]" in out  # markup shown as written
    if "github" in args:
        lines = out.splitlines()
        assert lines and all(GENUINE.match(line) for line in lines)
        assert any("%0A" not in line and "\\n%3A%3Aerror" in line for line in lines)


def test_check_with_colours_escapes_the_text_but_keeps_its_own_styles(hostile: Path) -> None:
    result = run("check", "--show-source", cwd=hostile, colour=True)
    assert b"\x1b[1m" in result.stdout  # coloured
    out = inert(result.stdout)
    assert "\\x1b[2J" in out and "[link=file:///etc/passwd]" in out


def test_json_and_sarif_keep_the_exact_text_as_json_escapes(hostile: Path) -> None:
    data = json.loads(run("check", "--format", "json", cwd=hostile).stdout)
    assert f"{SESSION}/{COMMAND_NAME}" in {d["path"] for d in data["diagnostics"]}
    messages = " ".join(d["message"] for d in data["diagnostics"])
    assert "\x1b[2J" in messages and "\u202e" in messages  # lossless once decoded
    sarif = json.loads(run("check", "--format", "sarif", cwd=hostile).stdout)
    texts = " ".join(r["message"]["text"] for r in sarif["runs"][0]["results"])
    assert "\x1b]0;pwned" in texts


def test_pre_commit_entry_prints_nothing_raw(hostile: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "proceedings.check.hook", f"{SESSION}/01-alpha.md"],
        cwd=hostile, capture_output=True, timeout=300,
    )
    assert result.returncode == 1
    assert "\\x1b[2J" in inert(result.stdout)


def test_list_shows_titles_escaped_and_markup_literally(hostile: Path) -> None:
    result = run("list", cwd=hostile)
    assert result.returncode == 0, result.stderr
    out = inert(result.stdout)
    assert "\\u202e" in out and "[red]" in out
    listed = run("list", "--json", cwd=hostile)
    inert(listed.stdout)
    titles = [t["title"] for s in json.loads(listed.stdout)["sessions"] for t in s["topics"]]
    assert TITLE in titles  # the JSON escapes decode to the exact title


def test_diff_of_fixes_shows_the_notes_lines_escaped(tmp_path: Path) -> None:
    text = note() + "\n本文 \x1b[2J\u202e ##[add-mask]x\n最後"  # no final newline: F104
    root = make_wg(tmp_path / "wg", {f"{SESSION}/01-alpha.md": text})
    result = run("check", "--diff", cwd=root)
    assert result.returncode == 1, result.stderr
    assert "+最後" in inert(result.stdout) and " 本文 \\x1b[2J\\u202e" in result.stdout.decode()


def test_build_messages_print_nothing_raw(hostile: Path) -> None:
    (hostile / SESSION / COMMAND_NAME).unlink()
    result = run("build", "--format", "md", "--force", cwd=hostile)
    inert(result.stdout)
    assert "\\x1b[2J" in inert(result.stderr) + inert(result.stdout)


def test_an_error_line_quoting_a_path_prints_nothing_raw(hostile: Path) -> None:
    result = run("check", f"{SESSION}/\x1b[2J\u202e::x.md", cwd=hostile)
    assert result.returncode == 2
    assert "\\x1b[2J\\u202e" in inert(result.stderr)


def test_a_config_value_in_a_build_table_cannot_start_a_command_line(tmp_path: Path) -> None:
    # The output folder is printed in a borderless table; a space lets Rich wrap it so that
    # `::error` would begin a line.
    folder = "out " + "a" * 60 + " ::error file=README.md::owned"
    root = make_wg(tmp_path / "wg", config=f'wg_name = "W"\noutput_dir = "{folder}"\n')
    result = run("build", "--format", "md", cwd=root)
    assert result.returncode == 0, result.stderr
    inert(result.stdout)


def test_import_new_session_and_init_print_nothing_raw(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    memo = tmp_path / "memo.md"
    memo.write_text(f"# 合宿 \x1b[2J [red]r[/]\n\nDate: 2020/07/04\n\n{HEADING}\n\n- 論点\n",
                    encoding="utf-8")
    result = run("import", str(memo), "--dry-run", cwd=root)
    assert result.returncode == 0, result.stderr
    out = inert(result.stdout)
    assert "\\x1b[2J" in out and "[red]r[/]" in out
    result = run("new-session", "New \u202e [bold]t", "--date", "2024-09-01", "--slug",
                 "new", "--topic", "話題 [red]x=topic", "--dry-run", cwd=root)
    assert result.returncode == 0, result.stderr
    out = inert(result.stdout)
    assert "\\u202e [bold]t" in out and "話題 [red]x" in out
    result = run("new-session", "New", "--date", "2024-09-01", "--slug", "new",
                 "--topic", "話題 \x1b]0;x\x07=topic", "--dry-run", cwd=root)
    assert result.returncode == 2  # refused, and the refusal quotes it escaped
    assert "\\x1b]0;x\\x07" in inert(result.stderr)
    result = run("init", str(tmp_path / "wg2\x1b[2J"), "--name", "W", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wg2\\x1b[2J" in inert(result.stdout)


@pytest.mark.parametrize("text, shown", [
    ("a\x1b[2Jb", "a\\x1b[2Jb"),
    ("x\ny\rz", "x\\ny\\rz"),
    ("\u202eabc\u2066", "\\u202eabc\\u2066"),
    ("\x9b\x7f\x00", "\\x9b\\x7f\\x00"),
    ("::error::x", "\\x3a:error::x"),
    ("  ::x", "  \\x3a:x"),
    ("std::vector ##[add-mask]", "std::vector #\\x23[add-mask]"),
    ("tab\tand 日本語 and 👨\u200d👩", "tab\tand 日本語 and 👨\u200d👩"),
])
def test_visible_escapes_what_a_terminal_or_runner_would_obey(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert visible(shown) == shown  # escaping twice changes nothing


# Text made of the characters that matter here, and of anything else.
HOSTILE_TEXT = st.text(st.sampled_from(
    list(":#[] \t\n\r\x1b\x9b\x7f\u202e\u2066\u200b\u2028\u3000a日")
)) | st.text()


@given(HOSTILE_TEXT)
def test_visible_output_is_always_one_inert_line(text: str) -> None:
    shown = visible(text)
    assert RAW.search(shown) is None and "\n" not in shown
    assert not shown.lstrip().startswith("::") and "##[" not in shown


@given(st.lists(HOSTILE_TEXT), HOSTILE_TEXT)
def test_json_safe_keeps_the_data_and_writes_nothing_raw(items: list[str], key: str) -> None:
    data = {key: items}
    dumped = json_safe(json.dumps(data, ensure_ascii=False, indent=2))
    assert json.loads(dumped) == data
    assert RAW.search(dumped) is None and "##[" not in dumped
    assert not any(line.lstrip().startswith("::") for line in dumped.split("\n"))
