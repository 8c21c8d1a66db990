"""`proceedings doctor` on this machine, and on the same machine with fonts or git hidden."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from proceedings.cli import app
from proceedings.render.doctor import MISSING, OK, WARNING, Check, DoctorReport

runner = CliRunner()

NO_CJK_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def _doctor(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    """Run doctor in a fresh process: fontconfig and PATH are read at start-up."""
    return subprocess.run(
        [sys.executable, "-m", "proceedings", "doctor", *args],
        capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd, timeout=120,
    )


def test_doctor_reports_everything_installed_here(tmp_path: Path) -> None:
    result = runner.invoke(app, ["doctor", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    checks = {check["name"]: check for check in data["checks"]}
    assert data["ok"] is True
    assert checks["WeasyPrint"]["detail"].startswith("70.")
    assert checks["Pango"]["status"] == OK
    assert checks["HarfBuzz subsetting"]["status"] == OK
    assert "Noto Serif CJK JP" in checks["CJK fonts"]["detail"]
    assert "Noto Sans CJK JP" in checks["CJK fonts"]["detail"]
    assert checks["git"]["status"] == OK
    assert data["apt_get"] is None


def test_doctor_table_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["doctor"], catch_exceptions=False)
    assert result.exit_code == 0
    for name in ("WeasyPrint", "Pango", "HarfBuzz subsetting", "CJK fonts", "git"):
        assert name in result.output
    assert "Ready to build proceedings.pdf" in result.output


def test_missing_japanese_fonts_and_git_fail_with_the_apt_command(tmp_path: Path) -> None:
    config = tmp_path / "fonts.conf"
    config.write_text(NO_CJK_FONTCONFIG.format(cache=tmp_path / "cache"))
    env = {"FONTCONFIG_FILE": str(config), "PATH": str(tmp_path / "empty-bin")}
    result = _doctor("--json", env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)  # WeasyPrint's own chatter must not spoil the JSON
    checks = {check["name"]: check for check in data["checks"]}
    assert checks["CJK fonts"]["status"] == MISSING
    assert "empty boxes" in checks["CJK fonts"]["detail"]
    assert checks["git"]["status"] == MISSING
    assert data["apt_get"] == "sudo apt-get install -y fonts-noto-cjk git"

    table = _doctor(env=env, cwd=tmp_path)
    assert table.returncode == 1
    assert "sudo apt-get install -y fonts-noto-cjk git" in table.stdout


def test_wg_font_files_are_checked_inside_a_wg_repository(tmp_path: Path) -> None:
    (tmp_path / "proceedings.toml").write_text('[build]\nfonts = ["fonts/missing.otf"]\n')
    result = runner.invoke(app, ["doctor", "--json", "--root", str(tmp_path)])
    assert result.exit_code == 1
    checks = {check["name"]: check for check in json.loads(result.output)["checks"]}
    assert checks["WG fonts"]["status"] == MISSING
    assert "fonts/missing.otf" in checks["WG fonts"]["detail"]
    assert "proceedings.toml:2" in checks["WG fonts"]["detail"]


def test_a_wg_config_that_does_not_load_is_not_ready(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "proceedings.toml").write_text('titel = "x"\n')
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    checks = {check["name"]: check for check in report["checks"]}
    assert checks["WG config"]["status"] == MISSING
    assert "proceedings.toml:1: unknown setting `titel`" in checks["WG config"]["detail"]


def test_report_aggregates_fixes_and_only_required_misses_fail() -> None:
    report = DoctorReport([
        Check("HarfBuzz subsetting", WARNING, "slow", False, apt_packages=("libharfbuzz-subset0",)),
        Check("CJK fonts", OK, "Noto", True),
    ])
    assert report.ok  # a missing optional library only warns
    assert report.apt_command == "sudo apt-get install -y libharfbuzz-subset0"
    failing = DoctorReport([
        *report.checks,
        Check("git", MISSING, "none", True, apt_packages=("git",)),
        Check("WeasyPrint", MISSING, "none", True, pip_packages=("weasyprint>=70,<71",)),
    ])
    assert not failing.ok
    assert failing.apt_command == "sudo apt-get install -y libharfbuzz-subset0 git"
    assert failing.pip_command == "pip install 'weasyprint>=70,<71'"
