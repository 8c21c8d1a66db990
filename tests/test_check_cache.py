"""The facts cache: unchanged notes are not parsed again; a change, a corrupt cache or
PROCEEDINGS_NO_CACHE never changes the findings."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from check_support import SESSION, make_wg, note, run_check
from proceedings.errors import ProceedingsError
from proceedings.load import source

A = f"{SESSION}/01-alpha.md"
CACHE = Path(".proceedings-cache")


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts real parses of note bodies (the parser itself still runs)."""
    seen: list[str] = []
    real = source.parse

    real_for_check = source.parse_for_check

    def counting(text: str, env: dict | None = None):
        seen.append(text)
        return real(text, env)

    def counting_for_check(text: str, env: dict | None = None):  # the checker's partial parse
        seen.append(text)
        return real_for_check(text, env)

    monkeypatch.setattr(source, "parse", counting)
    monkeypatch.setattr(source, "parse_for_check", counting_for_check)
    monkeypatch.delenv("PROCEEDINGS_NO_CACHE", raising=False)
    return seen


def _findings(root: Path) -> list[str]:
    return [d.format() for d in run_check(root).diagnostics]


def test_a_second_run_parses_nothing_and_finds_the_same(tmp_path: Path, parses: list) -> None:
    root = make_wg(tmp_path / "wg", {A: note("アルファ") + "\n<b>x</b> [b](02-beta.md#無い)\n"})
    first = _findings(root)
    assert len(parses) == 3  # session.md and the two notes, each once
    assert (root / CACHE / "check" / "facts-2024-08-24-camp.json").is_file()
    assert (root / CACHE / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"
    parses.clear()
    assert _findings(root) == first
    assert parses == []


def test_a_changed_note_is_parsed_again(tmp_path: Path, parses: list) -> None:
    root = make_wg(tmp_path / "wg")
    assert _findings(root) == []
    parses.clear()
    (root / A).write_text(note("アルファ") + "\n<b>new</b>\n", encoding="utf-8")
    assert [f.split(" ")[1] for f in _findings(root)] == ["C406"]
    assert len(parses) == 1


def test_a_corrupt_cache_is_ignored(tmp_path: Path, parses: list) -> None:
    root = make_wg(tmp_path / "wg", {A: note("アルファ") + "\n<b>x</b>\n"})
    first = _findings(root)
    (root / CACHE / "check" / "facts-2024-08-24-camp.json").write_bytes(b"not JSON")
    assert _findings(root) == first


def test_no_cache_when_asked(tmp_path: Path, parses: list, monkeypatch) -> None:
    monkeypatch.setenv("PROCEEDINGS_NO_CACHE", "1")
    root = make_wg(tmp_path / "wg")
    assert _findings(root) == []
    assert not (root / CACHE).exists()


def test_git_never_sees_the_cache(tmp_path: Path, parses: list) -> None:
    root = make_wg(tmp_path / "wg")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    _findings(root)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                            cwd=root, capture_output=True, text=True, check=True).stdout
    assert ".proceedings-cache" not in status and "sessions/" in status


def test_a_run_on_files_reuses_parsed_front_matter(tmp_path: Path, monkeypatch) -> None:
    """Front matter parsed by an earlier run on some files is reused (no YAML parse) and gives
    the same findings; front matter with a problem is parsed, and reported, every time."""
    import io

    from proceedings.check.runner import CheckOptions
    from proceedings.check.runner import run_check as run_files

    monkeypatch.delenv("PROCEEDINGS_NO_CACHE", raising=False)
    bad = f"{SESSION}/02-beta.md"
    root = make_wg(tmp_path / "wg", {
        A: note("アルファ").replace("---\n", "---\nstatus: someday\n", 1),  # a schema finding
        bad: "---\ntitle: [unclosed\n---\n\n# ベータ\n",  # a YAML syntax error
    })
    loads: list[int] = []
    real = source._front_matter_loader
    monkeypatch.setattr(source, "_front_matter_loader", lambda: loads.append(1) or real())

    def run() -> str:
        out = io.StringIO()
        run_files(CheckOptions(paths=[root / A, root / bad], root=root, output_format="json"),
                  out=out, err=io.StringIO())
        return out.getvalue()

    first = run()
    assert len(loads) == 3  # session.md, the two notes
    assert (root / CACHE / "check" / "front-matter.json").is_file()
    loads.clear()
    assert run() == first
    assert len(loads) == 1  # only the broken one, which is never cached
    assert '"M2' in first  # the findings really involve the front matter


def test_the_config_is_parsed_once_per_text(tmp_path: Path, monkeypatch) -> None:
    """A parsed proceedings.toml is reused while its text is the same; an edit is seen at
    once, and a TOML error is reported with its line every time (never cached)."""
    from proceedings import config

    monkeypatch.delenv("PROCEEDINGS_NO_CACHE", raising=False)
    root = make_wg(tmp_path / "wg", config='wg_name = "Test WG"\n')
    (root / CACHE).mkdir()  # as a first `proceedings check` leaves it
    parsed: list[str] = []
    real = config._parse_toml
    monkeypatch.setattr(config, "_parse_toml", lambda text, path: parsed.append(text)
                        or real(text, path))

    assert config.load_config(root).config.wg_name == "Test WG"
    assert config.load_config(root).config.wg_name == "Test WG"
    assert len(parsed) == 1

    (root / "proceedings.toml").write_text('wg_name = "Renamed WG"\n', encoding="utf-8")
    assert config.load_config(root).config.wg_name == "Renamed WG"
    assert len(parsed) == 2

    (root / "proceedings.toml").write_text('wg_name = "Renamed WG"\n[check\n', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ProceedingsError) as raised:
            config.load_config(root)
        assert raised.value.line == 2
    assert len(parsed) == 4


def test_loading_the_config_alone_writes_no_cache(tmp_path: Path, monkeypatch) -> None:
    from proceedings import config

    monkeypatch.delenv("PROCEEDINGS_NO_CACHE", raising=False)
    root = make_wg(tmp_path / "wg")
    config.load_config(root)
    assert not (root / CACHE).exists()


def test_the_cache_stores_every_fact_but_the_file_and_its_lines() -> None:
    # Facts.STORED is kept by hand beside Facts.__init__: a fact added to one and not the
    # other would come back empty from the cache, silently.
    from proceedings.check.facts import Facts
    from proceedings.load.source import MarkdownFile

    made = Facts(MarkdownFile(Path("a.md"), "a.md", b""), [], True)
    assert set(Facts.STORED) == set(vars(made)) - {"file", "lines"}
