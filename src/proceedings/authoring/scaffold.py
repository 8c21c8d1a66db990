"""`proceedings new-session` core: plan a new session (or topics added to one), then write it.

Planning validates everything and renders every file in memory, so nothing touches the disk
until the whole request is known to be good; `--dry-run` stops there. Writing never
overwrites, writes each file atomically, and removes what it created if it fails midway.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from proceedings.atomic import write_text_atomic
from proceedings.authoring.sections import note_sections
from proceedings.authoring.slugs import (
    MAX_SLUG_LENGTH,
    SESSION_FALLBACK_SLUG,
    slug_problem,
    slugify,
    starts_with_date,
)
from proceedings.config import LoadedConfig
from proceedings.diagnostics import Severity
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.load import schema
from proceedings.load.source import parse_markdown, read_markdown
from proceedings.load.workspace import NOTE_FILE_PATTERN, SESSION_DIR_PATTERN, SESSION_FILE
from proceedings.paths import relative_posix
from proceedings.templates import render_template, template_source_path
from proceedings.text import closest, did_you_mean

SESSION_TEMPLATE = "session.md.j2"
NOTE_TEMPLATE = "note.md.j2"
MAX_NOTES = 99  # note files are numbered with two digits

SlugSource = Literal["given", "title", "fallback"]


@dataclass(frozen=True)
class TopicRequest:
    title: str
    slug: str | None = None  # given by the user; None: derived from the title


@dataclass
class SessionRequest:
    title: str
    date: str  # as typed, validated by planning
    topics: list[TopicRequest]
    slug: str | None = None
    event: str | None = None
    url: str | None = None
    location: str | None = None
    facilitators: list[str] = field(default_factory=list)
    participants: int | list[str] | None = None
    language: str | None = None  # None: the WG's default, not written to session.md


@dataclass(frozen=True)
class SlugChoice:
    """Which slug a session or topic got, and why — the CLI tells the user about fallbacks."""

    kind: Literal["session", "topic"]
    title: str
    slug: str
    source: SlugSource
    path: str = ""  # the folder or note it names, relative to the WG root (set by planning)

    def to_json(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "title": self.title,
            "slug": self.slug,
            "source": self.source,
            "path": self.path,
        }


@dataclass(frozen=True)
class PlannedFile:
    path: Path  # absolute
    rel: str  # relative to the WG root, POSIX
    kind: Literal["session", "note"]
    title: str
    content: str


@dataclass
class ScaffoldPlan:
    root: Path
    session_dir: Path
    session_rel: str
    new_session: bool  # False when topics are added to an existing session
    language: str
    files: list[PlannedFile]
    slugs: list[SlugChoice]


@dataclass
class ScaffoldResult:
    plan: ScaffoldPlan
    created: list[Path]  # files written; empty for a dry run
    staged: list[str] = field(default_factory=list)  # paths relative to the git work tree


# ---------------------------------------------------------------------------------------------
# Parsing what the user typed


def parse_topic(text: str) -> TopicRequest:
    """`TITLE` or `TITLE=slug`: everything after the last `=` is the slug."""
    title, sep, slug = text.rpartition("=")
    if not sep:
        return TopicRequest(clean_text(text, "--topic"))
    if not title.strip():
        raise ProceedingsError(
            _("--topic `{text}` has a slug but no title").format(text=text),
            hint=_('pass --topic "TITLE=slug"'),
        )
    return TopicRequest(clean_text(title, "--topic"), slug)


_PARTICIPANT_SEPARATORS = re.compile(r"[,、]")


def parse_participants(text: str) -> int | list[str]:
    """A count (`24`) or comma-separated names (`佐藤, Kim`)."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    names = [clean_text(name, "--participants") for name in _PARTICIPANT_SEPARATORS.split(text)]
    names = [name for name in names if name]
    if not names:
        raise ProceedingsError(
            _("--participants is empty"), hint=_("pass a count (24) or names (佐藤, Kim)")
        )
    return names


def clean_text(text: str, flag: str) -> str:
    """Strip a one-line value and refuse control characters (they would break the files)."""
    value = unicodedata.normalize("NFC", text).strip()
    bad = next((ch for ch in value if unicodedata.category(ch) in ("Cc", "Zl", "Zp")), None)
    if bad is not None:
        raise ProceedingsError(
            _("{flag} {value!r} contains a control character ({character!r})").format(
                flag=flag, value=value, character=bad),
            hint=_("pass a single line of text"),
        )
    return value


# ---------------------------------------------------------------------------------------------
# Slugs


def session_slug(title: str, given: str | None) -> SlugChoice:
    if given is not None:
        check_slug(given, "--slug")
        if starts_with_date(given):
            raise ProceedingsError(
                _("--slug `{slug}` starts with a date").format(slug=given),
                hint=_("the folder takes its date from --date; pass only the name part"),
            )
        return SlugChoice("session", title, given, "given")
    derived = slugify(title)
    if derived:
        return SlugChoice("session", title, derived, "title")
    return SlugChoice("session", title, SESSION_FALLBACK_SLUG, "fallback")


def topic_slug(topic: TopicRequest, number: int) -> SlugChoice:
    if topic.slug is not None:
        check_slug(topic.slug, f'--topic "{topic.title}=…"')
        return SlugChoice("topic", topic.title, topic.slug, "given")
    derived = slugify(topic.title)
    if derived:
        return SlugChoice("topic", topic.title, derived, "title")
    return SlugChoice("topic", topic.title, f"topic-{number}", "fallback")


def check_slug(value: str, flag: str) -> None:
    problem = slug_problem(value)
    if problem is None:
        return
    shown = repr(value) if any(unicodedata.category(ch) == "Cc" for ch in value) else f"`{value}`"
    suggestion = slugify(value)
    hint = (
        did_you_mean(suggestion)
        if suggestion and suggestion != value and slug_problem(suggestion) is None
        else _("use lower-case a-z, 0-9 and single hyphens, at most {limit} characters").format(
            limit=MAX_SLUG_LENGTH)
    )
    raise ProceedingsError(
        _("slug {slug} ({flag}) {problem}").format(slug=shown, flag=flag, problem=problem),
        hint=hint)


# ---------------------------------------------------------------------------------------------
# Planning


def plan_session(loaded: LoadedConfig, request: SessionRequest) -> ScaffoldPlan:
    """Validate a new session and render its files. Raises ProceedingsError; writes nothing."""
    root, config = loaded.root, loaded.config
    title = clean_text(request.title, "TITLE")
    if not title:
        raise ProceedingsError(_("the session title is empty"),
                               hint=_('pass it: new-session "TITLE"'))
    date = schema.parse_date_option(request.date)
    if request.language is not None and request.language not in ("ja", "en"):
        raise ProceedingsError(
            _("--language must be ja or en, not `{language}`").format(language=request.language))
    if not request.topics:
        raise ProceedingsError(
            _("a session needs at least one topic"), hint=_('pass --topic "TITLE" for each topic')
        )
    if len(request.topics) > MAX_NOTES:
        raise ProceedingsError(
            _("a session can have at most {limit} topic notes").format(limit=MAX_NOTES))
    choice = session_slug(title, request.slug)
    name = f"{date.isoformat()}-{choice.slug}"
    sessions_path = _sessions_path(loaded)
    session_dir = _inside(sessions_path, name)
    session_rel = relative_posix(session_dir, root.resolve())
    if session_dir.exists() or session_dir.is_symlink():
        raise ProceedingsError(
            _("session folder {folder} already exists; nothing was written").format(
                folder=session_rel),
            hint=_("choose another name with --slug, or add topics to it with "
                   "--add-topic {name}").format(name=name),
        )
    language = request.language or config.language
    choice = replace(choice, path=session_rel)
    topics, slugs = _topics(request.topics, start=1, session_rel=session_rel)
    context_session = {"title": title, "date": date.isoformat(), "name": name}
    files = [
        _render(
            loaded,
            SESSION_TEMPLATE,
            session_dir / SESSION_FILE,
            "session",
            title,
            {
                "title": title,
                "date": date.isoformat(),
                "name": name,
                "language": request.language,
                "default_language": config.language,
                "event": _optional(request.event, "--event"),
                "url": _optional(request.url, "--url"),
                "location": _optional(request.location, "--location"),
                "facilitators": [
                    person
                    for person in (clean_text(p, "--facilitator") for p in request.facilitators)
                    if person
                ],
                "participants": request.participants,
                "topics": topics,
            },
            expect_date=date,
        )
    ]
    files += _note_files(loaded, session_dir, context_session, topics, language)
    return ScaffoldPlan(root, session_dir, session_rel, True, language, files, [choice, *slugs])


def plan_add_topics(
    loaded: LoadedConfig, session_name: str, topics: list[TopicRequest]
) -> ScaffoldPlan:
    """Plan the next-numbered notes for an existing session; existing files are never touched."""
    root, config = loaded.root, loaded.config
    if not topics:
        raise ProceedingsError(
            _("--add-topic needs a topic"), hint=_('pass --topic "TITLE" (repeat for more)')
        )
    session_dir = find_session(loaded, session_name)
    session_rel = relative_posix(session_dir, root.resolve())
    start = next_note_number(session_dir)
    if start + len(topics) - 1 > MAX_NOTES:
        raise ProceedingsError(_("{folder} would have more than {limit} notes").format(
            folder=session_rel, limit=MAX_NOTES))
    info = read_markdown(session_dir / SESSION_FILE, f"{session_rel}/{SESSION_FILE}", root)
    meta_title = info.meta.get("title")
    meta_language = info.meta.get("language")
    language = meta_language if meta_language in ("ja", "en") else config.language
    context_session = {
        "title": meta_title if isinstance(meta_title, str) else session_dir.name,
        "date": str(info.meta.get("date", "")),
        "name": session_dir.name,
    }
    planned, slugs = _topics(topics, start=start, session_rel=session_rel)
    files = _note_files(loaded, session_dir, context_session, planned, language)
    return ScaffoldPlan(root, session_dir, session_rel, False, language, files, slugs)


def find_session(loaded: LoadedConfig, value: str) -> Path:
    """The existing session folder named `2025-06-01-slug` (or `sessions/2025-06-01-slug/`)."""
    sessions_path = _sessions_path(loaded)
    name = value.strip().rstrip("/\\")
    prefix = loaded.config.sessions_dir.strip("/") + "/"
    if name.startswith(prefix):
        name = name[len(prefix) :]
    match = SESSION_DIR_PATTERN.match(name)
    problem = None if match else slug_problem(name)
    if problem is not None or match is None:
        shown = repr(value) if any(unicodedata.category(ch) == "Cc" for ch in value) else value
        raise ProceedingsError(
            _("--add-topic {value}: {problem}").format(
                value=shown,
                problem=problem or _("is not a session folder name (YYYY-MM-DD-slug)")),
            hint=_("pass the folder name of a session under {folder}/, "
                   "e.g. --add-topic 2024-08-24-summer-camp").format(
                folder=loaded.config.sessions_dir),
        )
    folder = _inside(sessions_path, name)
    if not folder.is_dir():
        existing = (
            sorted(p.name for p in sessions_path.iterdir() if p.is_dir())
            if sessions_path.is_dir()
            else []
        )
        close = closest(name, existing, cutoff=0.5)
        raise ProceedingsError(
            _("--add-topic: there is no session folder {folder}").format(
                folder=relative_posix(folder, loaded.root.resolve())),
            hint=_("did you mean {name}?").format(name=close) if close
            else _("`proceedings list` shows the sessions"),
        )
    return folder


def _topics(
    requests: list[TopicRequest], *, start: int, session_rel: str
) -> tuple[list[dict[str, Any]], list[SlugChoice]]:
    topics: list[dict[str, Any]] = []
    slugs: list[SlugChoice] = []
    for offset, request in enumerate(requests):
        number = start + offset
        title = clean_text(request.title, "--topic")
        if not title:
            raise ProceedingsError(_("a --topic title is empty"), hint=_('pass --topic "TITLE"'))
        choice = topic_slug(TopicRequest(title, request.slug), number)
        slugs.append(replace(choice, path=f"{session_rel}/{number:02d}-{choice.slug}.md"))
        topics.append({"number": number, "title": title, "slug": choice.slug})
    return topics, slugs


def _note_files(
    loaded: LoadedConfig,
    session_dir: Path,
    session: dict[str, str],
    topics: list[dict[str, Any]],
    language: str,
) -> list[PlannedFile]:
    sections = note_sections(loaded.config, language)
    files = []
    for topic in topics:
        path = session_dir / f"{topic['number']:02d}-{topic['slug']}.md"
        if path.exists() or path.is_symlink():
            shown = relative_posix(path, loaded.root.resolve())
            raise ProceedingsError(
                _("{path} already exists; nothing was written").format(path=shown))
        context = {**topic, "language": language, "session": session, "sections": sections}
        files.append(_render(loaded, NOTE_TEMPLATE, path, "note", topic["title"], context))
    return files


def _render(
    loaded: LoadedConfig,
    template: str,
    path: Path,
    kind: Literal["session", "note"],
    title: str,
    context: dict[str, Any],
    expect_date: dt.date | None = None,
) -> PlannedFile:
    override_dir = loaded.root / loaded.config.templates_dir
    content = render_template(
        template, {**context, "yaml": yaml_value, "md": md_inline}, override_dir=override_dir
    )
    rel = relative_posix(path, loaded.root.resolve())
    source = relative_posix(template_source_path(template, override_dir), loaded.root.resolve())
    _check_rendered(content, path, rel, kind, expect_date, source)
    return PlannedFile(path, rel, kind, title, content)


def _check_rendered(
    content: str,
    path: Path,
    rel: str,
    kind: str,
    expect_date: dt.date | None,
    source: str,
) -> None:
    """A (WG-customised) template must produce a file the loader accepts; else write nothing."""
    file = parse_markdown(content.encode("utf-8"), path, rel)
    problems = [
        _("line {line}: {message}").format(line=d.line, message=d.message)
        for d in file.diagnostics if d.severity is Severity.ERROR
    ]
    if not problems and not file.has_front_matter:
        problems.append(_("it has no front matter"))
    elif not problems:
        keys = schema.SESSION_KEYS if kind == "session" else schema.NOTE_KEYS
        problems += [
            _("line {line}: {message}").format(line=d.line, message=d.message)
            for d in schema.validate(file.meta, file.key_lines, file.closing_line, keys, rel)
            if d.severity is Severity.ERROR
        ]
        date = schema.parse_iso_date(file.meta.get("date"))
        if not problems and expect_date is not None and date != expect_date:
            problems.append(_("`date` is not {date}").format(date=expect_date.isoformat()))
    if problems:
        raise ProceedingsError(
            _("the template produced an invalid {file} ({problems}); nothing was written").format(
                file=Path(rel).name, problems="; ".join(problems)),
            path=source,
            hint=_("fix the template, or delete it to use the packaged one"),
        )


def yaml_value(value: Any) -> str:
    """A value as one line of YAML that reads back as exactly `value` (for templates)."""
    text = yaml.safe_dump(
        value, allow_unicode=True, default_flow_style=True, width=2**31 - 1, sort_keys=False
    )
    text = text.removesuffix("\n").removesuffix("\n...").strip()
    # Our loader keeps dates as text; a date-like string must stay a string either way.
    if isinstance(value, str) and schema.ISO_DATE.match(value):
        text = f"'{value}'"
    return text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>&~|])")


def md_inline(text: str) -> str:
    """Escape Markdown in one line of text so a heading shows it literally."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    if escaped.endswith("#"):
        escaped = escaped[:-1] + "\\#"  # a trailing `#` would be read as a closing sequence
    return escaped


# ---------------------------------------------------------------------------------------------
# Writing


def write_plan(plan: ScaffoldPlan) -> list[Path]:
    """Write every planned file; on any failure remove what this call created, then raise."""
    created_files: list[Path] = []
    created_dirs: list[Path] = []
    try:
        if plan.new_session:
            for folder in reversed([plan.session_dir, *plan.session_dir.parents]):
                if not folder.exists():
                    folder.mkdir()  # FileExistsError on a race: never write into another's
                    created_dirs.append(folder)
            if plan.session_dir not in created_dirs:
                raise ProceedingsError(_("session folder {folder} already exists").format(
                    folder=plan.session_rel))
        for planned in plan.files:
            if planned.path.exists() or planned.path.is_symlink():
                raise ProceedingsError(
                    _("{path} already exists; it was left alone").format(path=planned.rel))
            write_text_atomic(planned.path, planned.content)
            created_files.append(planned.path)
    except BaseException as exc:
        _remove(created_files, created_dirs)
        if isinstance(exc, OSError):
            where = exc.filename or plan.session_rel
            raise ProceedingsError(
                _("could not write {path}: {problem}").format(
                    path=where, problem=exc.strerror or exc),
                hint=_("nothing this run created was kept"),
            ) from None
        raise
    return created_files


def _remove(files: list[Path], folders: list[Path]) -> None:
    for path in reversed(files):
        path.unlink(missing_ok=True)
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty: something else wrote there meanwhile; leave it


def git_repository(root: Path) -> Any:
    """The git repository around `root` (GitPython is imported only when staging is asked for)."""
    from proceedings.publish.gitrepo import open_repo

    return open_repo(
        root,
        purpose="--git-add: ",
        hint=_("nothing was written; run `git init` there first, or leave out --git-add"),
    )


def git_add(repo: Any, paths: list[Path]) -> list[str]:
    """Stage exactly `paths`; returns them relative to the work tree."""
    import git

    worktree = Path(repo.working_tree_dir).resolve()
    rels = [path.resolve().relative_to(worktree).as_posix() for path in paths]
    try:
        repo.git.add("--", *rels)
    except git.GitCommandError as exc:
        detail = (exc.stderr or str(exc)).strip().splitlines()
        raise ProceedingsError(
            _("git add failed: {detail}").format(detail=detail[-1] if detail else exc),
            hint=_("the files were created but not staged; stage them with `git add`"),
        ) from None
    return rels


# ---------------------------------------------------------------------------------------------
# Paths


def _sessions_path(loaded: LoadedConfig) -> Path:
    path = (loaded.root / loaded.config.sessions_dir).resolve()
    if path.exists() and not path.is_dir():
        raise ProceedingsError(_("`{folder}` exists but is not a folder").format(
            folder=loaded.config.sessions_dir))
    return path


def _inside(sessions_path: Path, name: str) -> Path:
    """`sessions_path/name`, refusing anything that would not be a direct child of it."""
    candidate = (sessions_path / name).resolve()
    if candidate.parent != sessions_path or candidate.name != name:
        raise ProceedingsError(_("`{name}` would lie outside {folder}").format(
            name=name, folder=sessions_path))
    return candidate


_NUMBER_PREFIX = re.compile(r"^(?P<number>\d{2})-")


def next_note_number(session_dir: Path) -> int:
    """One past the highest NN- prefix in the folder (counting misnamed files too)."""
    numbers = []
    for path in session_dir.iterdir():
        match = NOTE_FILE_PATTERN.match(path.name) or _NUMBER_PREFIX.match(path.name)
        if match:
            numbers.append(int(match["number"]))
    return max(numbers, default=0) + 1


def _optional(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    return clean_text(value, flag) or None
