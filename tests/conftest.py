"""Shared fixtures. Helpers for writing small WG archives live in tests/helpers.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sample_archive(tmp_path: Path) -> Path:
    """A copy of the bundled sample WG archive (sessions/ + proceedings.toml) in tmp."""
    root = tmp_path / "wg"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "sessions", root / "sessions")
    shutil.copy(REPO_ROOT / "proceedings.toml", root / "proceedings.toml")
    return root
