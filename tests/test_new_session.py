"""`proceedings new-session`: what a WG member sees, and what ends up on disk."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from proceedings.authoring import scaffold
from proceedings.cli import app
from proceedings.config import load_config
from proceedings.load.placeholders import is_placeholder
from proceedings.load.source import read_markdown
from proceedings.load.workspace import load_workspace

from helpers import make_archive, make_session, write

SCRIPTED = {"PROCEEDINGS_INTERACTIVE": "0"}
PROMPTING = {"PROCEEDINGS_INTERACTIVE": "1"}


@pytest.fixture
def wg(tmp_path: Path) -> Path:
    return make_archive(tmp_path / "wg")


def run(wg: Path, *args: str, env: dict | None = None, input: str | None = None):
    runner = CliRunner()
    return runner.invoke(
        app, ["new-session", "--root", str(wg), *args], env=env or SCRIPTED, input=input
    )


def flat(result) -> str:
    """The command's output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` with its bytes, to prove a command wrote nothing."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def front_matter(path: Path) -> dict:
    text = path.read_text("utf-8")
    assert text.startswith("---\n")
    return yaml.load(text.split("---\n")[1], Loader=yaml.BaseLoader)  # values as written


def loads_cleanly(wg: Path) -> None:
    """The loader (front matter schema, names, numbering) has nothing to say."""
    workspace = load_workspace(load_config(wg))
    assert workspace.all_diagnostics() == []


# --- titles and slugs ----------------------------------------------------------------------


def test_english_session_with_topics(wg: Path) -> None:
    result = run(
        wg, "Spring Workshop", "--date", "2025-04-12", "--language", "en",
        "--topic", "Experiment tracking", "--topic", "Model handoff",
        "--event", "MLOps WG #5", "--url", "https://example.org/wg?id=5",
        "--location", "Tokyo: Shibuya", "--facilitator", "Sato", "--facilitator", "Kim",
        "--participants", "24",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    session = wg / "sessions" / "2025-04-12-spring-workshop"
    assert sorted(p.name for p in session.iterdir()) == [
        "01-experiment-tracking.md",
        "02-model-handoff.md",
        "session.md",
    ]
    info = read_markdown(session / "session.md", "session.md")
    assert info.meta == {
        "title": "Spring Workshop",
        "date": "2025-04-12",
        "event": "MLOps WG #5",
        "url": "https://example.org/wg?id=5",
        "location": "Tokyo: Shibuya",
        "facilitators": ["Sato", "Kim"],
        "participants": 24,
        "tags": [],
        "language": "en",
    }
    note = read_markdown(session / "01-experiment-tracking.md", "n.md")
    assert note.meta == {
        "title": "Experiment tracking",
        "scribes": [],
        "tags": [],
        "status": "draft",
    }
    assert [(h.level, h.text) for h in note.headings] == [
        (1, "Experiment tracking"),
        (2, "Summary"),
        (2, "Discussion"),
        (2, "Key points"),
        (2, "Next steps"),
    ]
    assert "sessions/2025-04-12-spring-workshop/" in flat(result)
    assert "01-experiment-tracking.md" in flat(result)
    assert "proceedings check" in flat(result)  # the next steps
    loads_cleanly(wg)


def test_japanese_titles_fall_back_to_numbered_slugs_and_say_so(wg: Path) -> None:
    result = run(wg, "夏合宿 ディベート", "--date", "2025-06-01", "-t", "監視アーキテクチャ",
                 "-t", "責任分界")  # fmt: skip
    assert result.exit_code == 0, result.output
    session = wg / "sessions" / "2025-06-01-session"
    assert sorted(p.name for p in session.iterdir()) == [
        "01-topic-1.md",
        "02-topic-2.md",
        "session.md",
    ]
    output = flat(result)
    assert "using slug session" in output and "--slug SLUG" in output
    assert "using slug topic-1" in output and '--topic "監視アーキテクチャ=SLUG"' in output
    assert "using slug topic-2" in output
    # ...and each note says how to give it a readable name afterwards.
    assert "proceedings rename sessions/2025-06-01-session NEW-SLUG" in output
    assert "proceedings rename sessions/2025-06-01-session/01-topic-1.md NEW-SLUG" in output
    note = read_markdown(session / "01-topic-1.md", "n.md")
    assert note.meta["title"] == "監視アーキテクチャ"
    # Default language ja: the Japanese section names.
    assert [h.text for h in note.headings] == [
        "監視アーキテクチャ",
        "概要",
        "議論",
        "要点",
        "今後の課題",
    ]
    assert "language" not in read_markdown(session / "session.md", "s.md").meta
    loads_cleanly(wg)


def test_mixed_titles_and_explicit_topic_slugs(wg: Path) -> None:
    result = run(wg, "MLOps 勉強会 2025", "--date", "2025-07-05",
                 "--topic", "監視アーキテクチャ=monitoring",
                 "--topic", "Feature Store の要否",
                 "--topic", "A = B?=a-equals-b", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["session"] == "sessions/2025-07-05-mlops-2025"
    assert data["created"] == [
        "sessions/2025-07-05-mlops-2025/session.md",
        "sessions/2025-07-05-mlops-2025/01-monitoring.md",
        "sessions/2025-07-05-mlops-2025/02-feature-store.md",
        "sessions/2025-07-05-mlops-2025/03-a-equals-b.md",
    ]
    assert [(s["slug"], s["source"]) for s in data["slugs"]] == [
        ("mlops-2025", "title"),
        ("monitoring", "given"),
        ("feature-store", "title"),
        ("a-equals-b", "given"),
    ]
    # Each slug names its folder or note, so a script can `proceedings rename` a fallback.
    assert [s["path"] for s in data["slugs"]] == [data["session"], *data["created"][1:]]
    for rel in data["created"]:
        assert (wg / rel).is_file()
    third = read_markdown(wg / data["created"][3], "n.md")
    assert third.meta["title"] == "A = B?"  # only the part after the last = is the slug
    loads_cleanly(wg)


def test_titles_with_yaml_and_markdown_characters_round_trip(wg: Path) -> None:
    title = 'Q&A: "yes" or no? #1 *draft* [x] <b>'
    result = run(wg, title, "--date", "2025-07-05", "--topic", title, "--slug", "qa")
    assert result.exit_code == 0, result.output
    note = read_markdown(wg / "sessions/2025-07-05-qa/01-q-a-yes-or-no-1-draft-x-b.md", "n.md")
    assert note.meta["title"] == title
    assert note.headings[0].text == title  # the H1 shows the title literally
    assert read_markdown(wg / "sessions/2025-07-05-qa/session.md", "s.md").meta["title"] == title
    loads_cleanly(wg)


def test_participant_names_and_configured_sections(wg: Path) -> None:
    write(
        wg / "proceedings.toml",
        'wg_name = "Test WG"\nlanguage = "en"\n[sections]\n'
        'required = [["背景", "Background"], ["Discussion", "議論"]]\noptional = []\n',
    )
    result = run(wg, "Retro", "--date", "2025-01-10", "--topic", "Alerts",
                 "--participants", "佐藤, Kim、Lee")  # fmt: skip
    assert result.exit_code == 0, result.output
    session = wg / "sessions/2025-01-10-retro"
    assert read_markdown(session / "session.md", "s.md").meta["participants"] == [
        "佐藤",
        "Kim",
        "Lee",
    ]
    note = read_markdown(session / "01-alerts.md", "n.md")
    # en picks the ASCII name of each configured section, even when it is not listed first.
    assert [h.text for h in note.headings] == ["Alerts", "Background", "Discussion"]
    assert "✎ Write this section." in note.text  # a WG's own section gets generic guidance
    result = run(wg, "振り返り", "--date", "2025-01-11", "--topic", "Alerts", "--language", "ja")
    assert result.exit_code == 0, result.output
    note = read_markdown(wg / "sessions/2025-01-11-session/01-alerts.md", "n.md")
    assert [h.text for h in note.headings] == ["Alerts", "背景", "議論"]


# --- never overwrite ---------------------------------------------------------------------


def test_existing_session_is_an_error_and_nothing_changes(wg: Path) -> None:
    existing = make_session(wg, "2025-06-01-workshop", notes=2)
    (existing / "01-topic-1.md").write_text("hand-written notes\n", encoding="utf-8")
    before = snapshot(wg)
    result = run(wg, "Workshop", "--date", "2025-06-01", "--topic", "New")
    assert result.exit_code == 2
    assert "sessions/2025-06-01-workshop already exists" in flat(result)
    assert "--add-topic 2025-06-01-workshop" in flat(result)
    assert snapshot(wg) == before


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2021-02-30", "is not a real date"),
        ("2023-13-01", "is not a real date"),
        ("2021/02/03", "YYYY-MM-DD"),
        ("tomorrow", "YYYY-MM-DD"),
        ("2021-2-3", "YYYY-MM-DD"),
    ],
)
def test_bad_dates_are_rejected(wg: Path, date: str, message: str) -> None:
    before = snapshot(wg)
    result = run(wg, "Workshop", "--date", date, "--topic", "A")
    assert result.exit_code == 2
    assert message in flat(result) and date in flat(result)
    assert "Traceback" not in flat(result)
    assert snapshot(wg) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "../x"], "outside the sessions folder"),
        (["--slug", "../../etc"], "outside the sessions folder"),
        (["--slug", "/etc"], "absolute path"),
        (["--slug", "a\x00b"], "NUL"),
        (["--slug", "a\x1bb"], "control character"),
        (["--slug", "con"], "reserved"),
        (["--slug", ".."], "not a name"),
        (["--slug", "x/y"], "is a path"),
        (["--slug", "Summer Camp"], "only a-z, 0-9"),
        (["--slug", "2025-06-01-x"], "starts with a date"),
        (["--topic", "監視=../x"], "outside the sessions folder"),
        (["--topic", "監視=/tmp/evil"], "absolute path"),
        (["--topic", "監視=nul"], "reserved"),
        (["--topic", "監視=a\x00b"], "NUL"),
        (["--topic", "=slug"], "no title"),
        (["--topic", "Line\nbreak"], "control character"),
    ],
)
def test_path_traversal_and_bad_names_are_refused(
    tmp_path: Path, wg: Path, args: list[str], message: str
) -> None:
    before = snapshot(tmp_path)
    topic = [] if "--topic" in args else ["--topic", "A"]
    result = run(wg, "Workshop", "--date", "2025-06-01", *topic, *args)
    assert result.exit_code == 2, result.output
    assert message in flat(result)
    assert result.output.startswith("error:") and result.output.count("\n") <= 3
    assert snapshot(tmp_path) == before  # nothing written anywhere, inside or outside wg/


@pytest.mark.parametrize("target", ["../..", "/etc", "..", "2025-06-01-x/../../../tmp", "a\x00b"])
def test_add_topic_cannot_leave_the_sessions_folder(tmp_path: Path, wg: Path, target: str) -> None:
    make_session(wg, "2025-06-01-x")
    before = snapshot(tmp_path)
    result = run(wg, "--add-topic", target, "--topic", "A")
    assert result.exit_code == 2, result.output
    assert "--add-topic" in flat(result)
    assert snapshot(tmp_path) == before


def test_suggestion_for_a_mistyped_slug(wg: Path) -> None:
    result = run(wg, "Workshop", "--date", "2025-06-01", "--topic", "A", "--slug", "Summer_Camp")
    assert result.exit_code == 2
    assert "did you mean `summer-camp`?" in flat(result)


# --- scripted runs with missing values ---------------------------------------------------


def test_missing_values_without_a_terminal_name_the_flags(wg: Path) -> None:
    result = run(wg)
    assert result.exit_code == 2
    output = flat(result)
    assert "missing TITLE, --date and --topic" in output
    assert '--date YYYY-MM-DD --topic "TOPIC"' in output
    assert "prompts appear only on a terminal" in output
    assert list((wg / "sessions").iterdir()) == []


def test_only_the_missing_flag_is_named(wg: Path) -> None:
    result = run(wg, "Workshop", "--topic", "A")
    assert result.exit_code == 2
    assert "missing --date" in flat(result) and "TITLE" not in flat(result).split("—")[0]


def test_no_input_wins_over_forced_prompts(wg: Path) -> None:
    result = run(wg, "Workshop", "--no-input", env=PROMPTING)
    assert result.exit_code == 2
    output = flat(result)
    assert "missing --date and --topic" in output and "--no-input was given" in output
    assert "Date" not in output  # no prompt was shown


def test_date_is_never_defaulted_without_a_terminal(wg: Path) -> None:
    result = run(wg, "Workshop", "--topic", "A")
    assert result.exit_code == 2
    assert list((wg / "sessions").iterdir()) == []


# --- interactive prompts ---------------------------------------------------------------------


def test_prompts_ask_for_title_date_and_topics(wg: Path) -> None:
    answers = "Spring Workshop\n2025-04-12\nExperiment tracking\nModel handoff\n\n"
    result = run(wg, env=PROMPTING, input=answers)
    assert result.exit_code == 0, result.output
    assert "Session title" in flat(result) and "Topic 02 title" in flat(result)
    session = wg / "sessions/2025-04-12-spring-workshop"
    assert sorted(p.name for p in session.iterdir()) == [
        "01-experiment-tracking.md",
        "02-model-handoff.md",
        "session.md",
    ]
    loads_cleanly(wg)


def test_prompted_date_defaults_to_today_and_bad_dates_are_asked_again(wg: Path) -> None:
    result = run(wg, "Workshop", "--topic", "A", env=PROMPTING, input="\n")
    assert result.exit_code == 0, result.output
    today = dt.date.today().isoformat()
    assert (wg / f"sessions/{today}-workshop/session.md").is_file()

    result = run(wg, "Retro", "--topic", "A", env=PROMPTING, input="2021-02-30\n2021-03-01\n")
    assert result.exit_code == 0, result.output
    assert "is not a real date" in flat(result)
    assert (wg / "sessions/2021-03-01-retro").is_dir()


def test_prompts_ask_for_slugs_of_japanese_titles(wg: Path) -> None:
    # title, date, folder slug (the title has no ASCII letters), topics, then each topic's slug.
    # Nothing readable is proposed, so an empty answer is asked again (never a silent topic-2),
    # and "Bad/Slug" is refused and asked again.
    answers = "夏合宿\n2025-08-23\nsummer-camp\n監視\n責任分界\n\n\nBad/Slug\nmonitoring\nowners\n"
    result = run(wg, env=PROMPTING, input=answers)
    assert result.exit_code == 0, result.output
    output = flat(result)
    assert "「監視」 has no ASCII letters to make a file name from" in output
    assert "File name (a-z, 0-9, -) for 「監視」:" in output  # no [default] offered
    assert "please type a name" in output and "is a path" in output
    session = wg / "sessions/2025-08-23-summer-camp"
    assert sorted(p.name for p in session.iterdir()) == [
        "01-monitoring.md",
        "02-owners.md",
        "session.md",
    ]
    assert "using slug" not in output  # nothing fell back
    loads_cleanly(wg)


def test_the_folder_name_is_proposed_from_the_event(wg: Path) -> None:
    # Enter takes the proposal; the topic given with =slug is not asked about.
    result = run(wg, "夏合宿", "--date", "2025-08-23", "--event", "MLOps WG Summer Camp 2025",
                 "--topic", "監視=monitoring", env=PROMPTING, input="\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    output = flat(result)
    assert "proposed from --event: mlops-wg-summer-camp-2025" in output
    assert "Folder name (a-z, 0-9, -) for 「夏合宿」 [mlops-wg-summer-camp-2025]:" in output
    assert "File name" not in output
    assert (wg / "sessions/2025-08-23-mlops-wg-summer-camp-2025/01-monitoring.md").is_file()


def test_a_mistyped_or_taken_folder_name_is_asked_again(wg: Path) -> None:
    make_session(wg, "2025-08-23-camp")
    # "camp" is taken, "2025-08-23-x" repeats the date, "Summer Camp" is no slug — each is
    # asked again; the last one's slug becomes the default, which the empty answer takes.
    answers = "camp\n2025-08-23-x\nSummer Camp\n\n"
    result = run(wg, "合宿", "--date", "2025-08-23", "--topic", "Ops",
                 env=PROMPTING, input=answers)  # fmt: skip
    assert result.exit_code == 0, result.output
    output = flat(result)
    assert "session folder sessions/2025-08-23-camp already exists" in output
    assert "starts with a date" in output
    assert "for 「合宿」 [summer-camp]:" in output
    assert (wg / "sessions/2025-08-23-summer-camp/01-ops.md").is_file()


def test_add_topic_asks_for_the_file_name_of_a_japanese_topic(wg: Path) -> None:
    make_session(wg, "2025-06-01-x", notes=2)
    result = run(wg, "--add-topic", "2025-06-01-x", "--topic", "データ契約",
                 env=PROMPTING, input="\ndata contracts\ndata-contracts\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "File name (a-z, 0-9, -) for 「データ契約」" in flat(result)
    assert "please type a name" in flat(result) and "did you mean `data-contracts`" in flat(result)
    assert (wg / "sessions/2025-06-01-x/03-data-contracts.md").is_file()


def test_add_topic_prompts_for_the_topic(wg: Path) -> None:
    make_session(wg, "2025-06-01-x", notes=2)
    result = run(wg, "--add-topic", "2025-06-01-x", env=PROMPTING, input="Late topic\n\n")
    assert result.exit_code == 0, result.output
    assert "Topic 03 title" in flat(result)
    assert (wg / "sessions/2025-06-01-x/03-late-topic.md").is_file()


# --- --add-topic -------------------------------------------------------------------------------


def test_add_topic_numbers_after_the_last_note_and_touches_nothing_else(wg: Path) -> None:
    session = make_session(wg, "2025-06-01-workshop", notes=2)
    before = snapshot(session)
    result = run(wg, "--add-topic", "2025-06-01-workshop", "--topic", "Data quality",
                 "--topic", "データ契約")  # fmt: skip
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in session.iterdir())
    assert names == sorted([*before, "03-data-quality.md", "04-topic-4.md"])
    assert {k: v for k, v in snapshot(session).items() if k in before} == before
    assert "(existing session)" in flat(result) and "using slug topic-4" in flat(result)
    loads_cleanly(wg)


def test_add_topic_accepts_the_path_form_and_skips_past_gaps(wg: Path) -> None:
    session = make_session(wg, "2025-06-01-workshop", notes=1)
    write(session / "03-later.md", "---\ntitle: 後\n---\n\n# 後\n")
    result = run(wg, "--add-topic", "sessions/2025-06-01-workshop/", "--topic", "Next", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == ["sessions/2025-06-01-workshop/04-next.md"]


def test_add_topic_uses_the_session_language(wg: Path) -> None:
    session = make_session(wg, "2025-06-01-workshop")
    text = (session / "session.md").read_text("utf-8").replace("---\n\n", "language: en\n---\n\n")
    write(session / "session.md", text)
    assert run(wg, "--add-topic", "2025-06-01-workshop", "--topic", "Alerts").exit_code == 0
    note = read_markdown(session / "02-alerts.md", "n.md")
    assert [h.text for h in note.headings][1:3] == ["Summary", "Discussion"]


def test_add_topic_to_a_missing_session_suggests_the_nearest(wg: Path) -> None:
    make_session(wg, "2025-06-01-workshop")
    result = run(wg, "--add-topic", "2025-06-01-workshp", "--topic", "A")
    assert result.exit_code == 2
    assert "no session folder sessions/2025-06-01-workshp" in flat(result)
    assert "did you mean 2025-06-01-workshop?" in flat(result)


def test_add_topic_refuses_new_session_options(wg: Path) -> None:
    make_session(wg, "2025-06-01-workshop")
    result = run(wg, "--add-topic", "2025-06-01-workshop", "--topic", "A", "--date", "2025-06-02")
    assert result.exit_code == 2
    assert "--date does not apply" in flat(result)
    result = run(wg, "--add-topic", "2025-06-01-workshop")
    assert result.exit_code == 2 and "missing --topic" in flat(result)


# --- templates -----------------------------------------------------------------------------


def test_a_wg_template_overrides_the_packaged_one_file_by_file(wg: Path) -> None:
    write(
        wg / "templates/note.md.j2",
        "---\ntitle: {{ yaml(title) }}\nstatus: draft\n---\n\n# {{ md(title) }}\n\n"
        "{% for s in sections %}## {{ s.name }}\n\nWG house style for {{ s.kind }}.\n\n"
        "{% endfor %}Session: {{ session.name }}, topic {{ number }}.\n",
    )
    result = run(wg, "Workshop", "--date", "2025-06-01", "--topic", "Alerts")
    assert result.exit_code == 0, result.output
    session = wg / "sessions/2025-06-01-workshop"
    note = (session / "01-alerts.md").read_text("utf-8")
    assert "WG house style for summary." in note
    assert "Session: 2025-06-01-workshop, topic 1." in note
    assert "scribes" not in note
    # session.md was not overridden: it still comes from the packaged template.
    assert "✎" in (session / "session.md").read_text("utf-8")
    loads_cleanly(wg)


def test_a_broken_wg_template_writes_nothing(wg: Path) -> None:
    write(wg / "templates/session.md.j2", "---\ntitle: {{ title }}\n---\nno date here\n")
    before = snapshot(wg)
    result = run(wg, "Workshop", "--date", "2025-06-01", "--topic", "Alerts")
    assert result.exit_code == 2
    output = flat(result)
    assert "templates/session.md.j2" in output
    assert "missing required key `date`" in output and "nothing was written" in output
    assert snapshot(wg) == before

    write(wg / "templates/session.md.j2", "---\ntitle: {{ nonsense }}\n---\n")
    result = run(wg, "Workshop", "--date", "2025-06-01", "--topic", "Alerts")
    assert result.exit_code == 2 and "unknown value" in flat(result)
    assert not (wg / "sessions/2025-06-01-workshop").exists()


# --- dry run, json, rollback, git --------------------------------------------------------------


def test_dry_run_shows_the_tree_and_writes_nothing(tmp_path: Path) -> None:
    wg = tmp_path / "wg"
    write(wg / "proceedings.toml", 'wg_name = "X"\n')  # no sessions/ folder yet
    before = snapshot(tmp_path)
    result = run(wg, "Workshop", "--date", "2025-06-01", "-t", "Alerts", "-t", "SLO", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would create" in flat(result) and "nothing was written" in flat(result)
    assert "01-alerts.md" in flat(result) and "02-slo.md" in flat(result)
    assert snapshot(tmp_path) == before
    result = run(wg, "Workshop", "--date", "2025-06-01", "-t", "Alerts", "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert data["dry_run"] is True and data["created"] == []
    assert data["files"] == [
        "sessions/2025-06-01-workshop/session.md",
        "sessions/2025-06-01-workshop/01-alerts.md",
    ]
    assert snapshot(tmp_path) == before


def test_a_failed_write_removes_what_this_run_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wg = tmp_path / "wg"
    write(wg / "proceedings.toml", 'wg_name = "X"\n')
    before = snapshot(tmp_path)
    real_write = scaffold.write_text_atomic
    calls = []

    def disk_full_on_third_file(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", str(path))
        real_write(path, text)

    monkeypatch.setattr(scaffold, "write_text_atomic", disk_full_on_third_file)
    result = run(wg, "Workshop", "--date", "2025-06-01", "-t", "A", "-t", "B", "-t", "C")
    assert result.exit_code == 2
    assert "No space left on device" in flat(result)
    assert "nothing this run created was kept" in flat(result)
    assert snapshot(tmp_path) == before  # the session folder and sessions/ are gone again


def test_rollback_keeps_an_existing_session_folder(
    wg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make_session(wg, "2025-06-01-x", notes=1)
    before = snapshot(wg)
    real_write = scaffold.write_text_atomic
    calls = []

    def fail_second(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(5, "Input/output error", str(path))
        real_write(path, text)

    monkeypatch.setattr(scaffold, "write_text_atomic", fail_second)
    result = run(wg, "--add-topic", "2025-06-01-x", "-t", "A", "-t", "B")
    assert result.exit_code == 2
    assert snapshot(wg) == before and session.is_dir()


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def test_git_add_stages_exactly_the_new_files(wg: Path) -> None:
    git(wg, "init", "-q")
    write(wg / "unrelated.txt", "not ours to stage\n")
    result = run(wg, "Workshop", "--date", "2025-06-01", "-t", "Alerts", "--git-add")
    assert result.exit_code == 0, result.output
    assert "staged 2 files" in flat(result)
    staged = git(wg, "diff", "--cached", "--name-only").split()
    assert staged == [
        "sessions/2025-06-01-workshop/01-alerts.md",
        "sessions/2025-06-01-workshop/session.md",
    ]
    assert "?? unrelated.txt" in git(wg, "status", "--porcelain")
    # --add-topic stages only the added note
    git(wg, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "s")
    result = run(wg, "--add-topic", "2025-06-01-workshop", "-t", "SLO", "--git-add", "--json")
    assert json.loads(result.stdout)["staged"] == ["sessions/2025-06-01-workshop/02-slo.md"]
    assert git(wg, "diff", "--cached", "--name-only").split() == [
        "sessions/2025-06-01-workshop/02-slo.md"
    ]


def test_git_add_outside_a_repository_is_an_error_before_writing(tmp_path: Path) -> None:
    wg = make_archive(tmp_path / "wg")
    if subprocess.run(["git", "rev-parse"], cwd=wg, capture_output=True).returncode == 0:
        pytest.fail("tmp_path unexpectedly lies inside a git repository")
    result = run(wg, "Workshop", "--date", "2025-06-01", "-t", "Alerts", "--git-add")
    assert result.exit_code == 2
    assert "not inside a git repository" in flat(result)
    assert list((wg / "sessions").iterdir()) == []


# --- template and checker held together -----------------------------------------------------

DIAGNOSTIC_LINE = re.compile(r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]\d{3}) ")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_scaffolded_session_passes_check_with_placeholder_warnings(
    wg: Path, language: str
) -> None:
    result = run(wg, "MLOps 勉強会", "--date", "2025-06-01", "--language", language,
                 "-t", "監視アーキテクチャ", "-t", "Responsibility split", "--event", "WG #3",
                 "--facilitator", "佐藤", "--participants", "12")  # fmt: skip
    assert result.exit_code == 0, result.output
    session = wg / "sessions/2025-06-01-mlops"
    # Where the placeholders are: every paragraph that starts with ✎ in the created files.
    expected = set()
    for path in sorted(session.glob("*.md")):
        file = read_markdown(path, path.relative_to(wg).as_posix())
        for index, token in enumerate(file.tokens):
            if token.type == "paragraph_open" and is_placeholder(file.tokens[index + 1].content):
                expected.add((file.rel, token.map[0] + 1 + file.body_offset))
    assert len(expected) == 1 + 2 * 4  # session overview + 4 sections in each of 2 notes

    check = CliRunner().invoke(app, ["check", "--root", str(wg)], env=SCRIPTED)
    assert check.exit_code == 0, check.output
    found = [m.groupdict() for m in map(DIAGNOSTIC_LINE.match, check.output.splitlines()) if m]
    assert {d["code"] for d in found} == {"C401"}, check.output
    assert {(d["path"], int(d["line"])) for d in found} == expected


# --- the real terminal check (no PROCEEDINGS_INTERACTIVE): a pty asks, a pipe does not -----


def _cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PROCEEDINGS_INTERACTIVE"}
    env["COLUMNS"] = "200"
    return env


def test_on_a_real_terminal_missing_values_are_asked(wg: Path) -> None:
    primary, secondary = os.openpty()
    try:
        os.write(primary, b"Terminal Session\n2025-09-09\nAlerts\n\n")
        done = subprocess.run(
            [sys.executable, "-m", "proceedings", "new-session", "--root", str(wg)],
            stdin=secondary,
            capture_output=True,
            text=True,
            env=_cli_env(),
            timeout=60,
        )
    finally:
        os.close(primary)
        os.close(secondary)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Session title" in done.stderr  # prompts go to stderr; stdout stays for results
    assert (wg / "sessions/2025-09-09-terminal-session/01-alerts.md").is_file()


def test_without_a_terminal_nothing_is_asked(wg: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "proceedings", "new-session", "--root", str(wg), "Title"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=_cli_env(),
        timeout=60,
    )
    assert done.returncode == 2
    assert "missing --date and --topic" in done.stderr
    assert "Traceback" not in done.stderr
    assert list((wg / "sessions").iterdir()) == []


def test_on_a_real_terminal_japanese_titles_are_asked_for_names(wg: Path) -> None:
    primary, secondary = os.openpty()
    try:
        # folder: empty (asked again), then a valid name; topic: a bad name, then a valid one
        os.write(primary, "\nsummer-camp\nモニタリング\nmonitoring\n".encode())
        done = subprocess.run(
            [sys.executable, "-m", "proceedings", "new-session", "--root", str(wg),
             "夏合宿", "--date", "2025-08-23", "--topic", "監視アーキテクチャ"],  # fmt: skip
            stdin=secondary,
            capture_output=True,
            text=True,
            env=_cli_env(),
            timeout=60,
        )
    finally:
        os.close(primary)
        os.close(secondary)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "「夏合宿」 has no ASCII letters to make a folder name from" in done.stderr
    assert "「監視アーキテクチャ」 has no ASCII letters to make a file name from" in done.stderr
    assert "please type a name" in done.stderr and "only a-z, 0-9" in done.stderr
    assert (wg / "sessions/2025-08-23-summer-camp/01-monitoring.md").is_file()
    assert "using slug" not in done.stdout
    loads_cleanly(wg)


def test_without_a_terminal_a_japanese_title_gets_a_fallback_and_a_one_line_note(
    wg: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "proceedings", "new-session", "--root", str(wg), "夏合宿",
         "--date", "2025-08-23", "--event", "Summer Camp", "--topic", "監視"],  # fmt: skip
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**_cli_env(), "COLUMNS": "80"},  # narrow: the notes must not be wrapped anyway
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "has no ASCII letters" not in done.stderr  # nothing was asked
    notes = [line for line in done.stdout.splitlines() if line.startswith("note:")]
    assert notes == [
        "note: 「夏合宿」 has no ASCII letters for a folder name; using slug session (choose "
        "one with --slug, e.g. --slug summer-camp; or rename it later: proceedings rename "
        "sessions/2025-08-23-session NEW-SLUG)",
        "note: 「監視」 has no ASCII letters for a file name; using slug topic-1 (choose one "
        'with --topic "監視=SLUG"; or rename it later: proceedings rename '
        "sessions/2025-08-23-session/01-topic-1.md NEW-SLUG)",
    ]
    assert (wg / "sessions/2025-08-23-session/01-topic-1.md").is_file()


def test_numbering_stops_at_99_and_language_must_be_known(wg: Path) -> None:
    session = make_session(wg, "2025-06-01-long")
    write(session / "99-last.md", "---\ntitle: 最後\n---\n\n# 最後\n")
    result = run(wg, "--add-topic", "2025-06-01-long", "--topic", "One more")
    assert result.exit_code == 2 and "more than 99 notes" in flat(result)
    result = run(wg, "Workshop", "--date", "2025-06-01", "--topic", "A", "--language", "fr")
    assert result.exit_code == 2 and "--language must be ja or en" in flat(result)
