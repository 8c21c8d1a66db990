"""Issue #16, defect 10 ("smaller"): each hostile input here once gave an internal error, a
hang, a silent loss or a leak. Every test failed before its fix."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import git
import pytest
from typer.testing import CliRunner

from build_archives import PNG, SVG, Elements, archive, body_of, note, run, session
from git_helpers import commit_all, commit_paths, init_repo, isolated_git, snapshot  # noqa: F401
from proceedings.cli import app
from proceedings.render.manifest import MANIFEST_NAME

from helpers import make_archive, make_session, write

GOOD_BODY = "## 概要\n\n本文。\n\n## 議論\n\n- 論点\n"


def check(root: Path, *args: str):
    return CliRunner().invoke(app, ["check", "--root", str(root), *args])


# ------------------------------------------------------------------ raw HTML: void elements


def test_text_after_a_dropped_embed_reaches_the_html(tmp_path: Path) -> None:
    body = (
        "## 概要\n\n<p>前 <embed src=\"movie.swf\"> 後ろの文章 <source src=\"a.mp4\"> 最後</p>\n\n"
        "## 議論\n\n- 論点\n"
    )
    root = archive(
        tmp_path / "wg",
        {"2024-05-01-a/session.md": session("会", "2024-05-01"),
         "2024-05-01-a/01-a.md": note("話題", body)},
        'wg_name = "WG"\n[build]\nallow_raw_html = true\n',
    )
    result = run(root, "--json", "--force")  # the missing movie files are errors
    assert result.exit_code == 0, result.output
    page = body_of((root / "proceedings" / "proceedings.html").read_text("utf-8"))
    markdown = (root / "proceedings" / "proceedings.md").read_text("utf-8")
    for text in (markdown, page):
        assert "後ろの文章" in text and "最後" in text
        assert "<embed" not in text and "<source" not in text
    warnings = "\n".join(json.loads(result.stdout)["warnings"])
    assert "01-a.md:" in warnings and "<embed> element" in warnings


# ------------------------------------------------------------------ YAML merge keys


def test_a_merge_key_in_front_matter_is_a_finding(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    session_dir = make_session(root, "2024-05-01-a")
    hidden = "<<: {title: 隠れた題}\n"
    write(session_dir / "01-topic-1.md", note("本当の題", GOOD_BODY, extra=hidden))
    result = check(root)
    assert result.exit_code == 1, result.output
    assert "01-topic-1.md:5:1: M211" in result.output
    assert "merge key" in result.output


def test_a_duplicate_title_hidden_in_a_nested_merge_is_a_finding(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    session_dir = make_session(root, "2024-05-01-a")
    extra = "tags:\n  - {<<: {a: 1}, b: 2}\n"
    write(session_dir / "01-topic-1.md", note("題", GOOD_BODY, extra=extra))
    result = check(root)
    assert result.exit_code == 1, result.output
    assert "01-topic-1.md:6:" in result.output and "M211" in result.output


# ------------------------------------------------------------------ settings that crashed


def _cli(args: list[str], cwd: Path, *, drop_root_powers: bool = False):
    """The real CLI in a subprocess. With `drop_root_powers`, a root user runs it without
    CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, so file modes bind it like any other user (the
    tests run as root in the container, and root reads a mode-000 file otherwise)."""
    command = [sys.executable, "-m", "proceedings", *args]
    if drop_root_powers and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        drop = [setpriv or "setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
        probe = subprocess.run([*drop, "true"], capture_output=True) if setpriv else None
        if probe is None or probe.returncode != 0:
            pytest.skip("running as root and cannot drop CAP_DAC_OVERRIDE (no setpriv)")
        command = [*drop, *command]
    # The timeout only guards against a hang; nothing here measures time.
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def _one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert lines and lines[0].startswith("error: "), result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize("name", ["proceedings.toml", "pyproject.toml"])
def test_an_unreadable_settings_file_is_a_one_line_error(tmp_path: Path, name: str) -> None:
    root = make_archive(tmp_path / "wg")
    if name == "pyproject.toml":
        (root / "proceedings.toml").unlink()
        write(root / name, '[tool.proceedings]\nwg_name = "WG"\n')
    (root / name).chmod(0)
    for args, cwd in ((["check", "--root", str(root)], tmp_path), (["check"], root)):
        result = _cli(args, cwd, drop_root_powers=True)
        _one_line_error(result, f"{name}: cannot read", "chmod")


def test_a_settings_file_that_is_no_file_is_a_one_line_error(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    (root / "proceedings.toml").unlink()
    (root / "proceedings.toml").mkdir()
    _one_line_error(_cli(["check", "--root", str(root)], tmp_path),
                    "proceedings.toml: is not a regular file")
    (root / "proceedings.toml").rmdir()
    os.mkfifo(root / "proceedings.toml")  # reading it would wait for a writer forever
    _one_line_error(_cli(["check", "--root", str(root)], tmp_path),
                    "proceedings.toml: is not a regular file")


@pytest.mark.parametrize("key", ["output_dir", "sessions_dir", "templates_dir"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"out\\u0000put"', "without control characters"),
        ('"' + "x" * 300 + '"', "at most 255 bytes"),
        ('"sub/' + "長" * 100 + '"', "at most 255 bytes"),
        ('"/"', "relative to the WG root"),
    ],
)
def test_bad_folder_settings_are_one_line_errors_with_the_line(
    tmp_path: Path, key: str, value: str, expected: str
) -> None:
    root = make_archive(tmp_path / "wg", f'wg_name = "WG"\n{key} = {value}\n')
    make_session(root, "2024-05-01-a")
    for command in ("check", "build", "list"):
        args = [command, "--root", str(root)] + (["--format", "md"] if command == "build" else [])
        result = _cli(args, tmp_path)
        _one_line_error(result, "proceedings.toml:2:", f"`{key}` must be", expected)


# ------------------------------------------------------------------ import


def test_import_refuses_a_fifo_and_a_device(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    fifo = tmp_path / "memo.md"
    os.mkfifo(fifo)
    for given in (fifo, Path("/dev/zero")):
        result = _cli(["import", "--root", str(root), str(given)], tmp_path)
        _one_line_error(result, f"{given}: is not a regular file or a folder")
    assert list((root / "sessions").iterdir()) == []


def test_import_skips_a_fifo_beside_the_memo(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    memo = write(tmp_path / "camp" / "memo.md", "# 夏合宿\n\nDate: 2024/08/24\n\n## 概要\n\n本文\n")
    os.mkfifo(memo.parent / "diagram.png")
    result = _cli(["import", "--root", str(root), str(memo.parent)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "`diagram.png` is not a regular file; not copied" in result.stdout
    assert not list((root / "sessions").glob("*/images/diagram.png"))


def test_imported_folders_and_files_get_the_modes_of_the_umask(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    memo = write(tmp_path / "camp" / "memo.md",
                 "# 夏合宿\n\nDate: 2024/08/24\n\n## 概要\n\n![図](pic.png)\n")
    write(memo.parent / "pic.png", PNG)
    for umask in (0o022, 0o027):
        result = subprocess.run(
            ["sh", "-c", f'umask {umask:03o} && exec "$@"', "sh", sys.executable, "-m",
             "proceedings", "import", "--root", str(root), str(memo.parent)],
            capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 0, result.stderr
        (session,) = (root / "sessions").iterdir()
        modes = {
            path.relative_to(session).as_posix(): stat.S_IMODE(path.stat().st_mode)
            for path in [session, *session.rglob("*")]
        }
        assert modes == {
            ".": 0o777 & ~umask, "images": 0o777 & ~umask,
            "session.md": 0o666 & ~umask, "01-camp.md": 0o666 & ~umask,
            "images/pic.png": 0o666 & ~umask,
        }, (oct(umask), modes)
        shutil.rmtree(session)


# ------------------------------------------------------------------ unreadable session folders


def test_an_unreadable_session_folder_is_an_error_not_an_empty_chapter(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-05-01-open", title="読める会")
    hidden = make_session(root, "2024-06-01-locked", title="読めない会")
    write(hidden / "images" / "x.png", PNG)
    readable = make_session(root, "2024-07-01-partly", title="一部の会")
    write(readable / "images" / "y.png", PNG)
    (readable / "images").chmod(0)
    hidden.chmod(0)
    try:
        checked = _cli(["check", "--root", str(root)], tmp_path, drop_root_powers=True)
        built = _cli(["build", "--root", str(root), "--force", "--format", "md", "--json"],
                     tmp_path, drop_root_powers=True)
    finally:
        hidden.chmod(0o755)
        (readable / "images").chmod(0o755)
    assert checked.returncode == 1, checked.stderr
    assert ("sessions/2024-06-01-locked:1:1: F109 cannot list this folder: Permission denied"
            in checked.stdout)
    assert "sessions/2024-07-01-partly/images:1:1: F109" in checked.stdout
    assert "T505" not in checked.stdout  # not "no session.md": the folder could not be read
    assert built.returncode == 0, built.stderr
    errors = json.loads(built.stdout)["errors"]
    assert any(e.startswith("sessions/2024-06-01-locked:1:1: F109") for e in errors), errors
    markdown = (root / "proceedings" / "proceedings.md").read_text("utf-8")
    assert "読める会" in markdown and "一部の会" in markdown
    assert "locked" not in markdown and "読めない会" not in markdown


def test_an_unreadable_sessions_folder_is_a_one_line_error(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-05-01-open")
    (root / "sessions").chmod(0)
    try:
        for command in ("check", "build"):
            result = _cli([command, "--root", str(root)], tmp_path, drop_root_powers=True)
            _one_line_error(result, "sessions: cannot list the sessions folder")
    finally:
        (root / "sessions").chmod(0o755)


# ------------------------------------------------------------------ build --commit and git hooks


@pytest.fixture
def git_wg(tmp_path: Path, isolated_git: None) -> tuple[Path, git.Repo]:  # noqa: F811
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-08-24-camp", notes=2)
    write(root / "README.md", "# WG\n")
    repo = init_repo(root)
    commit_all(repo, "Add the notes")
    return root, repo


def _hook(root: Path, name: str, script: str) -> None:
    hook = write(root / ".git" / "hooks" / name, script)
    hook.chmod(0o755)


@pytest.mark.parametrize(
    ("script", "named"),
    [
        ("echo sneaky > sneaky.txt\ngit add sneaky.txt\n", "sneaky.txt"),
        ("echo tampered >> proceedings/proceedings.md\ngit add proceedings/proceedings.md\n",
         "proceedings/proceedings.md"),
    ],
)
def test_a_hook_that_stages_files_gets_nothing_into_the_commit(
    git_wg: tuple[Path, git.Repo], script: str, named: str
) -> None:
    root, repo = git_wg
    _hook(root, "pre-commit", "#!/bin/sh\n" + script)
    write(root / "README.md", "# WG\n\nstaged edit\n")
    repo.git.add("README.md")
    before = snapshot(repo)
    result = CliRunner().invoke(
        app, ["build", "--root", str(root), "--format", "md", "--commit", "--allow-dirty"]
    )
    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    assert "a git hook changed what is committed" in message and named in message
    after = snapshot(repo)
    assert after["head"] == before["head"]  # the commit was undone
    assert after["index"] == before["index"] and after["cached"] == before["cached"]
    assert repo.git.rev_list("--all", "--count") == "1"  # no branch holds the commit either


def test_ctrl_c_during_a_slow_hook_leaves_the_index_as_it_was(
    git_wg: tuple[Path, git.Repo], tmp_path: Path
) -> None:
    root, repo = git_wg
    started = tmp_path / "hook-started"
    _hook(root, "pre-commit", f"#!/bin/sh\ntouch '{started}'\nexec sleep 600\n")
    write(root / "README.md", "# WG\n\nstaged edit\n")
    repo.git.add("README.md")
    before = snapshot(repo)
    # Its own process group, like a shell's foreground job: Ctrl-C goes to the whole group
    # (proceedings, git and the hook), as a terminal sends it.
    process = subprocess.Popen(
        [sys.executable, "-m", "proceedings", "build", "--root", str(root), "--format", "md",
         "--commit", "--allow-dirty"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        while not started.exists() and process.poll() is None:
            time.sleep(0.05)
        assert process.poll() is None, process.communicate()
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    after = snapshot(repo)
    assert after["head"] == before["head"]
    assert after["index"] == before["index"]  # no intent-to-add entries left behind
    assert after["cached"] == before["cached"]
    assert not list((root / ".git").glob("*.lock")) and not list((root / ".git").glob("proc*"))
    # and the next build commits normally
    _hook(root, "pre-commit", "#!/bin/sh\nexit 0\n")
    done = CliRunner().invoke(
        app, ["build", "--root", str(root), "--format", "md", "--commit", "--allow-dirty"]
    )
    assert done.exit_code == 0, done.output
    assert commit_paths(repo) == [f"proceedings/{MANIFEST_NAME}", "proceedings/proceedings.md"]
    assert "staged edit" in repo.git.diff("--cached")  # still staged, not committed


# ------------------------------------------------------------------ images: http and SVG


def _image_urls(page: str) -> list[str]:
    return [attrs.get("src", "") for tag, attrs in Elements(page).tags if tag == "img"]


def test_plain_http_images_are_left_out_with_a_finding(tmp_path: Path) -> None:
    body = (
        "## 概要\n\n![平文](http://example.org/plain.png)\n\n"
        "![暗号化](https://example.org/secure.png)\n\n"
        '<p><img src="HTTP://example.org/raw.png" alt="生"></p>\n\n## 議論\n\n- 論点\n'
    )
    root = archive(
        tmp_path / "wg",
        {"2024-05-01-a/session.md": session("会", "2024-05-01"),
         "2024-05-01-a/01-a.md": note("話題", body)},
        'wg_name = "WG"\n[build]\nallow_raw_html = true\n',
    )
    result = run(root, "--json", "--force")  # --force: C406 for the raw HTML
    assert result.exit_code == 0, result.output
    out = root / "proceedings"
    page = (out / "proceedings.html").read_text("utf-8")
    markdown = (out / "proceedings.md").read_text("utf-8")
    assert _image_urls(page) == ["https://example.org/secure.png"]
    assert "plain.png" not in markdown and "raw.png" not in markdown
    assert "https://example.org/secure.png" in markdown
    warnings = json.loads(result.stdout)["warnings"]
    b812 = [w for w in warnings if " B812 " in w]
    assert len(b812) == 2, warnings
    assert b812[0].startswith("sessions/2024-05-01-a/01-a.md:11:1: B812 image "
                              "`http://example.org/plain.png`")
    assert b812[1].startswith("sessions/2024-05-01-a/01-a.md:15:1: B812")
    assert any(" B804 " in w and "secure.png" in w for w in warnings)


HOSTILE_SVG = """<?xml version="1.0" encoding="UTF-8"?>
<?xml-stylesheet href="https://evil.example/s.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="40" height="20" onload="alert('load')">
  <script>alert('script')</script>
  <style>rect { fill: url(#g) }</style>
  <linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient>
  <rect width="40" height="20" onclick="alert('click')"/>
  <a xlink:href="javascript:alert('link')"><text x="1" y="15">図の文字</text></a>
  <image href="https://evil.example/beacon.png" width="1" height="1"/>
  <use href="other.svg#shape"/>
  <circle r="3" fill="url(https://evil.example/p.svg#x)"/>
  <foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml"
    src="https://evil.example/"/></foreignObject>
  <set attributeName="href" to="javascript:alert('set')"/>
</svg>
""".encode()
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "lol">\n'
    + b"".join(b'<!ENTITY %s "%s">\n' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10)
               for i in range(9))
    + b']>\n<svg xmlns="http://www.w3.org/2000/svg"><text>&j;</text></svg>\n'
)
ACTIVE = ("script", "alert", "onload", "onclick", "evil.example", "foreignObject", "iframe",
          "other.svg", "javascript", "xml-stylesheet")


def test_svg_images_reach_the_outputs_without_active_content(tmp_path: Path) -> None:
    body = (
        "## 概要\n\n![構成図](images/diagram.svg)\n\n[原寸の図](images/linked.svg)\n\n"
        "![爆弾](images/laughs.svg)\n\n![普通](images/plain.svg)\n\n## 議論\n\n- 論点\n"
    )
    root = archive(
        tmp_path / "wg",
        {"2024-05-01-a/session.md": session("会", "2024-05-01"),
         "2024-05-01-a/01-a.md": note("話題", body),
         "2024-05-01-a/images/diagram.svg": HOSTILE_SVG,
         "2024-05-01-a/images/linked.svg": HOSTILE_SVG,
         "2024-05-01-a/images/laughs.svg": LAUGHS,
         "2024-05-01-a/images/plain.svg": SVG},
    )
    result = run(root, "--json", "--force")  # --force: the entity bomb is an error
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assets = root / "proceedings" / "assets" / "2024-05-01-a" / "images"
    assert sorted(p.name for p in assets.iterdir()) == ["diagram.svg", "linked.svg", "plain.svg"]
    assert (assets / "plain.svg").read_bytes() == SVG  # nothing to remove: the file as it is
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    embedded = [base64.b64decode(src.split(",", 1)[1]) for src in _image_urls(page)]
    assert len(embedded) == 2  # diagram and plain; the bomb is left out
    for data in [embedded[0], (assets / "diagram.svg").read_bytes(),
                 (assets / "linked.svg").read_bytes()]:
        text = data.decode("utf-8")
        for word in ACTIVE:
            assert word not in text, (word, text)
        assert "図の文字" in text and "<rect" in text and 'fill: url(#g)' in text
        ElementTree.fromstring(data)  # still well-formed
    errors, warnings = summary["errors"], summary["warnings"]
    assert any(e.startswith("sessions/2024-05-01-a/01-a.md:15:1: B803 SVG `images/laughs.svg`")
               and "entit" in e for e in errors), errors
    b813 = [w for w in warnings if " B813 " in w]
    assert [w.split(" B813 ")[0] for w in b813] == [
        "sessions/2024-05-01-a/01-a.md:11:1:", "sessions/2024-05-01-a/01-a.md:13:1:"]
    assert "<script> element" in b813[0] and "`onload` handler" in b813[0]
