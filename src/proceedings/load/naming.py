"""The corrected name of a badly named session folder (T506), and the commands that apply it.

A session folder is `YYYY-MM-DD-<slug>`. For one that is not, the proposal takes the date from
its session.md (when that is a real ISO date; otherwise a date the folder name itself starts
with, such as `2024_08_24` or `20240824`) and the slug from the folder's name or, when that
gives none (a Japanese-only name), from the session's title. When neither gives an ASCII slug,
the proposal is `<date>-session` and the hint asks for a readable slug instead.

`proceedings rename` uses the same date for such a folder, so the command the hint shows does
exactly what the hint says.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path
from typing import NamedTuple

from proceedings.authoring.slugs import SESSION_FALLBACK_SLUG, slug_problem, slugify
from proceedings.i18n import _
from proceedings.load import schema
from proceedings.load.source import read_markdown

SESSION_FILE = "session.md"
# A date at the start of a folder name, written any common way: 2024-08-24, 2024_08_24,
# 2024.8.24, 20240824 (followed by a separator or the end, so `2024-08-240` is no date).
_LEADING_DATE = re.compile(
    r"^(?P<y>\d{4})(?:[-_./ ]?)(?P<m>\d{2})(?:[-_./ ]?)(?P<d>\d{2})(?=$|[^0-9])"
    r"|^(?P<y2>\d{4})[-_./ ](?P<m2>\d{1,2})[-_./ ](?P<d2>\d{1,2})(?=$|[^0-9])"
)


class FolderProposal(NamedTuple):
    """What a session folder should be called."""

    date: dt.date | None  # None: neither session.md nor the folder name gives a real date
    slug: str  # a valid slug; SESSION_FALLBACK_SLUG when nothing readable was found
    readable: bool  # False when `slug` is the fallback, not derived from the folder or title

    @property
    def name(self) -> str | None:
        return f"{self.date.isoformat()}-{self.slug}" if self.date else None


def leading_date(name: str) -> tuple[dt.date | None, str]:
    """The real date a folder name starts with (in any common spelling) and the rest of the
    name; (None, name) when it starts with no real date."""
    match = _LEADING_DATE.match(name)
    if match is None:
        return None, name
    year, month, day = (match["y"] or match["y2"], match["m"] or match["m2"],
                        match["d"] or match["d2"])
    try:
        return dt.date(int(year), int(month), int(day)), name[match.end():]
    except ValueError:
        return None, name[match.end():]


def session_meta(folder: Path, root: Path) -> dict[str, object]:
    """The front matter of the folder's session.md, read within the repository; {} when it
    is missing, unreadable or not a mapping."""
    path = folder / SESSION_FILE
    if not path.is_file():
        return {}
    return dict(read_markdown(path, f"{folder.name}/{SESSION_FILE}", root).meta)


def propose_session_folder(name: str, meta: dict[str, object]) -> FolderProposal:
    """The proposed name for a session folder called `name` whose session.md says `meta`."""
    folder_date, rest = leading_date(name)
    date = schema.parse_iso_date(meta.get("date")) or folder_date
    title = meta.get("title")
    for source in (rest, name, title if isinstance(title, str) else ""):
        slug = slugify(source)
        if slug and slug_problem(slug) is None:
            return FolderProposal(date, slug, True)
    return FolderProposal(date, SESSION_FALLBACK_SLUG, False)


def session_folder_hint(folder: Path, root: Path, rel: str) -> str:
    """T506's hint: the corrected name and the exact commands that give it to the folder."""
    proposal = propose_session_folder(folder.name, session_meta(folder, root))
    parent = rel.rsplit("/", 1)[0] if "/" in rel else "."
    if proposal.name is None:
        return _(
            "rename it to YYYY-MM-DD-{slug} with the session's date; set `date:` in its "
            "session.md, then `{command}` does it"
        ).format(slug=proposal.slug,
                 command=f"proceedings rename {shlex.quote(rel)} {proposal.slug}")
    target = f"{parent}/{proposal.name}"
    taken = (folder.parent / proposal.name).exists()
    if taken:
        return _("rename it to {date}-<slug>; `{name}` is taken, so pick another slug: "
                 "`{command}`").format(date=proposal.date, name=proposal.name,
                                       command=f"proceedings rename {shlex.quote(rel)} <slug>")
    rename = f"proceedings rename {shlex.quote(rel)} {proposal.slug}"
    move = f"git mv {shlex.quote(rel)} {shlex.quote(target)}"
    if not proposal.readable:
        return _("rename it to `{name}`, better with a readable slug (a-z, 0-9, -) in place of "
                 "`{slug}`: `{rename}`, which also rewrites the links to it, or `{move}`").format(
                     name=proposal.name, slug=proposal.slug, rename=rename, move=move)
    return _("rename it to `{name}` with `{rename}`, which also rewrites the links to it, or "
             "`{move}`").format(name=proposal.name, rename=rename, move=move)
