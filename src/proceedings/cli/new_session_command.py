"""`proceedings new-session`: scaffold a session folder with one ready note per topic.

Prompts appear only when stdin is a terminal. `PROCEEDINGS_INTERACTIVE=1` turns them on when it
is not (answers piped in — and the tests, whose runner is not a terminal); `=0` turns them off.
`--no-input` always wins: nothing is asked, and a missing value is an error naming its flag.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.tree import Tree

from proceedings.authoring.slugs import SESSION_FALLBACK_SLUG, slugify
from proceedings.cli.common import (
    JsonOption,
    RootOption,
    console,
    err_console,
    escape,
    handle_errors,
    load,
    print_json,
)
from proceedings.config import LoadedConfig
from proceedings.errors import ProceedingsError
from proceedings.load.placeholders import PLACEHOLDER_MARK
from proceedings.load.schema import parse_date_option
from proceedings.text import plural

if TYPE_CHECKING:
    from proceedings.authoring.scaffold import ScaffoldPlan, SlugChoice, TopicRequest

INTERACTIVE_ENV = "PROCEEDINGS_INTERACTIVE"


def _core() -> ModuleType:
    """The scaffold core, imported only when this command runs (other commands start leaner)."""
    from proceedings.authoring import scaffold

    return scaffold


def is_interactive(no_input: bool) -> bool:
    """Whether to prompt: never with --no-input; else PROCEEDINGS_INTERACTIVE, else a TTY."""
    if no_input:
        return False
    forced = os.environ.get(INTERACTIVE_ENV, "").strip().lower()
    if forced in ("1", "true", "yes"):
        return True
    if forced in ("0", "false", "no"):
        return False
    return sys.stdin.isatty()


@handle_errors
def new_session(
    title: Annotated[
        str | None,
        typer.Argument(help='Session title, e.g. "MLOps WG 夏合宿 2025".', show_default=False),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", "-d", metavar="YYYY-MM-DD", help="Session date (asked for on a terminal)."
        ),
    ] = None,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic",
            "-t",
            metavar="TITLE[=slug]",
            help="A topic; repeat for each one, in order. Add =slug to choose the note's file "
            'name: --topic "監視アーキテクチャ=monitoring" (everything after the last = is the '
            "slug). Without it the slug comes from the title, or is topic-N when the title has "
            "no ASCII letters.",
        ),
    ] = None,
    slug: Annotated[
        str | None,
        typer.Option(
            "--slug",
            metavar="SLUG",
            help="Folder name after the date (a-z, 0-9, -). Default: from the title, or "
            f"`{SESSION_FALLBACK_SLUG}` when the title has no ASCII letters.",
        ),
    ] = None,
    event: Annotated[
        str | None, typer.Option("--event", metavar="TEXT", help="Event the session belongs to.")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", metavar="URL", help="Event page.")] = None,
    location: Annotated[
        str | None, typer.Option("--location", metavar="TEXT", help="Where it takes place.")
    ] = None,
    facilitator: Annotated[
        list[str] | None,
        typer.Option("--facilitator", metavar="NAME", help="A facilitator; repeat for each one."),
    ] = None,
    participants: Annotated[
        str | None,
        typer.Option(
            "--participants", metavar="N|NAMES", help="A count (24) or comma-separated names."
        ),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            "--language",
            metavar="ja|en",
            help="ja or en: language of the notes' headings (default: the WG's).",
        ),
    ] = None,
    add_topic: Annotated[
        str | None,
        typer.Option(
            "--add-topic",
            metavar="SESSION",
            help="Add the --topic notes to this existing session folder (e.g. "
            "2024-08-24-summer-camp), numbered after its last note. Other notes are untouched.",
        ),
    ] = None,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never prompt; missing values are an error.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be created; write nothing.")
    ] = False,
    stage: Annotated[bool, typer.Option("--git-add", help="Stage the new files in git.")] = False,
    root: RootOption = None,
    as_json: JsonOption = False,
) -> None:
    """Start a session: sessions/DATE-SLUG/ with session.md and one NN-slug.md note per topic.

    On a terminal, a missing title, date (default: today) and topics are asked for.

    Without a terminal, or with --no-input, nothing is asked: pass TITLE, --date and --topic.

    PROCEEDINGS_INTERACTIVE=1 asks even when stdin is not a terminal; =0 never asks.

    Nothing is ever overwritten. --dry-run shows the files without writing them.

    Example: proceedings new-session "夏合宿 2025" -d 2025-08-23 -t "監視=monitoring"
    """
    loaded = load(root)
    interactive = is_interactive(no_input)
    topics = [_core().parse_topic(text) for text in topic or []]
    if add_topic is not None:
        plan = _plan_added(
            loaded,
            add_topic,
            topics,
            interactive,
            title,
            date,
            slug,
            event,
            url,
            location,
            facilitator,
            participants,
            language,
        )
    else:
        missing = [
            flag
            for flag, value in (("TITLE", title), ("--date", date), ("--topic", topics))
            if not value
        ]
        if missing and not interactive:
            raise ProceedingsError(
                f"missing {_join(missing)}: pass " + " ".join(_EXAMPLES[flag] for flag in missing),
                hint="--no-input was given, so nothing is asked"
                if no_input
                else "prompts appear only on a terminal",
            )
        if interactive:
            title = title or _ask_text("Session title")
            date = date or _ask_date()
            if slug is None and not slugify(title):
                chosen = _ask_slug(title, SESSION_FALLBACK_SLUG, "--slug")
                slug = None if chosen == SESSION_FALLBACK_SLUG else chosen  # kept the fallback
            topics = topics or _ask_topics(1)
            topics = _ask_missing_slugs(topics, 1)
        assert title is not None and date is not None
        plan = _core().plan_session(
            loaded,
            _core().SessionRequest(
                title=title,
                date=date,
                topics=topics,
                slug=slug,
                event=event,
                url=url,
                location=location,
                facilitators=facilitator or [],
                participants=_core().parse_participants(participants) if participants else None,
                language=language,
            ),
        )
    repo = _core().git_repository(plan.root) if stage else None  # fail before writing anything
    created = [] if dry_run else _core().write_plan(plan)
    staged = _core().git_add(repo, created) if repo is not None and created else []
    _present(plan, created, staged, dry_run, as_json)


_EXAMPLES = {
    "TITLE": '"TITLE"',
    "--date": "--date YYYY-MM-DD",
    "--topic": '--topic "TOPIC" (repeat for each topic)',
}


def _plan_added(
    loaded: LoadedConfig,
    session_name: str,
    topics: list[TopicRequest],
    interactive: bool,
    *session_values: object,
) -> ScaffoldPlan:
    """--add-topic: the options that describe a new session make no sense here."""
    flags = (
        "TITLE",
        "--date",
        "--slug",
        "--event",
        "--url",
        "--location",
        "--facilitator",
        "--participants",
        "--language",
    )
    extra = [flag for flag, value in zip(flags, session_values, strict=True) if value]
    if extra:
        raise ProceedingsError(
            f"--add-topic adds notes to an existing session; {_join(extra)} "
            f"{'does' if len(extra) == 1 else 'do'} not apply",
            hint='pass only --add-topic SESSION and --topic "TITLE[=slug]"',
        )
    if not topics and not interactive:
        raise ProceedingsError(
            'missing --topic: pass --add-topic SESSION --topic "TOPIC"',
            hint="prompts appear only on a terminal",
        )
    if interactive:
        start = _core().next_note_number(_core().find_session(loaded, session_name))
        topics = _ask_missing_slugs(topics or _ask_topics(start), start)
    return _core().plan_add_topics(loaded, session_name, topics)


# ---------------------------------------------------------------------------------------------
# Prompts (stderr, so --json output stays clean)


def _ask_text(label: str) -> str:
    while True:
        value = typer.prompt(label, err=True).strip()
        if value:
            return value
        err_console.print("[red]please enter a value[/]")


def _ask_date() -> str:
    while True:
        value = typer.prompt("Date (YYYY-MM-DD)", default=dt.date.today().isoformat(), err=True)
        try:
            return parse_date_option(value).isoformat()
        except ProceedingsError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/]")


def _ask_topics(start: int) -> list[TopicRequest]:
    topics: list[TopicRequest] = []
    while True:
        number = start + len(topics)
        label = f"Topic {number:02d} title" + (" (empty line to finish)" if topics else "")
        value = typer.prompt(label, default="", show_default=False, err=True).strip()
        if not value:
            if topics:
                return topics
            err_console.print("[red]a session needs at least one topic[/]")
            continue
        try:
            topics.append(_core().parse_topic(value))
        except ProceedingsError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/]")


def _ask_missing_slugs(topics: list[TopicRequest], start: int) -> list[TopicRequest]:
    """Ask for a file name for each topic whose title gives none (default: topic-N)."""
    asked = []
    for number, request in enumerate(topics, start=start):
        if request.slug is None and not slugify(request.title):
            fallback = f"topic-{number}"
            chosen = _ask_slug(request.title, fallback, f'--topic "{request.title}=…"')
            request = _core().TopicRequest(request.title, None if chosen == fallback else chosen)
        asked.append(request)
    return asked


def _ask_slug(title: str, default: str, flag: str) -> str:
    while True:
        value = typer.prompt(
            f"File name (a-z, 0-9, -) for 「{title}」", default=default, err=True
        ).strip()
        try:
            _core().check_slug(value, flag)
            return value
        except ProceedingsError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/]")


# ---------------------------------------------------------------------------------------------
# Output


def _present(
    plan: ScaffoldPlan, created: list, staged: list[str], dry_run: bool, as_json: bool
) -> None:
    if as_json:
        print_json(
            {
                "root": str(plan.root),
                "session": plan.session_rel,
                "new_session": plan.new_session,
                "dry_run": dry_run,
                "files": [f.rel for f in plan.files],
                "created": [f.rel for f in plan.files if f.path in created],
                "staged": staged,
                "slugs": [choice.to_json() for choice in plan.slugs],
            }
        )
        return
    for choice in plan.slugs:
        if choice.source == "fallback":
            console.print(
                f"[yellow]note:[/] 「{escape(choice.title)}」 has no ASCII letters for a file "
                f"name; using slug [bold]{choice.slug}[/] ({_how_to_choose(choice)})"
            )
    label = f"[bold]{escape(plan.session_rel)}/[/]"
    label += " [green](new session)[/]" if plan.new_session else " [dim](existing session)[/]"
    tree = Tree(label, guide_style="dim")
    for planned in plan.files:
        tree.add(f"{escape(planned.path.name)}  [dim]{escape(planned.title)}[/]")
    if dry_run:
        console.print("[bold]Would create[/] (dry run — nothing was written):")
        console.print(tree)
        console.print("Run again without --dry-run to create these files.")
        return
    console.print(f"[bold green]Created[/] {plural(len(created), 'file')}:")
    console.print(tree)
    if staged:
        console.print(
            f"[green]staged[/] {plural(len(staged), 'file')} in git"
        )
    notes = [f for f in plan.files if f.kind == "note"]
    console.print("[bold]Next steps[/]")
    console.print(
        f"  1. Edit the notes and replace each {PLACEHOLDER_MARK} paragraph: "
        + ", ".join(escape(f.rel) for f in notes)
    )
    console.print("  2. Check them: [bold]proceedings check[/]")
    what = plan.session_rel if plan.new_session else f"topics to {plan.session_rel}"
    commit = f'git commit -m "Add {escape(what)}"'
    if staged:
        console.print(f"  3. Commit: [bold]{commit}[/]")
    else:
        console.print(f"  3. Commit: [bold]git add {escape(plan.session_rel)} && {commit}[/]")


def _how_to_choose(choice: SlugChoice) -> str:
    if choice.kind == "session":
        return "choose one with --slug"
    return f'choose one with --topic "{escape(choice.title)}=slug"'


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
