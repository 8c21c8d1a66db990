"""collect_provenance on real repositories: source commit, note histories, dirty notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from git_helpers import commit_all, init_repo, isolated_git  # noqa: F401 (fixture)
from proceedings import __version__
from proceedings.config import load_config
from proceedings.errors import ProceedingsError
from proceedings.publish.provenance import SHORT_HASH, collect_provenance, source_paths

from helpers import make_archive, make_session, write

pytestmark = pytest.mark.usefixtures("isolated_git")

ALICE = ("Alice Sato", "alice@example.org")
BOB = ("Bob 田中", "bob@example.org")
NOTE = "sessions/2024-08-24-camp/01-topic-1.md"
NOTE2 = "sessions/2024-08-24-camp/02-topic-2.md"


@pytest.fixture
def wg(tmp_path: Path):
    root = make_archive(tmp_path / "wg")
    make_session(root, "2024-08-24-camp", notes=2)
    repo = init_repo(root)
    first = commit_all(repo, "notes", author=ALICE, date="2024-08-24T18:00:00+09:00")
    with open(root / NOTE, "a", encoding="utf-8") as handle:
        handle.write("- 追記\n")
    second = commit_all(repo, "edit", author=BOB, date="2024-08-30T09:30:00+09:00")
    return root, repo, first, second


def collect(root: Path, **kwargs):
    loaded = load_config(root)
    notes = [NOTE, NOTE2]
    return collect_provenance(root, notes, sources=source_paths(loaded), **kwargs)


def test_records_source_commit_tool_version_and_note_histories(wg) -> None:
    root, _, first, second = wg
    prov = collect(root, allow_dirty=False)
    assert prov.source_commit == second[:SHORT_HASH]
    assert prov.commit_date == "2024-08-30T09:30:00+09:00"
    assert prov.tool_version == __version__
    edited = prov.notes[NOTE]
    assert (edited.commit, edited.date, edited.authors) == (
        second[:SHORT_HASH], "2024-08-30", ("Alice Sato", "Bob 田中")
    )
    untouched = prov.notes[NOTE2]
    assert (untouched.commit, untouched.date, untouched.authors) == (
        first[:SHORT_HASH], "2024-08-24", ("Alice Sato",)
    )
    assert not prov.dirty


def test_commits_outside_the_sources_do_not_change_the_provenance(wg) -> None:
    # The proceedings commit itself must not move the source commit, or every rebuild would
    # differ from the last one and commit again.
    root, repo, _, _ = wg
    before = collect(root, allow_dirty=False)
    write(root / "proceedings" / "proceedings.md", "# built\n")
    write(root / "README.md", "readme\n")
    commit_all(repo, "outputs", date="2024-10-01T00:00:00+00:00")
    assert collect(root, allow_dirty=False) == before


def test_config_and_template_changes_move_the_source_commit(wg) -> None:
    root, repo, _, _ = wg
    write(root / "templates" / "colophon.md.j2", "x\n")
    third = commit_all(repo, "template", date="2024-10-02T00:00:00+00:00")
    assert collect(root, allow_dirty=False).source_commit == third[:SHORT_HASH]
    write(root / "proceedings.toml", 'wg_name = "Renamed WG"\n')
    fourth = commit_all(repo, "config", date="2024-10-03T00:00:00+00:00")
    assert collect(root, allow_dirty=False).source_commit == fourth[:SHORT_HASH]


def test_history_follows_a_renamed_note(wg) -> None:
    root, repo, _, _ = wg
    renamed = "sessions/2024-08-24-camp/02-renamed.md"
    repo.git.mv(NOTE2, renamed)
    commit_all(repo, "rename", author=BOB, date="2024-09-05T00:00:00+00:00")
    history = collect_provenance(root, [renamed], allow_dirty=False).notes[renamed]
    assert history.authors == ("Alice Sato", "Bob 田中")
    assert history.date == "2024-09-05"


def test_modified_note_is_refused_unless_allow_dirty(wg) -> None:
    root, _, _, second = wg
    with open(root / NOTE2, "a", encoding="utf-8") as handle:
        handle.write("- 未コミット\n")
    with pytest.raises(ProceedingsError) as caught:
        collect(root, allow_dirty=False)
    assert NOTE2 in str(caught.value) and "--allow-dirty" in str(caught.value)
    prov = collect(root, allow_dirty=True)
    assert prov.source_commit == second[:SHORT_HASH] + "+dirty"
    assert prov.notes[NOTE2].dirty and not prov.notes[NOTE].dirty
    assert prov.notes[NOTE2].commit.endswith("+dirty")
    assert not prov.notes[NOTE].commit.endswith("+dirty")
    assert prov.dirty


def test_staged_and_untracked_notes_count_as_dirty(wg) -> None:
    root, repo, _, _ = wg
    new_note = "sessions/2024-08-24-camp/03-new.md"
    write(root / new_note, "---\ntitle: 新しい\n---\n")
    prov = collect_provenance(root, [NOTE, new_note], allow_dirty=True)
    assert prov.source_commit.endswith("+dirty")
    assert prov.notes[new_note].commit == "" and prov.notes[new_note].dirty
    repo.git.add(new_note)  # staged but not committed is still not in any commit
    with pytest.raises(ProceedingsError, match="03-new.md"):
        collect_provenance(root, [NOTE, new_note], allow_dirty=False)


def test_gitignored_note_counts_as_dirty(wg) -> None:
    root, repo, _, _ = wg
    write(root / ".gitignore", "*.secret.md\n")
    commit_all(repo, "ignore")
    hidden = "sessions/2024-08-24-camp/03-x.secret.md"
    write(root / hidden, "---\ntitle: x\n---\n")
    with pytest.raises(ProceedingsError, match="03-x.secret.md"):
        collect_provenance(root, [hidden], allow_dirty=False)


def test_changes_outside_the_sources_are_not_dirty(wg) -> None:
    root, _, _, _ = wg
    write(root / "README.md", "work in progress\n")
    write(root / "proceedings" / "proceedings.md", "stale build\n")
    assert not collect(root, allow_dirty=False).dirty


def test_wg_root_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo_dir = tmp_path / "monorepo"
    root = make_archive(repo_dir / "wg")
    make_session(root, "2024-08-24-camp", notes=1)
    write(repo_dir / "other" / "file.txt", "unrelated\n")
    repo = init_repo(repo_dir)
    sha = commit_all(repo, "all", author=ALICE)
    prov = collect_provenance(root, [NOTE], allow_dirty=False)
    assert prov.source_commit == sha[:SHORT_HASH]
    assert set(prov.notes) == {NOTE}
    assert prov.notes[NOTE].authors == ("Alice Sato",)
    write(repo_dir / "other" / "file.txt", "changed\n")  # outside the WG: not a source
    assert not collect_provenance(root, [NOTE], allow_dirty=False).dirty


def test_not_a_repository_is_a_clear_error(tmp_path: Path) -> None:
    root = make_archive(tmp_path / "plain")
    with pytest.raises(ProceedingsError, match="not inside a git repository"):
        collect_provenance(root, [], allow_dirty=False)
