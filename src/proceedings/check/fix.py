"""Safe, mechanical fixes for `proceedings check --fix` (and their preview, `--diff`).

Only these are ever changed, and only where the report found them:

- F102 a byte-order mark is removed;
- F103 CRLF (and old-Mac CR) line endings become LF;
- F104 a final newline is added;
- F110 a note in a legacy encoding (Shift_JIS, EUC-JP, UTF-16, …) is converted to UTF-8,
  only when the detector's reading is unambiguous and lossless (see `load.encodings`);
- F106 NUL bytes are deleted (nothing else on their lines changes);
- S304 each missing required section gets its heading and a `✎` placeholder paragraph,
  inserted where the configured section order puts it;
- S310 a full-width space, colon or `＃` where the format needs ASCII (`---　`, `title：`,
  `##　概要`) is made ASCII on that line.

Wording is never touched: every line of the original (less its NUL bytes) is still in the
fixed file, in order. Files are written atomically, never through a symlink: a note that is a
link is fixed in its real file only when that is in the sessions folder (see `_refusal`).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from proceedings.atomic import write_bytes_atomic
from proceedings.check.engine import CheckReport
from proceedings.check.facts import collect
from proceedings.check.rules.structure import (
    name_variant,
    normalize_heading,
    pick_name,
    section_level,
)
from proceedings.diagnostics import Diagnostic
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.load.placeholders import PLACEHOLDER_MARK
from proceedings.load.source import MarkdownFile, lf_text, line_ending_names, line_endings
from proceedings.load.workspace import Session, Workspace
from proceedings.paths import (
    INTO_GIT,
    confinement_problem,
    real_inside,
    relative_posix,
    within,
)
from proceedings.text import all_of

if TYPE_CHECKING:
    from proceedings.load.encodings import EncodingGuess

FIXABLE = ("F102", "F103", "F104", "F106", "F110", "S304", "S310")
BOM = b"\xef\xbb\xbf"


@dataclass
class FileFix:
    path: Path
    rel: str
    before: bytes
    after: bytes
    fixed: list[Diagnostic] = field(default_factory=list)
    inserted_sections: list[str] = field(default_factory=list)
    # Why the fix is not written (a note that is a link leading out of the sessions folder);
    # empty when it may be.
    refused: str = ""
    # The encoding a note is converted from (F110); None when it was UTF-8 already.
    converted_from: EncodingGuess | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff of the text, plus a note for BOM and line-ending changes."""
        if self.converted_from is not None and self.converted_from.text is not None:
            # The text is the same; only its encoding changes.
            return f"# {self.rel}: " + _(
                "convert from {encoding} to UTF-8 (the text is unchanged)"
            ).format(encoding=self.converted_from.name) + "\n"
        old, new = (lf_text(data.decode("utf-8-sig", "replace"))
                    for data in (self.before, self.after))
        lines = list(
            difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                f"a/{self.rel}", f"b/{self.rel}",
            )
        )
        text = "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                       for line in lines)
        notes = []
        if self.before.startswith(BOM) and not self.after.startswith(BOM):
            notes.append(_("remove the byte-order mark"))
        after = line_ending_names(self.after.decode("utf-8", "replace"))
        converted = [name for name in line_ending_names(self.before.decode("utf-8", "replace"))
                     if name not in after]
        if converted:
            notes.append(_("convert {kinds} line endings to LF").format(kinds=all_of(converted)))
        if notes:
            header = f"# {self.rel}: " + "; ".join(notes) + "\n"
            if not text:
                return header
            return header + text
        return text


def plan_fixes(
    workspace: Workspace, report: CheckReport, paths: Sequence[Path | str] | None = None
) -> list[FileFix]:
    """What `--fix` would change, file by file, for the fixable findings in `report`.

    With `paths` (a check of given files or folders), only the notes among them or inside
    them are changed. A config file given to re-check the whole archive fixes nothing by
    itself: `--fix proceedings.toml 01-a.md` must not rewrite every other note."""
    chosen = within(paths)
    wanted: dict[str, list[Diagnostic]] = {}
    for diagnostic in report.diagnostics:
        if diagnostic.code in FIXABLE:
            wanted.setdefault(diagnostic.path, []).append(diagnostic)
    fixes: list[FileFix] = []
    for session in workspace.sessions:
        for file in session.files():
            found = wanted.get(file.rel)
            if not found or (chosen is not None and not chosen(file.path)):
                continue
            if not file.readable:
                converted = _convert_file(file, found)
                if converted is None:
                    continue
                fix = converted
            else:
                fix = _fix_file(file, session, workspace, found)
            if fix.changed:
                fix.refused = _refusal(fix.path, workspace, session) or ""
                fixes.append(fix)
    return fixes


def _refusal(path: Path, workspace: Workspace, session: Session | None) -> str | None:
    """Why `--fix` must not write the note at `path`, or None when it may.

    A fix never writes through a symlink: it writes the real file, and only when that file
    is in the sessions folder or in the note's own session folder (which may be a link to
    a folder elsewhere in the repository) — so in the repository, outside .git. A note
    linked to another note there (shared by two sessions, say) is fixed in its real file,
    the link left as it is; a note linked to any other file (the README, a link out of the
    repository) is never changed by `--fix`."""
    problem = confinement_problem(path, workspace.root)
    if problem == INTO_GIT:
        return _("it is a symbolic link that leads into the repository's .git folder")
    if problem is not None:
        return _("it is a symbolic link that leads outside the repository")
    real = os.path.realpath(path)
    folders = [workspace.sessions_path] + ([session.path] if session is not None else [])
    if not any(real_inside(real, os.path.realpath(folder)) for folder in folders):
        shown = relative_posix(Path(real), workspace.root, resolve=True)
        return _("it is a link to {path}, outside the sessions folder; fix that file by "
                 "hand").format(path=shown)
    return None


def fix_target(fix: FileFix, workspace: Workspace) -> Path:
    """The real file a fix writes (checked again just before writing): never a symlink."""
    refused = fix.refused or _refusal(fix.path, workspace, workspace.session_for(fix.path))
    if refused:
        raise ProceedingsError(_("not fixed: {reason}").format(reason=refused), path=fix.rel)
    return Path(os.path.realpath(fix.path))


def apply_fixes(fixes: list[FileFix], workspace: Workspace) -> None:
    """Write the fixes that may be written (see `_refusal`); refused ones are skipped."""
    for fix in fixes:
        if not fix.changed or fix.refused:
            continue
        try:
            write_bytes_atomic(fix_target(fix, workspace), fix.after)
        except OSError as error:
            raise ProceedingsError(
                _("cannot write the fix: {reason}").format(reason=error.strerror or error),
                path=fix.rel, hint=_("make the file writable, or run without --fix"),
            ) from None


def _convert_file(file: MarkdownFile, found: list[Diagnostic]) -> FileFix | None:
    """F110: the note converted to UTF-8, when the detector's reading is unambiguous and
    lossless (see `load.encodings`); None otherwise. Only the encoding changes: the text,
    its line endings and everything else stay as they are (a byte-order mark is dropped)."""
    from proceedings.load.encodings import guess_encoding

    f110 = [d for d in found if d.code == "F110"]
    if not f110:
        return None
    guess = guess_encoding(file.raw)
    if guess is None or guess.text is None:
        return None
    return FileFix(file.path, file.rel, file.raw, guess.text.encode("utf-8"), f110,
                   converted_from=guess)


def _fix_file(
    file: MarkdownFile, session: Session, workspace: Workspace, found: list[Diagnostic]
) -> FileFix:
    codes = {d.code for d in found}
    raw = file.raw
    body = raw
    while body.startswith(BOM):  # every leading mark: a fixed file must not start with one
        body = body[len(BOM) :]
    boms = raw[: len(raw) - len(body)]
    text = body.decode("utf-8")
    if "F106" in codes:
        text = text.replace("\x00", "")  # a NUL is no wording: the outputs showed it as �
    endings = {ending: count for ending, count in line_endings(text).items() if count}
    inserted: list[str] = []
    if "F103" in codes or not endings:
        ending: str | None = "\n"  # every line made LF
    elif len(endings) == 1:
        ending = next(iter(endings))  # the file's one kind, kept
    else:
        ending = None  # mixed, and F103 is not being fixed
    if ending is not None:
        # Fix in the loader's LF lines, which the findings count in, then give every line
        # the file's ending back.
        text = lf_text(text)
        if "S310" in codes:
            text = _fix_slips(file, text, found)
        if "S304" in codes:
            text, inserted = _insert_sections(file, session, workspace, text)
        if "F104" in codes and text and not text.endswith("\n"):
            text += "\n"
        text = text.replace("\n", ending)
        fixed = found
    else:
        # Mixed endings while F103 is not being fixed (ignored): every line keeps its own, so
        # only the BOM and the final newline (the most common ending) are fixed; no section
        # is inserted in the middle (they stay reported until the endings are made one).
        if "F104" in codes and text and not text.endswith(("\n", "\r")):
            text += max(endings, key=endings.__getitem__)
        fixed = [d for d in found if d.code not in ("S304", "S310")]
    after = text.encode("utf-8")
    if boms and "F102" not in codes:
        after = boms + after
    return FileFix(file.path, file.rel, raw, after, fixed, inserted)


def _fix_slips(file: MarkdownFile, text: str, found: list[Diagnostic]) -> str:
    """S310: each reported line replaced by its corrected form (a full-width space or colon
    made ASCII); the loader worked out the correction (`MarkdownFile.slips`)."""
    lines = text.split("\n")
    for diagnostic in found:
        fixed = file.slips.get(diagnostic.line)
        if diagnostic.code == "S310" and fixed is not None and diagnostic.line <= len(lines):
            lines[diagnostic.line - 1] = fixed
    return "\n".join(lines)


def _insert_sections(
    file: MarkdownFile, session: Session, workspace: Workspace, text: str
) -> tuple[str, list[str]]:
    config = workspace.config
    facts = collect(file)
    if not facts.body_ok:
        return text, []
    level = section_level(facts.headings)
    groups = config.sections.required + config.sections.optional
    order = {normalize_heading(name): index for index, group in enumerate(groups)
             for name in group}
    present = [h for h in facts.headings if h.level == level]
    present_names = {normalize_heading(h.text) for h in present}
    variant = name_variant(present, groups, session.language(config))
    trailing_newline = text.endswith("\n")
    lines = (text[:-1] if trailing_newline else text).split("\n")
    insertions: dict[int, list[list[str]]] = {}  # 0-based line index -> blocks put before it
    inserted: list[str] = []
    for index, group in enumerate(config.sections.required):
        if any(normalize_heading(name) in present_names for name in group):
            continue
        name = pick_name(group, variant)
        later = next((h for h in present if order.get(normalize_heading(h.text), -1) > index),
                     None)
        at = later.line - 1 if later is not None else len(lines)
        # The guidance follows the heading's language: 「概要」 gets Japanese, Summary English.
        guidance_language = "en" if name.isascii() else "ja"
        insertions.setdefault(at, []).append(_section_block(level, name, guidance_language))
        inserted.append(name)
    if not insertions:
        return text, []
    out: list[str] = []
    for number in range(len(lines) + 1):
        for block in insertions.get(number, ()):
            if out and out[-1].strip():
                out.append("")  # a blank line before the inserted heading
            out += block
        if number < len(lines):
            out.append(lines[number])
    if len(lines) in insertions:
        out.pop()  # the block's own trailing blank line; the file ends after the placeholder
        trailing_newline = True
    return "\n".join(out) + ("\n" if trailing_newline else ""), inserted


def _section_block(level: int, name: str, language: str) -> list[str]:
    if language == "en":
        guidance = f"{PLACEHOLDER_MARK} Write the {name} here."
    else:
        guidance = f"{PLACEHOLDER_MARK} ここに「{name}」を書いてください。"
    return [f"{'#' * level} {name}", "", guidance, ""]
