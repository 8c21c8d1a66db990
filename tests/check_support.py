"""Builders for the checker's tests: small WG archives written into tmp folders."""

from __future__ import annotations

import re
from pathlib import Path

from proceedings.check.engine import CheckReport, check_workspace
from proceedings.config import load_config
from proceedings.load.workspace import load_workspace

SESSION = "sessions/2024-08-24-camp"

SESSION_MD = """---
title: 夏合宿 2024
date: 2024-08-24
---

合宿の概要。
"""

# Line numbers matter to the tests: 5 is the H1, 7 `## 概要`, 11 `## 議論`, 13 the last line.
NOTE = """---
title: {title}
---

# {title}

## 概要

要約。

## 議論

- 論点
"""

DIAGNOSTIC_LINE = re.compile(
    r"^(?P<path>\S+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]\d{3}) (?P<message>.*)$"
)


def note(title: str = "アルファ") -> str:
    return NOTE.format(title=title)


def base_files() -> dict[str, str | bytes]:
    return {
        f"{SESSION}/session.md": SESSION_MD,
        f"{SESSION}/01-alpha.md": note("アルファ"),
        f"{SESSION}/02-beta.md": note("ベータ"),
    }


def make_wg(root: Path, files: dict[str, str | bytes | None] | None = None,
            config: str = "") -> Path:
    """A WG archive: the base session, with `files` added or replaced (None removes one)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "proceedings.toml").write_text(config or 'wg_name = "Test WG"\n', encoding="utf-8")
    (root / "sessions").mkdir(exist_ok=True)
    merged: dict[str, str | bytes | None] = dict(base_files())
    merged.update(files or {})
    for rel, content in merged.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
    return root


def run_check(root: Path, **kwargs) -> CheckReport:
    workspace = load_workspace(load_config(root))
    return check_workspace(workspace, **kwargs)


def found(report: CheckReport, code: str) -> list[tuple[str, int]]:
    return [(d.path, d.line) for d in report.diagnostics if d.code == code]


def parse_text_output(output: str) -> list[dict]:
    return [m.groupdict() for m in map(DIAGNOSTIC_LINE.match, output.splitlines()) if m]
