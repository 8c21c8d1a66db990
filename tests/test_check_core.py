"""The checker core: config controls (severity, select/ignore, fail-on, disable comments) and
files checked in the context of their session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from check_support import SESSION, found, make_wg, note, parse_text_output, run_check
from proceedings.check.engine import sessions_to_load
from proceedings.cli import app
from proceedings.config import load_config
from proceedings.diagnostics import Severity
from proceedings.errors import ProceedingsError

A = f"{SESSION}/01-alpha.md"
B = f"{SESSION}/02-beta.md"
HTML_NOTE = note("アルファ") + "\n<b>太字</b>\n"  # C406 (warning) at line 15


def cli(root: Path, *args: str):
    return CliRunner().invoke(app, ["check", "--root", str(root), *args])


def flat(output: str) -> str:
    """Error lines as one string (Rich wraps stderr at the terminal width)."""
    return output.replace("\n", "")


def test_the_sample_archive_is_clean(sample_archive: Path) -> None:
    result = cli(sample_archive)
    assert result.exit_code == 0, result.output
    assert parse_text_output(result.output) == []
    assert "All clear: 11 files checked" in result.output


# --- severities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "expected"),
    [('C406 = "error"', Severity.ERROR), ('raw-html = "info"', Severity.INFO), ("", None)],
)
def test_severity_per_rule_from_config(tmp_path: Path, setting: str, expected) -> None:
    config = f"[check]\nseverity = {{ {setting} }}\n" if setting else ""
    root = make_wg(tmp_path / "wg", {A: HTML_NOTE}, config)
    (diagnostic,) = [d for d in run_check(root).diagnostics if d.code == "C406"]
    assert diagnostic.severity == (expected or Severity.WARNING)
    result = cli(root)
    assert result.exit_code == (1 if expected == Severity.ERROR else 0), result.output


def test_severity_off_disables_the_rule(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {A: HTML_NOTE}, '[check]\nseverity = { C406 = "off" }\n')
    assert found(run_check(root), "C406") == []


def test_bad_severity_value_is_a_usage_error_naming_the_config_line(tmp_path: Path) -> None:
    config = '[check]\nfail_on = "error"\nseverity = { C406 = "loud" }\n'
    root = make_wg(tmp_path / "wg", {}, config)
    result = cli(root)
    assert result.exit_code == 2
    assert "proceedings.toml:3" in flat(result.output) and "loud" in result.output


def test_unknown_code_in_config_select_suggests_the_closest(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {}, '[check]\nselect = ["C4", "S3"]\n')
    assert cli(root).exit_code == 0  # prefixes are fine
    root = make_wg(tmp_path / "wg2", {}, '[check]\nselect = ["C46"]\n')
    assert cli(root).exit_code == 2  # no code starts with C46
    root = make_wg(tmp_path / "wg3", {}, '[check]\nignore = ["raw-htm"]\n')
    result = cli(root)
    assert result.exit_code == 2
    assert "proceedings.toml:2" in flat(result.output) and "raw-html" in flat(result.output)


def test_unknown_code_on_the_command_line_is_exit_2(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    result = cli(root, "--select", "Q123")
    assert result.exit_code == 2 and "`Q123` in --select" in flat(result.output)


# --- selection -------------------------------------------------------------------------------


def _problem_archive(root: Path, config: str = "") -> Path:
    text = note("アルファ").replace("# アルファ", "# 別名") + "\n<b>x</b> 090-1234-5678\n"
    return make_wg(root, {A: text}, config)  # S301 line 5, C406 + C408 line 15


def test_select_and_ignore_by_code_prefix_and_name(tmp_path: Path) -> None:
    root = _problem_archive(tmp_path / "wg")
    all_codes = {d.code for d in run_check(root).diagnostics}
    assert all_codes == {"S301", "C406", "C408"}
    assert {d.code for d in run_check(root, select=["C4"]).diagnostics} == {"C406", "C408"}
    assert {d.code for d in run_check(root, ignore=["phone-number", "S"]).diagnostics} == {
        "C406"
    }


def test_cli_select_replaces_config_select_and_ignore_adds(tmp_path: Path) -> None:
    root = _problem_archive(tmp_path / "wg", '[check]\nselect = ["S"]\nignore = ["C406"]\n')
    codes_of = lambda result: {d["code"] for d in parse_text_output(result.output)}  # noqa: E731
    assert codes_of(cli(root)) == {"S301"}
    assert codes_of(cli(root, "--select", "C4,S301")) == {"S301", "C408"}  # C406 still ignored
    assert codes_of(cli(root, "--select", "C4", "--ignore", "C408")) == set()


# --- fail-on ---------------------------------------------------------------------------------


def test_fail_on_decides_the_exit_code(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {A: HTML_NOTE})  # a warning only
    assert cli(root).exit_code == 0
    assert cli(root, "--fail-on", "warning").exit_code == 1
    assert cli(root, "--fail-on", "info").exit_code == 1
    assert cli(root, "--fail-on", "loud").exit_code == 2
    (root / "proceedings.toml").write_text('[check]\nfail_on = "warning"\n', encoding="utf-8")
    assert cli(root).exit_code == 1
    assert cli(root, "--fail-on", "error").exit_code == 0


# --- disable comments ------------------------------------------------------------------------


def test_disable_next_line_silences_only_the_next_line(tmp_path: Path) -> None:
    text = note("アルファ") + (
        "\n<!-- proceedings-disable-next-line C406 -->\n<b>one</b>\n\n<i>two</i>\n"
    )
    root = make_wg(tmp_path / "wg", {A: text})
    report = run_check(root)
    assert found(report, "C406") == [(A, 18)]
    assert report.suppressed == 1
    assert found(report, "X601") == []


def test_disable_for_the_whole_file_and_by_name(tmp_path: Path) -> None:
    text = note("アルファ") + "\n<!-- proceedings-disable raw-html, C408 -->\n<b>x</b>\n" + (
        "090-1234-5678\n"
    )
    root = make_wg(tmp_path / "wg", {A: text, B: note("ベータ") + "\n<b>y</b>\n"})
    report = run_check(root)
    assert found(report, "C406") == [(B, 15)]  # the other file is not affected
    assert found(report, "C408") == []
    assert report.suppressed == 2


def test_disable_without_codes_silences_every_rule_on_the_next_line(tmp_path: Path) -> None:
    text = note("アルファ") + "\n<!-- proceedings-disable-next-line -->\n<b>x</b> a@corp.jp\n"
    report = run_check(make_wg(tmp_path / "wg", {A: text}))
    assert report.diagnostics == []


def test_unused_disable_is_reported_only_for_rules_that_ran(tmp_path: Path) -> None:
    text = note("アルファ") + "\n<!-- proceedings-disable-next-line C406 -->\nふつうの文\n"
    root = make_wg(tmp_path / "wg", {A: text})
    assert found(run_check(root), "X601") == [(A, 15)]
    assert found(run_check(root, ignore=["C406"]), "X601") == []


def test_a_directive_inside_a_code_block_is_an_example(tmp_path: Path) -> None:
    text = note("アルファ") + "\n```markdown\n<!-- proceedings-disable C406 -->\n```\n\n<b>x</b>\n"
    report = run_check(make_wg(tmp_path / "wg", {A: text}))
    assert found(report, "C406") == [(A, 19)]
    assert found(report, "X601") == []


# --- files in the context of their session ---------------------------------------------------


def _two_sessions(root: Path) -> Path:
    other = "sessions/2024-09-01-other"
    files = {
        A: note("アルファ") + "\n[ベータ](02-beta.md#議論)\n",
        B: note("ベータ").replace("\n- 論点\n", "\n- 論点\n\n<b>b</b>\n"),  # C406 at 15
        f"{SESSION}/04-delta.md": note("デルタ"),  # T502: 03 is missing (session level)
        f"{other}/session.md": "---\ntitle: 別\ndate: 2024-09-01\n---\n\n概要\n",
        f"{other}/01-x.md": note("X").replace("# X", "# Y"),  # S301, other session
    }
    return make_wg(root, files)


def test_given_files_report_their_own_and_session_level_findings(tmp_path: Path) -> None:
    root = _two_sessions(tmp_path / "wg")
    everything = {(d.path, d.code) for d in run_check(root).diagnostics}
    assert everything == {
        (B, "C406"), (f"{SESSION}/04-delta.md", "T502"), ("sessions/2024-09-01-other/01-x.md",
                                                           "S301"),
    }
    report = run_check(root, paths=[root / A])
    assert {(d.path, d.code) for d in report.diagnostics} == {
        (f"{SESSION}/04-delta.md", "T502")
    }
    assert report.files == 1


def test_a_change_that_breaks_a_link_from_another_note_is_reported(tmp_path: Path) -> None:
    root = _two_sessions(tmp_path / "wg")
    beta = root / B
    beta.write_text(beta.read_text("utf-8").replace("## 議論", "## 議論のまとめ"), "utf-8")
    report = run_check(root, paths=[beta])
    assert (A, 15) in found(report, "C404")  # the link is in 01-alpha.md, the cause in beta
    assert found(report, "C406") == [(B, 15)]


def test_a_finding_kept_from_another_note_still_obeys_its_disable_comments(
    tmp_path: Path,
) -> None:
    # What pre-commit runs after beta's heading was renamed: alpha's link into beta is
    # reported for the commit of beta, unless alpha silences it, as a whole-archive run does.
    root = _two_sessions(tmp_path / "wg")
    silenced_link = "\n<!-- proceedings-disable-next-line C404 -->\n[ベータ](02-beta.md#議論)\n"
    alpha = note("アルファ") + silenced_link
    (root / A).write_text(alpha, "utf-8")
    (root / f"{SESSION}/04-delta.md").write_text(
        note("デルタ") + "\n<!-- proceedings-disable T502 -->\n", "utf-8"
    )
    beta = root / B
    beta.write_text(beta.read_text("utf-8").replace("## 議論", "## 議論のまとめ"), "utf-8")
    whole = run_check(root)
    scoped = run_check(root, paths=[beta])
    assert found(whole, "C404") == found(scoped, "C404") == []
    assert found(whole, "T502") == found(scoped, "T502") == []
    assert whole.suppressed == scoped.suppressed == 2
    assert found(scoped, "C406") == [(B, 15)]
    assert found(scoped, "X601") == []


def test_a_given_note_brings_its_session_md_findings(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    info = root / SESSION / "session.md"
    info.write_text(info.read_text("utf-8").replace("date: 2024-08-24", "date: 2024-08-25"),
                    "utf-8")
    report = run_check(root, paths=[root / A])
    assert found(report, "M207") == [(f"{SESSION}/session.md", 3)]


def test_a_note_in_a_symlinked_session_folder_is_checked_when_given(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {A: None, B: None})
    elsewhere = root / "archive" / "2024-08-24-camp"
    elsewhere.parent.mkdir()
    (root / SESSION).rename(elsewhere)
    (root / SESSION).symlink_to(Path("..", "archive", "2024-08-24-camp"))
    (elsewhere / "01-alpha.md").write_text(note("アルファ") + "\n連絡先 taro@gmail.com\n", "utf-8")
    for given in (root / A, root / SESSION):
        assert found(run_check(root, paths=[given]), "C407") == [(A, 15)], given


def test_a_file_in_a_hidden_folder_of_sessions_is_reported_when_given(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    hidden = root / "sessions" / ".drafts" / "x.md"
    hidden.parent.mkdir()
    hidden.write_text("メモ\n", "utf-8")
    assert found(run_check(root), "T504") == [("sessions/.drafts", 1)]
    assert found(run_check(root, paths=[hidden]), "T504") == [("sessions/.drafts", 1)]


def test_a_session_folder_or_the_config_checks_more(tmp_path: Path) -> None:
    root = _two_sessions(tmp_path / "wg")
    in_session = {d.code for d in run_check(root, paths=[root / SESSION]).diagnostics}
    assert in_session == {"C406", "T502"}
    whole = {d.code for d in run_check(root, paths=[root / "proceedings.toml"]).diagnostics}
    assert whole == {"C406", "T502", "S301"}
    outside = root / "README.md"
    outside.write_text("# readme\n", "utf-8")
    assert run_check(root, paths=[outside]).diagnostics == []


def test_only_the_sessions_of_the_given_files_are_loaded(tmp_path: Path) -> None:
    root = _two_sessions(tmp_path / "wg")
    loaded = load_config(root)
    assert sessions_to_load(loaded, [root / A]) == ["2024-08-24-camp"]
    assert sessions_to_load(loaded, [root / "proceedings.toml"]) is None
    assert sessions_to_load(loaded, []) is None
    with pytest.raises(ProceedingsError, match="no such file"):
        sessions_to_load(loaded, [root / "sessions/nope.md"])


def test_files_on_the_command_line_with_a_cross_session_anchor(tmp_path: Path) -> None:
    root = _two_sessions(tmp_path / "wg")
    link = "\n[他の会](../2024-09-01-other/01-x.md#y) [無い](../2024-09-01-other/01-x.md#z)\n"
    (root / A).write_text(note("アルファ") + link, "utf-8")
    result = CliRunner().invoke(app, ["check", "--root", str(root), str(root / A)])
    found_lines = parse_text_output(result.output)
    assert [(d["path"], d["line"], d["code"]) for d in found_lines if d["code"] == "C404"] == [
        (A, "15", "C404")
    ]
    assert "#z" in result.output


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    result = cli(root, str(root / "sessions/none.md"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_one_undecodable_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {A: b"\xff\xfe broken", B: note("ベータ") + "\n<b>x</b>\n"})
    report = run_check(root)
    assert found(report, "F101") == [(A, 1)]
    assert found(report, "C406") == [(B, 15)]


# --- the whole archive in parallel processes -------------------------------------------------


def test_parallel_whole_archive_check_equals_the_sequential_one(tmp_path: Path) -> None:
    from proceedings.check.engine import MIN_PARALLEL_SESSIONS, check_archive, check_workspace
    from proceedings.load.workspace import load_workspace

    files: dict = {"sessions/notes.txt": "stray at the top\n", "sessions/.DS_Store": b"\0"}
    for index in range(MIN_PARALLEL_SESSIONS + 2):
        day = f"2024-09-{index + 1:02d}"
        folder = f"sessions/{day}-s{index}"
        files[f"{folder}/session.md"] = f"---\ntitle: S{index}\ndate: {day}\n---\n\nx\n"
        link = f"../2024-09-{index + 2:02d}-s{index + 1}/01-a.md#無い"
        files[f"{folder}/01-a.md"] = note(f"題 {index}") + f"\n[次]({link})\n"
        if index % 3 == 0:
            files[f"{folder}/03-gap.md"] = note("隙間") + "\n<b>x</b> 03-1234-5678\n"
    root = make_wg(tmp_path / "wg", files, '[check]\nseverity = { C406 = "error" }\n')
    loaded = load_config(root)
    sequential = check_workspace(load_workspace(loaded), ignore=["S308"])
    parallel = check_archive(loaded, ignore=["S308"], jobs=2)
    assert parallel.diagnostics == sequential.diagnostics
    assert (parallel.files, parallel.suppressed) == (sequential.files, sequential.suppressed)
    codes_found = {d.code for d in parallel.diagnostics}
    assert {"T504", "T502", "C404", "C406", "C408"} <= codes_found
    assert all(d.severity == Severity.ERROR for d in parallel.diagnostics if d.code == "C406")


def test_a_path_given_through_a_symlinked_folder_is_still_checked(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {A: HTML_NOTE})
    alias = tmp_path / "alias"
    alias.symlink_to(root)
    report = run_check(root, paths=[alias / A])
    assert found(report, "C406") == [(A, 15)]


def test_a_control_character_in_front_matter_is_one_finding_at_its_line(tmp_path: Path) -> None:
    text = "---\ntitle: アルファ\nauthor: x\x07y\n---\n" + note("アルファ").split("---\n", 2)[2]
    report = run_check(make_wg(tmp_path / "wg", {A: text}))
    [finding] = [d for d in report.diagnostics if d.code == "M202"]
    assert (finding.path, finding.line, finding.col) == (A, 3, 10)
    assert finding.message == "YAML: character U+0007 is not allowed"
    assert "\n" not in finding.format()


def test_a_dangling_symlinked_note_given_is_f105_as_in_a_whole_run(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    dangling = root / SESSION / "03-gone.md"
    dangling.symlink_to("nowhere.md")
    gone = f"{SESSION}/03-gone.md"
    assert found(run_check(root), "F105") == [(gone, 1)]
    assert found(run_check(root, paths=[dangling]), "F105") == [(gone, 1)]


def test_a_key_given_twice_in_front_matter_is_a_finding(tmp_path: Path) -> None:
    text = note("アルファ").replace("title: アルファ\n", "title: アルファ\ntitle: 別名\n", 1)
    report = run_check(make_wg(tmp_path / "wg", {A: text}))
    [finding] = [d for d in report.diagnostics if d.code == "M202"]
    assert (finding.path, finding.line) == (A, 3)
    assert finding.message == "YAML: key `title` appears twice (first on line 2)"


def test_a_pipe_in_a_session_is_reported_not_waited_on(tmp_path: Path) -> None:
    # Reading a named pipe would wait for a writer forever: the checker must not hang on one.
    root = make_wg(tmp_path / "wg")
    os.mkfifo(root / SESSION / "03-pipe.md")
    (root / SESSION / "images").mkdir()
    os.mkfifo(root / SESSION / "images" / "pipe.png")
    for paths in (None, [root / SESSION / "03-pipe.md"]):
        report = run_check(root, paths=paths)
        assert found(report, "F105") == [(f"{SESSION}/03-pipe.md", 1)]
    assert found(run_check(root), "T504") == [(f"{SESSION}/images/pipe.png", 1)]
