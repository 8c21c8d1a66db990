"""Names: T506 proposes the corrected folder name; `proceedings rename` renames a note or a
session folder and rewrites every link that points at it."""

from __future__ import annotations

from pathlib import Path

from proceedings.config import load_config
from proceedings.load.workspace import load_workspace

from helpers import GOOD_NOTE, make_archive, write

SESSION = "---\ntitle: {title}\ndate: {date}\n---\n\n概要の文章。\n"


def t506_hints(root: Path) -> dict[str, str]:
    workspace = load_workspace(load_config(root))
    return {d.path: d.hint for d in workspace.all_diagnostics() if d.code == "T506"}


def bad_session(root: Path, folder: str, title: str, date: str) -> None:
    write(root / "sessions" / folder / "session.md", SESSION.format(title=title, date=date))
    write(root / "sessions" / folder / "01-topic.md", GOOD_NOTE.format(title="話題"))


def test_t506_proposes_the_name_from_the_date_and_the_folder_name(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    bad_session(root, "Summer Camp", "夏合宿", "2024-08-24")
    bad_session(root, "2024_08_25_breakout", "Breakout", "not a date")
    hints = t506_hints(root)
    assert hints["sessions/Summer Camp"] == (
        "rename it to `2024-08-24-summer-camp` with `proceedings rename 'sessions/Summer Camp' "
        "summer-camp`, which also rewrites the links to it, or `git mv 'sessions/Summer Camp' "
        "sessions/2024-08-24-summer-camp`"
    )
    # session.md's date is no date: the one the folder name starts with is used
    assert "`2024-08-25-breakout`" in hints["sessions/2024_08_25_breakout"]


def test_t506_uses_the_title_then_asks_for_a_readable_slug(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    bad_session(root, "夏合宿", "Summer Camp 夏合宿", "2025-08-25")
    bad_session(root, "秋合宿", "秋合宿", "2025-10-01")
    hints = t506_hints(root)
    assert "`2025-08-25-summer-camp`" in hints["sessions/夏合宿"]
    assert hints["sessions/秋合宿"].startswith(
        "rename it to `2025-10-01-session`, better with a readable slug (a-z, 0-9, -) in place "
        "of `session`: `proceedings rename 'sessions/秋合宿' session`"
    )


def test_t506_for_an_impossible_folder_date_takes_session_md_date(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    bad_session(root, "2024-02-30-camp", "Camp", "2024-02-29")
    bad_session(root, "camp", "Camp", "")
    hints = t506_hints(root)
    assert "`2024-02-29-camp` with `proceedings rename sessions/2024-02-30-camp camp`" in (
        hints["sessions/2024-02-30-camp"])
    assert hints["sessions/camp"].startswith(
        "rename it to YYYY-MM-DD-camp with the session's date; set `date:` in its session.md")


def test_t506_says_when_the_proposed_name_is_taken(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    bad_session(root, "2024-08-24-camp", "Camp", "2024-08-24")
    bad_session(root, "camp", "Camp", "2024-08-24")
    assert "`2024-08-24-camp` is taken, so pick another slug" in t506_hints(root)["sessions/camp"]
