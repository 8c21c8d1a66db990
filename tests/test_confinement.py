"""Reading and writing stay inside the WG repository (issue 16, defects 4 and 5).

Every test plants real symlinks in a temporary WG repository that lead to a canary outside
it — a file whose text would be unmistakable in any output — and runs the commands a member,
the editor or CI would run: `check` (text, JSON, `--show-source`, `--fix`), the pre-commit
hook, `list`, `build`, `new-session --add-topic`, `import`. The canary must never be printed,
published or changed; each link is reported as F107 at its own file, line 1. Links that stay
inside the repository keep working.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from build_archives import PNG
from check_support import SESSION, make_wg, note, parse_text_output
from proceedings.cli import app

SECRET = "CANARY-7f3a-secret"
A = f"{SESSION}/01-alpha.md"
LEAK = f"{SESSION}/03-leak.md"
# A note that would pass every check, with the secret in its title and body; CRLF endings
# and no final newline, so that `--fix` has every reason to rewrite it.
CANARY_NOTE = note(SECRET).replace("- 論点", f"- {SECRET}").replace("\n", "\r\n").rstrip()
CANARY_SESSION = f"---\r\ntitle: {SECRET}\r\ndate: 2024-09-01\r\n---\r\n\r\n{SECRET}"


def cli(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


class Canary:
    """Files outside the repository, and a way to prove they were not changed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.note = folder / "secret.md"
        self.note.parent.mkdir(parents=True, exist_ok=True)
        self.note.write_bytes(CANARY_NOTE.encode("utf-8"))
        self.image = folder / "secret.png"
        self.image.write_bytes(PNG + SECRET.encode("ascii"))
        self.session = folder / "2024-09-01-leak"
        self.session.mkdir()
        (self.session / "session.md").write_bytes(CANARY_SESSION.encode("utf-8"))
        (self.session / "01-leak.md").write_bytes(CANARY_NOTE.encode("utf-8"))
        self.before = self.snapshot()

    def snapshot(self) -> dict[str, tuple[bytes, int]]:
        return {
            path.relative_to(self.folder).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(self.folder.rglob("*")) if path.is_file()
        }

    def untouched(self) -> bool:
        return self.snapshot() == self.before


@pytest.fixture
def canary(tmp_path: Path) -> Canary:
    return Canary(tmp_path / "outside")


def wg_with_link(tmp_path: Path, rel: str, target: Path | str) -> Path:
    root = make_wg(tmp_path / "wg")
    os.symlink(target, root / rel)
    return root


def published(root: Path) -> bytes:
    """Everything under the repository's output folder (and anywhere else in it)."""
    return b"".join(path.read_bytes() for path in sorted(root.rglob("*"))
                    if path.is_file() and not path.is_symlink())


# --- check, --show-source, JSON, the hook ----------------------------------------------------


def test_a_note_linked_out_is_f107_and_never_printed(tmp_path: Path, canary: Canary) -> None:
    root = wg_with_link(tmp_path, LEAK, canary.note)
    for extra in ([], ["--show-source"], [str(root / LEAK)], ["--show-source", str(root / LEAK)]):
        result = cli("check", "--root", str(root), *extra)
        assert result.exit_code == 1, result.output
        assert SECRET not in result.output
        findings = [(d["path"], d["line"], d["code"]) for d in parse_text_output(result.output)]
        assert (LEAK, "1", "F107") in findings, result.output
    [line] = [line for line in result.output.splitlines() if "F107" in line]
    assert line == (f"{LEAK}:1:1: F107 is a symbolic link that leads outside the repository; "
                    "it is not read (replace the link with the file itself, or delete it)")
    assert canary.untouched()


def test_json_and_github_formats_do_not_carry_the_canary(tmp_path: Path, canary: Canary) -> None:
    root = wg_with_link(tmp_path, LEAK, canary.note)
    result = cli("check", "--root", str(root), "--format", "json")
    assert result.exit_code == 1
    assert SECRET not in result.output
    assert any(d["code"] == "F107" and d["path"] == LEAK and d["line"] == 1
               for d in json.loads(result.output)["diagnostics"])
    github = cli("check", "--root", str(root), "--format", "github")
    assert SECRET not in github.output and f"file={LEAK},line=1" in github.output


def test_a_note_linked_to_the_process_environment_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROCEEDINGS_CANARY", SECRET)
    root = wg_with_link(tmp_path, LEAK, "/proc/self/environ")
    result = cli("check", "--root", str(root), "--show-source")
    assert result.exit_code == 1
    assert SECRET not in result.output
    assert (LEAK, "F107") in [(d["path"], d["code"]) for d in parse_text_output(result.output)]


def test_the_pre_commit_hook_does_not_read_a_note_linked_out(
    tmp_path: Path, canary: Canary
) -> None:
    root = wg_with_link(tmp_path, LEAK, canary.note)
    run = subprocess.run(
        [sys.executable, "-m", "proceedings.check.hook", "--show-source", LEAK, A],
        cwd=root, capture_output=True, text=True,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert SECRET not in run.stdout + run.stderr
    assert f"{LEAK}:1:1: F107" in run.stdout
    assert canary.untouched()


def test_session_md_and_a_session_folder_linked_out_are_f107(
    tmp_path: Path, canary: Canary
) -> None:
    root = make_wg(tmp_path / "wg", {f"{SESSION}/session.md": None})
    os.symlink(canary.session / "session.md", root / SESSION / "session.md")
    os.symlink(canary.session, root / "sessions" / "2024-09-01-leak")
    for extra in ([], [str(root / SESSION / "session.md")],
                  [str(root / "sessions" / "2024-09-01-leak" / "01-leak.md")]):
        result = cli("check", "--root", str(root), "--show-source", *extra)
        assert result.exit_code == 1
        assert SECRET not in result.output
    whole = parse_text_output(cli("check", "--root", str(root)).output)
    assert {(d["path"], d["line"]) for d in whole if d["code"] == "F107"} == {
        (f"{SESSION}/session.md", "1"), ("sessions/2024-09-01-leak", "1"),
    }
    # F107 says why session.md is not read; "has no session.md" (T505) would mislead.
    assert not [d for d in whole if d["code"] == "T505"]
    listing = cli("list", "--root", str(root))
    assert SECRET not in listing.output
    assert canary.untouched()


def test_a_folder_inside_a_session_linked_out_is_f107(tmp_path: Path, canary: Canary) -> None:
    root = wg_with_link(tmp_path, f"{SESSION}/images", canary.folder)
    report = parse_text_output(cli("check", "--root", str(root)).output)
    assert (f"{SESSION}/images", "1", "F107") in [(d["path"], d["line"], d["code"])
                                                  for d in report]


def test_a_note_linked_into_dot_git_is_f107(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[remote]\n\turl = https://x:{SECRET}@host/\n")
    os.symlink(Path("..", "..", ".git", "config"), root / LEAK)
    result = cli("check", "--root", str(root), "--show-source")
    assert SECRET not in result.output
    assert f"{LEAK}:1:1: F107 is a symbolic link that leads into the repository's .git folder" \
        in result.output


# --- --fix -------------------------------------------------------------------------------


def test_fix_never_writes_through_a_link_out(tmp_path: Path, canary: Canary) -> None:
    root = wg_with_link(tmp_path, LEAK, canary.note)
    for args in (["--fix"], ["--fix", str(root / LEAK)]):
        result = cli("check", "--root", str(root), *args)
        assert SECRET not in result.output
        assert result.exit_code == 1, result.output
        assert "Fixed" not in result.output
    preview = cli("check", "--root", str(root), "--diff", str(root / LEAK))
    assert (preview.exit_code, preview.output) == (0, "Nothing to fix.\n")
    assert (root / LEAK).is_symlink()
    assert canary.untouched()


def test_fix_writes_the_real_file_of_a_note_linked_within_the_sessions_folder(
    tmp_path: Path,
) -> None:
    shared = "sessions/2024-08-24-camp/shared/alpha.txt"
    root = make_wg(tmp_path / "wg", {A: None, shared: note("アルファ").rstrip("\n")})
    os.symlink(Path("shared", "alpha.txt"), root / A)
    result = cli("check", "--root", str(root), "--fix", str(root / A))
    assert result.exit_code == 0, result.output
    assert (root / A).is_symlink()
    assert (root / shared).read_text("utf-8") == note("アルファ")


def test_fix_writes_a_note_of_a_session_folder_linked_within_the_repository(
    tmp_path: Path,
) -> None:
    root = make_wg(tmp_path / "wg", {A: note("アルファ").rstrip("\n")})
    os.rename(root / SESSION, tmp_path / "wg" / "archive")
    os.symlink(Path("..", "archive"), root / SESSION)
    result = cli("check", "--root", str(root), "--fix", str(root / A))
    assert result.exit_code == 0, result.output
    assert (root / "archive" / "01-alpha.md").read_text("utf-8") == note("アルファ")


def test_fix_leaves_a_note_linked_to_a_repository_file_outside_the_sessions_folder(
    tmp_path: Path,
) -> None:
    # The README is the repository's, but not a note: --fix does not rewrite it.
    text = note("アルファ").rstrip("\n")
    root = make_wg(tmp_path / "wg", {A: None, "README.md": text})
    os.symlink(Path("..", "..", "README.md"), root / A)
    result = cli("check", "--root", str(root), "--fix", str(root / A))
    assert (f"{A}: not fixed: it is a link to README.md, outside the sessions folder; fix that "
            "file by hand.") in result.output
    assert (root / "README.md").read_text("utf-8") == text
    assert (root / A).is_symlink()
    # The note is still read and checked: a link inside the repository keeps working.
    assert (A, "F104") in [(d["path"], d["code"]) for d in parse_text_output(result.output)]


# --- build -----------------------------------------------------------------------------------


def test_build_stops_at_a_link_out_and_force_leaves_it_out(tmp_path: Path, canary: Canary) -> None:
    root = wg_with_link(tmp_path, LEAK, canary.note)
    os.symlink(canary.session, root / "sessions" / "2024-09-01-leak")
    os.symlink(canary.image, root / SESSION / "secret.png")
    with (root / A).open("a", encoding="utf-8") as handle:
        handle.write("\n![図](secret.png)\n")
    blocked = cli("build", "--root", str(root), "--format", "md,html")
    assert blocked.exit_code == 1
    assert SECRET not in blocked.output
    assert not (root / "proceedings").exists()
    forced = cli("build", "--root", str(root), "--format", "md,html", "--force")
    assert forced.exit_code == 0, forced.output
    assert SECRET not in forced.output
    assert (root / "proceedings" / "proceedings.md").is_file()
    assert SECRET.encode() not in published(root)
    assert canary.untouched()


def test_a_link_inside_the_repository_is_still_built(tmp_path: Path) -> None:
    root = make_wg(tmp_path / "wg", {"shared/gamma.md": note("共有ガンマ")})
    os.symlink(Path("..", "..", "shared", "gamma.md"), root / f"{SESSION}/03-gamma.md")
    result = cli("build", "--root", str(root), "--format", "md")
    assert result.exit_code == 0, result.output
    assert "共有ガンマ" in (root / "proceedings" / "proceedings.md").read_text("utf-8")


def test_a_template_override_linked_out_is_refused(tmp_path: Path, canary: Canary) -> None:
    root = make_wg(tmp_path / "wg")
    (root / "templates" / "html").mkdir(parents=True)
    os.symlink(canary.note, root / "templates" / "proceedings.md.j2")
    result = cli("build", "--root", str(root), "--format", "md")
    assert result.exit_code == 2
    assert SECRET not in result.output
    [message] = result.output.strip().splitlines()
    assert message.startswith(f"error: {root / 'templates' / 'proceedings.md.j2'}:1: template "
                              "override is a symbolic link that leads outside the templates "
                              "folder; it is not read"), message
    assert not (root / "proceedings").exists()
    os.unlink(root / "templates" / "proceedings.md.j2")
    os.symlink(canary.note, root / "templates" / "html" / "style.css")  # read, not rendered
    result = cli("build", "--root", str(root), "--format", "md,html")
    assert result.exit_code == 2
    assert "templates/html/style.css:1" in result.output
    assert not (root / "proceedings").exists()
    assert canary.untouched()


def test_new_session_does_not_write_into_a_session_folder_linked_out(
    tmp_path: Path, canary: Canary
) -> None:
    root = make_wg(tmp_path / "wg")
    os.symlink(canary.session, root / "sessions" / "2024-09-01-leak")
    result = cli("new-session", "--root", str(root), "--add-topic", "2024-09-01-leak",
                 "--topic", "新しい話題=new-topic")
    assert result.exit_code == 2
    assert SECRET not in result.output
    assert "`2024-09-01-leak` would lie outside" in result.output
    assert canary.untouched()


# --- config and the folders it names --------------------------------------------------------


@pytest.mark.parametrize("name", ["proceedings.toml", "pyproject.toml"])
def test_a_config_file_linked_out_is_refused(tmp_path: Path, canary: Canary, name: str) -> None:
    secret_config = canary.folder / name
    table = "[tool.proceedings]\n" if name == "pyproject.toml" else ""
    secret_config.write_text(f'{table}wg_name = "{SECRET}"\nbogus = 1\n', "utf-8")
    root = make_wg(tmp_path / "wg")
    (root / "proceedings.toml").unlink()
    os.symlink(secret_config, root / name)
    for command in (["check"], ["list"], ["build", "--format", "md"]):
        result = cli(*command, "--root", str(root))
        assert result.exit_code == 2, result.output
        assert SECRET not in result.output
        assert f"{name}:1: is a symbolic link that leads outside the repository" in \
            result.output
    assert not (root / "proceedings").exists()


@pytest.mark.parametrize("key", ["sessions_dir", "templates_dir", "output_dir"])
@pytest.mark.parametrize("value", ["/tmp", "../outside", "sessions/../../x", ".git/hooks"])
def test_a_folder_setting_must_name_a_folder_in_the_repository(
    tmp_path: Path, key: str, value: str
) -> None:
    root = make_wg(tmp_path / "wg", config=f'wg_name = "WG"\n{key} = "{value}"\n')
    (root / ".git" / "hooks").mkdir(parents=True)
    result = cli("build", "--root", str(root), "--format", "md")
    assert result.exit_code == 2
    [message] = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert message.startswith(f"error: {root / 'proceedings.toml'}:2: `{key}` must be a folder")
    assert list((root / ".git" / "hooks").iterdir()) == []
    assert not (root / "proceedings").exists()


@pytest.mark.parametrize("key", ["sessions_dir", "templates_dir", "output_dir"])
def test_a_folder_setting_reached_through_a_link_out_is_refused(
    tmp_path: Path, canary: Canary, key: str
) -> None:
    root = make_wg(tmp_path / "wg", config=f'wg_name = "WG"\n{key} = "linked"\n')
    os.symlink(canary.folder, root / "linked")
    result = cli("build", "--root", str(root), "--format", "md")
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    assert (f"{root / 'proceedings.toml'}:2: `{key}` = 'linked' leads outside the repository "
            "through a symbolic link") in result.output
    assert canary.untouched()


def test_the_default_output_folder_linked_out_or_into_git_is_refused(
    tmp_path: Path, canary: Canary
) -> None:
    root = make_wg(tmp_path / "wg")
    (root / ".git" / "hooks").mkdir(parents=True)
    for target in (canary.folder, root / ".git" / "hooks"):
        os.symlink(target, root / "proceedings")
        result = cli("build", "--root", str(root), "--format", "md")
        assert result.exit_code == 2, result.output
        assert f"{root / 'proceedings'}: `output_dir` folder is a symbolic link that leads" in \
            result.output
        assert "pass --output DIR to write elsewhere" in result.output
        os.unlink(root / "proceedings")
    assert list((root / ".git" / "hooks").iterdir()) == []
    assert canary.untouched()


def test_output_named_on_the_command_line_may_be_outside_but_not_in_git(
    tmp_path: Path,
) -> None:
    root = make_wg(tmp_path / "wg")
    elsewhere = tmp_path / "site"
    result = cli("build", "--root", str(root), "--format", "md", "--output", str(elsewhere))
    assert result.exit_code == 0, result.output
    assert (elsewhere / "proceedings.md").is_file()
    hooks = root / ".git" / "hooks"
    hooks.mkdir(parents=True)
    result = cli("build", "--root", str(root), "--format", "md", "--output", str(hooks))
    assert result.exit_code == 2
    assert f"--output {hooks} is inside a .git folder" in result.output
    assert list(hooks.iterdir()) == []


def test_an_assets_folder_linked_out_stops_the_build(tmp_path: Path, canary: Canary) -> None:
    root = make_wg(tmp_path / "wg", {f"{SESSION}/images/a.png": PNG})
    with (root / A).open("a", encoding="utf-8") as handle:
        handle.write("\n![図](images/a.png)\n")
    (root / "proceedings").mkdir()
    os.symlink(canary.folder, root / "proceedings" / "assets")
    result = cli("build", "--root", str(root), "--format", "md")
    assert result.exit_code == 2, result.output
    assert "leads outside the output folder through a symbolic link" in result.output
    assert not (root / "proceedings" / "proceedings.md").exists()
    assert canary.untouched()


def test_import_does_not_write_into_a_sessions_folder_linked_out(
    tmp_path: Path, canary: Canary
) -> None:
    root = make_wg(tmp_path / "wg")
    os.rename(root / "sessions", tmp_path / "old-sessions")
    os.symlink(canary.folder, root / "sessions")
    memo = tmp_path / "memo.md"
    memo.write_text("# 夏合宿 2024\n\nDate: 2024/08/24\n\n## 監視\n\n- 論点\n", "utf-8")
    result = cli("import", "--root", str(root), str(memo))
    assert result.exit_code == 2, result.output
    assert "`sessions_dir` folder is a symbolic link that leads outside the repository" in \
        result.output
    assert canary.untouched()


def test_new_session_refuses_a_note_template_linked_out(tmp_path: Path, canary: Canary) -> None:
    root = make_wg(tmp_path / "wg")
    (root / "templates").mkdir()
    os.symlink(canary.note, root / "templates" / "note.md.j2")
    result = cli("new-session", "--root", str(root), "夏合宿", "--date", "2025-08-23",
                 "--slug", "camp", "--topic", "監視=monitoring", "--no-input")
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output
    assert "templates/note.md.j2:1: template override is a symbolic link" in result.output
    assert not (root / "sessions" / "2025-08-23-camp").exists()
    assert canary.untouched()


def test_init_force_replaces_a_linked_file_instead_of_writing_through_it(
    tmp_path: Path, canary: Canary
) -> None:
    folder = tmp_path / "wg"
    folder.mkdir()
    os.symlink(canary.note, folder / "README.md")
    result = cli("init", str(folder), "--force", "--name", "WG")
    assert result.exit_code == 0, result.output
    assert not (folder / "README.md").is_symlink()
    assert "WG" in (folder / "README.md").read_text("utf-8")
    assert canary.untouched()
