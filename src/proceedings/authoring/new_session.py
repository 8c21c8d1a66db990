"""`proceedings new-session` as a whole: which values a request still lacks, what does not
apply with --add-topic, and creating the planned files (written, then staged with --git-add).

The CLI asks for missing values on a terminal and presents the result; planning and writing
are in `authoring.scaffold`. Nothing here prints.

A title without ASCII letters (`夏合宿`, `監視アーキテクチャ`) gives no slug. `missing_slugs` says
which names are missing, with a readable proposal where the other values hold ASCII words
(`--event "MLOps Summer Camp"` -> `mlops-summer-camp`) — there is no romanisation, so a topic
usually gets none. The CLI asks for those names on a terminal; without one the plan falls back
to `session` / `topic-N` and its `slugs` say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from proceedings.authoring import scaffold
from proceedings.authoring.scaffold import ScaffoldPlan, ScaffoldResult, TopicRequest
from proceedings.authoring.slugs import SESSION_FALLBACK_SLUG, slug_problem, slugify
from proceedings.config import LoadedConfig
from proceedings.errors import ProceedingsError
from proceedings.i18n import N_, _, ngettext
from proceedings.load.schema import parse_date_option

# How to pass each value a new session needs, for the "missing …" message.
_EXAMPLES = {
    "TITLE": '"TITLE"',
    "--date": "--date YYYY-MM-DD",
    "--topic": N_('--topic "TOPIC" (repeat for each topic)'),
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

    def missing_slugs(self) -> list[MissingSlug]:
        """The folder and file names neither given nor derivable from a title, in order."""
        missing: list[MissingSlug] = []
        if self.title is not None and self.slug is None and not slugify(self.title):
            proposal, source = propose_slug(
                [("--event", self.event), ("--location", self.location)]
            )
            missing.append(
                MissingSlug(
                    kind="session",
                    title=self.title,
                    index=-1,
                    fallback=SESSION_FALLBACK_SLUG,
                    proposal=proposal,
                    proposed_from=source,
                    flag="--slug",
                )
            )
        return missing + missing_topic_slugs(self.topics, start=1)


@dataclass(frozen=True)
class MissingSlug:
    """A name a title could not give: what a run without a terminal uses instead, and a
    readable proposal when another value has ASCII words."""

    kind: Literal["session", "topic"]
    title: str
    index: int  # the topic's position in the request; -1 for the session
    fallback: str  # `session` or `topic-N`: used when nobody can be asked
    proposal: str | None  # a readable slug, or None when nothing gives one
    proposed_from: str | None  # the flag whose value gave the proposal
    flag: str  # how to pass the name on the command line


def missing_topic_slugs(topics: list[TopicRequest], *, start: int) -> list[MissingSlug]:
    """The topics whose notes would get a `topic-N` file name (numbered from `start`)."""
    return [
        MissingSlug(
            kind="topic",
            title=topic.title,
            index=index,
            fallback=f"topic-{start + index}",
            proposal=None,  # nothing else describes a topic, and there is no romanisation
            proposed_from=None,
            flag=f'--topic "{topic.title}=SLUG"',
        )
        for index, topic in enumerate(topics)
        if topic.slug is None and not slugify(topic.title)
    ]


def propose_slug(sources: list[tuple[str, str | None]]) -> tuple[str | None, str | None]:
    """The first valid slug the given values make, and the flag it came from."""
    for flag, value in sources:
        slug = slugify(value or "")
        if slug and slug_problem(slug) is None:
            return slug, flag
    return None, None


def check_answer(loaded: LoadedConfig, need: MissingSlug, value: str, date: str | None) -> str:
    """A slug typed for `need`: returned when it is usable, else a ProceedingsError saying why.

    For a session this also refuses a name that starts with a date and one whose folder
    exists already, so the question can be asked again instead of failing afterwards."""
    if need.kind == "topic":
        scaffold.check_slug(value, need.flag)
        return value
    scaffold.session_slug(need.title, value)
    if date is not None:
        name = f"{parse_date_option(date).isoformat()}-{value}"
        folder = loaded.root / loaded.config.sessions_dir / name
        if folder.exists() or folder.is_symlink():
            raise ProceedingsError(
                _("session folder {folder} already exists").format(
                    folder=f"{loaded.config.sessions_dir}/{name}"),
                hint=_("choose another name"),
            )
    return value


def with_slug(topics: list[TopicRequest], index: int, slug: str) -> list[TopicRequest]:
    """`topics` with the one at `index` given `slug`."""
    return [
        TopicRequest(topic.title, slug) if position == index else topic
        for position, topic in enumerate(topics)
    ]


def refuse_missing(missing: list[str], no_input: bool) -> ProceedingsError:
    """The error for values that cannot be asked for."""
    return ProceedingsError(
        _("missing {values}: pass {examples}").format(
            values=join_words(missing),
            examples=" ".join(_(example) for example in [_EXAMPLES[flag] for flag in missing])),
        hint=_("--no-input was given, so nothing is asked")
        if no_input
        else _("prompts appear only on a terminal"),
    )


def check_add_topic(given: NewSessionInput, interactive: bool) -> None:
    """--add-topic: the options that describe a new session make no sense there."""
    extra = [flag for flag, value in given.session_values() if value]
    if extra:
        raise ProceedingsError(
            ngettext("--add-topic adds notes to an existing session; {options} does not apply",
                     "--add-topic adds notes to an existing session; {options} do not apply",
                     len(extra)).format(options=join_words(extra)),
            hint=_('pass only --add-topic SESSION and --topic "TITLE[=slug]"'),
        )
    if not given.topics and not interactive:
        raise ProceedingsError(
            _('missing --topic: pass --add-topic SESSION --topic "TOPIC"'),
            hint=_("prompts appear only on a terminal"),
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
    """`a`, `a and b`, `a, b and c` (in Japanese `a と b`, `a、b と c`)."""
    if len(items) <= 1:
        return "".join(items)
    return _("{items} and {last}").format(items=_(", ").join(items[:-1]), last=items[-1])
