"""Small builders for WG archives in tests."""

from __future__ import annotations

from pathlib import Path

GOOD_NOTE = """---
title: {title}
---

# {title}

## 概要

要約です。

## 議論

- 論点
"""

GOOD_SESSION = """---
title: {title}
date: {date}
---

概要の文章。
"""


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def make_archive(root: Path, config: str = "") -> Path:
    write(root / "proceedings.toml", config or 'wg_name = "Test WG"\n')
    (root / "sessions").mkdir(parents=True, exist_ok=True)
    return root


def make_session(root: Path, folder: str, title: str = "セッション", notes: int = 1) -> Path:
    session = root / "sessions" / folder
    write(session / "session.md", GOOD_SESSION.format(title=title, date=folder[:10]))
    for number in range(1, notes + 1):
        write(session / f"{number:02d}-topic-{number}.md", GOOD_NOTE.format(title=f"話題 {number}"))
    return session
