"""`proceedings import`: memos in the old free-form style become WG sessions, losing nothing.

The fixture memos under tests/fixtures/memos are written in the styles the WG's old archive
uses: metadata lines under a title, facts as bullets under `## 概要`, several H1 sections,
`トピック1`/`Topic 1:` headings, sub-sections named like the WG's sections, nested lists,
★ key points, reference-style links and a footnote, a PNG and PDFs beside the memo, a memo
that is only a list of questions, and one without any date.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from proceedings.authoring.importer import apply_import, plan_import
from proceedings.cli import app
from proceedings.config import load_config
from proceedings.load.markdown import parse
from proceedings.load.source import read_markdown

from helpers import make_archive, write

FIXTURES = Path(__file__).parent / "fixtures" / "memos"
DATED = [
    "20200704_SummerCampDiscussion",
    "20210305_OnlineStudyGroup",
    "20221112_OpenQuestions",
    "20230520_WorkflowWorkshop",
]
UNDATED = "LunchTalkNotes"
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}

runner = CliRunner()


@pytest.fixture
def memos(tmp_path: Path) -> Path:
    """A copy of the fixture memos, so a bug could never touch the checked-in originals."""
    copy = tmp_path / "old-memos"
    shutil.copytree(FIXTURES, copy)
    return copy


@pytest.fixture
def wg(tmp_path: Path) -> Path:
    return make_archive(tmp_path / "wg", 'wg_name = "Test WG"\nlanguage = "ja"\n')


def run(*args: str):
    return runner.invoke(app, list(args), env=ENV)


def import_json(wg: Path, *paths: Path | str, extra: tuple[str, ...] = ()) -> dict:
    result = run("import", "--root", str(wg), "--json", *extra, *map(str, paths))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def front_matter(path: Path) -> tuple[dict, str]:
    """Front matter as the WG loader reads it (dates stay text), and the body."""
    file = read_markdown(path, path.name)
    assert file.has_front_matter and not file.diagnostics, file.diagnostics
    return file.meta, file.body


# --- nothing is lost ------------------------------------------------------------------------
#
# The comparison, precisely: take every non-blank line of the original memo; strip its
# indentation, the `#`s of an ATX heading and leading list markers (`- `, `* `, `1. `); apply the
# import's link rewrites (only in link-target position: `](old`, `]: old`). Setext underlines
# (`===`) are part of their heading and skipped; code is never rewritten. Every such line
# must equal a distinct line of an imported file's body, normalised the same way, or a value
# of its front matter. A line with nothing left after that (a bare `#` or `-`) is ignored.


def _normal(line: str) -> str:
    text = line.strip()
    text = re.sub(r"^#{1,6}(?:\s+|$)", "", text)
    text = re.sub(r"\s+#+$", "", text)
    return re.sub(r"^(?:(?:[-*+]|\d+[.)])\s+)+", "", text).strip()


def _rewrite(line: str, rewrites: dict[str, str]) -> str:
    for old, new in rewrites.items():
        line = line.replace(f"]({old}", f"]({new}").replace(f"]: {old}", f"]: {new}")
    return line


def lost_lines(memo: Path, session: Path, rewrites: dict[str, str]) -> list[str]:
    available: Counter[str] = Counter()
    for path in session.glob("*.md"):
        meta, body = front_matter(path)
        for value in meta.values():
            for item in value if isinstance(value, list) else [value]:
                available[_normal(str(item))] += 1
        available.update(_normal(line) for line in body.splitlines() if line.strip())
    text = memo.read_text("utf-8")
    tokens = parse(text)
    underlines = {
        token.map[1] - 1
        for token in tokens
        if token.type == "heading_open" and token.map and token.map[1] - token.map[0] >= 2
    }
    code = {
        line
        for token in tokens
        if token.type in ("fence", "code_block") and token.map
        for line in range(*token.map)
    }
    lost = []
    for number, line in enumerate(text.splitlines()):
        key = _normal(line if number in code else _rewrite(line, rewrites))
        if not key or number in underlines:
            continue
        if available[key]:
            available[key] -= 1
        else:
            lost.append(f"{memo.name}:{number + 1}: {line}")
    return lost


def test_every_line_of_every_fixture_is_in_the_imported_files(memos: Path, wg: Path) -> None:
    data = import_json(wg, *(memos / name for name in DATED))
    data["sessions"] += import_json(wg, memos / UNDATED, extra=("--date", "2023-01-20"))["sessions"]
    assert len(data["sessions"]) == len(DATED) + 1 == len(list(FIXTURES.iterdir()))
    for session in data["sessions"]:
        memo = Path(session["source"])
        if not memo.is_absolute():
            memo = Path.cwd() / memo
        lost = lost_lines(memo, wg / session["session"], session["rewritten_links"])
        assert lost == [], "\n".join(lost)


def test_the_comparison_notices_a_missing_line(memos: Path, wg: Path) -> None:
    """The lossless check above must be able to fail: drop one bullet and it is caught."""
    data = import_json(wg, memos / DATED[0])
    session = wg / data["sessions"][0]["session"]
    note = session / "01-monitoring.md"
    note.write_text(
        note.read_text("utf-8").replace("  - リクエスト ID で推論ログと突き合わせる案が出た\n", ""),
        "utf-8",
    )
    lost = lost_lines(memos / DATED[0] / "memo.md", session, data["sessions"][0]["rewritten_links"])
    assert lost == ["memo.md:29:   - リクエスト ID で推論ログと突き合わせる案が出た"]


def test_originals_are_never_modified(memos: Path, wg: Path) -> None:
    before = tree_digest(memos)
    run("import", "--root", str(wg), "--dry-run", str(memos / DATED[0]))
    run("import", "--root", str(wg), str(memos))  # fails: one memo has no date
    import_json(wg, *(memos / name for name in DATED))
    run("import", "--root", str(wg), str(memos / DATED[0]))  # fails: the session exists
    assert tree_digest(memos) == before


# --- the mapping ----------------------------------------------------------------------------


def test_metadata_lines_become_front_matter_and_stay_listed(memos: Path, wg: Path) -> None:
    data = import_json(wg, memos / "20200704_SummerCampDiscussion")
    (session,) = data["sessions"]
    assert session["session"] == "sessions/2020-07-04-summer-camp-discussion"
    folder = wg / session["session"]
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "01-monitoring.md",
        "02-experiment-tracking.md",
        "attachments/slides.pdf",
        "images/architecture.png",
        "session.md",
    ]
    meta, body = front_matter(folder / "session.md")
    assert meta == {
        "title": "夏合宿ディスカッション 2020",
        "date": "2020-07-04",
        "url": "https://example.org/events/summer-camp-2020",
        "location": "オンライン",
        "facilitators": ["田中", "Priya"],
        "participants": 20,
        "tags": ["event", "memo", "合宿"],
    }
    # The introduction is the overview; the wrap-up section stays in the session, in place.
    assert (
        body.index("例年は山の研修所") < body.index("## まとめ") < body.index("## 元のメタデータ")
    )
    original = body.split("## 元のメタデータ", 1)[1]
    assert "- Date: 2020/07/04\n" in original and "- 配信: YouTube Live（限定公開）\n" in original
    # The memo-level scribe is every note's scribe.
    note_meta, note_body = front_matter(folder / "01-monitoring.md")
    assert note_meta == {
        "title": "トピック1 Monitoring の設計",
        "scribes": ["山本"],
        "status": "draft",
    }
    assert note_body.lstrip().startswith("# トピック1 Monitoring の設計\n")
    # What has no place in the format is reported, with its line.
    assert {(f["line"], f["message"].split(" has")[0]) for f in session["unmapped"]} == {
        (10, "metadata `配信`")
    }


def test_facts_as_bullets_under_overview_and_several_h1_sections(memos: Path, wg: Path) -> None:
    data = import_json(wg, memos / "20210305_OnlineStudyGroup")
    folder = wg / data["sessions"][0]["session"]
    assert folder.name == "2021-03-05-online-study-group"
    meta, body = front_matter(folder / "session.md")
    assert meta == {
        "title": "第5回 オンライン勉強会メモ",
        "date": "2021-03-05",
        "location": "オンライン（Zoom）",
        "facilitators": ["佐藤"],
        "participants": 32,
    }
    # The bullets stay where they were; the H1 sections became H2 / notes.
    assert "## 概要\n\n- 日時: 2021年3月5日(金) 19:00〜21:00\n" in body
    assert "## 次回に向けて" in body and "[発表資料](attachments/資料.pdf)" in body
    names = sorted(p.name for p in folder.glob("0*.md"))
    assert names == ["01-model-handoff.md", "02-feature-store.md"]
    _, handoff = front_matter(folder / "01-model-handoff.md")
    headings = [line for line in handoff.splitlines() if line.startswith("#")]
    assert headings == [
        "# モデルの受け渡し (Model Handoff)",
        "## 概要",
        "## 議論",
        "### 背景",
        "### 出た意見",
    ]
    _, store = front_matter(folder / "02-feature-store.md")
    # `####` right under a topic is re-levelled so the note's headings do not jump.
    assert "\n### 小さなチームの場合\n" in store
    assert "![ある会社で起きたドリフトの例](images/drift.png)" in store
    assert (folder / "images/drift.png").read_bytes() == (
        memos / "20210305_OnlineStudyGroup/img/drift.png"
    ).read_bytes()
    unmapped = data["sessions"][0]["unmapped"]
    assert [f["line"] for f in unmapped] == [5] and "19:00〜21:00" in unmapped[0]["message"]


def test_reference_links_are_copied_into_each_note_that_uses_them(memos: Path, wg: Path) -> None:
    data = import_json(wg, memos / "20200704_SummerCampDiscussion")
    folder = wg / data["sessions"][0]["session"]
    monitoring = (folder / "01-monitoring.md").read_text("utf-8")
    tracking = (folder / "02-experiment-tracking.md").read_text("utf-8")
    session = (folder / "session.md").read_text("utf-8")
    assert '[otel]: https://opentelemetry.io/ "OpenTelemetry"' in monitoring
    assert "[mlflow]:" not in monitoring
    assert "[mlflow]: https://mlflow.org/" in tracking and "[otel]:" not in tracking
    # The slides link is used in the overview: its definition stays there, pointing at the copy.
    assert "[slides]: attachments/slides.pdf" in session
    assert "![当日ホワイトボードに描いた構成図](images/architecture.png)" in monitoring
    assert data["sessions"][0]["rewritten_links"] == {
        "slides.pdf": "attachments/slides.pdf",
        "architecture.png": "images/architecture.png",
    }
    png = (folder / "images/architecture.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert (folder / "attachments/slides.pdf").read_bytes().startswith(b"%PDF-")


def test_a_memo_of_questions_only_becomes_one_note(memos: Path, wg: Path) -> None:
    result = run("import", "--root", str(wg), str(memos / "20221112_OpenQuestions"))
    assert result.exit_code == 0, result.output
    assert "no topic sections" in result.output and "01-open-questions.md" in result.output
    folder = wg / "sessions/2022-11-12-open-questions"
    assert sorted(p.name for p in folder.iterdir()) == ["01-open-questions.md", "session.md"]
    meta, body = front_matter(folder / "session.md")
    assert meta["tags"] == ["論点", "宿題"] and meta["date"] == "2022-11-12"  # `：` and `、`
    assert body.lstrip().startswith("合宿の懇親会で出たものの")
    note_meta, note = front_matter(folder / "01-open-questions.md")
    assert note_meta["title"] == "運用まわりの未解決の問い"
    assert "## 議論\n\n- ドリフト検知の閾値は誰が決めるべきか？" in note
    assert note.count("？") == 5


def test_topic_sub_sections_named_like_the_wgs_become_its_sections(memos: Path, wg: Path) -> None:
    data = import_json(wg, memos / "20230520_WorkflowWorkshop")
    folder = wg / data["sessions"][0]["session"]
    meta, _ = front_matter(folder / "session.md")
    assert meta["event"] == "MLOps WG 春のワークショップ" and meta["participants"] == 15
    assert (
        meta["facilitators"] == ["Kim", "鈴木"]
        and meta["title"] == "ワークフロー ワークショップ 2023"
    )
    _, first = front_matter(folder / "01-topic-1.md")
    headings = [line for line in first.splitlines() if line.startswith("#")]
    assert headings == ["# Topic 1: パイプラインの失敗通知", "## 概要", "## 議論", "## 要点"]
    assert "✎" not in first  # nothing left to fill in
    # The footnote was defined at the very end, under topic 2; it moved to the note using it.
    assert "[^retry]: 3 回までは" in first
    _, second = front_matter(folder / "02-topic-2.md")
    assert "[^retry]" not in second and "[runbook]" not in second
    assert "## 概要\n\n✎ " in second and "## 議論\n\n- 個人情報を含む" in second


# --- dates, slugs, refusals --------------------------------------------------------------------


def test_a_memo_without_a_date_asks_for_one_and_writes_nothing(memos: Path, wg: Path) -> None:
    result = run("import", "--root", str(wg), str(memos / UNDATED))
    assert result.exit_code == 2
    assert "LunchTalkNotes/memo.md" in result.stderr and "--date YYYY-MM-DD" in result.stderr
    assert list((wg / "sessions").iterdir()) == []
    # A whole archive with one undated memo: refused as a whole, nothing written.
    result = run("import", "--root", str(wg), str(memos))
    assert result.exit_code == 2 and "LunchTalkNotes/memo.md" in result.stderr
    assert list((wg / "sessions").iterdir()) == []
    # With --date it goes through; the slug comes from the CamelCase folder name.
    data = import_json(wg, memos / UNDATED, extra=("--date", "2023-01-20"))
    assert data["sessions"][0]["session"] == "sessions/2023-01-20-lunch-talk-notes"
    meta, _ = front_matter(wg / "sessions/2023-01-20-lunch-talk-notes/session.md")
    assert meta == {
        "title": "ランチ LT メモ",
        "date": "2023-01-20",
        "location": "社内のカフェスペース",
        "tags": ["lightning-talk"],
    }


@pytest.mark.parametrize(
    ("line", "folder", "expected"),
    [
        ("Date: 2020/07/04", "Memo", "2020-07-04"),
        ("日付: 2020-07-04", "Memo", "2020-07-04"),
        ("開催日：2020年7月4日（土）", "Memo", "2020-07-04"),
        ("", "20200704_Memo", "2020-07-04"),
        ("", "2020-07-04-memo", "2020-07-04"),
    ],
)
def test_date_formats(tmp_path: Path, wg: Path, line: str, folder: str, expected: str) -> None:
    memo = write(
        tmp_path / "in" / folder / "memo.md", f"# 例会\n\n{line}\n\n## トピック1 何か\n\n- 本文\n"
    )
    data = import_json(wg, memo)
    assert data["sessions"][0]["date"] == expected
    assert data["sessions"][0]["session"] == f"sessions/{expected}-memo"


def test_a_date_that_is_not_real_is_an_error_with_its_line(tmp_path: Path, wg: Path) -> None:
    memo = write(tmp_path / "in/Memo/memo.md", "# 例会\n\nDate: 2021/02/30\n\n- 本文\n")
    result = run("import", "--root", str(wg), str(memo))
    assert result.exit_code == 2
    assert "memo.md:3: `2021/02/30` is not a real date" in result.stderr
    result = run("import", "--root", str(wg), "--date", "2021-02-30", str(memo))
    assert result.exit_code == 2 and "--date 2021-02-30 is not a real date" in result.stderr


def test_a_name_without_ascii_needs_slug(tmp_path: Path, wg: Path) -> None:
    memo = write(tmp_path / "in/20240101_新年会/memo.md", "# 新年会\n\n- 乾杯\n")
    result = run("import", "--root", str(wg), str(memo))
    assert result.exit_code == 2 and "--slug" in result.stderr
    assert list((wg / "sessions").iterdir()) == []
    data = import_json(wg, memo, extra=("--slug", "new-year"))
    assert data["sessions"][0]["session"] == "sessions/2024-01-01-new-year"
    bad = run("import", "--root", str(wg), "--slug", "../escape", str(memo))
    assert bad.exit_code == 2 and list((wg / "sessions").iterdir()) == [
        wg / "sessions/2024-01-01-new-year"
    ]


def test_an_existing_session_folder_is_never_overwritten(memos: Path, wg: Path) -> None:
    existing = write(wg / "sessions/2020-07-04-summer-camp-discussion/session.md", "mine\n")
    result = run("import", "--root", str(wg), str(memos / DATED[0]), str(memos / DATED[1]))
    assert result.exit_code == 2
    assert "sessions/2020-07-04-summer-camp-discussion already exists" in result.stderr
    assert existing.read_text("utf-8") == "mine\n"
    # Nothing at all was written, not even the other memo's session.
    assert [p.name for p in (wg / "sessions").iterdir()] == ["2020-07-04-summer-camp-discussion"]


def test_dry_run_shows_the_plan_as_a_tree_and_writes_nothing(memos: Path, wg: Path) -> None:
    before = tree_digest(wg)
    result = run("import", "--root", str(wg), "--dry-run", *(str(memos / n) for n in DATED))
    assert result.exit_code == 0, result.output
    assert tree_digest(wg) == before
    out = result.stdout
    assert "Import plan (dry run)" in out and "nothing was written" in out
    assert "├── " in out or "└── " in out
    for expected in (
        "sessions/2020-07-04-summer-camp-discussion/",
        "01-monitoring.md",
        "images/architecture.png",
        "⚠ line 10: metadata `配信`",
        "sessions/2022-11-12-open-questions/",
    ):
        assert expected in out
    data = json.loads(
        run("import", "--root", str(wg), "--dry-run", "--json", str(memos / DATED[0])).stdout
    )
    assert data["dry_run"] is True and tree_digest(wg) == before
    assert [f["path"].rsplit("/", 1)[-1] for f in data["sessions"][0]["files"]][:3] == [
        "session.md",
        "01-monitoring.md",
        "02-experiment-tracking.md",
    ]


def test_a_failed_write_leaves_no_half_session(memos: Path, wg: Path) -> None:
    loaded = load_config(wg)
    plan = plan_import(loaded, [memos / DATED[0], memos / DATED[1]])
    assert plan.ok
    (memos / DATED[1] / "img/drift.png").unlink()  # vanishes between planning and writing
    with pytest.raises(FileNotFoundError):
        apply_import(plan)
    assert list((wg / "sessions").iterdir()) == []  # no session, no hidden temporary folder


def test_links_that_leave_the_memo_or_point_nowhere_are_reported(tmp_path: Path, wg: Path) -> None:
    write(tmp_path / "secret.txt", "do not publish\n")
    memo = write(
        tmp_path / "in/20240202_Links/memo.md",
        "# リンク\n\n## トピック1 参照\n\n- [秘密](../../secret.txt)\n- ![図](missing.png)\n"
        "- [議事録](notes.docx)\n",
    )
    write(memo.parent / "notes.docx", b"PK")
    write(memo.parent / ".DS_Store", b"x")
    data = import_json(wg, tmp_path / "in")
    messages = [f["message"] for f in data["sessions"][0]["unmapped"]]
    assert any("`../../secret.txt` is outside the imported folder" in m for m in messages)
    assert any("`missing.png` does not exist" in m for m in messages)
    assert any("`notes.docx` is not an asset type" in m for m in messages)
    assert any("hidden file `.DS_Store`" in m for m in messages)
    folder = wg / "sessions/2024-02-02-links"
    assert sorted(p.name for p in folder.iterdir()) == ["01-topic-1.md", "session.md"]


def test_shift_jis_memo_and_unlinked_files_beside_it(tmp_path: Path, wg: Path) -> None:
    memo = tmp_path / "in/20190910_Kickoff/memo.md"
    write(
        memo,
        "# キックオフ\r\n\r\n場所: 会議室\r\n\r\n## トピック1 進め方\r\n\r\n- 月 1 回\r\n".encode(
            "cp932"
        ),
    )
    write(memo.parent / "agenda.pdf", b"%PDF-1.4\n%%EOF\n")
    data = import_json(wg, memo)
    decisions = " ".join(f["message"] for f in data["sessions"][0]["decisions"])
    assert "Shift_JIS" in decisions and "agenda.pdf" in decisions
    folder = wg / "sessions/2019-09-10-kickoff"
    _, body = front_matter(folder / "session.md")
    assert "## 添付資料\n\n- [agenda.pdf](attachments/agenda.pdf)" in body
    assert (folder / "attachments/agenda.pdf").is_file()
    assert "\r" not in (folder / "01-topic-1.md").read_text("utf-8")


# --- the result is a valid archive: check and build -----------------------------------------


def _import_all(memos: Path, wg: Path) -> None:
    import_json(wg, *(memos / name for name in DATED))
    import_json(wg, memos / UNDATED, extra=("--date", "2023-01-20"))


def test_imported_archive_passes_check_with_only_warnings(memos: Path, wg: Path) -> None:
    _import_all(memos, wg)
    result = run("check", "--root", str(wg))
    assert result.exit_code == 0, result.output
    codes = set(re.findall(r":\d+:\d+: ([A-Z]\d{3}) ", result.output))
    assert codes == {"C401"}, result.output  # only the ✎ placeholders for missing summaries


def test_imported_archive_builds(memos: Path, wg: Path) -> None:
    _import_all(memos, wg)
    result = run("build", "--root", str(wg), "--format", "md,html")
    assert result.exit_code == 0, result.output
    merged = (wg / "proceedings/proceedings.md").read_text("utf-8")
    for title in (
        "夏合宿ディスカッション 2020",
        "トピック1 Monitoring の設計",
        "運用まわりの未解決の問い",
        "Topic 1: パイプラインの失敗通知",
    ):
        assert title in merged
    html = (wg / "proceedings/proceedings.html").read_text("utf-8")
    assert "サービス指標と ML 指標は時間軸が違う" in html


# --- any memo: a clean error or a lossless import, never a crash ------------------------------

_LINES = st.sampled_from(
    [
        "# 例会メモ",
        "# 概要",
        "## トピック1 監視",
        "## Topic 2: Handoff",
        "# まとめ",
        "### 補足",
        "#### 詳細",
        "## 議論",
        "### 概要",
        "Date: 2020/07/04",
        "日時：2021年3月5日",
        "Tags: a, b",
        "場所: オンライン",
        "謎の項目: 値",
        "- 日時: 2022-01-02",
        "- 論点 ★ **重要**",
        "  - 入れ子の項目",
        "    - さらに入れ子",
        "1. 番号付き",
        "普通の段落です。",
        "[ref]: https://example.org/",
        "[^n]: 脚注の本文",
        "[リンク][ref] と脚注[^n]",
        "![図](fig.png)",
        "```",
        "# コードの中の見出し?",
        "> 引用",
        "---",
        "===",
        "| a | b |",
        "|---|---|",
        "<div>html</div>",
        "Title: 別名",
        "   # 字下げした見出し",
        "#",
        "    字下げコード",
        "* * *",
        "[ref]: fig.png",
        "- [ ] 未完了のタスク",
        "参加者: 山田, 佐藤",
        "",
        "",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_LINES, min_size=1, max_size=30))
def test_any_memo_imports_without_loss_or_fails_cleanly(tmp_path: Path, lines: list[str]) -> None:
    folder = tmp_path / f"case{len(list(tmp_path.iterdir()))}" / "20200704_Memo"
    write(folder / "memo.md", "\n".join(lines) + "\n")
    write(folder / "fig.png", b"\x89PNG\r\n\x1a\n")
    root = make_archive(folder.parent / "wg")
    try:
        plan = plan_import(load_config(root), [folder], date=None, slug=None)
    except Exception as exc:  # noqa: BLE001 - any exception here is the bug being hunted
        raise AssertionError(f"crashed on {lines!r}") from exc
    for problem in plan.problems:
        assert "would lose" not in str(problem), (lines, str(problem))
    if plan.ok:
        apply_import(plan)
        (session,) = plan.memos
        lost = lost_lines(folder / "memo.md", root / session.session_rel, session.rewrites)
        assert lost == [], (lines, lost)


def test_json_lists_every_problem_and_nothing_is_written(memos: Path, wg: Path) -> None:
    garbled = write(memos / "20240303_Garbled/memo.md", b"# \x82\xa0\n\n- \xff\xfe\n")
    result = run("import", "--root", str(wg), "--json", str(memos))
    assert result.exit_code == 2
    errors = json.loads(result.stdout)["errors"]
    assert len(errors) == 2, errors
    assert any("LunchTalkNotes/memo.md" in e and "--date YYYY-MM-DD" in e for e in errors)
    assert any(
        "20240303_Garbled/memo.md:1: is neither UTF-8 nor Shift_JIS (byte offset 2)" in e
        for e in errors
    ), errors
    assert garbled.read_bytes() == b"# \x82\xa0\n\n- \xff\xfe\n"
    assert list((wg / "sessions").iterdir()) == []


def test_a_folder_of_several_memos_gives_one_session_each(tmp_path: Path, wg: Path) -> None:
    folder = tmp_path / "archive/2024"
    write(folder / "2024-05-01-alpha.md", "# Alpha 会\n\n## トピック1 A\n\n- ![図](shared.png)\n")
    write(folder / "2024-06-01-beta.md", "# Beta 会\n\n## トピック1 B\n\n- 本文\n")
    write(folder / "shared.png", b"\x89PNG\r\n\x1a\n")
    write(folder / "orphan.csv", "a,b\n")
    data = import_json(wg, tmp_path / "archive")
    sessions = {s["session"]: s for s in data["sessions"]}
    assert set(sessions) == {"sessions/2024-05-01-alpha", "sessions/2024-06-01-beta"}
    assert (wg / "sessions/2024-05-01-alpha/images/shared.png").is_file()
    assert not (wg / "sessions/2024-06-01-beta/images").exists()
    messages = [f["message"] for s in data["sessions"] for f in s["unmapped"]]
    assert messages == [
        "`orphan.csv` sits in a folder with several memos and none links it; not copied"
    ]
