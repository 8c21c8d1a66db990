"""The sample archive's outputs are pinned byte for byte (md, HTML) and by text (PDF).

A refactoring must leave these unchanged. A deliberate change to the outputs regenerates the
golden files: `PROCEEDINGS_UPDATE_GOLDEN=1 scripts/dev test tests/test_golden_sample.py`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REPO_ROOT, copy_sample

GOLDEN = REPO_ROOT / "tests" / "golden"


def _pdf_text(path: Path) -> str:
    return "\n\f\n".join(page.extract_text() for page in PdfReader(path).pages) + "\n"


@pytest.fixture(scope="module")
def sample_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive (in a copy without git history) built once to md, HTML and PDF."""

    root = copy_sample(tmp_path_factory.mktemp("golden"))
    result = subprocess.run(
        [sys.executable, "-m", "proceedings", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "PROCEEDINGS_NO_CACHE": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "proceedings"


@pytest.mark.parametrize("name", ["proceedings.md", "proceedings.html", "proceedings.pdf.txt"])
def test_sample_outputs_match_golden(sample_outputs: Path, name: str) -> None:
    if name.endswith(".pdf.txt"):
        actual = _pdf_text(sample_outputs / "proceedings.pdf")
    else:
        actual = (sample_outputs / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if os.environ.get("PROCEEDINGS_UPDATE_GOLDEN"):
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"
