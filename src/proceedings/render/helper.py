"""A PDF helper process, started early so that importing WeasyPrint overlaps the build.

Importing WeasyPrint takes ~0.7 s (cffi parses Pango's C declarations), about as long as
loading, checking and compiling a small archive. So `proceedings build`, when a PDF is
wanted and a second core is free, forks a helper before it does anything else: the helper
imports WeasyPrint while the build checks and compiles, then lays out the HTML it is sent
(`layout_pdf`) and sends back the PdfResult.

The helper changes when the work happens, never its outcome:
- a ProceedingsError raised in the helper is raised again here, unchanged;
- anything else going wrong in the helper (it crashed, was killed, could not send the
  result) makes this process lay the HTML out itself, as it would without a helper;
- Ctrl-C is left to this process, which stops the helper on the way out.

Without fork (see process.py), with one core, while the process runs other threads, or
with `PROCEEDINGS_PDF_HELPER=0`, there is no helper and the PDF is laid out in this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from proceedings.errors import ProceedingsError
from proceedings.process import fork_is_safe, usable_cores

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from pathlib import Path

    from proceedings.render.pdf import PdfResult

ENV_SWITCH = "PROCEEDINGS_PDF_HELPER"  # "0": never start a helper

Layout = Callable[..., "PdfResult"]  # layout_pdf's signature


def helper_wanted(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a helper would help here: fork is safe, a second core, not switched off.

    Fork is safe only while this process has one thread: another thread could hold a lock
    (logging, a stream) at the moment of the fork, and the helper would wait on it forever.
    The CLI forks before Rich starts its progress thread; a program that calls the build from
    a threaded process gets the layout in that process."""
    import threading

    environ = os.environ if environ is None else environ
    if environ.get(ENV_SWITCH, "").strip() == "0" or threading.active_count() > 1:
        return False
    return fork_is_safe() and usable_cores() >= 2


@contextmanager
def pdf_layout(wanted: bool) -> Iterator[Layout | None]:
    """Start a helper if `wanted` (and `helper_wanted()`); give its layout function, or None
    (lay out in this process). The helper is always stopped on the way out."""
    helper = None
    if wanted and helper_wanted():
        try:
            helper = PdfHelper()
        except OSError:  # no process could be started (out of memory, process limit)
            helper = None
    try:
        yield helper.layout if helper is not None else None
    finally:
        if helper is not None:
            helper.stop()


class PdfHelper:
    """One forked process that imports WeasyPrint at once and lays out one document."""

    def __init__(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._connection, child_end = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child_end, os.getpid()), name="proceedings-pdf", daemon=True
        )
        self._process.start()
        child_end.close()
        self._answered = False

    def layout(self, html: str, **options: Any) -> PdfResult:
        """`layout_pdf(html, **options)`, done by the helper."""
        from proceedings.render.pdf import layout_pdf

        try:
            self._connection.send((html, options))
            outcome = self._connection.recv()
            self._answered = True
        except Exception:  # noqa: BLE001 — the helper is gone, or the answer is lost
            return layout_pdf(html, **options)
        if isinstance(outcome, _Failure):
            if outcome.error is not None:
                raise outcome.error
            return layout_pdf(html, **options)  # the same failure, raised here as usual
        return cast("PdfResult", outcome)

    def stop(self) -> None:
        """Wait for a helper that has answered to exit; end one that has not (the build
        stopped before the PDF, or was interrupted while waiting for it)."""
        self._connection.close()
        if self._answered:
            self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()


class _Failure:
    """What the helper sends back when the layout raised: a user error to raise again, or
    None for anything else (this process then repeats the layout to raise it itself)."""

    def __init__(self, error: ProceedingsError | None) -> None:
        self.error = error

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        if self.error is None:
            return (_Failure, (None,))
        error = self.error
        details = (error.message, error.path, error.line, error.hint, error.exit_code)
        return (_rebuild_failure, details)


def _rebuild_failure(
    message: str, path: Path | str | None, line: int | None, hint: str | None, exit_code: int
) -> _Failure:
    # ProceedingsError subclasses take other constructor arguments, so only the fields a
    # user sees travel back; the CLI presents them the same way.
    return _Failure(
        ProceedingsError(message, path=path, line=line, hint=hint, exit_code=exit_code)
    )


def _serve(connection: Connection, build_pid: int) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _end_with_the_build(build_pid)
    import weasyprint  # noqa: F401 — the reason for the helper: import while the build runs

    from proceedings.render.pdf import layout_pdf

    try:
        html, options = connection.recv()
    except EOFError:  # the build stopped before the PDF
        return
    try:
        outcome: object = layout_pdf(html, **options)
    except ProceedingsError as error:
        outcome = _Failure(error)
    except Exception:  # noqa: BLE001 — the parent repeats the layout and reports it
        outcome = _Failure(None)
    try:
        connection.send(outcome)
    except Exception:  # noqa: BLE001 — e.g. unpicklable: the parent falls back on EOF
        pass


def _end_with_the_build(build_pid: int) -> None:
    """Have the kernel end this helper when the build process dies (even by SIGKILL, e.g. a
    CI timeout), instead of laying out a PDF nobody will read. Linux only, as the helper."""
    import ctypes
    import signal

    set_parent_death_signal = 1  # PR_SET_PDEATHSIG in <linux/prctl.h>
    try:
        ctypes.CDLL(None, use_errno=True).prctl(set_parent_death_signal, signal.SIGKILL)
    except (OSError, AttributeError):  # no prctl here: the helper ends when its work does
        return
    if os.getppid() != build_pid:  # the build died before the line above took effect
        os._exit(0)
