"""`proceedings build --commit` end to end, on real temporary repositories."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import git
import pytest
from typer.testing import CliRunner

from git_helpers import (  # noqa: F401 (fixture)
    commit_all,
    commit_paths,
    init_repo,
    isolated_git,
    snapshot,
)
from proceedings.cli import app
from proceedings.publish.provenance import SHORT_HASH

from helpers import make_archive, make_session, write

pytestmark = pytest.mark.usefixtures("isolated_git")
runner = CliRunner()

NOTE = "sessions/2024-08-24-camp/01-topic-1.md"
MD = "proceedings/proceedings.md"
HTML = "proceedings/proceedings.html"
MANIFEST = "proceedings/.proceedings-manifest.json"  # what the build owns (docs/build.md)
ALICE = ("Alice Sato", "alice@example.org")
BOB = ("Bob 田中", "bob@example.org")


@pytest.fixture
def wg(tmp_path: Path):
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-08-24-camp", notes=2)
    write(root / "README.md", "# WG\n")
    write(root / "scratch.txt", "scratch\n")
    repo = init_repo(root)
    commit_all(repo, "Add the notes", author=ALICE, date="2024-08-24T18:00:00+09:00")
    return root, repo


def build(root: Path, *args: str):
    return runner.invoke(app, ["build", "--root", str(root), "--format", "md,html", *args])


def text(result) -> str:  # noqa: ANN001
    """The output on one line: Rich wraps long lines at the terminal width."""
    return " ".join(result.output.split())


def make_hook(root: Path, name: str, script: str) -> None:
    hook = root / ".git" / "hooks" / name
    write(hook, script)
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)


def test_commits_only_the_outputs_and_leaves_everything_else(wg) -> None:
    root, repo = wg
    write(root / "README.md", "# WG\n\nstaged, not for this commit\n")
    repo.git.add("README.md")
    write(root / "scratch.txt", "unstaged edit\n")
    write(root / "todo.txt", "untracked\n")
    before = snapshot(repo)

    result = build(root, "--commit")

    assert result.exit_code == 0, result.output
    assert "committed" in result.output
    assert commit_paths(repo) == [MANIFEST, HTML, MD]
    assert repo.head.commit.parents[0].hexsha == before["head"]
    subject = repo.head.commit.message.splitlines()[0]
    source = before["head"][:SHORT_HASH]
    assert subject == f"Build proceedings from {source}: 1 session, 2 notes"
    assert repo.head.commit.author.name == "Editor Example"
    after = snapshot(repo)
    assert after["cached"] == before["cached"] and "staged, not for this commit" in after["cached"]
    assert after["unstaged"] == before["unstaged"]
    assert (root / "scratch.txt").read_text() == "unstaged edit\n"
    assert (root / "todo.txt").read_text() == "untracked\n"
    assert after["status"].splitlines() == ["M  README.md", " M scratch.txt", "?? todo.txt"]


def test_second_build_is_byte_identical_and_makes_no_commit(wg) -> None:
    root, repo = wg
    assert build(root, "--commit").exit_code == 0
    head = repo.head.commit.hexsha
    first = {rel: (root / rel).read_bytes() for rel in (MD, HTML)}

    again = build(root, "--commit")

    assert again.exit_code == 0, again.output
    assert "no commit made" in text(again)
    assert repo.head.commit.hexsha == head
    assert {rel: (root / rel).read_bytes() for rel in (MD, HTML)} == first
    # A plain build (a preview) records the same provenance: the outputs stay clean.
    assert build(root).exit_code == 0
    assert repo.git.status("--porcelain") == ""


def test_a_preview_outside_the_repository_has_the_same_provenance(wg, tmp_path: Path) -> None:
    root, repo = wg
    assert build(root, "--commit").exit_code == 0
    outside = tmp_path / "preview"
    result = build(root, "--output", str(outside))
    assert result.exit_code == 0, result.output
    assert (outside / "proceedings.md").read_bytes() == (root / MD).read_bytes()


def test_colophon_and_metadata_trace_every_note(wg) -> None:
    root, repo = wg
    with open(root / NOTE, "a", encoding="utf-8") as handle:
        handle.write("- 追記\n")
    edit = commit_all(repo, "Edit a note", author=BOB, date="2024-09-01T09:00:00+09:00")
    result = build(root, "--commit")
    assert result.exit_code == 0, result.output
    short = edit[:SHORT_HASH]
    md = (root / MD).read_text("utf-8")
    assert f"`{short}`" in md and "2024-09-01" in md
    note_row = next(line for line in md.splitlines() if f"`{NOTE}`" in line)
    assert short in note_row and "Alice Sato" in note_row and "Bob 田中" in note_row
    html = (root / HTML).read_text("utf-8")
    assert f'<meta name="proceedings.source-commit" content="{short}">' in html
    assert '<meta name="proceedings.tool-version"' in html
    assert f"{NOTE} | {short} | 2024-09-01 | Alice Sato, Bob 田中" in html
    # the proceedings commit is not a source: building again changes nothing
    assert "no commit made" in text(build(root, "--commit"))


def test_wg_in_a_subfolder_of_a_larger_repository(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    root = make_archive(top / "wg")
    make_session(root, "2024-08-24-camp")
    write(top / "service" / "main.py", "print('unrelated')\n")
    repo = init_repo(top)
    commit_all(repo, "everything")
    write(top / "service" / "main.py", "print('work in progress')\n")  # not a source
    result = build(root, "--commit")
    assert result.exit_code == 0, result.output
    assert commit_paths(repo) == ["wg/" + MANIFEST, "wg/" + HTML, "wg/" + MD]
    assert f"`{NOTE}`" in (root / MD).read_text("utf-8")
    assert repo.git.status("--porcelain") == " M service/main.py"


def test_check_errors_stop_the_commit_unless_forced(wg) -> None:
    root, repo = wg
    write(root / NOTE, "---\ntitle: 話題\n---\n\n# 話題\n\n## 概要\n\n要約です。\n")  # no 議論
    commit_all(repo, "A note without its discussion")
    head = repo.head.commit.hexsha
    blocked = build(root, "--commit")
    assert blocked.exit_code == 1
    assert NOTE in text(blocked) and repo.head.commit.hexsha == head
    forced = build(root, "--commit", "--force")
    assert forced.exit_code == 0, forced.output
    assert "Built with --force despite 1 check error." in repo.head.commit.message


def test_message_override(wg) -> None:
    root, repo = wg
    result = build(root, "--commit", "-m", "Publish the camp proceedings")
    assert result.exit_code == 0, result.output
    assert repo.head.commit.message.strip() == "Publish the camp proceedings"


def test_json_reports_the_commit(wg) -> None:
    root, repo = wg
    result = build(root, "--commit", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    publish = data["publish"]
    assert publish["commit"] == repo.head.commit.hexsha[:SHORT_HASH]
    assert publish["committed"] == [MD, HTML, MANIFEST] and publish["branch"] == "main"
    assert publish["provenance"]["source_commit"] == repo.head.commit.parents[0].hexsha[:12]


def test_not_a_repository_is_refused(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-08-24-camp")
    result = build(root, "--commit")
    assert result.exit_code == 2
    assert "not inside a git repository" in text(result)
    assert not (root / "proceedings").exists()
    assert build(root).exit_code == 0  # without --commit git is not needed


def test_gitignored_outputs_are_refused_before_building(wg) -> None:
    root, repo = wg
    write(root / ".gitignore", "proceedings/\n")
    commit_all(repo, "Ignore the build")
    before = snapshot(repo)
    result = build(root, "--commit")
    assert result.exit_code == 2
    assert "is ignored by git" in text(result) and ".gitignore:1" in text(result)
    assert not (root / "proceedings").exists()
    assert snapshot(repo) == before


def test_detached_head_is_refused_unless_allowed(wg) -> None:
    root, repo = wg
    repo.git.checkout("-q", "--detach")
    refused = build(root, "--commit")
    assert refused.exit_code == 2 and "HEAD is detached" in text(refused)
    assert not (root / "proceedings").exists()
    allowed = build(root, "--commit", "--allow-detached")
    assert allowed.exit_code == 0, allowed.output
    assert "detached HEAD" in text(allowed)
    assert commit_paths(repo) == [MANIFEST, HTML, MD]
    assert repo.heads.main.commit.hexsha != repo.head.commit.hexsha


def test_merge_in_progress_is_refused(wg) -> None:
    root, repo = wg
    repo.git.switch("-q", "-c", "other")
    write(root / "README.md", "# other\n")
    commit_all(repo, "other")
    repo.git.switch("-q", "main")
    write(root / "README.md", "# main\n")
    commit_all(repo, "main")
    with pytest.raises(git.GitCommandError):
        repo.git.merge("other")  # a real conflict
    before = snapshot(repo)
    result = build(root, "--commit")
    assert result.exit_code == 2
    assert "a merge is in progress" in text(result) and "git merge --abort" in text(result)
    assert not (root / "proceedings").exists()
    assert snapshot(repo) == before


def test_dirty_notes_are_refused_unless_allow_dirty(wg) -> None:
    root, repo = wg
    with open(root / NOTE, "a", encoding="utf-8") as handle:
        handle.write("- まだコミットしていない\n")
    refused = build(root, "--commit")
    assert refused.exit_code == 2
    assert "uncommitted changes in the sources" in text(refused) and NOTE in text(refused)
    assert not (root / "proceedings").exists()

    allowed = build(root, "--commit", "--allow-dirty")
    assert allowed.exit_code == 0, allowed.output
    short = repo.head.commit.parents[0].hexsha[:SHORT_HASH]
    md = (root / MD).read_text("utf-8")
    assert f"`{short}+dirty`" in md
    assert f'content="{short}+dirty"' in (root / HTML).read_text("utf-8")
    assert "+dirty" in repo.head.commit.message.splitlines()[0]
    assert commit_paths(repo) == [MANIFEST, HTML, MD]  # the note itself is not committed
    assert NOTE in repo.git.diff("--name-only")


def test_untracked_note_is_dirty(wg) -> None:
    root, _ = wg
    make_session(root, "2024-09-10-followup")
    result = build(root, "--commit")
    assert result.exit_code == 2
    assert "sessions/2024-09-10-followup/" in text(result)


def test_rejecting_pre_commit_hook_leaves_the_index_as_it_was(wg) -> None:
    root, repo = wg
    make_hook(
        root, "pre-commit", "#!/bin/sh\necho 'hook: no generated files, please' >&2\nexit 1\n"
    )
    write(root / "README.md", "# WG\n\nstaged\n")
    repo.git.add("README.md")
    before = snapshot(repo)
    result = build(root, "--commit")
    assert result.exit_code == 1
    assert "git refused the commit" in text(result)
    assert "hook: no generated files, please" in text(result)
    assert snapshot(repo)["index"] == before["index"]
    assert snapshot(repo)["cached"] == before["cached"]
    assert repo.head.commit.hexsha == before["head"]
    assert (root / MD).is_file()  # built, not committed


def test_real_pre_commit_framework_runs_and_keeps_unstaged_changes(
    wg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, repo = wg
    read_as_utf8 = "import sys; [open(p, encoding='utf-8').read() for p in sys.argv[1:]]"
    monkeypatch.setenv("PRE_COMMIT_HOME", str(tmp_path / "pre-commit-home"))
    write(root / ".pre-commit-config.yaml", f"""repos:
  - repo: local
    hooks:
      - id: outputs-only-utf8
        name: outputs are UTF-8 text
        entry: {sys.executable} -c "{read_as_utf8}"
        language: system
        files: ^proceedings/.*\\.(md|html)$
""")
    commit_all(repo, "pre-commit config")
    subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=root, check=True,
        capture_output=True,
    )
    write(root / "scratch.txt", "unstaged while the hook runs\n")
    before = snapshot(repo)
    result = build(root, "--commit")
    assert result.exit_code == 0, result.output
    assert commit_paths(repo) == [MANIFEST, HTML, MD]
    assert (root / "scratch.txt").read_text() == "unstaged while the hook runs\n"
    assert snapshot(repo)["unstaged"] == before["unstaged"]

    # The same framework rejecting the commit: reported, index as before.
    write(root / ".pre-commit-config.yaml", """repos:
  - repo: local
    hooks:
      - id: no-html
        name: no HTML in this repository
        entry: HTML outputs are not allowed here
        language: fail
        files: \\.html$
""")
    commit_all(repo, "stricter config")
    write(root / "templates" / "html" / "style.css", "body { color: #111; }\n")
    commit_all(repo, "restyle")  # a source change: the next build differs
    before = snapshot(repo)
    rejected = build(root, "--commit")
    assert rejected.exit_code == 1, rejected.output
    assert "HTML outputs are not allowed here" in text(rejected)
    assert snapshot(repo)["index"] == before["index"]
    assert repo.head.commit.hexsha == before["head"]


def test_push_to_a_bare_remote(wg, tmp_path: Path) -> None:
    root, repo = wg
    remote = git.Repo.init(tmp_path / "remote.git", bare=True, initial_branch="main")
    repo.create_remote("origin", str(tmp_path / "remote.git"))
    result = build(root, "--commit", "--push")
    assert result.exit_code == 0, result.output
    assert "pushed main to origin" in text(result)
    assert remote.heads.main.commit.hexsha == repo.head.commit.hexsha
    assert commit_paths(remote, "main") == [MANIFEST, HTML, MD]


def test_failed_push_is_reported_and_the_commit_kept(wg, tmp_path: Path) -> None:
    root, repo = wg
    repo.create_remote("origin", str(tmp_path / "no-such-remote.git"))
    before = repo.head.commit.hexsha
    result = build(root, "--commit", "--push")
    assert result.exit_code == 1
    assert "push to origin failed" in text(result) and "kept locally" in text(result)
    assert repo.head.commit.parents[0].hexsha == before  # the commit stays
    assert commit_paths(repo) == [MANIFEST, HTML, MD]
    # Nothing new to commit later, but --push still pushes what is there.
    repo.delete_remote("origin")
    git.Repo.init(tmp_path / "later.git", bare=True, initial_branch="main")
    retry = build(root, "--commit", "--push", "--remote", str(tmp_path / "later.git"))
    assert retry.exit_code == 0, retry.output
    assert "no commit made" in text(retry) and "pushed main" in text(retry)


def test_push_rejected_because_the_remote_moved_on(wg, tmp_path: Path) -> None:
    root, repo = wg
    git.Repo.init(tmp_path / "remote.git", bare=True, initial_branch="main")
    repo.create_remote("origin", str(tmp_path / "remote.git"))
    repo.git.push("origin", "main")
    other = git.Repo.clone_from(str(tmp_path / "remote.git"), tmp_path / "other")
    write(tmp_path / "other" / "README.md", "someone else\n")
    other.git.add("README.md")
    other.git.commit("-q", "-m", "elsewhere", env={
        "GIT_AUTHOR_NAME": "O", "GIT_AUTHOR_EMAIL": "o@example.org",
        "GIT_COMMITTER_NAME": "O", "GIT_COMMITTER_EMAIL": "o@example.org"})
    other.git.push("origin", "main")
    result = build(root, "--commit", "--push")
    assert result.exit_code == 1
    assert "push to origin failed" in text(result) and "rejected" in text(result)
    assert "hint:" not in text(result)
    assert commit_paths(repo) == [MANIFEST, HTML, MD]


def test_unknown_remote_is_refused_before_building(wg) -> None:
    root, _ = wg
    result = build(root, "--commit", "--push", "--remote", "upstream")
    assert result.exit_code == 2 and "no git remote named `upstream`" in text(result)
    assert not (root / "proceedings").exists()


def test_missing_identity_is_a_clear_error(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-08-24-camp")
    repo = init_repo(root, identity=False)
    repo.git.add(".")
    identity = {"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@example.org",
                "GIT_COMMITTER_NAME": "x", "GIT_COMMITTER_EMAIL": "x@example.org"}
    repo.git.commit("-q", "-m", "notes", env=identity)  # only this one commit knows who
    result = build(root, "--commit")
    assert result.exit_code == 2
    assert "git does not know who is committing" in text(result)
    assert 'git config user.name "Your Name"' in text(result)
    assert not (root / "proceedings").exists()


def test_a_broken_repository_is_a_clear_error_not_a_traceback(wg) -> None:
    root, _ = wg
    (root / ".git" / "index").write_bytes(b"this is not an index")
    result = build(root, "--commit")
    assert result.exit_code == 2
    assert "failed: fatal:" in text(result) and "index" in text(result)
    assert "Traceback" not in result.output and "internal error" not in result.output
    plain = build(root)  # a preview still builds, without provenance
    assert plain.exit_code == 0, plain.output


def test_publish_options_need_commit(wg) -> None:
    root, _ = wg
    result = build(root, "--push")
    assert result.exit_code == 2 and "--push only works together with --commit" in text(result)
    assert not (root / "proceedings").exists()


def test_pdf_metadata_records_the_provenance(wg) -> None:
    pypdf = pytest.importorskip("pypdf")
    root, repo = wg
    result = runner.invoke(
        app, ["build", "--root", str(root), "--format", "pdf", "--commit"]
    )
    assert result.exit_code == 0, result.output
    assert commit_paths(repo) == [MANIFEST, "proceedings/proceedings.pdf"]
    info = pypdf.PdfReader(root / "proceedings" / "proceedings.pdf").metadata
    source = repo.head.commit.parents[0].hexsha[:SHORT_HASH]
    assert info["/SourceCommit"] == source
    assert info["/ToolVersion"].startswith("proceedings ")
    assert f"{NOTE} | {source} | 2024-08-24 | Alice Sato" in info["/SourceNotes"]
    head = repo.head.commit.hexsha
    again = runner.invoke(app, ["build", "--root", str(root), "--format", "pdf", "--commit"])
    assert "no commit made" in text(again) and repo.head.commit.hexsha == head
