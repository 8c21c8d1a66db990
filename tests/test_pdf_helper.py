"""The PDF helper process (render/helper.py): WeasyPrint is imported and the PDF laid out in a
forked process while the build works, and nothing about the outcome changes — the same bytes,
the same errors, a fallback when the helper dies, no process left behind."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pdf_helpers import document_html, write_svg
from proceedings.errors import ProceedingsError
from proceedings.process import fork_is_safe, usable_cores
from proceedings.render.helper import PdfHelper, helper_wanted, pdf_layout
from proceedings.render.pdf import layout_pdf

REPO_ROOT = Path(__file__).resolve().parents[1]

needs_helper = pytest.mark.skipif(
    not (fork_is_safe() and usable_cores() >= 2), reason="the helper needs fork and 2 cores"
)

# Build the sample in a fresh interpreter (as the console script does) and report, on the way
# out, whether the build process itself imported WeasyPrint.
BUILD_AND_REPORT = """
import atexit, sys
atexit.register(lambda: print("weasyprint imported here:", "weasyprint" in sys.modules))
from proceedings.cli import main
sys.argv = ["proceedings", "build", "--format", "pdf", "--root", sys.argv[1]]
main()
"""


def _sample(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "sessions", target / "sessions")
    shutil.copy(REPO_ROOT / "proceedings.toml", target / "proceedings.toml")
    return target


def _build(root: Path, helper: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PROCEEDINGS_PDF_HELPER": helper, "SOURCE_DATE_EPOCH": ""}
    return subprocess.run(
        [sys.executable, "-c", BUILD_AND_REPORT, str(root)],
        capture_output=True, text=True, env=env, check=False,
    )


@needs_helper
def test_with_the_helper_the_build_never_imports_weasyprint_and_writes_the_same_pdf(
    tmp_path: Path,
) -> None:
    with_helper = _sample(tmp_path / "a")
    without = _sample(tmp_path / "b")

    done = _build(with_helper, "1")
    assert done.returncode == 0, done.stderr
    assert "weasyprint imported here: False" in done.stdout
    alone = _build(without, "0")
    assert alone.returncode == 0, alone.stderr
    assert "weasyprint imported here: True" in alone.stdout

    pdf = (with_helper / "proceedings" / "proceedings.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf == (without / "proceedings" / "proceedings.pdf").read_bytes()


def test_the_switch_the_platform_and_threads_decide_whether_a_helper_starts() -> None:
    assert not helper_wanted({"PROCEEDINGS_PDF_HELPER": "0"})
    assert threading.active_count() == 1
    assert helper_wanted({}) == (fork_is_safe() and usable_cores() >= 2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # e.g. a server thread of the host program
    other.start()
    try:
        assert not helper_wanted({})  # forking now could copy a lock held by that thread
    finally:
        stop.set()
        other.join()
    with pdf_layout(False) as layout:
        assert layout is None  # no PDF wanted: nothing forked
    assert not multiprocessing.active_children()


@pytest.fixture
def wg_root(tmp_path: Path) -> Path:
    write_svg(tmp_path, "sessions/2024-08-24-camp/images/figure.svg")
    return tmp_path


@needs_helper
def test_the_helper_gives_what_layout_pdf_gives(wg_root: Path) -> None:
    html = document_html(image="sessions/2024-08-24-camp/images/figure.svg")
    helper = PdfHelper()
    try:
        result = helper.layout(html, root=wg_root)
    finally:
        helper.stop()
    here = layout_pdf(html, root=wg_root)
    assert result.data == here.data
    assert result.pages == here.pages
    assert result.fetched == here.fetched == ["sessions/2024-08-24-camp/images/figure.svg"]
    assert not helper._process.is_alive()


@needs_helper
def test_a_user_error_in_the_helper_is_raised_here_unchanged(wg_root: Path) -> None:
    html = document_html(paragraphs=1)
    with pytest.raises(ProceedingsError) as here:
        layout_pdf(html, root=wg_root, fonts=["fonts/none.otf"])
    helper = PdfHelper()
    try:
        with pytest.raises(ProceedingsError) as there:
            helper.layout(html, root=wg_root, fonts=["fonts/none.otf"])
    finally:
        helper.stop()
    assert str(there.value) == str(here.value)
    assert there.value.exit_code == here.value.exit_code


@needs_helper
def test_a_helper_that_died_is_replaced_by_a_layout_here(wg_root: Path) -> None:
    html = document_html(paragraphs=1)
    helper = PdfHelper()
    helper._process.kill()
    helper._process.join()
    try:
        result = helper.layout(html, root=wg_root)
    finally:
        helper.stop()
    assert result.data == layout_pdf(html, root=wg_root).data


@needs_helper
def test_a_helper_that_gets_no_document_is_stopped(wg_root: Path) -> None:
    # The build stopped before the PDF (check errors, a refused commit): no process remains.
    with pdf_layout(True) as layout:
        assert layout is not None
        assert multiprocessing.active_children()
    assert not multiprocessing.active_children()


@needs_helper
def test_ctrl_c_while_waiting_ends_the_helper_at_once(
    wg_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The helper ignores SIGINT (the terminal sends it to both processes). The build gets
    # KeyboardInterrupt while it waits, and must end the helper rather than wait for a layout
    # that may take minutes: here one that never ends (the helper is forked from this test).
    from proceedings.render import pdf

    monkeypatch.setattr(pdf, "layout_pdf", lambda html, **options: time.sleep(600))
    # Python leaves SIGINT ignored when it started ignored (a shell's background job, some CI
    # runners): give this test the handler a terminal session has.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    helper = PdfHelper()
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            helper.layout(document_html(paragraphs=1), root=wg_root)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
        started = time.monotonic()
        helper.stop()
    assert helper._process.exitcode == -signal.SIGTERM
    assert time.monotonic() - started < 2  # ended at once (it used to wait 5 s first)


# A build process that starts a helper, hands it a layout that never ends (the helper is
# forked from it, so it gets the stand-in), reports the helper's pid, and waits to be killed.
START_AND_WAIT = """
import sys, time
from proceedings.render import pdf
pdf.layout_pdf = lambda html, **options: time.sleep(600)
from proceedings.render.helper import PdfHelper
helper = PdfHelper()
helper._connection.send(("<p>x</p>", {}))
print(helper._process.pid, flush=True)
time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; whether it is reaped is up to init


@needs_helper
def test_a_helper_ends_when_its_build_is_killed() -> None:
    build = subprocess.Popen([sys.executable, "-c", START_AND_WAIT], stdout=subprocess.PIPE,
                             text=True)
    helper_pid = int(build.stdout.readline())
    assert _running(helper_pid)
    build.kill()  # SIGKILL: no cleanup code of the build runs
    build.wait()
    deadline = time.monotonic() + 30
    while _running(helper_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(helper_pid), "the helper outlived its build"
