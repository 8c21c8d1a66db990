"""`proceedings import`: bring free-form memos written before the tool into the WG format.

Two steps, both pure in the sense that matters here — nothing prints:

* `plan_import` reads the memos (never writes) and returns an `ImportPlan`: per memo, the
  session folder and every file it would create (session.md, one note per topic, copied
  assets), what could not be mapped, and the blocking problems (no date, folder exists, ...).
* `apply_import` writes a plan: each session is assembled in a hidden temporary folder beside
  its target and renamed into place, so a session appears whole or not at all. Originals are
  only ever read; no existing file or folder is overwritten.

The mapping (docs/import.md has the full description):

* title: the memo's first H1 (ATX or setext); metadata: `Key: value` lines right under it
  (English or Japanese key names, `:` or `：`), or bullets of that shape in the introduction.
  Plain metadata lines move to front matter and are also kept verbatim in session.md under
  "元のメタデータ / Original metadata"; metadata bullets stay where they were.
* sections: the headings of the shallowest level after the title. Sections named like
  `トピック1 …`/`Topic 2: …` are topics; otherwise the leading run of sections named like an
  introduction (`概要`, `はじめに`, ...) and the trailing run named like a wrap-up (`まとめ`,
  `次回`, ...) are session-level, and everything between is a topic. Text before the first
  section and the introductory sections become the overview; trailing sections follow it.
* each topic becomes `NN-<slug>.md`: its heading is the title and H1; its body goes under the
  WG's discussion section (sub-headings re-levelled below it) and the other required sections
  get a `✎ ` placeholder — unless the topic already has sub-sections named like the WG's
  sections, which then become the note's sections directly.
* a memo without topics (e.g. a list of questions) becomes one note holding the whole list.
* reference-style link and footnote definitions are copied into every file that uses them.
* relative links to files (images, PDFs) are copied into `images/` or `attachments/` and the
  links rewritten; other files beside a memo are copied and linked from session.md.

Nothing is lost: every non-blank line of a memo appears in the output (see `lost_lines`); the
plan is refused if a line would go missing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml
from markdown_it.token import Token

from proceedings.config import Config, LoadedConfig
from proceedings.errors import ProceedingsError
from proceedings.markdown import inline_text, parser
from proceedings.paths import relative_posix
from proceedings.placeholders import PLACEHOLDER_MARK
from proceedings.scaffold import section_kind, section_name
from proceedings.slugs import slug_problem, slugify
from proceedings.workspace import ASSET_SUFFIXES, IMAGE_TYPES, SESSION_FILE

MEMO_SUFFIXES = (".md", ".markdown")
# File names that say nothing about the memo; the folder's name is used instead.
GENERIC_STEMS = frozenset({"memo", "readme", "index", "notes", "note", "メモ", "議事録"})
IMAGES_DIR = "images"
ATTACHMENTS_DIR = "attachments"
MAX_SEARCH_DEPTH = 6

# --------------------------------------------------------------------------------------------
# Metadata names. Keys are compared after NFKC, lower-casing and removing spaces.

METADATA_KEYS: dict[str, tuple[str, ...]] = {
    "date": ("date", "日付", "日時", "開催日", "開催日時", "実施日", "実施日時"),
    "tags": ("tags", "tag", "タグ", "keywords", "キーワード"),
    "url": ("url", "link", "リンク", "web", "イベントページ", "ページ"),
    "location": ("location", "place", "venue", "場所", "会場", "開催場所"),
    "event": ("event", "イベント", "イベント名"),
    "facilitators": (
        "facilitator",
        "facilitators",
        "司会",
        "司会者",
        "ファシリテーター",
        "ファシリテータ",
        "moderator",
        "モデレーター",
        "進行",
    ),
    "participants": (
        "participants",
        "attendees",
        "参加者",
        "参加人数",
        "人数",
        "出席者",
    ),
    "scribes": ("scribe", "scribes", "記録", "記録者", "書記", "notetaker", "notetakers"),
    "language": ("language", "lang", "言語"),
    "title": ("title", "タイトル"),
}
_KEY_LOOKUP = {name: key for key, names in METADATA_KEYS.items() for name in names}

# `Key: value` (also `**Key**：value`, optionally as a bullet). The key is short and has no
# Markdown punctuation; `https://...` is not a key because its value would start with `//`.
_KEY_VALUE = re.compile(
    r"^\s{0,3}(?P<bullet>[-*+]\s+)?(?:\*\*|__)?(?P<key>[^\s:：*_\[\]()<>`|#!][^:：*_\[\]<>`|]{0,29}?)"
    r"(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?(?P<value>(?:.*?\S)??)\s*+\\?\s*+$"
)

# Headings that name a topic explicitly: `トピック1 …`, `Topic 2: …`, `テーマA`, `議題3`.
_TOPIC_HEADING = re.compile(
    r"^(?:トピック|テーマ|議題|話題|topic|theme|agenda\s+item)"
    r"(?:\s*[0-9]+|\s*[a-z](?![a-z])|[一二三四五六七八九十]+)?\s*(?:[:.、)\-–—]|\s|$)",
    re.IGNORECASE,
)
_INTRO_NAMES = (
    "概要",
    "開催概要",
    "イベント概要",
    "はじめに",
    "始めに",
    "背景",
    "目的",
    "趣旨",
    "アジェンダ",
    "進行",
    "タイムテーブル",
    "スケジュール",
    "開催情報",
    "基本情報",
    "参加者",
    "overview",
    "introduction",
    "intro",
    "about",
    "background",
    "agenda",
    "schedule",
    "purpose",
    "participants",
    "information",
)
_CLOSING_NAMES = (
    "まとめ",
    "全体のまとめ",
    "全体まとめ",
    "総括",
    "所感",
    "感想",
    "振り返り",
    "次回",
    "今後",
    "参考",
    "関連リンク",
    "リンク",
    "資料",
    "添付",
    "補足",
    "備考",
    "宿題",
    "アクションアイテム",
    "wrap-up",
    "wrap up",
    "conclusion",
    "closing",
    "next steps",
    "next time",
    "references",
    "links",
    "resources",
    "attachments",
    "appendix",
    "action items",
)
_DISCUSSION_NAMES = frozenset({"discussion", "議論", "議事", "notes", "内容", "記録"})

_DATE_IN_TEXT = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*[/\-.年]\s*(?P<m>\d{1,2})\s*[/\-.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
)
_COMPACT_DATE = re.compile(r"(?<!\d)(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)")
_NAME_DATE_PREFIX = re.compile(
    r"^(?:\d{8}|\d{4}[-_.]\d{2}[-_.]\d{2}|\d{4}年\d{1,2}月\d{1,2}日)[-_ .]*"
)
# The text ends at a non-space (or is empty): a lazy `.*?` that could stop inside a run of
# spaces would rescan the rest of the run at every step (quadratic time).
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]++|$)((?:.*?[^ \t])??)(?:[ \t]++#++)?[ \t]*+$")
_REF_DEF = re.compile(r"^ {0,3}\[(?!\^)([^\]]+)\]:")
_FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]]+)\]:")
# Link targets in inline links/images, reference definitions and raw HTML attributes.
# `<…>` ends at the next `<` too (CommonMark allows none inside): each `](<` scans only to
# the next one, not to the end of the line.
_INLINE_TARGET = re.compile(r"(\]\(\s*+)(<[^<>\n]*>|[^\s)]+)")
_DEF_TARGET = re.compile(r"^( {0,3}\[(?!\^)[^\]]+\]:\s*)(<[^>\n]*>|\S+)")
_HTML_TARGET = re.compile(r"""(\b(?:src|href)\s*=\s*["'])([^"']+)""", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_LIST_MARKERS = re.compile(r"^(?:(?:[-*+]|\d{1,9}[.)])\s+)+")


# --------------------------------------------------------------------------------------------
# The plan


@dataclass
class Finding:
    """Something about a memo the user should know: unmapped content, or a mapping decision."""

    source: str  # the memo, as shown to the user
    line: int | None
    message: str
    unmapped: bool = True  # False: a decision worth knowing; nothing was left out

    def format(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "line": self.line, "message": self.message}


@dataclass
class PlannedFile:
    rel: str  # relative to the WG root, POSIX
    kind: str  # "session" | "note" | "asset"
    text: str | None = None  # session.md and notes
    source: Path | None = None  # assets: copied from here
    title: str | None = None

    @property
    def name_in_session(self) -> str:
        return self.rel.split("/", 2)[-1]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.rel, "kind": self.kind}
        if self.title is not None:
            data["title"] = self.title
        if self.source is not None:
            data["source"] = str(self.source)
        return data


@dataclass
class MemoPlan:
    source: Path
    shown: str
    session_rel: str  # e.g. sessions/2020-07-04-summer-camp
    title: str
    date: dt.date
    slug: str
    files: list[PlannedFile] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Original link target -> target inside the session, for every rewritten link.
    rewrites: dict[str, str] = field(default_factory=dict)

    @property
    def unmapped(self) -> list[Finding]:
        return [f for f in self.findings if f.unmapped]

    @property
    def decisions(self) -> list[Finding]:
        return [f for f in self.findings if not f.unmapped]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.shown,
            "session": self.session_rel,
            "title": self.title,
            "date": self.date.isoformat(),
            "slug": self.slug,
            "files": [f.to_json() for f in self.files],
            "unmapped": [f.to_json() for f in self.unmapped],
            "decisions": [f.to_json() for f in self.decisions],
            "rewritten_links": dict(self.rewrites),
        }


@dataclass
class ImportPlan:
    root: Path
    sessions_dir: str
    memos: list[MemoPlan] = field(default_factory=list)
    problems: list[ProceedingsError] = field(default_factory=list)  # block the whole import

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportResult:
    plan: ImportPlan
    created: list[Path]  # the session folders


# --------------------------------------------------------------------------------------------
# Finding memos


@dataclass(frozen=True)
class MemoSource:
    path: Path
    boundary: Path  # the folder given on the command line: nothing outside it is copied
    owns_folder: bool  # the only memo in its folder: every file beside it belongs to it


def find_memos(paths: list[Path]) -> tuple[list[MemoSource], list[ProceedingsError]]:
    """Memo files under the given files/folders, in a stable order."""
    found: list[MemoSource] = []
    problems: list[ProceedingsError] = []
    for given in paths:
        if not given.exists():
            problems.append(ProceedingsError("no such file or folder", path=given))
            continue
        given = given.resolve()
        if given.is_file():
            if given.suffix.lower() not in MEMO_SUFFIXES:
                problems.append(
                    ProceedingsError(
                        "not a Markdown memo (.md)",
                        path=given,
                        hint="pass the memo file or the folder that holds it",
                    )
                )
                continue
            found.append(MemoSource(given, given.parent, _only_memo(given)))
            continue
        before = len(found)
        _collect(given, given, found, depth=0)
        if len(found) == before:
            problems.append(
                ProceedingsError("no Markdown memo (.md) found in this folder", path=given)
            )
    unique: dict[Path, MemoSource] = {}
    for memo in found:
        unique.setdefault(memo.path, memo)
    return list(unique.values()), problems


def _memo_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in MEMO_SUFFIXES and not p.name.startswith(".")
    )


def _only_memo(path: Path) -> bool:
    return _memo_files(path.parent) == [path]


def _collect(folder: Path, boundary: Path, found: list[MemoSource], depth: int) -> None:
    memos = _memo_files(folder)
    if memos:
        found += [MemoSource(m, boundary, len(memos) == 1) for m in memos]
        return
    if depth >= MAX_SEARCH_DEPTH:
        return
    for child in sorted(folder.iterdir()):
        if child.is_dir() and not child.name.startswith(".") and not child.is_symlink():
            _collect(child, boundary, found, depth + 1)


# --------------------------------------------------------------------------------------------
# Planning


def plan_import(
    loaded: LoadedConfig,
    paths: list[Path],
    *,
    date: dt.date | None = None,
    slug: str | None = None,
) -> ImportPlan:
    """Read the memos and work out every file the import would write. Writes nothing."""
    config = loaded.config
    plan = ImportPlan(loaded.root, config.sessions_dir)
    memos, plan.problems = find_memos(paths)
    sessions_path = (loaded.root / config.sessions_dir).resolve()
    if (date is not None or slug is not None) and len(memos) > 1:
        flags = " and ".join(f for f, v in (("--date", date), ("--slug", slug)) if v is not None)
        plan.problems.append(
            ProceedingsError(
                f"{flags} applies to a single memo, but {len(memos)} were found",
                hint="import the memo that needs it on its own",
            )
        )
        return plan
    targets: dict[str, Path] = {}
    for memo in memos:
        if memo.path == sessions_path or sessions_path in memo.path.parents:
            plan.problems.append(
                ProceedingsError(
                    "is already inside the sessions folder",
                    path=_shown(memo.path),
                    hint="import memos from outside the WG archive",
                )
            )
            continue
        try:
            memo_plan = _MemoImporter(memo, config, date=date, slug=slug).plan()
        except ProceedingsError as exc:
            plan.problems.append(exc)
            continue
        target = loaded.root / memo_plan.session_rel
        if memo_plan.session_rel in targets:
            plan.problems.append(
                ProceedingsError(
                    f"would become {memo_plan.session_rel}, "
                    f"like {_shown(targets[memo_plan.session_rel])}",
                    path=memo_plan.shown,
                    hint="import one of them separately with --slug",
                )
            )
            continue
        targets[memo_plan.session_rel] = memo.path
        if target.exists() or target.is_symlink():
            plan.problems.append(
                ProceedingsError(
                    f"{memo_plan.session_rel} already exists",
                    path=memo_plan.shown,
                    hint="pass --slug to import it under another name, or remove the folder",
                )
            )
            continue
        plan.memos.append(memo_plan)
    _report_shared_folder_files(plan, memos)
    return plan


def _report_shared_folder_files(plan: ImportPlan, memos: list[MemoSource]) -> None:
    """In a folder holding several memos, a file that no memo links belongs to none of them."""
    copied = {f.source.resolve() for m in plan.memos for f in m.files if f.source is not None}
    first_plan = {m.source.parent: m for m in reversed(plan.memos)}
    for folder in sorted({m.path.parent for m in memos if not m.owns_folder}):
        owner = first_plan.get(folder)
        if owner is None:
            continue
        for path in sorted(folder.rglob("*")):
            if (
                path.is_file()
                and path.suffix.lower() not in MEMO_SUFFIXES
                and path.resolve() not in copied
            ):
                owner.findings.append(
                    Finding(
                        owner.shown,
                        None,
                        f"`{path.relative_to(folder).as_posix()}` sits in a folder with "
                        "several memos and none links it; not copied",
                    )
                )


def apply_import(plan: ImportPlan) -> ImportResult:
    """Write a plan that has no problems. All sessions appear, or none (on any error)."""
    if plan.problems:
        raise plan.problems[0]
    sessions_path = plan.root / plan.sessions_dir
    sessions_path.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    created: list[Path] = []
    try:
        for memo in plan.memos:
            target = plan.root / memo.session_rel
            if target.exists() or target.is_symlink():
                raise ProceedingsError(
                    f"{memo.session_rel} already exists; nothing was written", path=memo.shown
                )
            temp = Path(tempfile.mkdtemp(prefix=f".import-{memo.slug}-", dir=sessions_path))
            staged.append((temp, target))
            for planned in memo.files:
                destination = temp / planned.name_in_session
                destination.parent.mkdir(parents=True, exist_ok=True)
                if planned.source is not None:
                    shutil.copyfile(planned.source, destination)
                else:
                    destination.write_text(planned.text or "", encoding="utf-8")
        for temp, target in staged:
            if target.exists() or target.is_symlink():  # appeared while we were writing
                raise ProceedingsError(
                    f"{relative_posix(target, plan.root)} appeared during the import; "
                    "nothing was written"
                )
            os.rename(temp, target)
            created.append(target)
    except BaseException:
        for temp, _ in staged:
            shutil.rmtree(temp, ignore_errors=True)
        for target in created:  # only folders this call made a moment ago
            shutil.rmtree(target, ignore_errors=True)
        raise
    return ImportResult(plan, created)


# --------------------------------------------------------------------------------------------
# One memo


@dataclass
class _Heading:
    level: int
    text: str  # plain text
    source: str  # the heading's Markdown, without the `#`s
    start: int  # 0-based line
    end: int  # exclusive; a setext heading spans its underline
    lines: list[str] = field(default_factory=list)  # setext: its text lines, stripped

    def render(self, level: int) -> list[str]:
        """The heading at `level`. Setext text over several lines keeps its lines (level <= 2)."""
        if len(self.lines) > 1:
            return self.lines + ["===" if level == 1 else "---"]
        return [f"{'#' * level} {self.source}".rstrip()]


@dataclass
class _Definition:
    label: str  # as written
    lines: list[int]
    footnote: bool

    def used_in(self, text: str) -> bool:
        return label_use_pattern(self.label, self.footnote).search(text) is not None


@lru_cache(maxsize=256)
def label_use_pattern(label: str, footnote: bool) -> re.Pattern[str]:
    """A use of a reference or footnote label (`[label]`, `[^label]`), not its definition.
    The label is escaped; tests/test_linear_patterns.py runs these on hostile text."""
    words = r"\s+".join(re.escape(part) for part in label.split())
    if footnote:
        return re.compile(r"\[\^" + words + r"\](?!:)")
    return re.compile(r"\[\s*" + words + r"\s*\](?!:)", re.IGNORECASE)


@lru_cache(maxsize=256)
def footnote_def_pattern(label: str) -> re.Pattern[str]:
    """The start of the definition of footnote `label` (escaped) on a line."""
    return re.compile(r"^ {0,3}\[\^" + re.escape(label) + r"\]:")


@dataclass
class _Section:
    heading: _Heading
    end: int  # exclusive line

    @property
    def start(self) -> int:
        return self.heading.start


@dataclass
class _Metadata:
    key: str  # front-matter key
    raw_key: str
    value: str
    line: int  # 0-based


_DASHES_ONLY = re.compile(r"^---\s*$")
_PARTICIPANT_COUNT = re.compile(
    r"^(?:約|およそ|about|approx\.?|~)?\s*(\d+)\s*(名|人|people|persons|participants)?"
    r"\s*(程度|くらい|ぐらい|ほど)?(?P<rest>.*)$",
    re.IGNORECASE,
)
_URL_VALUE = re.compile(r"^<(.+)>$|^\[[^\]]*\]\((\S+)\)$")
_QUERY_OR_FRAGMENT = re.compile(r"[#?]")
_NOT_SHIFT_JIS = re.compile(r"[\x80-\x9f\ue000-\uf8ff]")
_NAME_SEPARATORS = re.compile(r"[,、，/・]")
_TAG_SEPARATORS = re.compile(r"[,、，/]")
# Spaces before `and` are matched from the start of their run only (quadratic otherwise).
_PEOPLE_SEPARATORS = re.compile(r"[,、，/・]|(?<!\s)\s++(?:and|&)\s+")
_WEEKDAY_OR_COMMA = re.compile(r"^[\s(（]*[月火水木金土日](?:曜日?)?[)）]?\s*|^[\s,]+")
_UNSAFE_IN_NAME = re.compile(r"[\s()\[\]<>#?%&'\"]+")


class _MemoImporter:
    def __init__(
        self, memo: MemoSource, config: Config, *, date: dt.date | None, slug: str | None
    ) -> None:
        self.memo = memo
        self.config = config
        self.given_date = date
        self.given_slug = slug
        self.shown = _shown(memo.path)
        self.findings: list[Finding] = []
        self.rewrites: dict[str, str] = {}
        self.assets: dict[Path, str] = {}  # resolved source file -> path inside the session
        self.unlinked: list[str] = []  # copied files the memo never linked
        self.preamble_lead = False  # topic-less memo: its opening paragraphs are the overview
        self.lead_end = 0
        self.definition_users: Counter[int] = Counter()

    # ---- reporting

    def unmapped(self, line: int | None, message: str) -> None:
        self.findings.append(Finding(self.shown, None if line is None else line + 1, message))

    def decided(self, line: int | None, message: str) -> None:
        self.findings.append(
            Finding(self.shown, None if line is None else line + 1, message, unmapped=False)
        )

    def error(self, message: str, line: int | None = None, hint: str | None = None):
        return ProceedingsError(
            message, path=self.shown, line=None if line is None else line + 1, hint=hint
        )

    # ---- the whole memo

    def plan(self) -> MemoPlan:
        self.lines = self._read().split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        if self.lines and _DASHES_ONLY.match(self.lines[0]):
            raise self.error(
                "starts with front matter, so it looks like it is in a structured format already",
                0,
                "import handles free-form memos; copy structured notes into sessions/ by hand",
            )
        self.code_lines = self._code_lines(parser().parse("\n".join(self.lines), {}))
        self._rewrite_links()
        env: dict[str, Any] = {}
        self.tokens = parser().parse("\n".join(self.lines), env)
        self.blocks = self._top_level_blocks()
        self.definitions = self._definitions(env)
        self.removed: set[int] = {i for d in self.definitions for i in d.lines}
        self.headings = self._headings()
        self.heading_at = {h.start: h for h in self.headings}

        title_heading = self._title_heading()
        self.title_heading = title_heading
        metadata, header_lines = self._header_metadata(title_heading)
        if title_heading is not None:
            self.removed.update(range(title_heading.start, title_heading.end))
        self.removed.update(header_lines)
        after = [h for h in self.headings if h is not title_heading]
        sections = self._sections(after)
        intro, topics, closing = self._classify(sections)
        preamble_end = sections[0].start if sections else len(self.lines)
        metadata += self._bullet_metadata(
            [(0, preamble_end)] + [(s.start, s.end) for s in intro], header_lines
        )
        front, title = self._front_matter(metadata, title_heading)
        session_date = self._date(metadata, title)
        session_slug = self._slug(title)
        language = front.get("language", self.config.language)
        scribes = front.pop("scribes", None)
        session_rel = f"{self.config.sessions_dir}/{session_date.isoformat()}-{session_slug}"

        notes = self._notes(topics, preamble_end, title, session_slug, language, scribes)
        session_text = self._session_text(
            front,
            title,
            session_date,
            preamble_end,
            intro,
            closing,
            header_lines,
            title_heading,
            no_topics=not topics,
            notes=notes,
            language=language,
        )
        files = [PlannedFile(f"{session_rel}/{SESSION_FILE}", "session", session_text, None, title)]
        files += [
            PlannedFile(f"{session_rel}/{name}", "note", text, None, note_title)
            for name, note_title, text in notes
        ]
        files += [
            PlannedFile(f"{session_rel}/{inside}", "asset", None, source)
            for source, inside in sorted(self.assets.items(), key=lambda item: item[1])
        ]
        # Links were rewritten on purpose; everything else must be there, line for line.
        lost = lost_lines("\n".join(self.lines), [f.text for f in files if f.text is not None])
        if lost:
            number, text = lost[0]
            raise self.error(
                f"the import would lose this line: {text!r}",
                number - 1,
                "please report this memo's layout so the importer can learn it",
            )
        return MemoPlan(
            self.memo.path,
            self.shown,
            session_rel,
            title,
            session_date,
            session_slug,
            files,
            self.findings,
            dict(self.rewrites),
        )

    def _read(self) -> str:
        try:
            raw = self.memo.path.read_bytes()
        except OSError as exc:
            raise self.error(f"cannot be read: {exc.strerror}") from None
        if raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            try:
                text = raw.decode("cp932")
                # Python's cp932 maps stray bytes to private-use or C1 characters rather than
                # failing; real Shift_JIS memos contain neither.
                if _NOT_SHIFT_JIS.search(text):
                    raise UnicodeDecodeError("cp932", raw, 0, 1, "not Shift_JIS")
            except UnicodeDecodeError:
                line = raw[: exc.start].count(b"\n")
                raise self.error(
                    f"is neither UTF-8 nor Shift_JIS (byte offset {exc.start})",
                    line,
                    "re-save the memo as UTF-8",
                ) from None
            self.decided(None, "read as Shift_JIS (cp932); the imported files are UTF-8")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.original_lines = text.split("\n")
        if self.original_lines and self.original_lines[-1] == "":
            self.original_lines.pop()
        return text

    # ---- Markdown structure

    def _code_lines(self, tokens: list[Token]) -> set[int]:
        lines: set[int] = set()
        for token in tokens:
            if token.type in ("fence", "code_block") and token.map:
                lines.update(range(token.map[0], token.map[1]))
        return lines

    def _top_level_blocks(self) -> list[tuple[int, int, Token]]:
        blocks = []
        for token in self.tokens:
            if token.level == 0 and token.map and token.nesting in (0, 1):
                blocks.append((token.map[0], token.map[1], token))
        return blocks

    def _in_block(self, line: int) -> bool:
        return any(start <= line < end for start, end, _ in self.blocks)

    def _definitions(self, env: dict[str, Any]) -> list[_Definition]:
        found: list[_Definition] = []
        for info in env.get("references", {}).values():
            start, end = info["map"]
            if self._in_block(start) or not _REF_DEF.match(self.lines[start]):
                continue  # a definition inside a list or quote stays where it is
            label = _REF_DEF.match(self.lines[start]).group(1)  # type: ignore[union-attr]
            found.append(_Definition(label, list(range(start, end)), footnote=False))
        # Footnote definitions: the footnote plugin moves their blocks to the end, keeping maps.
        label: str | None = None
        content: list[int] = []
        for token in self.tokens:
            if token.type == "footnote_open":
                label, content = token.meta.get("label"), []
            elif token.type == "footnote_close" and label is not None:
                definition = self._footnote_lines(label, content)
                if definition:
                    found.append(_Definition(label, definition, footnote=True))
                label = None
            elif label is not None and token.map:
                content += [token.map[0], token.map[1]]
        found.sort(key=lambda d: d.lines[0])
        return found

    def _footnote_lines(self, label: str, content: list[int]) -> list[int]:
        first = min(content) if content else None
        pattern = footnote_def_pattern(label)
        candidates = [
            i
            for i, line in enumerate(self.lines)
            if pattern.match(line) and not self._in_block(i) and (first is None or i <= first)
        ]
        if not candidates:
            return []
        start = candidates[-1]
        end = max(content) if content else start + 1
        return list(range(start, max(end, start + 1)))

    def _headings(self) -> list[_Heading]:
        found: list[_Heading] = []
        for index, token in enumerate(self.tokens):
            if token.type != "heading_open" or token.level != 0 or not token.map:
                continue
            start, end = token.map
            inline = self.tokens[index + 1]
            match = _ATX.match(self.lines[start])
            lines: list[str] = []
            if match and end - start == 1:
                source = match.group(2).strip()
            else:  # setext: the text lines, then the underline
                lines = [line.strip() for line in self.lines[start : end - 1]]
                source = " ".join(lines)
            heading = _Heading(int(token.tag[1:]), inline_text(inline), source, start, end, lines)
            found.append(heading)
        return found

    def _title_heading(self) -> _Heading | None:
        first = next((b for b in self.blocks if b[0] not in self.removed), None)
        if first is None or first[2].type != "heading_open" or first[2].tag != "h1":
            return None
        heading = self.heading_at[first[0]]
        # `# 概要` or `# トピック1` first: the memo has no title, only sections.
        name = _normal(heading.text)
        if _TOPIC_HEADING.match(name) or _matches(name, _INTRO_NAMES):
            return None
        return heading

    def _header_metadata(self, title: _Heading | None) -> tuple[list[_Metadata], set[int]]:
        """`Key: value` paragraphs right under the title (or at the very top)."""
        start = title.end if title is not None else 0
        metadata: list[_Metadata] = []
        lines: set[int] = set()
        for block_start, block_end, token in self.blocks:
            if block_start < start or block_start in self.removed:
                continue
            if token.type != "paragraph_open":
                break
            pairs = []
            for line in range(block_start, block_end):
                pair = _key_value(self.lines[line])
                if pair is None or not pair[2]:
                    break
                pairs.append(pair)
            if not any(_KEY_LOOKUP.get(_normal_key(pair[0])) for pair in pairs):
                break
            for offset, pair in enumerate(pairs):
                line = block_start + offset
                lines.add(line)
                key = _KEY_LOOKUP.get(_normal_key(pair[0]))
                if key is None:
                    self.unmapped(
                        line,
                        f"metadata `{pair[0]}` has no place in the format; kept in session.md "
                        "under the original metadata",
                    )
                    continue
                metadata.append(_Metadata(key, pair[0], pair[1], line))
            if len(pairs) < block_end - block_start:
                break  # the paragraph goes on with ordinary text
        return metadata, lines

    def _bullet_metadata(self, ranges: list[tuple[int, int]], skip: set[int]) -> list[_Metadata]:
        """Top-level `- Key: value` bullets in the introduction (kept in place as well)."""
        found: list[_Metadata] = []
        for block_start, block_end, token in self.blocks:
            if token.type != "bullet_list_open":
                continue
            if not any(start <= block_start < end for start, end in ranges):
                continue
            for line in range(block_start, block_end):
                if line in skip or line in self.removed:
                    continue
                pair = _key_value(self.lines[line])
                if pair is None or pair[2] or self.lines[line][:1] in (" ", "\t"):
                    continue
                key = _KEY_LOOKUP.get(_normal_key(pair[0]))
                if key is not None:
                    found.append(_Metadata(key, pair[0], pair[1], line))
        return found

    def _sections(self, headings: list[_Heading]) -> list[_Section]:
        if not headings:
            return []
        level = min(h.level for h in headings)
        tops = [h for h in headings if h.level == level]
        sections = []
        for index, heading in enumerate(tops):
            end = tops[index + 1].start if index + 1 < len(tops) else len(self.lines)
            sections.append(_Section(heading, end))
        return sections

    def _classify(
        self, sections: list[_Section]
    ) -> tuple[list[_Section], list[_Section], list[_Section]]:
        names = [_normal(s.heading.text) for s in sections]
        explicit = [i for i, name in enumerate(names) if _TOPIC_HEADING.match(name)]
        if explicit:
            first, last = explicit[0], explicit[-1] + 1
        else:
            first = 0
            while first < len(sections) and _matches(names[first], _INTRO_NAMES):
                first += 1
            last = len(sections)
            while last > first and _matches(names[last - 1], _CLOSING_NAMES):
                last -= 1
        intro, topics, closing = sections[:first], sections[first:last], sections[last:]
        for section in closing:
            self.decided(
                section.start,
                f"section `{section.heading.text}` follows the topics; kept in session.md",
            )
        return intro, topics, closing

    # ---- metadata -> front matter

    def _front_matter(
        self, metadata: list[_Metadata], title_heading: _Heading | None
    ) -> tuple[dict[str, Any], str]:
        front: dict[str, Any] = {}
        seen: dict[str, _Metadata] = {}
        for item in metadata:
            if item.key in seen:
                if _normal(seen[item.key].value) != _normal(item.value):
                    self.unmapped(
                        item.line,
                        f"`{item.raw_key}: {item.value}` differs from line "
                        f"{seen[item.key].line + 1}, which was used",
                    )
                continue
            seen[item.key] = item
            value = self._convert(item)
            if value is not None:
                front[item.key] = value
        title = title_heading.text if title_heading is not None else ""
        if "title" in front:
            if title and front["title"] != title:
                self.unmapped(
                    seen["title"].line,
                    "the `title` line differs from the H1, "
                    "which was used; the line is kept in session.md",
                )
            title = title or front["title"]
        front.pop("title", None)
        if not title:
            name = self._name()
            title = _words_from_name(name) or name
            self.decided(None, f"no H1 title; the title `{title}` comes from the name `{name}`")
        return front, title

    def _convert(self, item: _Metadata) -> Any:
        value = item.value.strip()
        text = unicodedata.normalize("NFKC", value)
        if item.key == "date":
            return value  # parsed later, with the other date sources
        if not value:
            self.unmapped(item.line, f"metadata `{item.raw_key}` is empty")
            return None
        if item.key in ("tags", "facilitators", "scribes"):
            separators = _TAG_SEPARATORS if item.key == "tags" else _PEOPLE_SEPARATORS
            parts = [p.strip().lstrip("#").strip() for p in separators.split(value)]
            return [p for p in parts if p]
        if item.key == "participants":
            count = _PARTICIPANT_COUNT.match(text)
            if count:
                if count.group("rest").strip():
                    self.unmapped(
                        item.line,
                        f"`participants` keeps only the count {count.group(1)}; "
                        f"`{count.group('rest').strip()}` stays in the memo text",
                    )
                return int(count.group(1))
            return [p.strip() for p in _NAME_SEPARATORS.split(value) if p.strip()]
        if item.key == "language":
            lowered = text.lower()
            if lowered in ("ja", "japanese", "日本語"):
                return "ja"
            if lowered in ("en", "english", "英語"):
                return "en"
            self.unmapped(item.line, f"language `{value}` is neither ja nor en; not used")
            return None
        if item.key == "url":
            link = _URL_VALUE.match(value)
            return (link.group(1) or link.group(2)) if link else value
        return value

    def _date(self, metadata: list[_Metadata], title: str) -> dt.date:
        found: dt.date | None = None
        where = ""
        for item in metadata:
            if item.key != "date":
                continue
            match = _DATE_IN_TEXT.search(unicodedata.normalize("NFKC", item.value))
            if match is None:
                if self.given_date is None:
                    raise self.error(
                        f"no date in `{item.raw_key}: {item.value}`",
                        item.line,
                        "pass --date YYYY-MM-DD",
                    )
                continue
            found = self._real_date(match, item.line)
            where = f"line {item.line + 1}"
            rest = _DATE_IN_TEXT.sub("", unicodedata.normalize("NFKC", item.value))
            rest = _WEEKDAY_OR_COMMA.sub("", rest).strip()
            if rest:
                self.unmapped(
                    item.line,
                    f"the front matter keeps only the date; `{rest}` stays in the memo text",
                )
            break
        name_date = self._name_date()
        if found is None and name_date is not None:
            found, where = name_date, "the name"
            self.decided(None, f"date {found.isoformat()} comes from the folder or file name")
        if found is None:
            match = _DATE_IN_TEXT.search(unicodedata.normalize("NFKC", title))
            if match:
                found, where = self._real_date(match, None), "the title"
                self.decided(None, f"date {found.isoformat()} comes from the title")
        if self.given_date is not None:
            if found is not None and found != self.given_date:
                self.decided(
                    None,
                    f"--date {self.given_date.isoformat()} replaces "
                    f"{found.isoformat()} from {where}",
                )
            return self.given_date
        if found is None:
            raise self.error(
                "has no recognisable date (no `Date:`/`日付:` line, none in the folder or file "
                "name or the title)",
                hint="pass --date YYYY-MM-DD",
            )
        if name_date is not None and name_date != found:
            self.unmapped(
                None,
                f"the name says {name_date.isoformat()} but {where} says "
                f"{found.isoformat()}, which was used",
            )
        return found

    def _real_date(self, match: re.Match[str], line: int | None) -> dt.date:
        try:
            return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            if self.given_date is not None:
                return self.given_date
            raise self.error(
                f"`{match.group(0)}` is not a real date",
                line,
                "fix the memo or pass --date YYYY-MM-DD",
            ) from None

    def _name(self) -> str:
        """The name that describes the memo: its folder for memo.md/README.md, else the file."""
        path = self.memo.path
        if (
            path.stem.lower() in GENERIC_STEMS
            or self.memo.owns_folder
            and _name_date(path.parent.name)
            and not _name_date(path.stem)
        ):
            return path.parent.name
        return path.stem

    def _name_date(self) -> dt.date | None:
        for name in (self._name(), self.memo.path.stem, self.memo.path.parent.name):
            found = _name_date(name)
            if found is not None:
                return found
        return None

    def _slug(self, title: str) -> str:
        if self.given_slug is not None:
            return self.given_slug
        name = _NAME_DATE_PREFIX.sub("", self._name())
        slug = slugify(_kebab(name))
        if slug and slug_problem(slug) is None:
            return slug
        slug = slugify(title)
        if slug and slug_problem(slug) is None:
            self.decided(None, f"slug `{slug}` comes from the title")
            return slug
        raise self.error(
            f"neither the name `{self._name()}` nor the title gives an ASCII slug for the "
            "session folder",
            hint="pass --slug, e.g. --slug summer-camp",
        )

    # ---- links and assets

    def _rewrite_links(self) -> None:
        folder = self.memo.path.parent
        for index, line in enumerate(self.lines):
            if index in self.code_lines:
                continue

            def replace(match: re.Match[str], index: int = index) -> str:
                target = match.group(2)
                new = self._asset_target(target, folder, index)
                return match.group(1) + new if new is not None else match.group(0)

            line = _INLINE_TARGET.sub(replace, line)
            line = _DEF_TARGET.sub(replace, line)
            line = _HTML_TARGET.sub(replace, line)
            self.lines[index] = line
        if self.memo.owns_folder:
            self._folder_assets(folder)

    def _asset_target(self, target: str, folder: Path, line: int) -> str | None:
        bare = target[1:-1] if target.startswith("<") and target.endswith(">") else target
        if not bare or bare.startswith(("#", "/")) or _SCHEME.match(bare):
            return None
        path_part = _QUERY_OR_FRAGMENT.split(bare, maxsplit=1)[0]
        suffix = bare[len(path_part) :]
        if not path_part:
            return None
        source = (folder / unquote(path_part)).resolve()
        if target in self.rewrites:
            return self.rewrites[target]
        if not source.is_file():
            self.unmapped(
                line, f"link target `{path_part}` does not exist; the link is kept as it is"
            )
            return None
        if source.suffix.lower() not in ASSET_SUFFIXES:
            self.unmapped(
                line,
                f"`{path_part}` is not an asset type the WG format accepts "
                f"({' '.join(sorted(ASSET_SUFFIXES))}); not copied, link kept",
            )
            return None
        boundary = self.memo.boundary.resolve()
        if source != boundary and boundary not in source.parents:
            self.unmapped(line, f"`{path_part}` is outside the imported folder; not copied")
            return None
        inside = self._add_asset(source)
        new = inside + suffix
        if target.startswith("<"):
            new = f"<{new}>"
        self.rewrites[target] = new
        return new

    def _add_asset(self, source: Path) -> str:
        if source in self.assets:
            return self.assets[source]
        subfolder = IMAGES_DIR if source.suffix.lower() in IMAGE_TYPES else ATTACHMENTS_DIR
        name = _UNSAFE_IN_NAME.sub("-", source.name).strip("-") or "file"
        stem, suffix = os.path.splitext(name)
        taken = set(self.assets.values())
        candidate, number = f"{subfolder}/{name}", 2
        while candidate in taken:
            candidate, number = f"{subfolder}/{stem}-{number}{suffix}", number + 1
        self.assets[source] = candidate
        return candidate

    def _folder_assets(self, folder: Path) -> None:
        """Every other file in a memo's own folder: copied if the format accepts it."""
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if path == self.memo.path:
                    continue
                rel = path.relative_to(folder).as_posix()
                if name.startswith("."):
                    self.unmapped(None, f"hidden file `{rel}` was not copied")
                    continue
                resolved = path.resolve()
                if resolved in self.assets:
                    continue
                boundary = self.memo.boundary.resolve()
                if path.is_symlink() and boundary not in resolved.parents:
                    self.unmapped(None, f"`{rel}` links outside the imported folder; not copied")
                    continue
                if path.suffix.lower() not in ASSET_SUFFIXES:
                    self.unmapped(
                        None,
                        f"`{rel}` is not an asset type the WG format accepts "
                        f"({' '.join(sorted(ASSET_SUFFIXES))}); not copied",
                    )
                    continue
                inside = self._add_asset(resolved)
                self.unlinked.append(inside)
                self.decided(
                    None,
                    f"`{rel}` was not linked from the memo; copied to `{inside}` "
                    "and linked from session.md",
                )

    # ---- output

    def _emit(self, start: int, end: int, base: int) -> list[str]:
        """Lines [start, end) minus removed ones, headings re-levelled under level `base`."""
        out: list[str] = []
        stack: list[tuple[int, int]] = []  # (original level, new level)
        index = start
        while index < end:
            if index in self.removed:
                index += 1
                continue
            heading = self.heading_at.get(index)
            if heading is None:
                out.append(self.lines[index])
                index += 1
                continue
            while stack and stack[-1][0] >= heading.level:
                stack.pop()
            level = min(stack[-1][1] + 1 if stack else base + 1, 6)
            if len(heading.lines) > 1 and level > 2:
                level = 2  # only setext keeps a heading's several lines, and it has 2 levels
                self.unmapped(
                    heading.start, "a heading written over several lines stays a level-2 heading"
                )
            stack.append((heading.level, level))
            out += heading.render(level)
            index = heading.end
        return _trim(out)

    def _notes(
        self,
        topics: list[_Section],
        preamble_end: int,
        title: str,
        session_slug: str,
        language: str,
        scribes: list[str] | None,
    ) -> list[tuple[str, str, str]]:
        notes: list[tuple[str, str, str]] = []
        used: Counter[str] = Counter()
        if not topics:
            lead, rest = self._split_lead(0, preamble_end)
            self.preamble_lead = lead
            slug = slugify(title) or session_slug
            name = f"01-{slug}.md"
            heading = self.title_heading or _Heading(1, title, _md_escape(title), 0, 0)
            text = self._note_text(title, heading, (rest, preamble_end), language, scribes)
            notes.append((name, title, text))
            self.decided(
                None,
                f"no topic sections: the memo's text became one note, `{name}`"
                + (" (its opening paragraphs became the overview)" if lead else ""),
            )
            return notes
        for number, section in enumerate(topics, start=1):
            heading = section.heading
            stripped = _TOPIC_HEADING.sub("", _normal(heading.text))
            slug = slugify(stripped) or f"topic-{number}"
            used[slug] += 1
            if used[slug] > 1:
                slug = f"{slug}-{used[slug]}"
            name = f"{number:02d}-{slug}.md"
            title = heading.text
            h1 = heading
            if not title:  # `##` with no text: the note still needs a title
                title = f"トピック {number}" if language == "ja" else f"Topic {number}"
                h1 = _Heading(1, title, _md_escape(title), heading.start, heading.end)
                self.decided(heading.start, f"a topic heading has no text; titled `{title}`")
            text = self._note_text(
                title, h1, (heading.end, section.end), language, scribes, section=section
            )
            notes.append((name, title, text))
        return notes

    def _split_lead(self, start: int, end: int) -> tuple[bool, int]:
        """Opening paragraphs of a topic-less memo (overview) and where the rest starts."""
        blocks = [b for b in self.blocks if start <= b[0] < end and b[0] not in self.removed]
        lead = 0
        while lead < len(blocks) and blocks[lead][2].type == "paragraph_open":
            lead += 1
        if lead == 0 or lead == len(blocks):
            self.lead_end = start
            return False, start
        self.lead_end = blocks[lead][0]
        return True, blocks[lead][0]

    def _subsections(self, section: _Section) -> list[_Heading]:
        """Direct sub-headings of a topic, if every one is named like a WG section."""
        inner = [h for h in self.headings if section.heading.end <= h.start < section.end]
        if not inner:
            return []
        level = min(h.level for h in inner)
        direct = [h for h in inner if h.level == level]
        names = {_normal(n) for group in self._groups() for n in group}
        if all(_normal(h.text) in names for h in direct):
            return direct
        return []

    def _groups(self) -> list[list[str]]:
        return [g for g in self.config.sections.required + self.config.sections.optional if g]

    def _note_text(
        self,
        title: str,
        heading: _Heading,
        body_range: tuple[int, int],
        language: str,
        scribes: list[str] | None,
        section: _Section | None = None,
    ) -> str:
        front: dict[str, Any] = {"title": title}
        if scribes:
            front["scribes"] = scribes
        front["status"] = "draft"
        required = [g for g in self.config.sections.required if g]
        parts: list[list[str]] = [heading.render(1)]
        subsections = self._subsections(section) if section is not None else []
        if subsections and section is not None:
            parts += self._lifted(section, subsections, required, language)
        elif not required:  # a WG without required sections: the body as it is
            parts.append(self._emit(*body_range, 1))
        else:
            body_group = next(
                (g for g in required if {_normal(n) for n in g} & _DISCUSSION_NAMES),
                required[-1],
            )
            for group in required:
                name = section_name(group, language)
                if group is body_group:
                    body = self._emit(*body_range, 2)
                    parts.append(
                        [f"## {name}", ""]
                        + (body or [_placeholder(group, language, empty_memo=True)])
                    )
                else:
                    parts.append([f"## {name}", "", _placeholder(group, language)])
        text = "\n\n".join("\n".join(p) for p in parts if p)
        return _document(front, self._with_definitions(text))

    def _lifted(
        self,
        section: _Section,
        subsections: list[_Heading],
        required: list[list[str]],
        language: str,
    ) -> list[list[str]]:
        """A topic whose sub-sections are already the WG's sections: they become H2s."""
        order = {id(g): i for i, g in enumerate(self._groups())}
        group_of = {}
        for heading in subsections:
            group_of[heading.start] = next(
                g for g in self._groups() if _normal(heading.text) in {_normal(n) for n in g}
            )
        present = {id(g) for g in group_of.values()}
        missing = [g for g in required if id(g) not in present]
        parts: list[list[str]] = []
        lead = self._emit(section.heading.end, subsections[0].start, 2)
        if lead:
            parts.append(lead)
        for index, heading in enumerate(subsections):
            end = subsections[index + 1].start if index + 1 < len(subsections) else section.end
            rank = order[id(group_of[heading.start])]
            while missing and order[id(missing[0])] < rank:
                group = missing.pop(0)
                parts.append(
                    [f"## {section_name(group, language)}", "", _placeholder(group, language)]
                )
            parts.append(self._emit(heading.start, end, 1))
        for group in missing:
            parts.append([f"## {section_name(group, language)}", "", _placeholder(group, language)])
        self.decided(
            section.start,
            f"topic `{section.heading.text}` already has the WG's "
            "sections; they became the note's sections",
        )
        return parts

    def _session_text(
        self,
        front: dict[str, Any],
        title: str,
        date: dt.date,
        preamble_end: int,
        intro: list[_Section],
        closing: list[_Section],
        header_lines: set[int],
        title_heading: _Heading | None,
        *,
        no_topics: bool,
        notes: list[tuple[str, str, str]],
        language: str,
    ) -> str:
        meta: dict[str, Any] = {"title": title, "date": date}
        for key in ("event", "url", "location", "facilitators", "participants", "tags", "language"):
            if key in front:
                meta[key] = front[key]
        parts: list[list[str]] = []
        if no_topics:
            if self.preamble_lead:
                parts.append(self._emit(0, self.lead_end, 1))
        else:
            parts.append(self._emit(0, preamble_end, 1))
        for section in intro + closing:
            parts.append(self._emit(section.start, section.end, 1))
        unlinked = self.unlinked
        if unlinked:
            label = "添付資料" if language == "ja" else "Attachments"
            parts.append(
                [f"## {label}", ""] + [f"- [{Path(inside).name}]({inside})" for inside in unlinked]
            )
        original = []
        if title_heading is not None and (title_heading.lines or [title_heading.source]) != [title]:
            original += [f"- {line}" for line in title_heading.lines or [title_heading.source]]
        original += [f"- {self.lines[i].strip()}" for i in sorted(header_lines)]
        if original:
            label = "元のメタデータ" if language == "ja" else "Original metadata"
            parts.append([f"## {label}", ""] + original)
        text = "\n\n".join("\n".join(p) for p in parts if p)
        return _document(meta, self._with_definitions(text, session=True))

    def _with_definitions(self, text: str, session: bool = False) -> str:
        """Append the link/footnote definitions this file uses (session.md: also unused ones)."""
        chosen = []
        for index, definition in enumerate(self.definitions):
            if definition.used_in(text) or (session and not self.definition_users[index]):
                chosen.append(definition)
                self.definition_users[index] += 1
        if not chosen:
            return text
        refs = [d for d in chosen if not d.footnote]
        notes = [d for d in chosen if d.footnote]
        blocks = []
        if refs:
            blocks.append("\n".join(self.lines[i] for d in refs for i in d.lines))
        for d in notes:
            blocks.append("\n".join(self.lines[i] for i in d.lines).rstrip())
        return (text + "\n\n" if text else "") + "\n\n".join(blocks)


# --------------------------------------------------------------------------------------------
# Nothing is lost


def normalize_line(line: str) -> str:
    """A line as `lost_lines` compares it: no indentation, heading marks or list markers."""
    text = line.strip()
    atx = _ATX.match(text)
    if atx:
        text = atx.group(2).strip()
    return _LIST_MARKERS.sub("", text).strip()


def lost_lines(original: str, outputs: list[str]) -> list[tuple[int, str]]:
    """Lines of `original` (1-based, text) that appear in none of `outputs`.

    A line counts as present when, after `normalize_line`, it equals a line of an output's
    body or a value in its front matter; each output line accounts for at most one original
    line. Setext underlines belong to their heading.
    """
    available: Counter[str] = Counter()
    for text in outputs:
        body = text
        if text.startswith("---\n"):
            end = text.find("\n---\n", 4)
            if end != -1:
                front = yaml.safe_load(text[4:end]) or {}
                for value in front.values():
                    for item in value if isinstance(value, list) else [value]:
                        available[normalize_line(str(item))] += 1
                body = text[end + 5 :]
        for line in body.split("\n"):
            if line.strip():
                available[normalize_line(line)] += 1
    lines = original.split("\n")
    underlines = set()
    for token in parser().parse(original, {}):
        if token.type == "heading_open" and token.map and token.map[1] - token.map[0] > 1:
            underlines.add(token.map[1] - 1)
    lost = []
    for number, line in enumerate(lines, start=1):
        key = normalize_line(line)
        if not key or number - 1 in underlines:  # blank, or a bare `#` / `-`: nothing to lose
            continue
        if available[key] > 0:
            available[key] -= 1
        else:
            lost.append((number, line))
    return lost


# --------------------------------------------------------------------------------------------
# Small helpers


def _document(front: dict[str, Any], body: str) -> str:
    dumped = yaml.dump(
        front,
        Dumper=_FrontMatterDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=2**31 - 1,
    )
    return f"---\n{dumped}---\n" + (f"\n{body.strip()}\n" if body.strip() else "")


class _FrontMatterDumper(yaml.SafeDumper):
    """Safe dumper that indents list items under their key, like the sample notes."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def _placeholder(group: list[str], language: str, empty_memo: bool = False) -> str:
    kind = section_kind(group)
    if language == "en":
        if empty_memo:
            text = "The original memo has no text for this topic. Write what was discussed."
        elif kind == "summary":
            text = (
                "The original memo has no summary for this topic. Summarise the outcome "
                "and the main points in 2–3 sentences."
            )
        else:
            text = "The original memo has no such section. Write it."
    elif empty_memo:
        text = "元のメモにはこの話題の本文がありません。議論の内容を書いてください。"
    elif kind == "summary":
        text = (
            "元のメモにはこの話題の概要がありません。結論と主な論点を 2〜3 文でまとめてください。"
        )
    else:
        text = "元のメモにはこの節がありません。内容を書いてください。"
    return f"{PLACEHOLDER_MARK} {text}"


def _trim(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    out: list[str] = []
    for line in lines:  # at most one blank line in a row
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line.rstrip() if not line.strip() else line)
    return out


def _key_value(line: str) -> tuple[str, str, bool] | None:
    """(key, value, is_plain_line) when the line reads `Key: value`."""
    match = _KEY_VALUE.match(line)
    if match is None or match["value"].startswith("//"):
        return None
    key = match["key"].strip()
    if len(key.split()) > 3:
        return None
    return key, match["value"].strip(), match["bullet"] is None


_SPACES = re.compile(r"\s+")


def _normal_key(key: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", key).lower())


def _normal(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).strip().lower())


_NUMBER_PREFIX = re.compile(r"^\d+[.)]\s*")


def _matches(name: str, names: tuple[str, ...]) -> bool:
    name = _NUMBER_PREFIX.sub("", name)
    return any(name.startswith(candidate) for candidate in names)


def _name_date(name: str) -> dt.date | None:
    text = unicodedata.normalize("NFKC", name)
    for pattern in (_DATE_IN_TEXT, _COMPACT_DATE):
        match = pattern.search(text)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return None


_LOWER_THEN_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_UPPER_THEN_WORD = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")


def _kebab(name: str) -> str:
    """`SummerCampDiscussion` -> `Summer-Camp-Discussion`; `MLOpsNight` -> `ML-Ops-Night`."""
    name = _LOWER_THEN_UPPER.sub("-", name)
    return _UPPER_THEN_WORD.sub("-", name)


_DASHES_OR_UNDERSCORES = re.compile(r"[-_]+")


def _words_from_name(name: str) -> str:
    words = _kebab(_NAME_DATE_PREFIX.sub("", name)).replace("-", " ")
    return _DASHES_OR_UNDERSCORES.sub(" ", words).strip()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _shown(path: Path) -> str:
    return relative_posix(path, Path.cwd(), resolve=True)
