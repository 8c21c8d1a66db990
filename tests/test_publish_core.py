"""publish.py on real repositories, with hand-made output files (no build involved)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from git_helpers import (  # noqa: F401 (fixture)
    commit_all,
    commit_paths,
    init_repo,
    isolated_git,
    snapshot,
)
from proceedings.errors import ProceedingsError
from proceedings.publish.commit import (
    changed_outputs,
    commit_outputs,
    default_message,
    preflight,
    push,
)
from proceedings.publish.provenance import Provenance

from helpers import make_archive, make_session, write

pytestmark = pytest.mark.usefixtures("isolated_git")

OUTPUTS = ["proceedings/proceedings.md", "proceedings/proceedings.html"]
SOURCES = ["sessions", "proceedings.toml", "templates"]
NOTE = "sessions/2024-08-24-camp/01-topic-1.md"


@pytest.fixture
def wg(tmp_path: Path):
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-08-24-camp", notes=2)
    write(root / "README.md", "# WG\n")
    write(root / "notes.txt", "scratch\n")
    repo = init_repo(root)
    commit_all(repo, "notes")
    return root, repo


def build_outputs(root: Path, text: str = "v1") -> None:
    for rel in OUTPUTS:
        write(root / rel, f"{text} {rel}\n")


def check(root: Path, **kwargs):
    kwargs.setdefault("sources", SOURCES)
    kwargs.setdefault("output_dir", "proceedings")
    return preflight(root, OUTPUTS, **kwargs)


def test_commits_only_the_outputs_and_keeps_staged_and_unstaged_changes(wg) -> None:
    root, repo = wg
    write(root / "README.md", "# WG\n\nstaged edit\n")
    repo.git.add("README.md")
    write(root / "notes.txt", "unstaged edit\n")
    write(root / "draft.txt", "untracked\n")
    target = check(root)
    build_outputs(root)
    before = snapshot(repo)

    result = commit_outputs(target, OUTPUTS, "Build proceedings")

    assert result.committed and result.paths == OUTPUTS
    assert commit_paths(repo) == sorted(OUTPUTS)
    assert repo.head.commit.hexsha.startswith(result.commit)
    assert repo.head.commit.parents[0].hexsha == before["head"]
    assert repo.head.commit.author.name == "Editor Example"
    after = snapshot(repo)
    assert after["cached"] == before["cached"]  # README.md still staged, not committed
    assert "staged edit" in after["cached"]
    assert after["unstaged"] == before["unstaged"]
    assert (root / "notes.txt").read_text() == "unstaged edit\n"
    assert (root / "draft.txt").read_text() == "untracked\n"
    # the outputs are clean in `git status`; everything else reads as before
    assert after["status"].splitlines() == ["M  README.md", " M notes.txt", "?? draft.txt"]


def test_unchanged_outputs_make_no_commit(wg) -> None:
    root, repo = wg
    build_outputs(root)
    commit_outputs(check(root), OUTPUTS, "first")
    head = repo.head.commit.hexsha
    build_outputs(root)  # same bytes again
    result = commit_outputs(check(root), OUTPUTS, "second")
    assert not result.committed and result.unchanged == OUTPUTS
    assert repo.head.commit.hexsha == head
    assert changed_outputs(root, OUTPUTS) == ([], OUTPUTS)
    build_outputs(root, "v2")
    assert changed_outputs(root, OUTPUTS) == (OUTPUTS, [])


def test_only_changed_outputs_go_into_the_commit(wg) -> None:
    root, repo = wg
    build_outputs(root)
    commit_outputs(check(root), OUTPUTS, "first")
    write(root / OUTPUTS[1], "new html\n")
    result = commit_outputs(check(root), OUTPUTS, "second")
    assert result.paths == [OUTPUTS[1]] and result.unchanged == [OUTPUTS[0]]
    assert commit_paths(repo) == [OUTPUTS[1]]


def test_gitignored_outputs_are_refused(wg) -> None:
    root, repo = wg
    write(root / ".gitignore", "# build output\nproceedings/\n")
    commit_all(repo, "ignore outputs")
    with pytest.raises(ProceedingsError) as caught:
        check(root)
    message = str(caught.value)
    assert "proceedings/proceedings.md is ignored" in message
    assert ".gitignore:2" in message and "`proceedings/`" in message


def test_outputs_re_included_by_a_negated_rule_are_fine(wg) -> None:
    root, repo = wg
    write(root / ".gitignore", "*.html\n!proceedings/proceedings.html\n")
    commit_all(repo, "ignore html except ours")
    build_outputs(root)
    assert commit_outputs(check(root), OUTPUTS, "Build").paths == OUTPUTS


def test_ignored_outputs_are_refused_even_when_tracked(wg) -> None:
    root, repo = wg
    build_outputs(root)
    commit_all(repo, "outputs")
    write(root / ".gitignore", "*.html\n")
    commit_all(repo, "ignore html")
    with pytest.raises(ProceedingsError, match="proceedings.html is ignored"):
        check(root)


def test_detached_head_is_refused_unless_allowed(wg) -> None:
    root, repo = wg
    repo.git.checkout("--detach", "-q")
    with pytest.raises(ProceedingsError, match="HEAD is detached"):
        check(root)
    target = check(root, allow_detached=True)
    assert target.branch is None
    build_outputs(root)
    detached_at = repo.head.commit.hexsha
    result = commit_outputs(target, OUTPUTS, "detached build")
    assert result.committed and repo.head.is_detached
    assert repo.head.commit.parents[0].hexsha == detached_at
    assert repo.heads.main.commit.hexsha == detached_at  # the branch did not move
    with pytest.raises(ProceedingsError, match="detached"):
        check(root, allow_detached=True, push=True)


def diverge_on_readme(root: Path, repo) -> None:
    """Branches `other` and `main` that change README.md differently (main checked out)."""
    repo.git.switch("-q", "-c", "other")
    write(root / "README.md", "# WG other\n")
    commit_all(repo, "other")
    repo.git.switch("-q", "main")
    write(root / "README.md", "# WG main\n")
    commit_all(repo, "main")


def test_merge_in_progress_is_refused(wg) -> None:
    root, repo = wg
    diverge_on_readme(root, repo)
    with pytest.raises(Exception):  # noqa: B017 - the conflict is the point
        repo.git.merge("other")
    assert (root / ".git" / "MERGE_HEAD").exists()
    before = snapshot(repo)
    with pytest.raises(ProceedingsError, match="a merge is in progress") as caught:
        check(root)
    assert "git merge --abort" in str(caught.value)
    assert snapshot(repo) == before


def test_cherry_pick_in_progress_is_refused(wg) -> None:
    root, repo = wg
    diverge_on_readme(root, repo)
    with pytest.raises(Exception):  # noqa: B017
        repo.git.cherry_pick("other")
    with pytest.raises(ProceedingsError, match="cherry-pick is in progress"):
        check(root)


def test_rebase_in_progress_is_refused(wg) -> None:
    root, repo = wg
    diverge_on_readme(root, repo)
    repo.git.switch("-q", "other")
    with pytest.raises(Exception):  # noqa: B017
        repo.git.rebase("main")
    with pytest.raises(ProceedingsError, match="rebase is in progress") as caught:
        check(root, allow_detached=True)
    assert "git rebase --abort" in str(caught.value)


def test_dirty_notes_are_refused_unless_allowed(wg) -> None:
    root, _ = wg
    with open(root / NOTE, "a", encoding="utf-8") as handle:
        handle.write("- 追記\n")
    with pytest.raises(ProceedingsError, match="uncommitted changes in the sources: " + NOTE):
        check(root, note_paths=[NOTE])
    check(root, note_paths=[NOTE], allow_dirty=True)


def test_missing_identity_is_a_clear_error(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-08-24-camp")
    repo = init_repo(root, identity=False)
    repo.git.add(".")
    repo.git.commit(
        "-q", "-m", "notes",
        env={"GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@y", "GIT_COMMITTER_NAME": "x",
             "GIT_COMMITTER_EMAIL": "x@y"},
    )
    with pytest.raises(ProceedingsError, match="user.name and user.email not set"):
        check(root)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Only Name")
    with pytest.raises(ProceedingsError, match="user.email not set"):
        check(root)


def test_not_a_repository_and_no_commits(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "plain")
    with pytest.raises(ProceedingsError, match="not inside a git repository"):
        check(root)
    init_repo(root)
    with pytest.raises(ProceedingsError, match="no commits yet"):
        check(root)


def test_output_outside_the_repository_is_refused(wg) -> None:
    root, _ = wg
    with pytest.raises(ProceedingsError, match="outside the git repository"):
        preflight(root, ["../elsewhere/proceedings.md"], sources=SOURCES)


def test_rejecting_pre_commit_hook_leaves_the_index_as_it_was(wg) -> None:
    root, repo = wg
    hook = root / ".git" / "hooks" / "pre-commit"
    write(hook, "#!/bin/sh\necho 'pre-commit: outputs are not welcome here' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    write(root / "README.md", "# WG\n\nstaged edit\n")
    repo.git.add("README.md")
    target = check(root)
    build_outputs(root)
    before = snapshot(repo)
    with pytest.raises(ProceedingsError) as caught:
        commit_outputs(target, OUTPUTS, "Build proceedings")
    assert "outputs are not welcome here" in str(caught.value)
    assert caught.value.exit_code == 1
    assert snapshot(repo) == before


def test_pre_commit_hook_sees_only_the_outputs_staged(wg) -> None:
    root, repo = wg
    seen = root.parent / "hook-saw.txt"
    hook = root / ".git" / "hooks" / "pre-commit"
    write(hook, f"#!/bin/sh\ngit diff --cached --name-only > '{seen}'\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    write(root / "README.md", "staged\n")
    repo.git.add("README.md")
    build_outputs(root)
    commit_outputs(check(root), OUTPUTS, "Build proceedings")
    assert sorted(seen.read_text().split()) == sorted(OUTPUTS)


def test_commit_msg_hook_runs_and_can_reject(wg) -> None:
    root, repo = wg
    hook = root / ".git" / "hooks" / "commit-msg"
    write(hook, '#!/bin/sh\ngrep -q "^Build" "$1" || { echo "subject must start with Build"; '
                "exit 1; }\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    build_outputs(root)
    before = snapshot(repo)
    with pytest.raises(ProceedingsError, match="subject must start with Build"):
        commit_outputs(check(root), OUTPUTS, "wrong subject")
    assert snapshot(repo) == before
    assert commit_outputs(check(root), OUTPUTS, "Build it").committed


def test_push_to_a_bare_remote_and_a_failing_push(wg, tmp_path: Path) -> None:
    root, repo = wg
    remote_dir = tmp_path / "remote.git"
    import git

    git.Repo.init(remote_dir, bare=True, initial_branch="main")
    repo.create_remote("origin", str(remote_dir))
    build_outputs(root)
    target = check(root, push=True)
    result = commit_outputs(target, OUTPUTS, "Build proceedings")
    pushed = push(target)
    assert pushed.ok and pushed.branch == "main"
    assert git.Repo(remote_dir).heads.main.commit.hexsha.startswith(result.commit)

    repo.create_remote("gone", str(tmp_path / "does-not-exist.git"))
    build_outputs(root, "v2")
    target = check(root, push=True, remote="gone")
    result = commit_outputs(target, OUTPUTS, "Build again")
    failed = push(target)
    assert not failed.ok and "does-not-exist.git" in failed.error
    assert repo.head.commit.hexsha.startswith(result.commit)  # the local commit is kept


def test_unknown_remote_is_refused_before_building(wg) -> None:
    root, _ = wg
    with pytest.raises(ProceedingsError, match="no git remote named `upstream`"):
        check(root, push=True, remote="upstream")


def test_shallow_clone_is_refused(wg, tmp_path: Path) -> None:
    root, repo = wg
    write(root / "README.md", "second\n")
    commit_all(repo, "second")
    import git

    clone = git.Repo.clone_from(f"file://{root}", tmp_path / "shallow", depth=1)
    with clone.config_writer() as config:
        config.set_value("user", "name", "CI")
        config.set_value("user", "email", "ci@example.org")
    with pytest.raises(ProceedingsError, match="shallow clone"):
        check(tmp_path / "shallow")


def test_default_message_says_what_was_built() -> None:
    prov = Provenance("0123456789ab", "2024-08-30T09:30:00+09:00", "9.9.9")
    message = default_message(prov, ["2024-03-16-workshop", "2024-08-24-camp"], 5, OUTPUTS)
    subject, _, body = message.partition("\n\n")
    assert subject == "Build proceedings from 0123456789ab: 2 sessions, 5 notes"
    assert "- 2024-08-24-camp" in body and "- proceedings/proceedings.html" in body
    assert "proceedings 9.9.9" in body and "--force" not in body
    forced = default_message(prov, ["2024-08-24-camp"], 1, OUTPUTS, forced_errors=2)
    assert forced.startswith("Build proceedings from 0123456789ab: 1 session, 1 note\n")
    assert "Built with --force despite 2 check errors." in forced
