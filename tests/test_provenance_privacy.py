"""Provenance is private by default (issue #16, defect 9).

Git lets anyone commit under any name. An author whose name is an e-mail address (or a phone
number, or a term from check.private_terms) must not be published in the colophon, the HTML
`<meta>` tags or the PDF document information; a `|` or `,` in a name must not break the
`path | commit | date | authors` fields. Real repositories, a real `build --commit`, the PDF
read back with pypdf.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from git_helpers import commit_all, init_repo, isolated_git  # noqa: F401 (fixture)
from proceedings.cli import app
from proceedings.publish.provenance import WITHHELD, NoteHistory, public_author

from helpers import make_archive, make_session

pytestmark = pytest.mark.usefixtures("isolated_git")

NOTE = "sessions/2024-08-24-camp/01-topic-1.md"
OUT = "proceedings"
EMAIL_AUTHOR = ("alice@example.com", "alice@example.com")
PIPE_AUTHOR = ("a | b, c", "ab@corp.example.org")
PHONE_AUTHOR = ("090-1234-5678", "p@corp.example.org")
CODENAME_AUTHOR = ("Kestrel Bot", "bot@corp.example.org")
PLAIN_AUTHOR = ("Bob 田中", "bob@corp.example.org")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@pytest.fixture
def wg(tmp_path: Path) -> Path:
    root = make_archive(
        tmp_path / "wg", 'wg_name = "Test WG"\n[check]\nprivate_terms = ["kestrel"]\n'
    )
    make_session(root, "2024-08-24-camp", notes=1)
    repo = init_repo(root)
    for number, author in enumerate(
        (EMAIL_AUTHOR, PIPE_AUTHOR, PHONE_AUTHOR, CODENAME_AUTHOR, PLAIN_AUTHOR), start=1
    ):
        with open(root / NOTE, "a", encoding="utf-8") as handle:
            handle.write(f"- 追記 {number}\n")
        commit_all(repo, f"edit {number}", author=author, date=f"2024-08-2{number}T10:00:00Z")
    return root


def author_names(field: str) -> list[str]:
    """The names of an authors field: split at unescaped `, `, then unescaped."""
    return [re.sub(r"\\(.)", r"\1", name) for name in re.split(r"(?<!\\), ", field)]


def test_build_commit_publishes_no_author_address_and_keeps_the_fields_apart(wg: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    result = CliRunner().invoke(
        app, ["build", "--root", str(wg), "--format", "md,html,pdf", "--commit"]
    )
    assert result.exit_code == 0, result.output
    md = (wg / OUT / "proceedings.md").read_text("utf-8")
    html = (wg / OUT / "proceedings.html").read_text("utf-8")
    info = pypdf.PdfReader(wg / OUT / "proceedings.pdf").metadata
    published = {"md": md, "html": html, "pdf": "\n".join(str(v) for v in info.values())}
    for name, text in published.items():
        assert EMAIL.search(text) is None, name
        assert "alice" not in text and "1234-5678" not in text, name
        assert "Kestrel" not in text, name
        assert "Bob 田中" in text, name
    # The colophon row: withheld once, the plain names as they are.
    row = next(line for line in md.splitlines() if f"`{NOTE}`" in line)
    assert WITHHELD in row and "a &#124; b, c" in row
    # HTML meta and PDF info: four fields, and the names split back exactly.
    meta = re.search(r'<meta name="proceedings.note" content="([^"]*01-topic-1[^"]*)">', html)
    assert meta is not None
    pdf_line = next(x for x in info["/SourceNotes"].splitlines() if x.startswith(NOTE))
    for line in (meta.group(1), pdf_line):
        fields = re.split(r" (?<!\\)\| ", line)
        assert len(fields) == 4 and fields[0] == NOTE, line
        assert author_names(fields[3]) == [WITHHELD, "a | b, c", "Bob 田中"]


@pytest.mark.parametrize("name, shown", [
    ("alice@example.com", WITHHELD),
    ("Alice <alice@corp.co.jp>", WITHHELD),
    ("+81 90-1234-5678", WITHHELD),
    ("Kestrel team", WITHHELD),
    ("Alice Sato", "Alice Sato"),
    ("佐藤 花子", "佐藤 花子"),
    ("git@github.com:wg/repo", "git@github.com:wg/repo"),  # not an address (as C407)
    ("Kim\u202eevil", "Kim\\u202eevil"),
])
def test_public_author(name: str, shown: str) -> None:
    assert public_author(name, ["kestrel"]) == shown


def test_summary_escapes_separators_in_every_field() -> None:
    history = NoteHistory("s/a|b.md", "abc", "2024-01-01", ("a | b", "Smith, J", "x\\y"))
    line = history.summary()
    assert line == "s/a\\|b.md | abc | 2024-01-01 | a \\| b, Smith\\, J, x\\\\y"
    fields = re.split(r" (?<!\\)\| ", line)
    assert author_names(fields[3]) == ["a | b", "Smith, J", "x\\y"]
