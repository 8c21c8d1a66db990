"""The words the compiled proceedings print around the notes, in the WG's language.

Templates get these as `labels.<name>`; a WG that wants other wording overrides the template
(`templates/proceedings.md.j2`) and writes its own text there.
"""

from __future__ import annotations

from collections.abc import Mapping

LABELS: Mapping[str, Mapping[str, str]] = {
    "ja": {
        "toc": "目次",
        "digest": "要点一覧",
        "colophon": "奥付",
        "date": "日付",
        "event": "イベント",
        "location": "場所",
        "url": "ウェブページ",
        "facilitators": "進行",
        "participants": "参加者",
        "participants_count": "{count} 名",
        "scribes": "記録者",
        "tags": "タグ",
        "status": "状態",
        "draft": "下書き",
        "final": "確定",
        "overview": "概要",
        "list_separator": "、",
        "colon": "：",
        "date_range": "{start} – {end}",
        "summary": "{sessions} セッション・{notes} トピック・要点 {key_points} 件",
        "no_key_points": "★ の付いた要点はありません。",
        "publisher": "発行",
        "title": "書名",
        "period": "期間",
        "contents": "収録",
        "generator": "生成",
        "source_commit": "ソースのコミット",
        "sources": "出典",
        "source_file": "ファイル",
        "last_commit": "最終コミット",
        "commit_date": "日付",
        "authors": "執筆者",
        "uncommitted": "未コミット",
        "generated_by": "この記録集は {tool} が各セッションのノートから生成した。",
        "missing_image": "画像がありません",
        "footnotes": "脚注",
        "figure": "図 {number}",
        "table": "表 {number}",
        "caption_separator": "\u3000",
    },
    "en": {
        "toc": "Contents",
        "digest": "Key points",
        "colophon": "Colophon",
        "date": "Date",
        "event": "Event",
        "location": "Location",
        "url": "Web page",
        "facilitators": "Facilitators",
        "participants": "Participants",
        "participants_count": "{count}",
        "scribes": "Scribes",
        "tags": "Tags",
        "status": "Status",
        "draft": "draft",
        "final": "final",
        "overview": "Overview",
        "list_separator": ", ",
        "colon": ": ",
        "date_range": "{start} – {end}",
        "summary": "{sessions} sessions, {notes} topics, {key_points} key points",
        "no_key_points": "No key points are marked with ★.",
        "publisher": "Published by",
        "title": "Title",
        "period": "Period",
        "contents": "Contents",
        "generator": "Generated with",
        "source_commit": "Source commit",
        "sources": "Sources",
        "source_file": "File",
        "last_commit": "Last commit",
        "commit_date": "Date",
        "authors": "Authors",
        "uncommitted": "not committed",
        "generated_by": "These proceedings were generated from the session notes by {tool}.",
        "missing_image": "Missing image",
        "footnotes": "Notes",
        "figure": "Figure {number}",
        "table": "Table {number}",
        "caption_separator": ": ",
    },
}


class Labels:
    """Attribute access to the labels of one language (`labels.toc`), falling back to English."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LABELS else "en"
        self._table = LABELS[self.language]

    def __getattr__(self, name: str) -> str:
        try:
            return self._table[name]
        except KeyError:
            try:
                return LABELS["en"][name]
            except KeyError:
                raise AttributeError(name) from None

    def __getitem__(self, name: str) -> str:
        return str(getattr(self, name))

    def join(self, items: list[str] | tuple[str, ...]) -> str:
        return self.list_separator.join(items)


# The document's title when the WG sets none (`title` in proceedings.toml).
DEFAULT_TITLES = {"ja": "議論記録集", "en": "Proceedings"}


def labels_for(language: str) -> Labels:
    return Labels(language)
