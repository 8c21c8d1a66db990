"""`proceedings check` core: run the rules over a loaded workspace and return a report.

    report = check_workspace(workspace, paths=None, select=None, ignore=None)

The report holds the loader's diagnostics (encoding, front matter, tree) plus every rule's,
with the WG's severities, selection and disable comments applied, sorted by file and line.

Files given as `paths` (as pre-commit passes them) are checked in the context of their whole
session: every rule still sees the whole session folder, and the report keeps the findings
for those files, the session-level findings of their sessions (numbering, session.md, the
folder), and broken links elsewhere in the session that point into those files.

Nothing here prints, and nothing imports WeasyPrint or GitPython.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from proceedings import codes
from proceedings.check.rules import Rule, all_rules
from proceedings.check.rules.context import CheckContext, FileInput
from proceedings.check.rules.meta import Directive, parse_directives, unused
from proceedings.codes import RULE_CRASHED
from proceedings.config import CONFIG_FILE, PYPROJECT_FILE, LoadedConfig
from proceedings.diagnostics import Diagnostic, Severity
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.load.source import MarkdownFile
from proceedings.load.workspace import SESSION_FILE, Session, Workspace
from proceedings.text import closest, did_you_mean

# Findings about a session as a whole: reported whenever any file of the session is checked.
SESSION_LEVEL_CODES = frozenset({"T502", "T503", "T505", "T506", "T507", "S308"})
# What a run on some files keeps of another file's findings (Scope.keeps): the session-level
# ones, and C404 for a link into a given note (CheckContext.link_targets).
KEPT_FROM_OTHER_FILES = SESSION_LEVEL_CODES | {"C404"}
SEVERITY_CHOICES = ("error", "warning", "info", "off")


class CheckReport(NamedTuple):
    """What a check found, and how much it looked at."""

    diagnostics: list[Diagnostic]
    files: int  # Markdown files in the checked scope
    suppressed: int  # findings silenced by disable comments
    codes_run: list[str]

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def infos(self) -> int:
        return self.count(Severity.INFO)

    def failed(self, fail_on: Severity) -> bool:
        """True when any finding is at or above `fail_on` (exit code 1)."""
        return any(d.severity >= fail_on for d in self.diagnostics)


class Selection(NamedTuple):
    """Which codes run and at what severity, from config plus command-line options."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severities: tuple[tuple[str, str], ...] = ()  # (code, "error"|"warning"|"info"|"off")

    def enabled(self, code: str) -> bool:
        if self.select and not any(_matches(code, entry) for entry in self.select):
            return False
        if any(_matches(code, entry) for entry in self.ignore):
            return False
        return dict(self.severities).get(code) != "off"

    def severity(self, diagnostic: Diagnostic) -> Severity:
        override = dict(self.severities).get(diagnostic.code)
        return Severity.parse(override) if override else diagnostic.severity

    def with_severity(self, diagnostic: Diagnostic) -> Diagnostic:
        severity = self.severity(diagnostic)
        if severity == diagnostic.severity:
            return diagnostic
        return diagnostic.with_severity(severity)


def _matches(code: str, entry: str) -> bool:
    return code.startswith(entry)


def resolve_selection(
    loaded: LoadedConfig | Workspace,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> Selection:
    """Validate and combine `check.select/ignore/severity` with command-line options.

    `select` given on the command line replaces the configured list; `ignore` adds to it.
    Entries are codes, code prefixes (`C4`, `S`) or rule names (`raw-html`); anything else is
    a usage error (exit 2) with a suggestion.
    """
    config = loaded.config
    source = loaded.source if isinstance(loaded, LoadedConfig) else loaded.config_source
    check = config.check
    chosen_select = list(select) if select is not None else list(check.select)
    from_config_select = select is None
    resolved_select = [
        _resolve_entry(e, source, "check.select") if from_config_select
        else _resolve_entry(e, None, "--select")
        for e in chosen_select
    ]
    resolved_ignore = [_resolve_entry(e, source, "check.ignore") for e in check.ignore]
    resolved_ignore += [_resolve_entry(e, None, "--ignore") for e in (ignore or ())]
    severities: list[tuple[str, str]] = []
    for key, value in check.severity.items():
        code = _resolve_entry(key, source, "check.severity", exact=True)
        level = str(value).strip().lower()
        if level not in SEVERITY_CHOICES:
            raise ProceedingsError(
                _("`check.severity.{key}` must be one of {choices}, not {value!r}").format(
                    key=key, choices=", ".join(SEVERITY_CHOICES), value=value),
                path=source, line=_find_line(source, key),
            )
        severities.append((code, level))
    return Selection(tuple(resolved_select), tuple(resolved_ignore), tuple(severities))


def _resolve_entry(entry: str, source: Path | None, where: str, *, exact: bool = False) -> str:
    text = str(entry).strip()
    known = codes.all_codes()
    by_name = {c.name: c.code for c in known}
    if text.lower() in by_name:
        return by_name[text.lower()]
    upper = text.upper()
    if exact and any(c.code == upper for c in known):
        return upper
    if not exact and upper and any(c.code.startswith(upper) for c in known):
        return upper
    candidates = [c.code for c in known] + list(by_name)
    close = closest(text, candidates)
    hint = (did_you_mean(close) if close
            else _("see `proceedings rules` for every code"))
    if exact:
        message = _("`{text}` in {where} is not a rule code or name")
    else:
        message = _("`{text}` in {where} is not a rule code, prefix or name")
    raise ProceedingsError(
        message.format(text=text, where=where),
        path=source, line=_find_line(source, text), hint=hint,
    )


def _find_line(source: Path | None, needle: str) -> int | None:
    if source is None:
        return None
    try:
        lines = source.read_text("utf-8", "replace").splitlines()
    except OSError:
        return None
    return next((n for n, line in enumerate(lines, 1) if needle in line), None)


class Scope(NamedTuple):
    """The part of the archive a run reports on: some files, some whole sessions."""

    files: frozenset[str]  # root-relative paths
    sessions: frozenset[str]  # session folder rel paths touched by `files`
    whole_sessions: frozenset[str]  # session folders given as folders

    def covers_file(self, rel: str) -> bool:
        """True for a file given on the command line, or inside a session given as a folder."""
        return rel in self.files or _session_of(rel, self.whole_sessions) is not None

    def keeps_all_of(self, path: str) -> bool:
        """True when every finding about `path` is reported: a file covered by the run, and
        a touched session's own findings and its session.md's."""
        if path in self.files:
            return True
        session = _session_of(path, self.sessions | self.whole_sessions)
        return session is not None and (
            session in self.whole_sessions or path in (session, f"{session}/{SESSION_FILE}")
        )

    def keeps(self, diagnostic: Diagnostic, target: str | None) -> bool:
        """Whether the run reports `diagnostic` (`target`: where a broken link points)."""
        if target in self.files or self.keeps_all_of(diagnostic.path):
            return True
        in_session = _session_of(diagnostic.path, self.sessions | self.whole_sessions)
        return in_session is not None and diagnostic.code in SESSION_LEVEL_CODES


def _session_of(path: str, sessions: Iterable[str]) -> str | None:
    for session in sessions:
        if path == session or path.startswith(session + "/"):
            return session
    return None


def sessions_to_load(loaded: LoadedConfig, paths: Sequence[Path | str] | None) -> list[str] | None:
    """Session folder names a run on `paths` needs (None: load the whole archive).

    Lets a pre-commit run on a few files load only their sessions. Raises for a path that does
    not exist, as a usage error.
    """
    if not paths:
        return None
    sessions_path = Path(os.path.abspath(loaded.root / loaded.config.sessions_dir))
    names: set[str] = set()
    for raw in paths:
        path = _absolute(raw)
        if not os.path.lexists(path):  # a dangling symlink is there: reported as F105
            raise ProceedingsError(_("{path}: no such file or folder").format(path=raw))
        if _whole_archive_path(path, loaded.root, sessions_path):
            return None
        parts = _parts_under(path, sessions_path)
        if parts is None:
            continue  # outside the sessions folder: nothing to check
        stray_file = len(parts) == 1 and not path.is_dir()  # directly in sessions/
        hidden = bool(parts) and parts[0].startswith(".")  # in a hidden folder there
        if stray_file or hidden:
            return None  # only a full load reports these
        if parts:
            names.add(parts[0])
    return sorted(names)


def _absolute(raw: Path | str) -> Path:
    return Path(os.path.abspath(os.fspath(raw)))


def _parts_under(path: Path, base: Path) -> tuple[str, ...] | None:
    """`path`'s parts below `base`, also when one of them is reached through a symlink
    (e.g. a temp folder); None when it is not below `base` at all."""
    for candidate in (path, path.resolve()):
        for folder in (base, base.resolve()):
            try:
                return candidate.relative_to(folder).parts
            except ValueError:
                continue
    return None


def _whole_archive_path(path: Path, root: Path, sessions_path: Path) -> bool:
    return path in (root, sessions_path) or path in (root / CONFIG_FILE, root / PYPROJECT_FILE)


def _scope(workspace: Workspace, paths: Sequence[Path | str] | None) -> Scope | None:
    if not paths:
        return None
    root = Path(os.path.abspath(workspace.root))
    sessions_path = Path(os.path.abspath(workspace.sessions_path))
    files: set[str] = set()
    touched: set[str] = set()
    whole: set[str] = set()
    # By folder name as listed under sessions/: a session's `path` is resolved, so a session
    # folder that is a symlink would not match the path it was given by.
    by_name = {s.rel.rsplit("/", 1)[-1]: s for s in workspace.sessions}
    for raw in paths:
        path = _absolute(raw)
        if not os.path.lexists(path):  # a dangling symlink is there: reported as F105
            raise ProceedingsError(_("{path}: no such file or folder").format(path=raw))
        if _whole_archive_path(path, root, sessions_path):
            return None
        parts = _parts_under(path, sessions_path)
        if parts is None:
            continue
        if not parts:
            return None
        session = by_name.get(parts[0])
        inside = sessions_path.joinpath(*parts)  # the same file, spelt from the root
        if session is None:  # not a session folder: keep what is reported about the entry
            files.add((sessions_path / parts[0]).relative_to(root).as_posix())
        if path.is_dir():
            if len(parts) == 1 and session is not None:
                whole.add(session.rel)
            else:
                files.update(_files_under(inside, root))
                if session is not None:
                    touched.add(session.rel)
            continue
        files.add(inside.relative_to(root).as_posix())
        if session is not None:
            touched.add(session.rel)
    return Scope(frozenset(files), frozenset(touched), frozenset(whole))


def _files_under(folder: Path, root: Path) -> set[str]:
    found: set[str] = set()
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            found.add((Path(dirpath) / name).relative_to(root).as_posix())
    return found


def check_workspace(
    workspace: Workspace,
    *,
    paths: Sequence[Path | str] | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> CheckReport:
    """Check the workspace (or, with `paths`, those files in their sessions' context)."""
    selection = resolve_selection(workspace, select, ignore)
    scope = _scope(workspace, paths)
    ctx = CheckContext(workspace)
    rules = [r for r in all_rules() if selection.enabled(r.code.code)]
    sessions = [s for s in workspace.sessions if scope is None or _in_scope(s, scope)]

    found: list[Diagnostic] = list(workspace.diagnostics)
    for session in sessions:
        ctx.use_cache(session)
        for file in session.files():
            found += file.diagnostics
        found += _run_session(session, rules, ctx, scope)

    found = [d for d in found if selection.enabled(d.code)]
    if scope is not None:
        found = [d for d in found if scope.keeps(d, ctx.link_targets.get(d))]

    in_scope_files = [
        file for session in sessions for file in session.files()
        if scope is None or scope.covers_file(file.rel)
    ]
    # A finding kept from a file outside the scope (a link into a given note, a session-level
    # problem) is still silenced by that file's own disable comments, as in a whole run.
    paths_found = {d.path for d in found}
    other_files = [
        file for session in sessions for file in session.files()
        if scope is not None and not scope.covers_file(file.rel) and file.rel in paths_found
    ]
    active = {entry.code for entry in codes.all_codes() if selection.enabled(entry.code)}
    found, suppressed = _apply_directives(found, in_scope_files, ctx, active, other_files)
    ctx.save_caches()

    final = [selection.with_severity(diagnostic) for diagnostic in found]
    return CheckReport(
        sorted(set(final)), files=len(in_scope_files), suppressed=suppressed,
        codes_run=sorted(active),
    )


def check_archive(
    loaded: LoadedConfig,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    jobs: int | None = None,
) -> CheckReport:
    """The whole archive, as `check_workspace(load_workspace(loaded))` — in parallel.

    Loading (parsing) dominates a whole-archive run, so sessions are split across worker
    processes (one per core), each loading and checking its share; only the findings travel
    back. Rules that look across sessions (links into another session) still work: a worker
    reads any other note it needs on demand. Small archives, one core, or a platform where
    forking is not safe (see process.py) run in this process.
    """
    from proceedings.load.workspace import (
        IGNORED_NAMES,
        list_sessions_folder,
        load_workspace,
        top_level_problem,
    )
    from proceedings.process import fork_is_safe, usable_cores

    resolve_selection(loaded, select, ignore)  # usage errors surface here, not in a worker
    jobs = jobs or usable_cores()
    sessions_path = loaded.root / loaded.config.sessions_dir
    names: list[str] = []
    top_level: list[Diagnostic] = []
    if sessions_path.is_dir():
        for entry in list_sessions_folder(sessions_path):
            if entry.name in IGNORED_NAMES:
                continue
            problem = top_level_problem(entry, loaded.root)  # the loader's rule for sessions/
            if problem is None:
                names.append(entry.name)
            else:
                top_level.append(problem)
    if jobs < 2 or len(names) < MIN_PARALLEL_SESSIONS or not fork_is_safe():
        return check_workspace(load_workspace(loaded), select=select, ignore=ignore)
    import multiprocessing  # costly to import: only for a whole archive worth splitting

    jobs = min(jobs, len(names))
    chunks = [names[index::jobs] for index in range(jobs)]  # interleaved: similar sizes
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs) as pool:
        parts = pool.map(_check_chunk, [(loaded, chunk, select, ignore) for chunk in chunks])
    selection = resolve_selection(loaded, select, ignore)
    found = [selection.with_severity(d) for d in top_level if selection.enabled(d.code)]
    for diagnostics, *_rest in parts:
        found += diagnostics
    return CheckReport(
        sorted(set(found)),
        files=sum(part[1] for part in parts),
        suppressed=sum(part[2] for part in parts),
        codes_run=parts[0][3],
    )


MIN_PARALLEL_SESSIONS = 8


_Chunk = tuple[LoadedConfig, list[str], Sequence[str] | None, Sequence[str] | None]


def _check_chunk(args: _Chunk) -> tuple[list[Diagnostic], int, int, list[str]]:
    from proceedings.load.workspace import load_workspace

    loaded, names, select, ignore = args
    report = check_workspace(load_workspace(loaded, names), select=select, ignore=ignore)
    return report.diagnostics, report.files, report.suppressed, report.codes_run


def _in_scope(session: Session, scope: Scope) -> bool:
    return session.rel in scope.sessions or session.rel in scope.whole_sessions


def _run_session(
    session: Session, rules: list[Rule], ctx: CheckContext, scope: Scope | None = None
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    notes = {id(note.file): note for note in session.notes}
    # A pre-commit run drops most findings of the session's other notes: skip those rules.
    for_other_files = [r for r in rules if r.code.code in KEPT_FROM_OTHER_FILES]
    for file in session.files():
        if not file.readable:
            continue
        facts = ctx.facts(file)
        note = notes.get(id(file))
        doc = FileInput(facts, session, note)
        reported = scope is None or scope.keeps_all_of(file.rel)
        for entry in rules if reported else for_other_files:
            if entry.kind == "session" or (entry.kind == "note" and note is None):
                continue
            if entry.needs_body and not facts.body_ok:
                continue
            found += _call(entry, doc, ctx, file.rel)
    for entry in rules:
        if entry.kind == "session":
            found += _call(entry, session, ctx, session.rel)
    return found


def _call(entry: Rule, subject: object, ctx: CheckContext, rel: str) -> list[Diagnostic]:
    try:
        return list(entry.func(subject, ctx) or ())
    except Exception as exc:  # a bug in a rule must not hide every other finding
        if os.environ.get("PROCEEDINGS_DEBUG"):
            raise
        return [
            Diagnostic(
                rel, 1, 1, RULE_CRASHED.code,
                _("rule {code} failed: {error}").format(
                    code=entry.code.code, error=f"{type(exc).__name__}: {exc}"),
                RULE_CRASHED.severity,
                _("please report this bug; PROCEEDINGS_DEBUG=1 shows the traceback"),
            )
        ]


def _apply_directives(
    found: list[Diagnostic], files: list[MarkdownFile], ctx: CheckContext, active: set[str],
    other_files: Sequence[MarkdownFile] = (),
) -> tuple[list[Diagnostic], int]:
    """Drop findings silenced by disable comments; add X601/X602 about the comments of
    `files`. The comments of `other_files` (outside the run's scope) silence findings too,
    but are not reported on themselves."""
    directives: dict[str, list[Directive]] = {}
    extra: list[Diagnostic] = []
    reported = {file.rel for file in files}
    for file in [*files, *other_files]:
        if not file.readable:
            continue
        parsed, problems = parse_directives(ctx.facts(file))
        if parsed:
            directives[file.rel] = parsed
        if file.rel in reported:
            extra += [p for p in problems if p.code in active]
    if not directives:
        return found + extra, 0
    kept: list[Diagnostic] = []
    suppressed = 0
    for diagnostic in found:
        silenced = False
        for directive in directives.get(diagnostic.path, ()):
            if directive.covers(diagnostic):
                directive.used.add(diagnostic.code)
                silenced = True
        if silenced:
            suppressed += 1
        else:
            kept.append(diagnostic)
    for rel, parsed in directives.items():
        if rel not in reported:
            continue
        for directive in parsed:
            extra += [d for d in unused(directive, rel, active) if d.code in active]
    return kept + extra, suppressed
