"""Shared fixtures. Helpers for writing small WG archives live in tests/helpers.py."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _user_cache_folder(tmp_path_factory: pytest.TempPathFactory):
    """Compiled templates (and anything else kept in the user's cache folder) go to a
    temporary folder during the tests, not to ~/.cache."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


def copy_sample(folder: Path) -> Path:
    """A copy of the bundled sample WG archive (sessions/ + proceedings.toml) in folder/wg."""
    root = folder / "wg"
    root.mkdir()
    shutil.copytree(REPO_ROOT / "sessions", root / "sessions")
    shutil.copy(REPO_ROOT / "proceedings.toml", root / "proceedings.toml")
    return root


@pytest.fixture
def sample_archive(tmp_path: Path) -> Path:
    """A copy of the bundled sample WG archive (sessions/ + proceedings.toml) in tmp."""
    return copy_sample(tmp_path)


# Messages are pinned to English for the suite (the sample WG says `language = "ja"`, which
# would make them Japanese); tests/test_messages.py lifts the pin where it tests Japanese.
os.environ["PROCEEDINGS_MESSAGES"] = "en"


@pytest.fixture(autouse=True)
def _english_again_after_each_test():
    """A test that switched this process to Japanese messages does not leak them."""
    yield
    from proceedings import i18n

    i18n.use_language("en")
