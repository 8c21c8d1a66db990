"""Property tests: no bytes and no Markdown can crash or hang the checker, and --fix never
changes wording."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from check_support import SESSION, SESSION_MD, make_wg
from proceedings.check.engine import check_workspace
from proceedings.check.fix import apply_fixes, plan_fixes
from proceedings.config import load_config
from proceedings.load.workspace import load_workspace

NOTE = f"{SESSION}/01-alpha.md"
TIME_LIMIT = 10  # seconds for one example; far above the few milliseconds a note takes

SETTINGS = settings(
    max_examples=int(os.environ.get("PROPS_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_wg(tmp_path_factory.mktemp("props") / "wg",
                   config='[check]\nprivate_terms = ["Project Kestrel", "社外秘"]\n')


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expired(signum, frame):
        raise Hang(f"the checker took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_file(root: Path, rel: str, data: bytes, *, paths: bool = False):
    (root / rel).write_bytes(data)
    with time_limit(TIME_LIMIT):
        workspace = load_workspace(load_config(root))
        report = check_workspace(workspace, paths=[root / rel] if paths else None)
    crashes = [d.format() for d in report.diagnostics if d.code == "X603"]
    assert not crashes, crashes
    for d in report.diagnostics:
        assert d.line >= 1 and d.col >= 1, d.format()
        assert d.path.startswith("sessions/"), d.format()
    return workspace, report


# --- Markdown made of the pieces notes are made of, glued together at random -----------------

words = st.sampled_from(
    ["監視", "議論", "概要", "Summary", "Discussion", "要点", "★", "✎", " ", "  ", "\t", "-",
     "・", "「", "」", "（", "）", "*", "_", "`", "[", "]", "(", ")", "<", ">", "!", "#", "|",
     "\\", "&amp;", "&#x0;", "\u200b", "\ufeff", "\r", "😀", "e\u0301", "ｱ", "Project Kestrel",
     "社外秘", "tanaka@corp.co.jp", "a@b", "090-1234-5678", "+81 3-1234-5678", "2024-03-16",
     "10:00:00+09:00", "v1.2.3", "０３−１２３４−５６７８", "@", "+", "0", "9" * 30]
)
inline_text = st.lists(st.one_of(words, st.text(max_size=6)), max_size=8).map("".join)
href = st.one_of(
    st.sampled_from(["02-beta.md", "02-beta.md#議論", "#概要", "#", "../", "../../..",
                     "../../../../etc/passwd", "file:///etc/passwd", "C:\\x", "images/a.png",
                     "%E8%AD%B0", "%", "//host/x", "mailto:a@b.jp", "javascript:x", "?q#f",
                     "/sessions", "02-beta.md#%E8%AD%B0%E8%AB%96", " spaced path.md "]),
    st.text(max_size=12),
)
block = st.one_of(
    inline_text,
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), inline_text),
    st.builds(lambda t: f"{t}\n===", inline_text),
    st.builds(lambda t, h: f"[{t}]({h})", inline_text, href),
    st.builds(lambda t, h: f"![{t}]({h})", inline_text, href),
    st.builds(lambda t, h: f"[{t}]: {h}\n\n[{t}]", inline_text, href),
    st.builds(lambda t: f"- {t}\n  - ✎ {t}\n    1. {t}", inline_text),
    st.builds(lambda t: f"> {t}\n> ## {t}", inline_text),
    st.builds(lambda t: f"```\n{t}\n", inline_text),  # maybe never closed
    st.builds(lambda t: f"    {t}", inline_text),
    st.builds(lambda t: f"| a | {t} |\n|---|---|\n| {t} | b |", inline_text),
    st.builds(lambda t: f"{t}[^1]\n\n[^1]: {t}", inline_text),
    st.builds(lambda t: f"<div>{t}\n</div>", inline_text),
    st.builds(lambda t: f"<a id=\"{t}\" href=\"{t}\">x</a> <img src='{t}'>", inline_text),
    st.builds(lambda c: f"<!-- proceedings-disable-next-line {c} -->", st.sampled_from(
        ["C406", "C4", "raw-html", "", "Z9", "C406,,C407", "-->"])),
    st.builds(lambda c: f"<!-- proceedings-disable {c} -->", st.sampled_from(["", "S", "S305"])),
    st.just("<!--"),
    st.just("---"),
)
front_matter = st.one_of(
    st.just(""),
    st.just("---\ntitle: アルファ\n---\n"),
    st.builds(lambda t: f"---\ntitle: {t}\n---\n", inline_text),
    st.builds(lambda t: f"---\n{t}\n---\n", inline_text),
    st.builds(lambda t: f"---\ntitle: x\n{t}", inline_text),  # maybe never closed
    st.just("---\na: &x [1]\nb: *x\n---\n"),
    st.just("---\n" + "[" * 200 + "\n---\n"),
)
markdown = st.builds(
    lambda fm, blocks, sep: fm + sep.join(blocks),
    front_matter,
    st.lists(block, max_size=14),
    st.sampled_from(["\n\n", "\n", "\r\n", "\r\n\r\n"]),
)


@SETTINGS
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_never_crash_or_hang(archive: Path, data: bytes) -> None:
    check_file(archive, NOTE, data)
    try:
        check_file(archive, f"{SESSION}/session.md", data, paths=True)
    finally:
        (archive / SESSION / "session.md").write_text(SESSION_MD, encoding="utf-8")


@SETTINGS
@given(text=st.text(max_size=400))
def test_arbitrary_text_never_crashes_or_hangs(archive: Path, text: str) -> None:
    check_file(archive, NOTE, text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(text=markdown)
def test_arbitrary_markdown_never_crashes_or_hangs(archive: Path, text: str) -> None:
    check_file(archive, NOTE, text.encode("utf-8"))
    check_file(archive, NOTE, text.encode("utf-8"), paths=True)


@SETTINGS
@given(text=markdown, bom=st.booleans())
def test_fix_never_changes_wording_and_is_stable(archive: Path, text: str, bom: bool) -> None:
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    workspace, report = check_file(archive, NOTE, raw)
    with time_limit(TIME_LIMIT):
        fixes = plan_fixes(workspace, report)
        apply_fixes(fixes, workspace)
    # Compared line by line, whatever the line endings (CRLF, LF or a lone CR), and without
    # the byte-order marks the fix removes.
    original = raw.decode("utf-8")
    if any(d.code == "F102" for fix in fixes for d in fix.fixed):
        original = original.lstrip("\ufeff")  # leading marks, however many, are not wording
    if any(d.code == "F106" for fix in fixes for d in fix.fixed):
        original = original.replace("\x00", "")  # NUL bytes are not wording either
    original_lines = original.splitlines()
    fixed_lines = (archive / NOTE).read_bytes().decode("utf-8").splitlines()
    remaining = iter(fixed_lines)
    assert all(any(line == other for other in remaining) for line in original_lines if line), (
        "a line of the note was changed or lost"
    )
    added = [line for line in fixed_lines if line not in original_lines]
    assert all(line == "" or line.startswith(("#", "✎")) for line in added), added
    # A second run finds nothing more to do for the encoding fixes.
    workspace, report = check_file(archive, NOTE, (archive / NOTE).read_bytes())
    found = {d.code for d in report.diagnostics if d.path == NOTE}
    assert not {"F102", "F103", "F104", "F106"} & found


def test_a_long_line_of_digits_and_at_signs_is_fast(archive: Path) -> None:
    line = ("0" * 5000 + "@" + "a." * 3000 + "+81" * 2000 + "-1" * 3000) * 3
    check_file(archive, NOTE, ("---\ntitle: x\n---\n\n" + line + "\n").encode())
    huge = "[" * 20000 + "](" * 5000 + "<" * 5000
    check_file(archive, NOTE, huge.encode())
