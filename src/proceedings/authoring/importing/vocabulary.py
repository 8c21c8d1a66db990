"""What the importer recognises in a free-form memo: metadata key names, the names of
introduction and wrap-up sections, topic headings, dates, links — and the small text helpers
that compare names the way a reader would (NFKC, case and spacing ignored)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# File names that say nothing about the memo; the folder's name is used instead.
GENERIC_STEMS = frozenset({"memo", "readme", "index", "notes", "note", "メモ", "議事録"})

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
KEY_LOOKUP = {name: key for key, names in METADATA_KEYS.items() for name in names}

# `Key: value` (also `**Key**：value`, optionally as a bullet). The key is short and has no
# Markdown punctuation; `https://...` is not a key because its value would start with `//`.
KEY_VALUE = re.compile(
    r"^\s{0,3}(?P<bullet>[-*+]\s+)?(?:\*\*|__)?(?P<key>[^\s:：*_\[\]()<>`|#!][^:：*_\[\]<>`|]{0,29}?)"
    r"(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?(?P<value>(?:.*?\S)??)\s*+\\?\s*+$"
)

# Headings that name a topic explicitly: `トピック1 …`, `Topic 2: …`, `テーマA`, `議題3`.
TOPIC_HEADING = re.compile(
    r"^(?:トピック|テーマ|議題|話題|topic|theme|agenda\s+item)"
    r"(?:\s*[0-9]+|\s*[a-z](?![a-z])|[一二三四五六七八九十]+)?\s*(?:[:.、)\-–—]|\s|$)",
    re.IGNORECASE,
)
INTRO_NAMES = (
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
CLOSING_NAMES = (
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
DISCUSSION_NAMES = frozenset({"discussion", "議論", "議事", "notes", "内容", "記録"})

DATE_IN_TEXT = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*[/\-.年]\s*(?P<m>\d{1,2})\s*[/\-.月]\s*(?P<d>\d{1,2})(?!\d)\s*日?"
)
COMPACT_DATE = re.compile(r"(?<!\d)(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)")
NAME_DATE_PREFIX = re.compile(
    r"^(?:\d{8}|\d{4}[-_.]\d{2}[-_.]\d{2}|\d{4}年\d{1,2}月\d{1,2}日)[-_ .]*"
)
# The text ends at a non-space (or is empty): a lazy `.*?` that could stop inside a run of
# spaces would rescan the rest of the run at every step (quadratic time).
_SPACES = re.compile(r"\s+")
_NUMBER_PREFIX = re.compile(r"^\d++[.)]\s*+")
_LOWER_THEN_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_UPPER_THEN_WORD = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")
_DASHES_OR_UNDERSCORES = re.compile(r"[-_]+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#])")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]++|$)((?:.*?[^ \t])??)(?:[ \t]++#++)?[ \t]*+$")
REF_DEF = re.compile(r"^ {0,3}\[(?!\^)([^\]]+)\]:")
FOOTNOTE_DEF = re.compile(r"^ {0,3}\[\^([^\]]+)\]:")
# Link targets in inline links/images, reference definitions and raw HTML attributes.
# `<…>` ends at the next `<` too (CommonMark allows none inside): each `](<` scans only to
# the next one, not to the end of the line.
INLINE_TARGET = re.compile(r"(\]\(\s*+)(<[^<>\n]*>|[^\s)]+)")
DEF_TARGET = re.compile(r"^( {0,3}\[(?!\^)[^\]]+\]:\s*)(<[^>\n]*>|\S+)")
HTML_TARGET = re.compile(r"""(\b(?:src|href)\s*=\s*["'])([^"']+)""", re.IGNORECASE)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
LIST_MARKERS = re.compile(r"^(?:(?:[-*+]|\d{1,9}[.)])\s+)+")


# --------------------------------------------------------------------------------------------
# Comparing names and reading values


def key_value(line: str) -> tuple[str, str, bool] | None:
    """(key, value, is_plain_line) when the line reads `Key: value`."""
    match = KEY_VALUE.match(line)
    if match is None or match["value"].startswith("//"):
        return None
    key = match["key"].strip()
    if len(key.split()) > 3:
        return None
    return key, match["value"].strip(), match["bullet"] is None


def normal_key(key: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", key).lower())


def normal(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).strip().lower())


def matches(name: str, names: tuple[str, ...]) -> bool:
    name = _NUMBER_PREFIX.sub("", name)
    return any(name.startswith(candidate) for candidate in names)


def name_date(name: str) -> dt.date | None:
    text = unicodedata.normalize("NFKC", name)
    for pattern in (DATE_IN_TEXT, COMPACT_DATE):
        match = pattern.search(text)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return None


def kebab(name: str) -> str:
    """`SummerCampDiscussion` -> `Summer-Camp-Discussion`; `MLOpsNight` -> `ML-Ops-Night`."""
    name = _LOWER_THEN_UPPER.sub("-", name)
    return _UPPER_THEN_WORD.sub("-", name)


def words_from_name(name: str) -> str:
    words = kebab(NAME_DATE_PREFIX.sub("", name)).replace("-", " ")
    return _DASHES_OR_UNDERSCORES.sub(" ", words).strip()


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)

