"""Writing one benchmark's results into docs/benchmarks.md between its own markers."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(name: str, body: str, *, heading: str = "") -> None:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->`, or append it
    (after `heading`, if given) when the markers are not there yet. Other sections stay."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body}{end}\n"
    text = DOCS.read_text("utf-8") if DOCS.is_file() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + block + ("\n" + after if after else "")
    else:
        title = f"{heading}\n\n" if heading else ""
        text = text.rstrip("\n") + "\n\n" + title + block
    DOCS.write_text(text, "utf-8")
