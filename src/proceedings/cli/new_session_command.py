"""`proceedings new-session`: scaffold a session folder with one ready note per topic.

Prompts appear only when stdin is a terminal. `PROCEEDINGS_INTERACTIVE=1` turns them on when it
is not (answers piped in — and the tests, whose runner is not a terminal); `=0` turns them off.
`--no-input` always wins: nothing is asked, and a missing value is an error naming its flag.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.tree import Tree

from proceedings.authoring.slugs import SESSION_FALLBACK_SLUG
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
from proceedings.errors import ProceedingsError
from proceedings.i18n import _, ngettext
from proceedings.load.placeholders import PLACEHOLDER_MARK
from proceedings.load.schema import parse_date_option
from proceedings.visible import visible

if TYPE_CHECKING:
    from pathlib import Path

    from proceedings.authoring.new_session import MissingSlug, NewSessionInput
    from proceedings.authoring.scaffold import ScaffoldPlan, SlugChoice, TopicRequest
    from proceedings.config import LoadedConfig

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


TitleArgument = Annotated[
    str | None,
    typer.Argument(help='Session title, e.g. "MLOps WG 夏合宿 2025".', show_default=False),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date", "-d", metavar="YYYY-MM-DD", help="Session date (asked for on a terminal)."
    ),
]
TopicOption = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-t",
        metavar="TITLE[=slug]",
        help="A topic; repeat for each one, in order. Add =slug to choose the note's file "
        'name: --topic "監視アーキテクチャ=monitoring" (everything after the last = is the '
        "slug). Without it the slug comes from the title; a title without ASCII letters is "
        "asked for on a terminal, else gets topic-N.",
    ),
]
SlugOption = Annotated[
    str | None,
    typer.Option(
        "--slug",
        metavar="SLUG",
        help="Folder name after the date (a-z, 0-9, -). Default: from the title; a title "
        "without ASCII letters is asked for on a terminal (proposed from --event or "
        f"--location), else gets `{SESSION_FALLBACK_SLUG}`.",
    ),
]
EventOption = Annotated[
    str | None, typer.Option("--event", metavar="TEXT", help="Event the session belongs to.")
]
UrlOption = Annotated[str | None, typer.Option("--url", metavar="URL", help="Event page.")]
LocationOption = Annotated[
    str | None, typer.Option("--location", metavar="TEXT", help="Where it takes place.")
]
FacilitatorOption = Annotated[
    list[str] | None,
    typer.Option("--facilitator", metavar="NAME", help="A facilitator; repeat for each one."),
]
ParticipantsOption = Annotated[
    str | None,
    typer.Option(
        "--participants", metavar="N|NAMES", help="A count (24) or comma-separated names."
    ),
]
LanguageOption = Annotated[
    str | None,
    typer.Option(
        "--language",
        metavar="ja|en",
        help="ja or en: language of the notes' headings (default: the WG's).",
    ),
]
AddTopicOption = Annotated[
    str | None,
    typer.Option(
        "--add-topic",
        metavar="SESSION",
        help="Add the --topic notes to this existing session folder (e.g. "
        "2024-08-24-summer-camp), numbered after its last note. Other notes are untouched.",
    ),
]
NoInputOption = Annotated[
    bool, typer.Option("--no-input", help="Never prompt; missing values are an error.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show what would be created; write nothing.")
]
GitAddOption = Annotated[bool, typer.Option("--git-add", help="Stage the new files in git.")]


@handle_errors
def new_session(
    title: TitleArgument = None,
    date: DateOption = None,
    topic: TopicOption = None,
    slug: SlugOption = None,
    event: EventOption = None,
    url: UrlOption = None,
    location: LocationOption = None,
    facilitator: FacilitatorOption = None,
    participants: ParticipantsOption = None,
    language: LanguageOption = None,
    add_topic: AddTopicOption = None,
    no_input: NoInputOption = False,
    dry_run: DryRunOption = False,
    stage: GitAddOption = False,
    root: RootOption = None,
    as_json: JsonOption = False,
) -> None:
    """Start a session: sessions/DATE-SLUG/ with session.md and one NN-slug.md note per topic.

    On a terminal, a missing title, date (default: today) and topics are asked for, and so
    is a folder or file name that a Japanese-only title cannot give.

    Without a terminal, or with --no-input, nothing is asked: pass TITLE, --date and --topic
    (such names become `session` / `topic-N`; `proceedings rename` renames them later).

    PROCEEDINGS_INTERACTIVE=1 asks even when stdin is not a terminal; =0 never asks.

    Nothing is ever overwritten. --dry-run shows the files without writing them.

    Example: proceedings new-session "夏合宿 2025" -d 2025-08-23 -t "監視=monitoring"
    """
    from proceedings.authoring import new_session as core

    loaded = load(root)
    interactive = is_interactive(no_input)
    given = core.NewSessionInput(
        title, date, [_core().parse_topic(text) for text in topic or []], slug, event, url,
        location, facilitator or [], participants, language,
    )
    if add_topic is not None:
        core.check_add_topic(given, interactive)
        topics = given.topics
        if interactive:
            start = _core().next_note_number(_core().find_session(loaded, add_topic))
            topics = _ask_missing_slugs(loaded, topics or _ask_topics(start), start)
        plan = _core().plan_add_topics(loaded, add_topic, topics)
        proposal = None
    else:
        missing = given.missing()
        if missing and not interactive:
            raise core.refuse_missing(missing, no_input)
        if interactive:
            _ask_session(loaded, given)
        plan = core.plan_new_session(loaded, given)
        proposal = next((n.proposal for n in given.missing_slugs() if n.kind == "session"), None)
    result = core.create(plan, dry_run=dry_run, stage=stage)
    _present(plan, result.created, result.staged, dry_run, as_json, proposal)


# ---------------------------------------------------------------------------------------------
# Prompts (stderr, so --json output stays clean)


def _ask_session(loaded: LoadedConfig, given: NewSessionInput) -> None:
    """Ask for what a new session still lacks (title, date, topics, names), in place."""
    given.title = given.title or _ask_text(_("Session title"))
    given.date = given.date or _ask_date()
    for need in given.missing_slugs():
        if need.kind == "session":
            given.slug = _ask_slug(loaded, need, given.date)
    given.topics = _ask_missing_slugs(loaded, given.topics or _ask_topics(1), 1)


def _ask_text(label: str) -> str:
    while True:
        value = str(typer.prompt(label, err=True)).strip()
        if value:
            return value
        err_console.print(_("[red]please enter a value[/]"))


def _ask_date() -> str:
    while True:
        value = typer.prompt(_("Date (YYYY-MM-DD)"), default=dt.date.today().isoformat(), err=True)
        try:
            return parse_date_option(value).isoformat()
        except ProceedingsError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/]")


def _ask_topics(start: int) -> list[TopicRequest]:
    topics: list[TopicRequest] = []
    while True:
        number = start + len(topics)
        label = (_("Topic {number:02d} title (empty line to finish)") if topics
                 else _("Topic {number:02d} title")).format(number=number)
        value = typer.prompt(label, default="", show_default=False, err=True).strip()
        if not value:
            if topics:
                return topics
            err_console.print(_("[red]a session needs at least one topic[/]"))
            continue
        try:
            topics.append(_core().parse_topic(value))
        except ProceedingsError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/]")


def _ask_missing_slugs(
    loaded: LoadedConfig, topics: list[TopicRequest], start: int
) -> list[TopicRequest]:
    """Ask for a file name for each topic whose title gives none."""
    from proceedings.authoring import new_session as core

    for need in core.missing_topic_slugs(topics, start=start):
        topics = core.with_slug(topics, need.index, _ask_slug(loaded, need, None))
    return topics


def _ask_slug(loaded: LoadedConfig, need: MissingSlug, date: str | None) -> str:
    """Ask for one name until a usable one is typed; the proposal (if any) is the default."""
    from proceedings.authoring import new_session as core

    title = visible(need.title)
    session = need.kind == "session"
    example = "summer-camp" if session else "monitoring"
    if need.proposal:
        intro = (_("「{title}」 has no ASCII letters to make a folder name from; proposed from "
                   "{source}: [bold]{proposal}[/]") if session
                 else _("「{title}」 has no ASCII letters to make a file name from; proposed from "
                        "{source}: [bold]{proposal}[/]"))
    else:
        intro = (_("「{title}」 has no ASCII letters to make a folder name from") if session
                 else _("「{title}」 has no ASCII letters to make a file name from"))
    err_console.print(intro.format(title=escape(title), source=need.proposed_from,
                                   proposal=need.proposal))
    label = (_("Folder name (a-z, 0-9, -) for 「{title}」") if session
             else _("File name (a-z, 0-9, -) for 「{title}」")).format(title=title)
    default = need.proposal or ""
    while True:
        value = str(
            typer.prompt(label, default=default, show_default=bool(default), err=True)
        ).strip()
        if not value:
            err_console.print(
                _("[red]please type a name of a-z, 0-9 and hyphens, e.g. {example}[/]").format(
                    example=example)
            )
            continue
        try:
            return core.check_answer(loaded, need, value, date)
        except ProceedingsError as exc:
            err_console.print(f"[red]{escape(str(exc))}[/]")
            # `Summer Camp` -> offer `summer-camp` next time (Enter takes it).
            suggestion = core.propose_slug([("", value)])[0]
            default = suggestion if suggestion and suggestion != value else default


# ---------------------------------------------------------------------------------------------
# Output


def _present(
    plan: ScaffoldPlan,
    created: list[Path],
    staged: list[str],
    dry_run: bool,
    as_json: bool,
    proposal: str | None = None,
) -> None:
    """The plan (or the files made), the next steps, and a note for each fallback name.

    `proposal` is a readable folder name the other values suggest (see `MissingSlug`)."""
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
    _note_fallback_slugs(plan, proposal)
    label = f"[bold]{escape(plan.session_rel)}/[/]"
    label += " " + (_("[green](new session)[/]") if plan.new_session
                    else _("[dim](existing session)[/]"))
    tree = Tree(label, guide_style="dim")
    for planned in plan.files:
        tree.add(f"{escape(planned.path.name)}  [dim]{escape(planned.title)}[/]")
    if dry_run:
        console.print(_("[bold]Would create[/] (dry run — nothing was written):"))
        console.print(tree)
        console.print(_("Run again without --dry-run to create these files."))
        return
    console.print(ngettext("[bold green]Created[/] {count} file:",
                           "[bold green]Created[/] {count} files:", len(created)).format(
        count=len(created)))
    console.print(tree)
    if staged:
        console.print(
            ngettext("[green]staged[/] {count} file in git",
                     "[green]staged[/] {count} files in git", len(staged)).format(
                count=len(staged))
        )
    _next_steps(plan, staged)


def _note_fallback_slugs(plan: ScaffoldPlan, proposal: str | None) -> None:
    """One line for each name that fell back to `session` / `topic-N`, saying how to choose."""
    for choice in plan.slugs:
        if choice.source == "fallback":
            later = f"proceedings rename {escape(shlex.quote(choice.path))} NEW-SLUG"
            line = (_("[yellow]note:[/] 「{title}」 has no ASCII letters for a folder name; "
                      "using slug [bold]{slug}[/] ({how}; or rename it later: {later})")
                    if choice.kind == "session"
                    else _("[yellow]note:[/] 「{title}」 has no ASCII letters for a file name; "
                           "using slug [bold]{slug}[/] ({how}; or rename it later: {later})"))
            console.print(
                line.format(title=escape(choice.title), slug=choice.slug,
                            how=_how_to_choose(choice, proposal), later=later),
                soft_wrap=True,
            )


def _next_steps(plan: ScaffoldPlan, staged: list[str]) -> None:
    notes = [f for f in plan.files if f.kind == "note"]
    console.print(_("[bold]Next steps[/]"))
    console.print("  " + _("1. Edit the notes and replace each {mark} paragraph: {notes}").format(
        mark=PLACEHOLDER_MARK, notes=", ".join(escape(f.rel) for f in notes)))
    console.print("  " + _("2. Check them: [bold]proceedings check[/]"))
    what = plan.session_rel if plan.new_session else f"topics to {plan.session_rel}"
    commit = f'git commit -m "Add {escape(what)}"'
    if not staged:
        commit = f"git add {escape(plan.session_rel)} && {commit}"
    console.print("  " + _("3. Commit: [bold]{command}[/]").format(command=commit))


def _how_to_choose(choice: SlugChoice, proposal: str | None) -> str:
    if choice.kind == "session":
        return (_("choose one with --slug, e.g. --slug {proposal}").format(proposal=proposal)
                if proposal else _("choose one with --slug SLUG"))
    return _('choose one with --topic "{title}=SLUG"').format(title=escape(choice.title))
