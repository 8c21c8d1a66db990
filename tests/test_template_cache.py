"""Compiled templates are kept between runs; the cache never changes what is rendered and
never fails a run."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from proceedings import templates


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Each template Jinja2 compiles from source (a cache hit compiles nothing)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PROCEEDINGS_NO_CACHE", raising=False)
    seen: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        seen.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    templates._environment.cache_clear()  # a new process: no templates in memory
    yield seen
    templates._environment.cache_clear()


def _render(folder: Path) -> str:
    """`folder`/probe.md.j2 (a WG's own template), as a new process would render it."""
    templates._environment.cache_clear()
    return templates.render_template("probe.md.j2", {"title": "第1回"}, override_dir=folder)


@pytest.fixture
def wg_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "probe.md.j2").write_text("# {{ title }}\n", encoding="utf-8")
    return folder


def test_a_second_run_loads_the_compiled_template(compiles: list[str], wg_templates) -> None:
    first = _render(wg_templates)
    assert first == "# 第1回\n"
    assert compiles == ["probe.md.j2"]
    folder = templates.bytecode_folder()
    assert folder is not None and any(folder.iterdir())
    assert _render(wg_templates) == first
    assert compiles == ["probe.md.j2"]  # not compiled again


def test_an_edited_template_is_compiled_again(compiles: list[str], wg_templates) -> None:
    assert _render(wg_templates) == "# 第1回\n"
    (wg_templates / "probe.md.j2").write_text("## {{ title }}\n", encoding="utf-8")
    assert _render(wg_templates) == "## 第1回\n"
    assert len(compiles) == 2


def test_a_damaged_cache_file_is_compiled_over(compiles: list[str], wg_templates) -> None:
    first = _render(wg_templates)
    folder = templates.bytecode_folder()
    for cached in folder.iterdir():
        cached.write_bytes(b"not a compiled template")
    assert _render(wg_templates) == first
    assert len(compiles) == 2


def test_no_cache_when_asked(compiles: list[str], wg_templates, monkeypatch) -> None:
    monkeypatch.setenv("PROCEEDINGS_NO_CACHE", "1")
    _render(wg_templates)
    _render(wg_templates)
    assert len(compiles) == 2
    assert templates.bytecode_folder() is None


def test_an_unwritable_cache_folder_only_means_compiling(
    compiles: list[str], wg_templates, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert _render(wg_templates) == "# 第1回\n"
