"""The built wheel (not the checkout) ships the default templates and finds them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_installed_wheel_finds_packaged_templates(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(REPO_ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = wheel_dir.glob("proceedings-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    templates = sorted(
        p.relative_to(REPO_ROOT / "templates").as_posix()
        for p in (REPO_ROOT / "templates").rglob("*")
        if p.is_file()
    )
    for name in templates:
        assert f"proceedings/templates/{name}" in names
    # the compiled Japanese messages ship too (read with gettext at run time)
    assert "proceedings/locale/ja/LC_MESSAGES/proceedings.mo" in names

    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    probe = (
        "import proceedings.templates as t, pathlib;"
        "d = t.packaged_templates_dir(); print(d);"
        "print(t.render_template('init/proceedings.toml.j2',"
        " {'wg_name': 'W', 'title': 'T', 'language': 'ja',"
        " 'config': __import__('proceedings.config', fromlist=['Config']).Config(),"
        " 'config_file': 'proceedings.toml'})[:20])"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found_dir = Path(result.stdout.splitlines()[0])
    assert found_dir == site / "proceedings" / "templates"
    assert "# Settings" in result.stdout
