"""The CLI's outer behaviour: version, help, list, and clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from proceedings import __version__
from proceedings.cli import app

from helpers import make_archive, make_session, write

runner = CliRunner()


def test_version_via_console_script_and_module() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"proceedings {__version__}"
    module = subprocess.run(
        [sys.executable, "-m", "proceedings", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert module.stdout.strip() == f"proceedings {__version__}"


def test_help_lists_only_registered_commands() -> None:
    from typer.main import get_command

    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    registered = set(get_command(app).commands)  # type: ignore[attr-defined]
    assert {"init", "list"} <= registered
    for name in registered:
        assert name in result.output
        # every listed command answers its own --help
        assert runner.invoke(app, [name, "--help"]).exit_code == 0


def test_list_on_sample_table_and_json(sample_archive: Path) -> None:
    result = runner.invoke(app, ["list", "--root", str(sample_archive)])
    assert result.exit_code == 0, result.output
    assert "2024-08-24" in result.output
    data = json.loads(runner.invoke(app, ["list", "--root", str(sample_archive), "--json"]).output)
    sessions = data["sessions"]
    assert [s["date"] for s in sessions] == sorted(s["date"] for s in sessions)
    assert sum(len(s["topics"]) for s in sessions) >= 7
    assert all(s["key_points"] > 0 and s["errors"] == 0 for s in sessions)


def test_list_counts_check_findings_per_session(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff", notes=2)
    write(session / "stray.docx", b"x")  # a loader finding (T504)
    write(session / "02-topic-2.md", "---\ntitle: t\n---\n\n# t\n\n## 概要\n\n## 議論\n\n- x\n")
    data = json.loads(runner.invoke(app, ["list", "--root", str(root), "--json"]).output)
    assert data["sessions"][0]["errors"] == 1
    assert data["sessions"][0]["warnings"] >= 1  # the empty 概要 section, found by the checker


def test_no_config_found_is_one_line_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 2
    assert "no proceedings.toml found" in result.output
    assert "Traceback" not in result.output


def test_bad_config_is_one_line_error_with_file_and_line(tmp_path: Path) -> None:
    make_archive(tmp_path, 'wg_nam = "x"\n')
    result = runner.invoke(app, ["list", "--root", str(tmp_path)])
    assert result.exit_code == 2
    assert "proceedings.toml:1" in result.output and "wg_name" in result.output
    assert len(result.output.strip().splitlines()) == 1  # never wrapped, however long the path
    assert "Traceback" not in result.output


def test_missing_sessions_folder(tmp_path: Path) -> None:
    write(tmp_path / "proceedings.toml", "")
    result = runner.invoke(app, ["list", "--root", str(tmp_path)])
    assert result.exit_code == 2 and "sessions folder" in result.output
