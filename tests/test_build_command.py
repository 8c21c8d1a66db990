"""`proceedings build` on the sample and on small archives: structure, exit codes, files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from build_archives import (
    Elements,
    archive,
    body_of,
    note,
    run,
    run_default_formats,
    section_of,
    session,
    workspace,
)
from proceedings.publish.provenance import NoteHistory, Provenance
from proceedings.render.build import BuildOptions, build_proceedings
from proceedings.templates import packaged_templates_dir

S1 = "2024-05-01-spring"
S2 = "2024-06-01-summer"
GOOD = "## 概要\n\n本文。\n\n## 議論\n\n- ★ **要点**\n"


def small_archive(root: Path, config: str = "") -> Path:
    return archive(
        root,
        {
            f"{S1}/session.md": session("春の会", "2024-05-01", extra="event: 春の集い\n"),
            f"{S1}/01-a.md": note("春の話題", GOOD),
            f"{S2}/session.md": session("夏の会", "2024-06-01", extra="participants: [A, B]\n"),
            f"{S2}/01-b.md": note("夏の話題", GOOD),
        },
        config,
    )


def outputs(root: Path) -> dict[str, bytes]:
    folder = root / "proceedings"
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_sample_builds_into_one_structured_publication(sample_archive: Path) -> None:
    result = run(sample_archive)
    assert result.exit_code == 0, result.output
    page = (sample_archive / "proceedings" / "proceedings.html").read_text("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="ja">')
    head = page[: page.index("<body>")]
    assert "<title>議論記録集 2024–2025</title>" in head
    assert '<meta name="author" content="MLOps WG(機械学習基盤・運用ワーキンググループ)">' in head
    assert '<meta name="dcterms.created" content="2025-02-15">' in head
    assert '<meta name="keywords" content="workflow, experiment-tracking,' in head
    assert '<meta name="generator" content="proceedings ' in head
    elements = Elements(body_of(page))
    parts = [(t, a.get("class"), a.get("id")) for t, a in elements.tags
             if t in ("section", "nav", "article") and a.get("class") != "footnotes"]
    assert parts[:3] == [("section", "cover", "cover"), ("nav", "toc", "toc"),
                         ("section", "digest", "digest")]
    assert parts[-1] == ("section", "colophon", "colophon")
    sessions = [p[2] for p in parts if p[1] == "session"]
    assert sessions == ["2024-03-16-workflow-workshop", "2024-08-24-summer-camp",
                        "2025-02-15-online-followup"]
    assert len([p for p in parts if p[1] == "topic"]) == 8
    # the table of contents links every session and topic to its part
    ids = set(elements.ids())
    toc = Elements(section_of(page, "toc"))
    session_links = [a["href"][1:] for a in toc.find("a", class_="toc-session")]
    topic_links = [a["href"][1:] for a in toc.find("a", class_="toc-topic")]
    assert session_links == sessions and len(topic_links) == 8
    assert set(topic_links) <= ids
    # every ★ of the sample is in the digest and links to where it stands
    digest_links = [a["href"][1:] for a in Elements(section_of(page, "digest")).find("a")]
    assert len(digest_links) == 32 and set(digest_links) <= ids
    for label in ("目次", "要点一覧", "奥付", "記録者", "参加者", "進行", "場所", "出典"):
        assert label in page, label
    assert '<h1 class="session-title">MLOps WG 夏合宿 2024 ディベート</h1>' in page
    assert "24 名" in section_of(page, "2024-03-16-workflow-workshop")


def test_rebuild_is_byte_identical_and_leaves_files_alone(sample_archive: Path) -> None:
    assert run(sample_archive).exit_code == 0
    first = outputs(sample_archive)
    stamps = {p: p.stat().st_mtime_ns for p in (sample_archive / "proceedings").rglob("*")}
    again = run(sample_archive, "--json")
    assert again.exit_code == 0, again.output
    assert outputs(sample_archive) == first
    summary = json.loads(again.stdout)
    assert [o["changed"] for o in summary["outputs"]] == [False, False]
    assert all(not a["changed"] for a in summary["assets"])
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    # another checkout of the same notes, elsewhere, gives the same bytes
    other = sample_archive.parent / "elsewhere" / "wg"
    shutil.copytree(sample_archive / "sessions", other / "sessions")
    shutil.copy(sample_archive / "proceedings.toml", other / "proceedings.toml")
    assert run(other).exit_code == 0
    assert outputs(other) == first


def test_json_summary(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg")
    result = run(root, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["sessions"] == [S1, S2]
    assert (summary["notes"], summary["key_points"]) == (2, 2)
    assert [(o["path"], o["format"]) for o in summary["outputs"]] == [
        ("proceedings/proceedings.md", "md"), ("proceedings/proceedings.html", "html")]
    for entry in summary["outputs"]:
        assert entry["size"] == (root / entry["path"]).stat().st_size and entry["changed"]
    assert summary["warnings"] == [] and summary["errors"] == []


def test_configured_formats_that_do_not_exist_are_named(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg", 'wg_name = "W"\n[build]\nformats = ["md", "epub"]\n')
    result = run_default_formats(root, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert [o["format"] for o in summary["outputs"]] == ["md"]
    assert "epub" in summary["skipped_formats"]
    text = run_default_formats(root)
    assert "epub not built" in text.output


def test_an_empty_formats_list_says_so_and_builds_nothing(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg", 'wg_name = "W"\n[build]\nformats = []\n')
    result = run_default_formats(root)
    assert result.exit_code == 2
    assert "build.formats is empty: there is nothing to build" in result.output
    assert not (root / "proceedings").exists()
    assert run_default_formats(root, "--format", "md").exit_code == 0  # the option still works


def test_format_and_output_options(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg")
    target = tmp_path / "preview"
    result = run(root, "--format", "md", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == [
        ".proceedings-manifest.json", "proceedings.md"
    ]
    assert not (root / "proceedings").exists()
    bad = run(root, "--format", "md,docx")
    assert bad.exit_code == 2 and "unknown output format `docx`" in bad.output
    inside = run(root, "--output", str(root / "sessions" / "out"))
    assert inside.exit_code == 2 and "inside the sessions folder" in inside.output


def test_selection_by_session_and_dates(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg")
    for args, expected in (
        (("--session", S2), [S2]),
        (("--session", "spring"), [S1]),
        (("--since", "2024-05-02"), [S2]),
        (("--until", "2024-05-01"), [S1]),
        (("--since", "2024-05-01", "--until", "2024-06-01"), [S1, S2]),
    ):
        result = run(root, *args, "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["sessions"] == expected, args
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    assert "2024-05-01 – 2024-06-01" in page


def test_empty_archive_and_empty_selection_are_clear_errors(tmp_path: Path) -> None:
    empty = archive(tmp_path / "empty", {})
    result = run(empty)
    assert result.exit_code == 2
    assert "no sessions yet" in result.output and "new-session" in result.output
    root = small_archive(tmp_path / "wg")
    none = run(root, "--since", "2030-01-01")
    assert none.exit_code == 2 and "no session matches" in none.output
    unknown = run(root, "--session", "autumn")
    assert unknown.exit_code == 2 and "no session `autumn`" in unknown.output
    bad_date = run(root, "--since", "2024/05/01")
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    assert not (root / "proceedings").exists()


def test_check_errors_stop_the_build_unless_forced(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg")
    (root / "sessions" / S1 / "01-a.md").write_text(
        "---\ntitle: 春の話題\nscribe: [誰か]\n---\n\n# 春の話題\n\n" + GOOD, "utf-8"
    )
    result = run(root)
    assert result.exit_code == 1
    assert f"sessions/{S1}/01-a.md:3" in result.output and "scribe" in result.output
    assert "--force" in result.output
    assert not (root / "proceedings").exists()
    blocked = run(root, "--json")
    assert blocked.exit_code == 1 and json.loads(blocked.stdout)["blocked"] == "checks"
    forced = run(root, "--force")
    assert forced.exit_code == 0, forced.output
    assert (root / "proceedings" / "proceedings.html").is_file()


def test_warnings_are_shown_and_do_not_stop_the_build(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg")
    (root / "sessions" / S2 / "01-b.md").write_text(
        note("夏の話題", GOOD + "\n[春の話](../2024-05-01-spring/01-a.md)\n"), "utf-8"
    )
    result = run(root, "--session", S2)
    assert result.exit_code == 0, result.output
    assert f"sessions/{S2}/01-b.md:17:1: B805" in result.output
    assert (root / "proceedings" / "proceedings.html").is_file()


def test_a_failed_build_keeps_the_good_outputs(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg")
    assert run(root).exit_code == 0
    good = outputs(root)
    # a broken template override: rendering fails after checks and compile succeeded
    (root / "templates").mkdir()
    (root / "templates" / "proceedings.html.j2").write_text("{% if %}broken", "utf-8")
    (root / "sessions" / S1 / "01-a.md").write_text(note("春の話題", GOOD + "\n追記。\n"), "utf-8")
    result = run(root)
    assert result.exit_code == 2 and "template syntax error" in result.output
    assert outputs(root) == good  # not even proceedings.md, rendered before, was replaced
    assert not [p for p in (root / "proceedings").rglob("*.tmp")]


def test_wg_template_override_and_english_labels(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg", 'wg_name = "Ops WG"\nlanguage = "en"\n')
    result = run(root)
    assert result.exit_code == 0, result.output
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    for label in ("Contents", "Key points", "Colophon", "Scribes", "Participants"):
        assert label in page, label
    assert "目次" not in page
    # the WG overrides one template file; everything else stays packaged
    (root / "templates").mkdir()
    template = (packaged_templates_dir() / "proceedings.md.j2").read_text("utf-8")
    (root / "templates" / "proceedings.md.j2").write_text(
        template.replace("{{ heading(1, labels.toc", "{{ heading(1, 'Inhalt'"), "utf-8"
    )
    assert run(root).exit_code == 0
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    assert '<h1 class="toc-title">Inhalt</h1>' in page


def test_draft_notes_and_session_metadata_are_shown(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg")
    (root / "sessions" / S2 / "01-b.md").write_text(
        note("夏の話題", GOOD).replace("status: final", "status: draft"), "utf-8"
    )
    assert run(root).exit_code == 0
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    spring = section_of(page, S1)
    assert "イベント" in spring and "春の集い" in spring
    summer = section_of(page, f"{S2}--b")
    assert "下書き" in summer
    assert "A、B" in section_of(page, S2)


def test_provenance_goes_into_colophon_and_metadata(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg")
    provenance = Provenance(
        source_commit="0123456789ab",
        commit_date="2024-06-02T10:00:00+09:00",
        tool_version="9.9.9",
        notes={
            f"sessions/{S1}/01-a.md": NoteHistory(
                f"sessions/{S1}/01-a.md", "aaaaaaaaaaaa", "2024-05-03", ("佐藤", "Kim")
            ),
        },
    )
    result = build_proceedings(workspace(root), BuildOptions(provenance=provenance))
    page = result.outputs[1].path.read_text("utf-8")
    markdown = result.outputs[0].path.read_text("utf-8")
    assert '<meta name="proceedings.source-commit" content="0123456789ab">' in page
    assert '<meta name="dcterms.modified" content="2024-06-02T10:00:00+09:00">' in page
    assert '<meta name="generator" content="proceedings 9.9.9">' in page
    colophon = section_of(page, "colophon")
    assert "0123456789ab" in colophon and "aaaaaaaaaaaa" in colophon
    assert "佐藤、Kim" in colophon and "2024-05-03" in colophon
    assert "未コミット" in colophon  # the other note has no history
    assert re.search(r"\| `sessions/2024-05-01-spring/01-a.md` \| 確定 \| `aaaaaaaaaaaa` \|",
                     markdown)


def test_progress_is_quiet_when_piped(tmp_path: Path) -> None:
    root = small_archive(tmp_path / "wg")
    result = run(root)
    assert result.exit_code == 0
    assert "compile" not in result.output and "render" not in result.output
    assert "proceedings.md" in result.output and "proceedings.html" in result.output
    assert "2 sessions, 2 topics, 2 key points" in result.output


def test_progress_on_a_terminal_names_every_step(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import io

    from rich.console import Console

    from proceedings.cli import build_command

    root = small_archive(tmp_path / "wg")
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    monkeypatch.setattr(build_command, "console", Console(file=io.StringIO(),
                                                          force_terminal=True))
    monkeypatch.setattr(build_command, "err_console", terminal)
    result = build_command.run_build(root, BuildOptions(formats=("md", "html")))
    assert [o.format for o in result.outputs] == ["md", "html"]
    shown = screen.getvalue()
    for step in ("load", "check", "compile", "render proceedings.md",
                 "render proceedings.html", "write"):
        assert step in shown, step
