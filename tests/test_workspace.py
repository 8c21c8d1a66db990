"""The loader on the sample archive and on broken trees: right message, rest still loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from proceedings.config import load_config
from proceedings.load.workspace import load_workspace

from helpers import GOOD_NOTE, make_archive, make_session, write


def load(root: Path):
    return load_workspace(load_config(root))


def codes_at(workspace, path_suffix: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in workspace.all_diagnostics() if d.path.endswith(path_suffix)]


def test_sample_archive_loads_clean_in_order(sample_archive: Path) -> None:
    workspace = load(sample_archive)
    assert workspace.all_diagnostics() == []
    dates = [s.date for s in workspace.sessions]
    assert dates == sorted(dates) and len(dates) >= 3
    assert len({d.year for d in dates}) >= 2
    assert len(workspace.notes()) >= 7
    for session in workspace.sessions:
        assert [n.number for n in session.notes] == list(range(1, len(session.notes) + 1))
        assert session.info is not None and session.info.meta["title"]
    assert any(session.assets for session in workspace.sessions)
    marker = workspace.config.key_point_marker
    assert all(note.key_point_lines(marker) for note in workspace.notes())


def test_bad_utf8_is_reported_with_byte_offset_and_rest_loads(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff", notes=2)
    write(session / "02-topic-2.md", "---\ntitle: x\n---\n\n# x\n\nabc \xff".encode("latin-1"))
    workspace = load(root)
    [problem] = [d for d in workspace.all_diagnostics() if d.code == "F101"]
    assert problem.path == "sessions/2024-01-10-kickoff/02-topic-2.md"
    assert problem.line == 7
    assert "byte offset 27" in problem.message
    first = workspace.sessions[0].notes[0]
    assert first.title == "話題 1" and first.file.tokens


def test_bom_and_crlf_are_tolerated_and_reported(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff")
    text = GOOD_NOTE.format(title="BOM と CRLF").replace("\n", "\r\n")
    write(session / "01-topic-1.md", b"\xef\xbb\xbf" + text.encode("utf-8"))
    workspace = load(root)
    note = workspace.sessions[0].notes[0]
    assert note.title == "BOM と CRLF"
    assert [h.text for h in note.file.headings] == ["BOM と CRLF", "概要", "議論"]
    assert note.file.headings[0].line == 5
    assert sorted(code for code, _ in codes_at(workspace, "01-topic-1.md")) == ["F102", "F103"]


def test_missing_session_file(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff")
    (session / "session.md").unlink()
    workspace = load(root)
    [problem] = workspace.all_diagnostics()
    assert (problem.code, problem.path) == ("T505", "sessions/2024-01-10-kickoff")
    assert "session.md" in problem.message
    assert len(workspace.sessions[0].notes) == 1


def test_duplicate_and_gappy_note_numbers(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff", notes=1)
    write(session / "01-other.md", GOOD_NOTE.format(title="重複"))
    write(session / "03-later.md", GOOD_NOTE.format(title="飛び番"))
    workspace = load(root)
    found = {(d.code, d.path.rsplit("/", 1)[-1]) for d in workspace.all_diagnostics()}
    assert ("T503", "01-other.md") in found and ("T503", "01-topic-1.md") in found
    assert ("T502", "03-later.md") in found
    gap = next(d for d in workspace.all_diagnostics() if d.code == "T502")
    assert "02" in gap.message
    assert [n.number for n in workspace.sessions[0].notes] == [1, 1, 3]


def test_stray_files_are_reported_never_dropped(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff")
    write(session / "notes.docx", b"PK\x03\x04")
    write(session / "images" / "draft.md", "# stray")
    write(session / "images" / "diagram.png", b"\x89PNG\r\n")
    write(session / "memo.md", "# not a note name")
    write(root / "sessions" / "README.txt", "hello")
    workspace = load(root)
    found = {(d.code, d.path) for d in workspace.all_diagnostics()}
    assert found == {
        ("T504", "sessions/2024-01-10-kickoff/notes.docx"),
        ("T504", "sessions/2024-01-10-kickoff/images/draft.md"),
        ("T501", "sessions/2024-01-10-kickoff/memo.md"),
        ("T504", "sessions/README.txt"),
    }
    assert workspace.sessions[0].assets == ["sessions/2024-01-10-kickoff/images/diagram.png"]


def test_folder_date_that_is_not_a_date(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    make_session(root, "2021-02-30-impossible")
    make_session(root, "2021-03-01-fine")
    make_session(root, "kickoff-meeting")
    workspace = load(root)
    problems = [(d.code, d.path, d.message) for d in workspace.all_diagnostics()]
    assert ("T506", "sessions/2021-02-30-impossible") in [(c, p) for c, p, _ in problems]
    assert any(c == "T506" and p == "sessions/kickoff-meeting" for c, p, _ in problems)
    assert any("2021-02-30" in m and "not a real date" in m for _, _, m in problems)
    assert [s.name for s in workspace.sessions][0] == "2021-03-01-fine"
    assert len(workspace.notes()) == 3


def test_session_date_must_match_folder(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff")
    write(session / "session.md", "---\ntitle: t\ndate: 2024-01-11\n---\n\nx\n")
    [problem] = load(root).all_diagnostics()
    assert (problem.code, problem.line) == ("M207", 3)


def test_yaml_that_is_not_a_mapping(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff", notes=2)
    write(session / "01-topic-1.md", "---\n- just\n- a list\n---\n\n# x\n")
    workspace = load(root)
    [problem] = workspace.all_diagnostics()
    assert (problem.code, problem.path, problem.line) == (
        "M208",
        "sessions/2024-01-10-kickoff/01-topic-1.md",
        2,
    )
    assert workspace.sessions[0].notes[1].title == "話題 2"


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff")
    write(session / "01-topic-1.md", "---\ntitle: ok\ntags: [a, b\n---\n\n# ok\n")
    [problem] = load(root).all_diagnostics()
    # An unclosed `[` is M213 at the line and column that opened it (issue #18).
    assert (problem.code, problem.line, problem.col) == ("M213", 3, 7)


def test_front_matter_schema(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff")
    write(session / "01-topic-1.md", "---\ntitel: typo\nstatus: done\n---\n\n# x\n")
    write(session / "session.md", "---\ntitle: t\ndate: 2024-02-30\nparticipants: many\n---\n")
    found = {(d.code, d.path.rsplit("/", 1)[-1], d.line): d for d in load(root).all_diagnostics()}
    assert "did you mean `title`" in found[("M204", "01-topic-1.md", 2)].hint
    assert ("M205", "01-topic-1.md", 3) in found  # status must be draft or final
    assert ("M203", "01-topic-1.md", 4) in found  # missing title points at the closing ---
    assert ("M206", "session.md", 3) in found
    assert ("M205", "session.md", 4) in found


def test_missing_front_matter(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff")
    write(session / "01-topic-1.md", "# no front matter\n")
    [problem] = load(root).all_diagnostics()
    assert (problem.code, problem.line) == ("M201", 1)


def test_hostile_yaml_is_refused(tmp_path: Path) -> None:
    root = make_archive(tmp_path)
    session = make_session(root, "2024-01-10-kickoff", notes=3)
    bomb = '---\ntitle: x\na: &a ["lol","lol"]\nb: &b [*a,*a,*a,*a]\nc: [*b,*b,*b,*b]\n---\n'
    write(session / "01-topic-1.md", bomb)
    write(session / "02-topic-2.md", "---\ntitle: big\nx: '" + "y" * 70_000 + "'\n---\n")
    workspace = load(root)
    problems = {d.path.rsplit("/", 1)[-1]: d for d in workspace.all_diagnostics()}
    assert problems["01-topic-1.md"].code == "M209"
    assert "aliases" in problems["01-topic-1.md"].message
    assert problems["02-topic-2.md"].code == "M209"
    assert workspace.sessions[0].notes[2].title == "話題 3"


def test_unknown_config_key_names_file_line_and_suggestion(tmp_path: Path) -> None:

    from proceedings.errors import ProceedingsError

    make_archive(tmp_path, 'wg_name = "x"\n\n[check]\nfail_onn = "warning"\n')
    with pytest.raises(ProceedingsError) as caught:
        load_config(tmp_path)
    text = str(caught.value)
    assert "proceedings.toml:4" in text and "check.fail_onn" in text and "fail_on" in text


def test_config_wrong_type_and_bad_choice(tmp_path: Path) -> None:

    from proceedings.errors import ProceedingsError

    make_archive(tmp_path, 'language = "fr"\n')
    with pytest.raises(ProceedingsError, match=r"proceedings.toml:1: `language` must be one of"):
        load_config(tmp_path)
    make_archive(tmp_path, '[build]\nformats = "pdf"\n')
    with pytest.raises(ProceedingsError, match=r":2: `build.formats` must be a list of strings"):
        load_config(tmp_path)
    # A name group with no names: a config error, not a rule crashing on every note.
    make_archive(tmp_path, '[sections]\nrequired = [["概要"], []]\n')
    with pytest.raises(ProceedingsError, match=r":2: `sections.required` must be a list of "
                                               r"non-empty lists of strings"):
        load_config(tmp_path)


def test_config_paper_sizes_and_the_key_point_marker(tmp_path: Path) -> None:

    from proceedings.errors import ProceedingsError

    for paper in ("A4", "jis-b5", "JIS-B5", "B5 landscape", "letter", "182mm 257mm", "8.5in 11in"):
        make_archive(tmp_path, f'[build]\npaper = "{paper}"\n')
        assert load_config(tmp_path).config.build.paper == paper
    # Unknown names, runaway sizes and CSS injection: a config error at the line, exit 2.
    for paper in ("A9000", "0mm 0mm", "1mm 1mm", "A4; } body { color: red", "A4 sideways"):
        make_archive(tmp_path, f'[build]\npaper = "{paper}"\n')
        with pytest.raises(ProceedingsError, match=r"proceedings.toml:2: `build.paper` must be"):
            load_config(tmp_path)
    make_archive(tmp_path, 'key_point_marker = " "\n')
    with pytest.raises(ProceedingsError, match=r":1: `key_point_marker` must be a marker"):
        load_config(tmp_path)


def test_config_errors_point_at_the_key_in_its_own_table(tmp_path: Path) -> None:

    from proceedings.errors import ProceedingsError

    make_archive(tmp_path, 'language = "ja"\n\n[check]\nlanguage = "fr"\n')
    with pytest.raises(ProceedingsError, match=r"proceedings.toml:4: unknown setting "
                                               r"`check.language`"):
        load_config(tmp_path)


@pytest.mark.parametrize(("config", "line"), [
    ('wg_name = "W"\ncheck.fail_on = "x"\n', 2),  # a dotted key
    ('wg_name = "W"\nsections = { required = [["A"]], optional = 1 }\n', 2),  # inline table
    ('title = """\nlanguage = "x"\n"""\nlanguage = "fr"\n', 4),  # not inside the string
])
def test_config_errors_point_at_the_key_however_it_is_written(
    tmp_path: Path, config: str, line: int
) -> None:
    from proceedings.errors import ProceedingsError

    make_archive(tmp_path, config)
    with pytest.raises(ProceedingsError, match=rf"proceedings.toml:{line}: "):
        load_config(tmp_path)


def test_a_pyproject_whose_tool_is_not_a_table_has_no_proceedings_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", 'tool = "x"\n')
    loaded = load_config(tmp_path)
    assert loaded.source is None and loaded.config.title == ""  # the language's default title


def test_config_from_pyproject_and_walk_up(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml", '[project]\nname="x"\n\n[tool.proceedings]\ntitle = "議事録"\n'
    )
    (tmp_path / "sessions" / "deep").mkdir(parents=True)
    loaded = load_config(cwd=tmp_path / "sessions" / "deep")
    assert loaded.root == tmp_path.resolve()
    assert loaded.config.title == "議事録"
