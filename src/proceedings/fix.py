"""Safe, mechanical fixes for `proceedings check --fix` (and their preview, `--diff`).

Only these are ever changed, and only where the report found them:

- F102 a byte-order mark is removed;
- F103 CRLF (and old-Mac CR) line endings become LF;
- F104 a final newline is added;
- F106 NUL bytes are deleted (nothing else on their lines changes);
- S304 each missing required section gets its heading and a `✎` placeholder paragraph,
  inserted where the configured section order puts it.

Wording is never touched: every line of the original (less its NUL bytes) is still in the
fixed file, in order.
Files are written atomically.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from proceedings.atomic import write_bytes_atomic
from proceedings.check import CheckReport
from proceedings.diagnostics import Diagnostic
from proceedings.errors import ProceedingsError
from proceedings.facts import collect
from proceedings.paths import within
from proceedings.placeholders import PLACEHOLDER_MARK
from proceedings.rules.structure import name_variant, normalize_heading, pick_name, section_level
from proceedings.source import MarkdownFile, lf_text, line_ending_names, line_endings
from proceedings.workspace import Session, Workspace

FIXABLE = ("F102", "F103", "F104", "F106", "S304")
BOM = b"\xef\xbb\xbf"


@dataclass
class FileFix:
    path: Path
    rel: str
    before: bytes
    after: bytes
    fixed: list[Diagnostic] = field(default_factory=list)
    inserted_sections: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        """A unified diff of the text, plus a note for BOM and line-ending changes."""
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
            notes.append("remove the byte-order mark")
        after = line_ending_names(self.after.decode("utf-8", "replace"))
        converted = [name for name in line_ending_names(self.before.decode("utf-8", "replace"))
                     if name not in after]
        if converted:
            notes.append(f"convert {' and '.join(converted)} line endings to LF")
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
            if not found or not file.readable or (chosen is not None and not chosen(file.path)):
                continue
            fix = _fix_file(file, session, workspace, found)
            if fix.changed:
                fixes.append(fix)
    return fixes


def apply_fixes(fixes: list[FileFix]) -> None:
    for fix in fixes:
        if not fix.changed:
            continue
        try:
            write_bytes_atomic(fix.path, fix.after)
        except OSError as error:
            raise ProceedingsError(
                f"cannot write the fix: {error.strerror or error}", path=fix.rel,
                hint="make the file writable, or run without --fix",
            ) from None


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
        fixed = [d for d in found if d.code != "S304"]
    after = text.encode("utf-8")
    if boms and "F102" not in codes:
        after = boms + after
    return FileFix(file.path, file.rel, raw, after, fixed, inserted)


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
