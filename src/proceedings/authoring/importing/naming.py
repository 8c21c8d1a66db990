"""A memo's session date and folder slug, from its metadata, its file or folder name, its
title, or the `--date`/`--slug` given on the command line."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from proceedings.authoring.importing.metadata import Metadata
from proceedings.authoring.importing.model import MemoSource, Report
from proceedings.authoring.importing.vocabulary import (
    DATE_IN_TEXT,
    GENERIC_STEMS,
    NAME_DATE_PREFIX,
    kebab,
    name_date,
)
from proceedings.authoring.slugs import slug_problem, slugify
from proceedings.i18n import _

_WEEKDAY_OR_COMMA = re.compile(r"^[\s(（]*[月火水木金土日](?:曜日?)?[)）]?\s*|^[\s,]+")


class MemoNaming:
    def __init__(
        self, memo: MemoSource, report: Report, *, date: dt.date | None, slug: str | None
    ) -> None:
        self.memo = memo
        self.report = report
        self.given_date = date
        self.given_slug = slug

    def name(self) -> str:
        """The name that describes the memo: its folder for memo.md/README.md, else the file."""
        path = self.memo.path
        if (
            path.stem.lower() in GENERIC_STEMS
            or self.memo.owns_folder
            and name_date(path.parent.name)
            and not name_date(path.stem)
        ):
            return path.parent.name
        return path.stem

    def name_date(self) -> dt.date | None:
        for name in (self.name(), self.memo.path.stem, self.memo.path.parent.name):
            found = name_date(name)
            if found is not None:
                return found
        return None

    def date(self, metadata: list[Metadata], title: str) -> dt.date:
        """The session date: a date line, else the name, else the title; --date wins."""
        found, where = self._metadata_date(metadata)
        from_name = self.name_date()
        if found is None and from_name is not None:
            found, where = from_name, _("the name")
            self.report.decided(
                None, _("date {date} comes from the folder or file name").format(
                    date=found.isoformat())
            )
        if found is None:
            match = DATE_IN_TEXT.search(unicodedata.normalize("NFKC", title))
            if match:
                found, where = self._real_date(match, None), _("the title")
                self.report.decided(
                    None, _("date {date} comes from the title").format(date=found.isoformat()))
        if self.given_date is not None:
            if found is not None and found != self.given_date:
                self.report.decided(
                    None,
                    _("--date {given} replaces {found} from {where}").format(
                        given=self.given_date.isoformat(), found=found.isoformat(), where=where),
                )
            return self.given_date
        if found is None:
            raise self.report.error(
                _("has no recognisable date (no `Date:`/`日付:` line, none in the folder or file "
                  "name or the title)"),
                hint=_("pass --date YYYY-MM-DD"),
            )
        if from_name is not None and from_name != found:
            self.report.unmapped(
                None,
                _("the name says {named} but {where} says {found}, which was used").format(
                    named=from_name.isoformat(), where=where, found=found.isoformat()),
            )
        return found

    def _metadata_date(self, metadata: list[Metadata]) -> tuple[dt.date | None, str]:
        """The date of the first date line, and where it was found."""
        for item in metadata:
            if item.key != "date":
                continue
            match = DATE_IN_TEXT.search(unicodedata.normalize("NFKC", item.value))
            if match is None:
                if self.given_date is None:
                    raise self.report.error(
                        _("no date in `{key}: {value}`").format(
                            key=item.raw_key, value=item.value),
                        item.line,
                        _("pass --date YYYY-MM-DD"),
                    )
                continue
            found = self._real_date(match, item.line)
            rest = DATE_IN_TEXT.sub("", unicodedata.normalize("NFKC", item.value))
            rest = _WEEKDAY_OR_COMMA.sub("", rest).strip()
            if rest:
                self.report.unmapped(
                    item.line,
                    _("the front matter keeps only the date; `{rest}` stays in the memo text")
                    .format(rest=rest),
                )
            return found, _("line {line}").format(line=item.line + 1)
        return None, ""

    def _real_date(self, match: re.Match[str], line: int | None) -> dt.date:
        try:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            if self.given_date is not None:
                return self.given_date
            raise self.report.error(
                _("`{date}` is not a real date").format(date=match.group(0)),
                line,
                _("fix the memo or pass --date YYYY-MM-DD"),
            ) from None

    def slug(self, title: str) -> str:
        """The folder slug: --slug, else from the name, else from the title."""
        if self.given_slug is not None:
            return self.given_slug
        name = NAME_DATE_PREFIX.sub("", self.name())
        slug = slugify(kebab(name))
        if slug and slug_problem(slug) is None:
            return slug
        slug = slugify(title)
        if slug and slug_problem(slug) is None:
            self.report.decided(None, _("slug `{slug}` comes from the title").format(slug=slug))
            return slug
        raise self.report.error(
            _("neither the name `{name}` nor the title gives an ASCII slug for the "
              "session folder").format(name=self.name()),
            hint=_("pass --slug, e.g. --slug summer-camp"),
        )
