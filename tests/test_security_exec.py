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
from proceedings import templates
from proceedings.errors import ProceedingsError
from proceedings.load import cache as cache_store

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
    return subprocess.run(
        [sys.executable, "-m", "proceedings.check.hook", *files],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


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
            _proceedings(root, env, "init", "--force", "--name", "Test WG", "--ci", "github",
                         "--hook-repo", "https://git.example.org/proceedings.git",
                         "--hook-rev", "0" * 40)]
    assert not canary.exists()
    assert runs[0].returncode == 0, runs[0].stdout + runs[0].stderr
    assert runs[1].returncode == 0, runs[1].stdout + runs[1].stderr  # init wrote its files
    assert "Traceback" not in runs[1].stderr


# --- well-formed cache files with hostile entries ---------------------------------------------

GOOD_FACTS = [True, [[1, "見出し", 5, 1]], [5, 7], [], [["link", "x.md", 9, 1]],
              [[11, 1, "<b>", False]], ["id"], [[3, 4]]]


def _facts_with(index: int, value: object) -> list:
    entry = json.loads(json.dumps(GOOD_FACTS))
    entry[index] = value
    return entry


HOSTILE_FACTS = {
    "not a list": {"body_ok": True},
    "too short": GOOD_FACTS[:7],
    "too long": [*GOOD_FACTS, []],
    "body_ok a number": _facts_with(0, 1),
    "heading level 99": _facts_with(1, [[99, "x", 5, 1]]),
    "heading text a list": _facts_with(1, [[1, ["x"], 5, 1]]),
    "heading short": _facts_with(1, [[1, "x", 5]]),
    "line 0": _facts_with(2, [0]),
    "line past the file": _facts_with(2, [10_000]),
    "line a bool": _facts_with(2, [True]),
    "line a float": _facts_with(3, [5.0]),
    "line negative": _facts_with(3, [-1]),
    "link kind unknown": _facts_with(4, [["evil", "x", 9, 1]]),
    "link kind a list": _facts_with(4, [[["link"], "x", 9, 1]]),
    "href a number": _facts_with(4, [["link", 5, 9, 1]]),
    "column 0": _facts_with(4, [["link", "x", 9, 0]]),
    "html block a string": _facts_with(5, [[11, 1, "<b>", "no"]]),
    "ids a dict": _facts_with(6, {"a": 1}),
    "ids numbers": _facts_with(6, [1, 2]),
    "code lines a billion": _facts_with(7, [[1, 1_000_000_000]]),
    "code lines backwards": _facts_with(7, [[9, 3]]),
    "code lines repeated": _facts_with(7, [[1, 10]] * 100_000),
    "code lines overlapping": _facts_with(7, [[1, 5], [3, 8]]),
    "code lines a number": _facts_with(7, 5),
    "deep": _facts_with(1, json.loads("[" * 500 + "]" * 500)),
}


@pytest.fixture
def cached_wg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PROCEEDINGS_NO_CACHE", raising=False)
    return make_wg(tmp_path / "wg", {
        FILES[0]: note("アルファ").replace("---\n", "---\nstatus: someday\n", 1)
        + "\n<b>x</b> [b](02-beta.md#無い)\n\n```\ncode\n```\n",
    })


def _in_process_findings(root: Path, *files: str) -> list[str]:
    import io

    from proceedings.check.runner import CheckOptions, run_check

    out = io.StringIO()
    run_check(CheckOptions(paths=[root / f for f in files], root=root, output_format="json"),
              out=out, err=io.StringIO())
    return sorted(f"{d['path']}:{d['line']} {d['code']}"
                  for d in json.loads(out.getvalue())["diagnostics"])


@pytest.mark.parametrize("kind", sorted(HOSTILE_FACTS))
def test_a_hostile_facts_entry_is_parsed_again(cached_wg: Path, kind: str) -> None:
    from proceedings.check import cache as facts_cache

    expected = _in_process_findings(cached_wg, *FILES)
    assert any(" C406" in finding for finding in expected)  # raw HTML: a fact from the cache
    cache = facts_cache.SessionCache(cached_wg, SESSION_NAME)
    key = cache.key((cached_wg / FILES[0]).read_bytes())
    assert key in cache.entries  # the real entry, about to be replaced
    cache_store.save_entries(cache.path, cache_store.make_stamp(),
                             {**cache.entries, key: HOSTILE_FACTS[kind]})
    assert _in_process_findings(cached_wg, *FILES) == expected
    assert _in_process_findings(cached_wg, *FILES) == expected


HOSTILE_FRONT_MATTER = {
    "not a pair": {"title": "x"},
    "meta a list": [["title"], {"title": 2}],
    "line as text": [{"title": "x", "status": "someday"}, {"title": "2"}],
    "line past the front matter": [{"title": "x", "status": "someday"}, {"title": 900}],
    "deep": [json.loads('{"a":' * 200 + "1" + "}" * 200), {"a": 2}],
}


@pytest.mark.parametrize("kind", sorted(HOSTILE_FRONT_MATTER))
def test_a_hostile_front_matter_entry_is_parsed_again(cached_wg: Path, kind: str) -> None:
    from proceedings.check import cache as facts_cache

    expected = _in_process_findings(cached_wg, *FILES)
    assert any(" M2" in finding for finding in expected)  # `status: someday`
    path = facts_cache._front_matter_path(cached_wg)
    stamp = cache_store.make_stamp(("yaml",))
    entries = cache_store.load_entries(path, stamp)
    source = (cached_wg / FILES[0]).read_text("utf-8").split("---\n")[1].rstrip("\n")
    assert source in entries
    cache_store.save_entries(path, stamp, {**entries, source: HOSTILE_FRONT_MATTER[kind]})
    assert _in_process_findings(cached_wg, *FILES) == expected


def test_a_cache_committed_and_cloned_is_not_believed(tmp_path: Path) -> None:
    """A well-formed cache that lies (no raw HTML in a note that has some, a config with a
    setting the file does not have) is ignored in a clone: it was written in another folder."""
    origin = make_wg(tmp_path / "origin", {FILES[0]: note("アルファ") + "\n<b>x</b>\n"})
    _git(origin, "init", "-q", "-b", "main")
    env = _env(tmp_path)
    for _ in range(2):  # the facts and front matter, then the config too
        run = _proceedings(origin, env, "check", *FILES)
        assert run.returncode == 0 and "C406" in run.stdout, run.stdout + run.stderr
    facts_file = origin / CHECK / f"facts-{SESSION_NAME}.json"
    header, entries = map(json.loads, facts_file.read_text("utf-8").split("\n"))
    assert set(header) == {"stamp", "folder"}
    for entry in entries.values():
        entry[5] = []  # no raw HTML
    facts_file.write_text(json.dumps(header) + "\n" + json.dumps(entries), encoding="utf-8")
    config_file = origin / CHECK / "config.json"
    header, entries = map(json.loads, config_file.read_text("utf-8").split("\n"))
    entries["proceedings.toml"][1]["no_such_setting"] = 1
    document = json.dumps(header) + "\n" + json.dumps(entries)
    config_file.write_text(document, encoding="utf-8")
    lied = _proceedings(origin, env, "check", *FILES)  # the folder it was written in: believed
    assert "no_such_setting" in lied.stderr and lied.returncode == 2
    config_file.unlink()
    lied = _proceedings(origin, env, "check", *FILES)
    assert lied.returncode == 0 and "C406" not in lied.stdout, lied.stdout
    config_file.write_text(document, encoding="utf-8")
    _git(origin, "add", "-A")
    _git(origin, "add", "-f", str(CACHE))
    _git(origin, "commit", "-q", "-m", "notes and a lying cache")
    clone = _clone(origin, tmp_path / "clone")
    assert (clone / CHECK / "config.json").is_file()
    for run in (_proceedings(clone, env, "check", *FILES), _proceedings(clone, env, "check"),
                _hook(clone, env, *FILES)):
        assert run.returncode == 0 and "C406" in run.stdout, run.stdout + run.stderr


def test_a_symlinked_cache_folder_is_neither_read_nor_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = make_wg(tmp_path / "wg")
    (root / CACHE).symlink_to(outside, target_is_directory=True)
    env = _env(tmp_path)
    assert _proceedings(root, env, "check").returncode == 0
    assert _proceedings(root, env, "check", *FILES).returncode == 0
    assert list(outside.iterdir()) == []
    (root / CACHE).unlink()
    (root / CACHE).mkdir()
    (root / CHECK).symlink_to(outside, target_is_directory=True)
    assert _proceedings(root, env, "check", *FILES).returncode == 0
    assert list(outside.iterdir()) == []


def test_cache_files_that_are_links_fifos_or_devices_are_ignored(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    env = _env(tmp_path)
    secret = tmp_path / "secret.json"
    secret.write_text('{"entries": {}}', encoding="utf-8")
    (root / CHECK).mkdir(parents=True)
    os.mkfifo(root / CHECK / "front-matter.json")  # a reader that opened it would wait
    (root / CHECK / "config.json").symlink_to("/dev/zero")
    (root / CHECK / f"facts-{SESSION_NAME}.json").symlink_to(secret)
    for _ in range(2):
        run = _proceedings(root, env, "check", *FILES)
        assert run.returncode == 0, run.stderr
    assert secret.read_text("utf-8") == '{"entries": {}}'  # replaced as a link, not written


# --- the compiled-template cache --------------------------------------------------------------


def test_a_relative_xdg_cache_home_never_loads_code_from_the_repository(
    tmp_path: Path,
) -> None:
    """Compiled templates are Python code. With XDG_CACHE_HOME=.cache (relative), a WG could
    commit `.cache/proceedings/…/<key>.cache` holding code for the packaged template; the
    relative setting is ignored, so that file is never loaded."""
    import marshal

    import jinja2

    canary = tmp_path / "canary"
    root = make_wg(tmp_path / "wg")
    _git(root, "init", "-q", "-b", "main")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path / "probe")
    try:
        folder_name = templates.bytecode_folder().name
    finally:
        os.environ.pop("XDG_CACHE_HOME")
    planted = root / ".cache" / "proceedings" / folder_name
    planted.mkdir(parents=True)
    environment = jinja2.Environment()
    for name in ("proceedings.md.j2", "proceedings.html.j2"):
        filename = str(templates.packaged_templates_dir() / name)
        cache = jinja2.FileSystemBytecodeCache(str(planted))
        bucket = cache.get_bucket(environment, name, filename, _packaged(name))
        bucket.code = compile(f"__import__('os').system(\"touch '{canary}'\")", filename, "exec")
        cache.dump_bytecode(bucket)
    assert len(list(planted.iterdir())) == 2
    assert marshal  # the planted files are marshal'd code, as Jinja2 writes them
    run = _proceedings(root, _env(tmp_path, XDG_CACHE_HOME=".cache"), "build", "--format",
                       "md,html")
    assert run.returncode == 0, run.stdout + run.stderr
    assert not canary.exists()
    assert (tmp_path / "home" / ".cache" / "proceedings" / folder_name).is_dir()  # used instead


def test_facts_come_back_from_json_exactly_as_they_were_stored() -> None:
    """Every note of the sample archive, every Markdown example of the rules' documentation
    and a few notes made to hold every kind of fact: the facts, written to JSON and read back,
    pass the checks and equal the facts computed from the file (a check too strict would only
    cost speed, but would do so silently)."""
    from proceedings.check.cache import restore_facts, stored_facts
    from proceedings.check.facts import Facts, collect
    from proceedings.check.rules.docs import DOCS
    from proceedings.load.source import parse_markdown

    repo = Path(__file__).resolve().parents[1]
    texts = [path.read_text("utf-8") for path in sorted((repo / "sessions").rglob("*.md"))]
    for doc in DOCS.values():
        texts += [doc.example, doc.fix, note() + "\n" + doc.example + "\n"]
    texts += [
        note() + "\n```python\nx = 1\n\ny = 2\n```\n\n    indented\n    code\n",
        note() + '\n<div id="a"\n  class="b">\n<a href="x.md">x</a>\n</div>\n\n'
        "text <span name='n'>y</span> <img src=\"i.png\"> end\nnext <b>line</b>\n",
        note() + "\n[a](b.md#c) ![i](img/x.png) <https://example.org> [f](file:///etc)\n"
        "[^1]\n\n[^1]: 脚注 [x](y.md)\n\n<!-- comment -->\n\n- {{TODO}}\n",
        "---\ntitle: [unclosed\n",
        "no front matter\n\n# 見出し {#x}\n\n###### six\n",
    ]
    assert len(texts) > 100
    restored_any = 0
    for index, text in enumerate(texts):
        file = parse_markdown(text.encode("utf-8"), Path(f"{index}.md"), f"{index}.md")
        facts = collect(file)
        restored = Facts(file, file.text.split("\n"), True)
        assert restore_facts(restored, json.loads(json.dumps(stored_facts(facts)))), text
        for name in Facts.STORED:
            assert getattr(restored, name) == getattr(facts, name), (text, name)
        restored_any += bool(facts.code_lines) + bool(facts.html) + bool(facts.links)
    assert restored_any > 30


@pytest.mark.parametrize("body", ["{{ 1 / 0 }}", "{{ [1, 2].append(3) }}",
                                  "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
                                  "{{ '{0.__class__}'.format(1) }}"])
def test_an_error_in_a_wg_template_names_its_file_and_line(tmp_path: Path, body: str) -> None:
    """Not an internal error (exit 70, "please report it"): the WG's own template is at
    fault, and the message says which one and where."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "note.md.j2").write_text(f"---\n{{# a comment #}}\n{body}\n", encoding="utf-8")
    templates._environment.cache_clear()
    with pytest.raises(ProceedingsError) as raised:
        templates.render_template("note.md.j2", {}, override_dir=folder)
    assert raised.value.path == str(folder / "note.md.j2") and raised.value.line == 3
    assert "\n" not in str(raised.value)


def _plant_with_header(root: Path, body: bytes) -> None:
    """`body` as the entries of every cache file, after the right first line (stamp and
    folder), as only a run in this very folder could write it."""
    from proceedings.check import cache as facts_cache

    folder = root / CHECK
    folder.mkdir(parents=True, exist_ok=True)
    identity = cache_store.folder_identity(folder)
    for path, stamp in (
        (facts_cache.SessionCache(root, SESSION_NAME).path, cache_store.make_stamp()),
        (facts_cache._front_matter_path(root), cache_store.make_stamp(("yaml",))),
        (folder / cache_store.CONFIG_CACHE_FILE, cache_store.make_stamp(())),
    ):
        header = json.dumps({"stamp": stamp, "folder": identity}).encode()
        path.write_bytes(header + b"\n" + body)
        loaded = cache_store.load_entries(path, stamp)
        assert type(loaded) is dict and (loaded == {"x": 1}) == (body == b'{"x": 1}')


@pytest.mark.parametrize("kind", [*sorted(HOSTILE_JSON), "valid"])
def test_hostile_entries_after_a_valid_first_line_are_ignored(cached_wg: Path, kind: str) -> None:
    expected = _in_process_findings(cached_wg, *FILES)
    _plant_with_header(cached_wg, HOSTILE_JSON.get(kind, b'{"x": 1}'))
    assert _in_process_findings(cached_wg, *FILES) == expected
    assert _in_process_findings(cached_wg, *FILES) == expected


def test_a_cache_file_over_the_size_limit_is_not_read(
    cached_wg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from proceedings.check import cache as facts_cache

    _in_process_findings(cached_wg, *FILES)
    path = facts_cache.SessionCache(cached_wg, SESSION_NAME).path
    assert cache_store.load_entries(path, cache_store.make_stamp())
    monkeypatch.setattr(cache_store, "MAX_CACHE_BYTES", path.stat().st_size - 1)
    assert cache_store.load_entries(path, cache_store.make_stamp()) == {}
