"""What a user sees from `proceedings check`: text lines and summary, --show-source, colours,
JSON / GitHub / SARIF parsed back, the pre-commit entry, `rules` and `explain`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from check_support import SESSION, make_wg, note, parse_text_output
from proceedings.check.hook import build_parser
from proceedings.check.rules.docs import load_all_codes
from proceedings.cli import app

A = f"{SESSION}/01-alpha.md"
PROBLEMS = note("アルファ").replace("# アルファ", "# 別名") + "\n監視の <b>構成</b>\n"
# S301 (error) at 5:1, C406 (warning) at 15:5 (the `<b>` after "監視の ")


@pytest.fixture
def wg(tmp_path: Path) -> Path:
    return make_wg(tmp_path / "wg", {A: PROBLEMS})


def check(root: Path, *args: str):
    return CliRunner().invoke(app, ["check", "--root", str(root), *args])


def test_text_lines_then_a_summary(wg: Path) -> None:
    result = check(wg)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{A}:5:1: S301 H1 `別名` differs from the title `アルファ`")
    assert lines[1].startswith(f"{A}:15:5: C406 raw HTML `<b>`")
    assert lines[2] == (
        "Found 1 error, 1 warning, 0 info in 3 files — fails (--fail-on error)."
    )
    assert "\x1b[" not in result.output  # piped: plain text


def test_a_stray_file_given_alone_is_reported_without_a_file_count(wg: Path) -> None:
    stray = wg / SESSION / ".DS_Store"
    stray.write_bytes(b"\0\1")
    result = check(wg, str(stray))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{SESSION}/.DS_Store:1:1: T504 ")
    assert lines[1] == "Found 1 error, 0 warnings, 0 info — fails (--fail-on error)."


def test_show_source_puts_a_caret_under_the_column(wg: Path) -> None:
    result = check(wg, "--show-source", "--select", "C406")
    lines = result.output.splitlines()
    assert lines[1] == " 15 | 監視の <b>構成</b>"
    # "監視の " is three wide characters and a space: seven cells before the caret.
    assert lines[2] == "    |        ^"
    assert lines[2].index("^") - lines[2].index("|") - 2 == 7


def test_show_source_reads_old_mac_lines_as_lines(tmp_path: Path) -> None:
    # Lines 5-8 end in a lone CR; the raw HTML is on line 9.
    text = note("アルファ").replace("# アルファ\n\n## 概要\n\n", "# アルファ\r\r## 概要\r\r")
    root = make_wg(tmp_path / "wg", {A: text.replace("要約。", "<b>要約</b>。")})
    lines = check(root, "--show-source", "--select", "C406,F103").output.splitlines()
    assert lines[0].startswith(f"{A}:5:1: F103 CR (old Mac) line endings")
    assert lines[1] == " 5 | # アルファ"
    assert lines[3].startswith(f"{A}:9:1: C406 raw HTML `<b>`")
    assert lines[4] == " 9 | <b>要約</b>。"


def test_the_summary_counts_only_what_fix_with_the_same_files_would_fix(wg: Path) -> None:
    session_md = wg / SESSION / "session.md"
    session_md.write_bytes(session_md.read_bytes().replace(b"\n", b"\r\n"))  # F103 there
    alone = check(wg, str(wg / A)).output
    assert f"{SESSION}/session.md:1:1: F103" in alone  # reported with the note's session
    assert "fixable" not in alone  # but `--fix A` leaves session.md alone
    assert "1 fixable with --fix" in check(wg).output


def test_colours_on_a_terminal(wg: Path) -> None:
    env = {**os.environ, "FORCE_COLOR": "1", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    run = subprocess.run(
        [sys.executable, "-m", "proceedings.check.hook", "--root", str(wg)],
        capture_output=True, text=True, env=env,
    )
    assert run.returncode == 1
    assert "\x1b[" in run.stdout  # Rich styled it
    plain = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout)
    assert f"{A}:5:1: S301" in plain


def test_json_output_parses_back(wg: Path) -> None:
    result = check(wg, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["summary"] == {"errors": 1, "warnings": 1, "info": 0, "suppressed": 0}
    assert data["failed"] is True and data["fail_on"] == "error" and data["files"] == 3
    first = data["diagnostics"][0]
    assert first | {"message": "", "hint": ""} == {
        "path": A, "line": 5, "col": 1, "code": "S301", "name": "title-mismatch",
        "severity": "error", "message": "", "hint": "", "fixable": False,
    }


def test_github_annotations_parse_back(wg: Path) -> None:
    result = check(wg, "--format", "github")
    pattern = re.compile(
        r"^::(?P<level>error|warning|notice) file=(?P<file>[^,]+),line=(?P<line>\d+),"
        r"col=(?P<col>\d+),title=(?P<title>[^:]+)::(?P<message>.+)$"
    )
    parsed = [pattern.match(line) for line in result.output.splitlines()]
    assert all(parsed), result.output
    assert [(m["level"], m["file"], m["line"], m["title"]) for m in parsed] == [
        ("error", A, "5", "S301 title-mismatch"), ("warning", A, "15", "C406 raw-html")
    ]


def test_github_annotations_escape_newlines_and_commas(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {"sessions/2024-08-24-camp/a,b%.md": "x\n"})
    result = check(root, "--format", "github")
    line = next(x for x in result.output.splitlines() if "T501" in x)
    assert "file=sessions/2024-08-24-camp/a%2Cb%25.md," in line


def test_sarif_2_1_0_structure(wg: Path) -> None:
    result = check(wg, "--format", "sarif")
    log = json.loads(result.output)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "proceedings"
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) and "S301" in rule_ids and "C406" in rule_ids
    for rule in driver["rules"]:
        assert set(rule) >= {"id", "name", "shortDescription", "defaultConfiguration"}
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    base = run["originalUriBaseIds"]["WGROOT"]["uri"]
    assert base.startswith("file://") and base.endswith("/")
    assert [r["ruleId"] for r in run["results"]] == ["S301", "C406"]
    for result_ in run["results"]:
        assert driver["rules"][result_["ruleIndex"]]["id"] == result_["ruleId"]
        assert result_["level"] in ("error", "warning", "note")
        assert result_["message"]["text"]
        (location,) = result_["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": A, "uriBaseId": "WGROOT"}
        assert physical["region"]["startLine"] >= 1 and physical["region"]["startColumn"] >= 1
    assert run["results"][1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 15, "startColumn": 5
    }


def test_clean_archive_exit_0_and_machine_formats_are_empty(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    assert check(root).exit_code == 0
    assert json.loads(check(root, "--format", "json").output)["diagnostics"] == []
    assert check(root, "--format", "github").output == ""
    assert json.loads(check(root, "--format", "sarif").output)["runs"][0]["results"] == []


def test_bad_format_is_exit_2(wg: Path) -> None:
    result = check(wg, "--format", "xml")
    assert result.exit_code == 2 and "--format" in result.output


# --- the pre-commit entry ---------------------------------------------------------------------


def _typer_options() -> set[str]:
    command = typer.main.get_command(app)
    params = command.commands["check"].params  # type: ignore[attr-defined]
    return {opt for p in params if p.param_type_name == "option" for opt in p.opts}


def test_the_hook_takes_exactly_the_options_of_proceedings_check() -> None:
    hook_options = {
        opt for action in build_parser()._actions for opt in action.option_strings
    } - {"-h", "--help"}
    assert hook_options == _typer_options()
    # …and only them: no abbreviations either (`--sel` is a usage error in both)
    abbreviated = CliRunner().invoke(app, ["check", "--sel", "C4"])
    assert abbreviated.exit_code == 2
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["--sel", "C4"])
    assert stopped.value.code == 2


def test_the_hook_runs_on_files_like_pre_commit(wg: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "proceedings.check.hook", A], cwd=wg, capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k != "FORCE_COLOR"},
    )
    assert run.returncode == 1
    assert [d["code"] for d in parse_text_output(run.stdout)] == ["S301", "C406"]
    bad = subprocess.run([sys.executable, "-m", "proceedings.check.hook", "--format", "xml"],
                         cwd=wg, capture_output=True, text=True)
    assert bad.returncode == 2


def test_the_hook_reports_user_errors_in_one_line(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "proceedings.check.hook"], cwd=tmp_path,
                         capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "no proceedings.toml" in run.stderr
    assert "Traceback" not in run.stderr


# --- rules and explain -----------------------------------------------------------------------


def test_rules_lists_every_code() -> None:
    result = CliRunner().invoke(app, ["rules", "--json"])
    assert result.exit_code == 0
    listed = json.loads(result.output)
    assert [r["code"] for r in listed] == [c.code for c in load_all_codes()]
    assert {"F101", "M203", "T504", "S304", "C409", "X601", "B801", "P701"} <= {
        r["code"] for r in listed
    }
    s304 = next(r for r in listed if r["code"] == "S304")
    assert s304 == {
        "code": "S304", "name": "missing-section", "group": "structure", "severity": "error",
        "fixable": True, "summary": "A required section is missing.",
    }
    table = CliRunner().invoke(app, ["rules"])
    assert "C406" in table.output and "raw-html" in table.output


@pytest.mark.parametrize("name", ["C404", "c404", "missing-anchor"])
def test_explain_prints_the_rule_doc(name: str) -> None:
    result = CliRunner().invoke(app, ["explain", name])
    assert result.exit_code == 0
    assert result.output.startswith("## C404 missing-anchor")
    assert "Fails:" in result.output and "Fix:" in result.output


def test_explain_unknown_code_suggests(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["explain", "raw-htm"])
    assert result.exit_code == 2 and "raw-html" in result.output


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["sessions/a.md", "sessions/b.md"],
        ["--root", "wg", "--select", "C4,S3", "--select=X", "--ignore", "C406", "a.md"],
        ["--fail-on", "warning", "--format=sarif", "--show-source", "--fix", "--diff"],
        ["--", "--odd-name.md"],
    ],
)
def test_the_hooks_quick_parser_agrees_with_argparse(argv: list[str]) -> None:
    from proceedings.check.hook import _quick_parse

    assert _quick_parse(argv) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv", [["--help"], ["-h"], ["--sel", "C4"], ["--format", "xml"], ["--root"], ["-x"]]
)
def test_the_hooks_quick_parser_leaves_the_unusual_to_argparse(argv: list[str]) -> None:
    from proceedings.check.hook import _quick_parse

    assert _quick_parse(argv) is None


@pytest.mark.parametrize(
    "command", [["-m", "proceedings.check.hook"], ["-m", "proceedings", "check"]]
)
def test_output_piped_into_a_reader_that_stops_ends_quietly(wg: Path, command) -> None:
    many = "".join(f"\n<b>{i}</b>\n" for i in range(3000))  # 3,000 C406 lines
    (wg / A).write_text(PROBLEMS + many, "utf-8")
    shell = f"{sys.executable} {' '.join(command)} | head -1"
    run = subprocess.run(["bash", "-o", "pipefail", "-c", shell], cwd=wg,
                         capture_output=True, text=True)
    assert run.stdout.startswith(f"{A}:5:1: S301")
    assert run.stderr == ""  # no "internal error", no "Exception ignored … BrokenPipeError"
    assert run.returncode == 141
