"""`proceedings new-session` as a whole: which values a request still lacks, what does not
apply with --add-topic, and creating the planned files (written, then staged with --git-add).

The CLI asks for missing values on a terminal and presents the result; planning and writing
are in `authoring.scaffold`. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from proceedings.authoring import scaffold
from proceedings.authoring.scaffold import ScaffoldPlan, ScaffoldResult, TopicRequest
from proceedings.config import LoadedConfig
from proceedings.errors import ProceedingsError

# How to pass each value a new session needs, for the "missing …" message.
_EXAMPLES = {
    "TITLE": '"TITLE"',
    "--date": "--date YYYY-MM-DD",
    "--topic": '--topic "TOPIC" (repeat for each topic)',
}


@dataclass
class NewSessionInput:
    """What the user gave on the command line (or answered), as typed."""

    title: str | None = None
    date: str | None = None
    topics: list[TopicRequest] = field(default_factory=list)
    slug: str | None = None
    event: str | None = None
    url: str | None = None
    location: str | None = None
    facilitators: list[str] = field(default_factory=list)
    participants: str | None = None
    language: str | None = None

    def session_values(self) -> list[tuple[str, object]]:
        """The options that describe a new session, by flag."""
        return [
            ("TITLE", self.title),
            ("--date", self.date),
            ("--slug", self.slug),
            ("--event", self.event),
            ("--url", self.url),
            ("--location", self.location),
            ("--facilitator", self.facilitators),
            ("--participants", self.participants),
            ("--language", self.language),
        ]

    def missing(self) -> list[str]:
        """The values a new session needs but this input lacks."""
        needed = (("TITLE", self.title), ("--date", self.date), ("--topic", self.topics))
        return [flag for flag, value in needed if not value]


def refuse_missing(missing: list[str], no_input: bool) -> ProceedingsError:
    """The error for values that cannot be asked for."""
    return ProceedingsError(
        f"missing {join_words(missing)}: pass " + " ".join(_EXAMPLES[flag] for flag in missing),
        hint="--no-input was given, so nothing is asked"
        if no_input
        else "prompts appear only on a terminal",
    )


def check_add_topic(given: NewSessionInput, interactive: bool) -> None:
    """--add-topic: the options that describe a new session make no sense there."""
    extra = [flag for flag, value in given.session_values() if value]
    if extra:
        raise ProceedingsError(
            f"--add-topic adds notes to an existing session; {join_words(extra)} "
            f"{'does' if len(extra) == 1 else 'do'} not apply",
            hint='pass only --add-topic SESSION and --topic "TITLE[=slug]"',
        )
    if not given.topics and not interactive:
        raise ProceedingsError(
            'missing --topic: pass --add-topic SESSION --topic "TOPIC"',
            hint="prompts appear only on a terminal",
        )


def plan_new_session(loaded: LoadedConfig, given: NewSessionInput) -> ScaffoldPlan:
    """Plan a new session from complete input (see `NewSessionInput.missing`)."""
    if given.title is None or given.date is None:
        raise refuse_missing(given.missing(), no_input=False)
    participants = given.participants
    return scaffold.plan_session(
        loaded,
        scaffold.SessionRequest(
            title=given.title,
            date=given.date,
            topics=given.topics,
            slug=given.slug,
            event=given.event,
            url=given.url,
            location=given.location,
            facilitators=given.facilitators,
            participants=scaffold.parse_participants(participants) if participants else None,
            language=given.language,
        ),
    )


def create(plan: ScaffoldPlan, *, dry_run: bool, stage: bool) -> ScaffoldResult:
    """Write the planned files (not for a dry run) and stage them with `stage`.

    The git repository is opened before anything is written, so --git-add outside a
    repository fails with nothing created."""
    repo = scaffold.git_repository(plan.root) if stage else None
    created = [] if dry_run else scaffold.write_plan(plan)
    staged = scaffold.git_add(repo, created) if repo is not None and created else []
    return ScaffoldResult(plan, created, staged)


def join_words(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
