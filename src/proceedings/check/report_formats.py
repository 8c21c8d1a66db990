"""Machine-readable renderings of a CheckReport: JSON, GitHub annotations, SARIF 2.1.0.

Pure functions returning strings; the CLI decides where they go. Text from the repository
(paths, messages quoting notes) never reaches a terminal or a CI log raw: JSON and SARIF write
control, bidi and invisible characters as `\\u` escapes (the data is unchanged), and the GitHub
annotations show them as visible escapes (see proceedings/visible.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from proceedings import __version__, codes
from proceedings.check.engine import CheckReport
from proceedings.diagnostics import Diagnostic, Severity
from proceedings.visible import json_safe, visible

FORMATS = ("text", "json", "github", "sarif")

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _code(diagnostic: Diagnostic) -> codes.Code | None:
    try:
        return codes.get(diagnostic.code)
    except KeyError:
        return None


def to_json(report: CheckReport, *, root: Path, fail_on: Severity) -> str:
    items = []
    for d in report.diagnostics:
        entry = _code(d)
        items.append(
            {
                "path": d.path,
                "line": d.line,
                "col": d.col,
                "code": d.code,
                "name": entry.name if entry else "",
                "severity": str(d.severity),
                "message": d.message,
                "hint": d.hint,
                "fixable": bool(entry and entry.fixable),
            }
        )
    data = {
        "version": 1,
        "tool": {"name": "proceedings", "version": __version__},
        "root": str(root),
        "files": report.files,
        "fail_on": str(fail_on),
        "failed": report.failed(fail_on),
        "summary": {
            "errors": report.errors,
            "warnings": report.warnings,
            "info": report.infos,
            "suppressed": report.suppressed,
        },
        "diagnostics": items,
    }
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"


def _escape_data(text: str) -> str:
    """A workflow command's message: visible first (no raw control character in the log,
    no `##[`), then GitHub's own escapes."""
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value (file, title): `:` and `,` would end it."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(report: CheckReport) -> str:
    """GitHub Actions workflow commands: one `::error file=…,line=…::message` per finding."""
    lines = []
    for d in report.diagnostics:
        entry = _code(d)
        title = f"{d.code} {entry.name}" if entry else d.code
        message = f"{d.message} ({d.hint})" if d.hint else d.message
        lines.append(
            f"::{_GITHUB_LEVEL[d.severity]} file={_escape_property(d.path)},line={d.line},"
            f"col={d.col},title={_escape_property(title)}::{_escape_data(message)}"
        )
    return "".join(line + "\n" for line in lines)


def to_sarif(report: CheckReport, *, root: Path) -> str:
    """A SARIF 2.1.0 log with one run; rules are every code the run checked."""
    rule_codes = sorted(set(report.codes_run) | {d.code for d in report.diagnostics})
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for code in rule_codes:
        try:
            entry = codes.get(code)
        except KeyError:
            continue
        index[code] = len(rules)
        rules.append(
            {
                "id": entry.code,
                "name": entry.name,
                "shortDescription": {"text": entry.summary},
                "defaultConfiguration": {"level": _SARIF_LEVEL[entry.severity]},
                "properties": {"group": entry.group, "fixable": entry.fixable},
            }
        )
    results = []
    for d in report.diagnostics:
        message = f"{d.message} ({d.hint})" if d.hint else d.message
        result: dict[str, Any] = {
            "ruleId": d.code,
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _uri_path(d.path), "uriBaseId": "WGROOT"},
                        "region": {"startLine": max(d.line, 1), "startColumn": max(d.col, 1)},
                    }
                }
            ],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        results.append(result)
    root_uri = root.resolve().as_uri().rstrip("/") + "/"
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "proceedings",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"WGROOT": {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json_safe(json.dumps(log, ensure_ascii=False, indent=2)) + "\n"


def _uri_path(path: str) -> str:
    # A name that is not UTF-8 holds surrogate escapes; its bytes are what the URI encodes.
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")
