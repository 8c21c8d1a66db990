"""No file in a WG repository makes `proceedings` run code (issue 16, defect 1).

Real payloads are planted where a hostile pull request could put them: pickles (the old cache
format) and hostile JSON in every cache file, committed with `git add -f` and cloned, and
`os.system` in every template a WG may override. Each payload would create a canary file; the
tests run the real commands and assert the canary never appears.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from check_support import SESSION, make_wg, note
from proceedings import cache_store, templates
from proceedings.errors import ProceedingsError

CACHE = Path(".proceedings-cache")
CHECK = CACHE / "check"
SESSION_NAME = SESSION.split("/")[-1]
FILES = (f"{SESSION}/01-alpha.md", f"{SESSION}/02-beta.md")

# Every cache file this or an earlier release reads or read, by its name in `check/`.
CACHE_NAMES = (
    f"{SESSION_NAME}.pickle", "front-matter.pickle", "config.pickle",  # format 6 and before
    f"facts-{SESSION_NAME}.json", "front-matter.json", "config.json",
)


class _Payload:
    """Unpickling this runs `touch <canary>`: what a committed pickle cache could do."""

    def __init__(self, canary: Path) -> None:
        self.canary = canary

    def __reduce__(self) -> tuple:
        return (os.system, (f"touch '{self.canary}'",))


def _pickle_payload(canary: Path) -> bytes:
    # Shaped like the old caches ((stamp, entries)), so only the format stands in the way.
    return pickle.dumps((_Payload(canary), {"x": _Payload(canary)}))


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PROCEEDINGS_NO_CACHE"}
    env.update({"HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "user-cache"),
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
                "NO_COLOR": "1", "COLUMNS": "200"})
    env.update(extra)
    return env


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Member", "-c", "user.email=m@example.org",
                    "-c", "commit.gpgsign=false", *args],
                   cwd=cwd, check=True, capture_output=True)


def _proceedings(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proceedings", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _hook(cwd: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proceedings.hook", *files], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def _clone(origin: Path, target: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(origin), str(target)], check=True,
                   capture_output=True)
    return target


# --- caches -----------------------------------------------------------------------------------


def _hostile_origin(tmp_path: Path, payload: bytes) -> Path:
    """A WG repository with `payload` committed (`git add -f`) as every cache file."""
    origin = make_wg(tmp_path / "origin")
    _git(origin, "init", "-q", "-b", "main")
    (origin / CHECK).mkdir(parents=True)
    (origin / CACHE / ".gitignore").write_text("*\n", encoding="utf-8")
    for name in CACHE_NAMES:
        (origin / CHECK / name).write_bytes(payload)
    _git(origin, "add", "-A")
    _git(origin, "add", "-f", str(CACHE))
    _git(origin, "commit", "-q", "-m", "notes (and a planted cache)")
    listed = subprocess.run(["git", "ls-files", str(CACHE)], cwd=origin, check=True,
                            capture_output=True, text=True).stdout.split()
    assert len(listed) == len(CACHE_NAMES) + 1  # really committed
    return origin


def test_a_committed_pickle_cache_runs_nothing_in_a_clone(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    clone = _clone(_hostile_origin(tmp_path, _pickle_payload(canary)), tmp_path / "clone")
    env = _env(tmp_path)
    runs = {
        "list": _proceedings(clone, env, "list"),
        "check": _proceedings(clone, env, "check"),
        "check files": _proceedings(clone, env, "check", *FILES),
        "hook": _hook(clone, env, *FILES),
        "build": _proceedings(clone, env, "build", "--format", "md,html"),
        "check again": _proceedings(clone, env, "check", *FILES),
    }
    for name, run in runs.items():
        assert run.returncode == 0, (name, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr, name
    assert not canary.exists()
    assert "アルファ" in (clone / "proceedings" / "proceedings.md").read_text("utf-8")


def test_old_pickle_files_are_never_read_and_are_removed_once_the_cache_is_written(
    tmp_path: Path,
) -> None:
    canary = tmp_path / "canary"
    root = make_wg(tmp_path / "wg")
    (root / CHECK).mkdir(parents=True)
    for name in CACHE_NAMES[:3]:
        (root / CHECK / name).write_bytes(_pickle_payload(canary))
    env = _env(tmp_path)
    assert _proceedings(root, env, "check").returncode == 0
    assert _proceedings(root, env, "check", *FILES).returncode == 0
    assert _proceedings(root, env, "check", *FILES).returncode == 0  # the config is stored
    assert not canary.exists()
    assert sorted(path.name for path in (root / CHECK).iterdir()) == [
        "config.json", f"facts-{SESSION_NAME}.json", "front-matter.json"]


def _findings(root: Path, env: dict[str, str], *files: str) -> tuple[int, list[str]]:
    run = _proceedings(root, env, "check", "--format", "json", *files)
    assert "Traceback" not in run.stderr, run.stderr
    found = json.loads(run.stdout)
    return run.returncode, sorted(f"{d['path']}:{d['line']} {d['code']}"
                                  for d in found["diagnostics"])


# Parsed as JSON, each of these is wrong in its own way: not JSON, cut short, the wrong shape,
# the wrong types, a payload-like object, deep nesting, a number too long to convert, NaN.
HOSTILE_JSON = {
    "not json": b"\x80\x03not json at all",
    "truncated": b'{"stamp": [7, "0.1.0", ["markdown_it", 1',
    "a list": b"[1, 2, 3]",
    "wrong types": b'{"stamp": "x", "folder": {}, "entries": [null, true]}',
    "reduce-like": b'{"__reduce__": ["os.system", ["touch canary"]], "py/object": "os.system"}',
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "huge number": b'{"stamp": ' + b"9" * 50_000 + b"}",
    "nan": b'{"stamp": NaN, "entries": {"a": Infinity}}',
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_JSON))
def test_a_hostile_json_cache_is_ignored(tmp_path: Path, kind: str) -> None:
    bad = f"{SESSION}/02-beta.md"
    root = make_wg(tmp_path / "wg", {
        FILES[0]: note("アルファ").replace("---\n", "---\nstatus: someday\n", 1)
        + "\n<b>x</b>\n",
        bad: "---\ntitle: [unclosed\n---\n\n# ベータ\n",
    })
    env = _env(tmp_path)
    expected = _findings(root, dict(env, PROCEEDINGS_NO_CACHE="1"), *FILES)
    assert expected[0] == 1 and len(expected[1]) >= 3
    (root / CHECK).mkdir(parents=True)
    for name in CACHE_NAMES[3:]:
        (root / CHECK / name).write_bytes(HOSTILE_JSON[kind])
    assert _findings(root, env, *FILES) == expected
    assert _findings(root, env) == expected
    assert _findings(root, env, *FILES) == expected  # from the cache written over it


# --- templates --------------------------------------------------------------------------------

# Ways out of an unsandboxed Jinja2 template, each ending in `touch CANARY`.
ESCAPES = (
    "{{ cycler.__init__.__globals__.os.system('touch CANARY') }}",
    "{{ joiner.__init__.__globals__.os.popen('touch CANARY').read() }}",
    "{{ namespace.__init__.__globals__['os'].system('touch CANARY') }}",
    "{{ lipsum.__globals__['os'].system('touch CANARY') }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system("
    "'touch CANARY') }}",
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
    "{{ c(['touch', 'CANARY']).wait() }}{% endif %}{% endfor %}",
    "{{ '{0.__init__.__globals__[os].system}'.format(cycler) }}"
    "{{ cycler.__init__.__globals__.os.system('touch CANARY') }}",
    "{% set x = cycler.__init__ %}{{ x.__globals__.os.system('touch CANARY') }}",
)

# Every template the build and new-session take from a WG's templates/ folder.
OVERRIDABLE = ("proceedings.md.j2", "proceedings.html.j2", "session.md.j2", "note.md.j2")


def _packaged(name: str) -> str:
    return (templates.packaged_templates_dir() / name).read_text("utf-8")


@pytest.mark.parametrize("name", OVERRIDABLE)
@pytest.mark.parametrize("escape", range(len(ESCAPES)))
def test_no_way_out_of_a_wg_template(tmp_path: Path, name: str, escape: int) -> None:
    canary = tmp_path / "canary"
    folder = tmp_path / "templates"
    folder.mkdir()
    payload = ESCAPES[escape].replace("CANARY", str(canary))
    (folder / name).write_text(payload + "\n" + _packaged(name), encoding="utf-8")
    templates._environment.cache_clear()
    with pytest.raises(ProceedingsError) as raised:
        templates.render_template(name, {}, override_dir=folder)
    assert not canary.exists()
    error = raised.value
    assert error.path == str(folder / name) and error.line == 1, str(error)
    assert "not allowed in a template" in error.message
    assert "\n" not in str(error)


def _wg_with_template(tmp_path: Path, name: str, canary: Path) -> Path:
    root = make_wg(tmp_path / "wg")
    _git(root, "init", "-q", "-b", "main")
    payload = ESCAPES[0].replace("CANARY", str(canary))
    target = root / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(payload + "\n" + (_packaged(name) if name.endswith(".j2") else ""),
                      encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "notes and a hostile template")
    return root


@pytest.mark.parametrize("name", ["proceedings.md.j2", "proceedings.html.j2"])
def test_build_refuses_a_hostile_template_and_runs_nothing(tmp_path: Path, name: str) -> None:
    canary = tmp_path / "canary"
    root = _wg_with_template(tmp_path, name, canary)
    run = _proceedings(root, _env(tmp_path), "build", "--format", "md,html")
    assert not canary.exists()
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert f"templates/{name}:1: " in lines[0]
    assert "not allowed in a template" in lines[0]


@pytest.mark.parametrize("name", ["session.md.j2", "note.md.j2"])
def test_new_session_refuses_a_hostile_template_and_runs_nothing(
    tmp_path: Path, name: str
) -> None:
    canary = tmp_path / "canary"
    root = _wg_with_template(tmp_path, name, canary)
    run = _proceedings(root, _env(tmp_path), "new-session", "秋合宿", "--date", "2024-10-01",
                       "--topic", "監視=monitoring", "--no-input")
    assert not canary.exists()
    assert run.returncode == 2, run.stdout + run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert f"templates/{name}:1: " in lines[0]
    assert not list((root / "sessions").glob("2024-10-01-*"))  # nothing written


@pytest.mark.parametrize("name", ["init/README.md.j2", "init/proceedings.toml.j2",
                                  "init/pre-commit-config.yaml.j2",
                                  "init/github-workflow.yml.j2",
                                  "print.css", "html/style.css"])
def test_other_files_in_templates_are_never_run(tmp_path: Path, name: str) -> None:
    """init's templates are always the packaged ones, and the stylesheets are CSS, not
    templates: a payload in the WG's copy of any of them stays text."""
    canary = tmp_path / "canary"
    root = _wg_with_template(tmp_path, name, canary)
    env = _env(tmp_path)
    runs = [_proceedings(root, env, "build", "--format", "md,html,pdf"),
            _proceedings(root, env, "init", "--force", "--name", "Test WG", "--ci", "github")]
    assert not canary.exists()
    assert runs[0].returncode == 0, runs[0].stdout + runs[0].stderr
    assert "Traceback" not in runs[1].stderr
