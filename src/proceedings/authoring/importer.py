"""`proceedings import`: bring free-form memos written before the tool into the WG format.

Two steps, both pure in the sense that matters here — nothing prints:

* `plan_import` reads the memos (never writes) and returns an `ImportPlan`: per memo, the
  session folder and every file it would create (session.md, one note per topic, copied
  assets), what could not be mapped, and the blocking problems (no date, folder exists, ...).
* `apply_import` writes a plan: each session is assembled in a hidden temporary folder beside
  its target and renamed into place, so a session appears whole or not at all. Originals are
  only ever read; no existing file or folder is overwritten.

The mapping (docs/import.md has the full description):

* title: the memo's first H1 (ATX or setext); metadata: `Key: value` lines right under it
  (English or Japanese key names, `:` or `：`), or bullets of that shape in the introduction.
  Plain metadata lines move to front matter and are also kept verbatim in session.md under
  "元のメタデータ / Original metadata"; metadata bullets stay where they were.
* sections: the headings of the shallowest level after the title. Sections named like
  `トピック1 …`/`Topic 2: …` are topics; otherwise the leading run of sections named like an
  introduction (`概要`, `はじめに`, ...) and the trailing run named like a wrap-up (`まとめ`,
  `次回`, ...) are session-level, and everything between is a topic. Text before the first
  section and the introductory sections become the overview; trailing sections follow it.
* each topic becomes `NN-<slug>.md`: its heading is the title and H1; its body goes under the
  WG's discussion section (sub-headings re-levelled below it) and the other required sections
  get a `✎ ` placeholder — unless the topic already has sub-sections named like the WG's
  sections, which then become the note's sections directly.
* a memo without topics (e.g. a list of questions) becomes one note holding the whole list.
* reference-style link and footnote definitions are copied into every file that uses them.
* relative links to files (images, PDFs) are copied into `images/` or `attachments/` and the
  links rewritten; other files beside a memo are copied and linked from session.md.

Nothing is lost: every non-blank line of a memo appears in the output (see
`importing.lost.lost_lines`); the plan is refused if a line would go missing.

This module holds the import as a whole; `authoring/importing/` holds its parts: `reading`
(finding and decoding memos), `structure` (blocks, headings, sections), `metadata` and
`naming` (front matter, date, slug), `assets` (copied files, rewritten links), `writing` (the
files' text), `lost` (the nothing-is-lost check) and `memo` (one memo, start to end).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from pathlib import Path

from proceedings.authoring.importing.memo import plan_memo
from proceedings.authoring.importing.model import (
    Finding,
    ImportPlan,
    ImportResult,
    MemoPlan,
    MemoSource,
)
from proceedings.authoring.importing.reading import MEMO_SUFFIXES, find_memos
from proceedings.config import LoadedConfig
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.paths import display_path, relative_posix


def plan_import(
    loaded: LoadedConfig,
    paths: list[Path],
    *,
    date: dt.date | None = None,
    slug: str | None = None,
) -> ImportPlan:
    """Read the memos and work out every file the import would write. Writes nothing."""
    config = loaded.config
    plan = ImportPlan(loaded.root, config.sessions_dir)
    memos, plan.problems = find_memos(paths)
    sessions_path = (loaded.root / config.sessions_dir).resolve()
    if (date is not None or slug is not None) and len(memos) > 1:
        flags = [f for f, v in (("--date", date), ("--slug", slug)) if v is not None]
        message = (
            _("{options} applies to a single memo, but {count} were found") if len(flags) == 1
            else _("{first} and {second} applies to a single memo, but {count} were found")
        )
        plan.problems.append(
            ProceedingsError(
                message.format(options=flags[0], first=flags[0], second=flags[-1],
                               count=len(memos)),
                hint=_("import the memo that needs it on its own"),
            )
        )
        return plan
    targets: dict[str, Path] = {}
    for memo in memos:
        if memo.path == sessions_path or sessions_path in memo.path.parents:
            plan.problems.append(
                ProceedingsError(
                    _("is already inside the sessions folder"),
                    path=display_path(memo.path),
                    hint=_("import memos from outside the WG archive"),
                )
            )
            continue
        try:
            memo_plan = plan_memo(memo, config, date=date, slug=slug)
        except ProceedingsError as exc:
            plan.problems.append(exc)
            continue
        problem = _target_problem(loaded.root, memo_plan, targets)
        if problem is not None:
            plan.problems.append(problem)
            continue
        plan.memos.append(memo_plan)
    _report_shared_folder_files(plan, memos)
    return plan


def _target_problem(
    root: Path, memo_plan: MemoPlan, targets: dict[str, Path]
) -> ProceedingsError | None:
    """Why the memo's session folder cannot be created: another memo of this import becomes
    it too, or it exists. Records the folder in `targets`."""
    if memo_plan.session_rel in targets:
        return ProceedingsError(
            _("would become {folder}, like {other}").format(
                folder=memo_plan.session_rel,
                other=display_path(targets[memo_plan.session_rel])),
            path=memo_plan.shown,
            hint=_("import one of them separately with --slug"),
        )
    targets[memo_plan.session_rel] = memo_plan.source
    target = root / memo_plan.session_rel
    if target.exists() or target.is_symlink():
        return ProceedingsError(
            _("{folder} already exists").format(folder=memo_plan.session_rel),
            path=memo_plan.shown,
            hint=_("pass --slug to import it under another name, or remove the folder"),
        )
    return None


def _report_shared_folder_files(plan: ImportPlan, memos: list[MemoSource]) -> None:
    """In a folder holding several memos, a file that no memo links belongs to none of them."""
    copied = {f.source.resolve() for m in plan.memos for f in m.files if f.source is not None}
    first_plan = {m.source.parent: m for m in reversed(plan.memos)}
    for folder in sorted({m.path.parent for m in memos if not m.owns_folder}):
        owner = first_plan.get(folder)
        if owner is None:
            continue
        for path in sorted(folder.rglob("*")):
            if (
                path.is_file()
                and path.suffix.lower() not in MEMO_SUFFIXES
                and path.resolve() not in copied
            ):
                owner.findings.append(
                    Finding(
                        owner.shown,
                        None,
                        _("`{file}` sits in a folder with several memos and none links it; "
                          "not copied").format(file=path.relative_to(folder).as_posix()),
                    )
                )


def apply_import(plan: ImportPlan) -> ImportResult:
    """Write a plan that has no problems. All sessions appear, or none (on any error)."""
    if plan.problems:
        raise plan.problems[0]
    sessions_path = plan.root / plan.sessions_dir
    sessions_path.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    created: list[Path] = []
    try:
        for memo in plan.memos:
            target = plan.root / memo.session_rel
            if target.exists() or target.is_symlink():
                raise ProceedingsError(
                    _("{folder} already exists; nothing was written").format(
                        folder=memo.session_rel),
                    path=memo.shown,
                )
            temp = _new_folder(sessions_path, f".import-{memo.slug}-")
            staged.append((temp, target))
            for planned in memo.files:
                destination = temp / planned.name_in_session
                destination.parent.mkdir(parents=True, exist_ok=True)
                if planned.source is not None:
                    shutil.copyfile(planned.source, destination)
                else:
                    destination.write_text(planned.text or "", encoding="utf-8")
        for temp, target in staged:
            if target.exists() or target.is_symlink():  # appeared while we were writing
                raise ProceedingsError(
                    _("{folder} appeared during the import; nothing was written").format(
                        folder=relative_posix(target, plan.root))
                )
            os.rename(temp, target)
            created.append(target)
    except BaseException:
        for temp, _target in staged:
            shutil.rmtree(temp, ignore_errors=True)
        for target in created:  # only folders this call made a moment ago
            shutil.rmtree(target, ignore_errors=True)
        raise
    return ImportResult(plan, created)


def _new_folder(parent: Path, prefix: str) -> Path:
    """A new, uniquely named folder with the mode any folder the user makes gets (0777 less
    the umask) — `tempfile.mkdtemp` would make it 0700, and the session folder keeps it."""
    for _attempt in range(100):
        folder = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            folder.mkdir(0o777)
        except FileExistsError:
            continue
        return folder
    raise ProceedingsError(
        _("cannot create a temporary folder in {folder}").format(folder=parent),
        hint=_("remove the leftover `.import-*` folders there"),
    )
