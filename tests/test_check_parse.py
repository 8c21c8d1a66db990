"""The checker's cheaper parse (markdown.parse_for_check) gives the checker exactly what the full
parse gives it, and the build exactly the full parse once completed."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proceedings.check.facts import collect
from proceedings.load.markdown import complete_inline, new_parser, parse, parse_for_check
from proceedings.load.source import parse_markdown

SAMPLE = Path(__file__).resolve().parents[1] / "sessions"

words = st.sampled_from(["議論", "要点", "**強調**", "`code`", "[x](a.md)", "![i](b.png)",
                         "<b>", "<!-- c -->", "[^1]", "^[inline]", "&amp;", "\\*", "~~s~~",
                         "✎ 書く", "a", " ", "\t"])
text = st.lists(st.one_of(words, st.text(max_size=4)), max_size=6).map("".join)
line = st.one_of(
    text,
    st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 7), text),
    st.sampled_from(["===", "---", "  ---", "> ---", "-", "- - -", "***", "```", "~~~",
                     "| a | b |", "|---|---|", "---|---", "2. x", "1) y", "[^1]: def",
                     "[ref]: /u", "<div>", "</div>", "\r", "    code", "\t- t", "+ p", "_ _ _",
                     "#x", "[", "<x", "~~", "``", "10. z", "> > q", "[^n]:"]),
)
prefix = st.sampled_from(["", "", "> ", "- ", "  ", "1. ", "    ", ">> ", "* "])
document = st.lists(
    st.tuples(prefix, line, st.sampled_from(["\n", "\n", "\n\n"])), max_size=14
).map(lambda parts: "".join(p + t + end for p, t, end in parts))


def _check_equivalent(source: str) -> None:
    full = parse(source)
    # The project's block loop (rules tried by first character) gives markdown-it's tokens.
    assert full == new_parser(stock_block_loop=True).parse(source, {})
    partial, unparsed = parse_for_check(source)
    # What the checker reads is already there: facts from either token stream are the same.
    file = parse_markdown(("---\ntitle: t\n---\n" + source).encode(), Path("n.md"), "n.md")
    with_partial = collect(file)
    file.tokens = parse(file.body)
    with_full = collect(file)
    for name in ("headings", "content_lines", "placeholder_lines", "links", "html", "html_ids",
                 "code_lines"):
        assert getattr(with_partial, name) == getattr(with_full, name), name
    # Completed, the tokens are the full parse's, token for token (children included).
    complete_inline(unparsed)
    assert partial == full


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document)
def test_check_parse_matches_full_parse(source: str) -> None:
    _check_equivalent(source)


def test_check_parse_matches_on_the_sample_archive() -> None:
    notes = sorted(SAMPLE.rglob("*.md"))
    assert notes
    for note in notes:
        _check_equivalent(note.read_text("utf-8"))


def test_setext_headings_and_their_lookalikes() -> None:
    for source in ["Title\n===\n", "a\n> ---\n", "- a\n  b\n  ---\n", "a\n---\n| x |\n|---|\n",
                   "p\n\n| a |\n|---|\n2. x\n", "a\r---\r", "> a\n> ===\n"]:
        _check_equivalent(source)


def test_file_tokens_are_complete_after_the_checker_read_them() -> None:
    raw = "---\ntitle: t\n---\n# T\n\n- 平文 **強調**\n- [リンク](a.md)\n".encode()
    file = parse_markdown(raw, Path("n.md"), "n.md")
    collect(file)  # the checker's partial parse
    assert file.unparsed_inline
    assert file.tokens == parse(file.body)  # what the build sees
    assert file.unparsed_inline is None


def test_the_dialect_parser_gives_markdown_its_tokens_on_a_built_document(
    sample_archive: Path, tmp_path: Path
) -> None:
    """proceedings.md (fenced divs, attributes, footnotes) read back for the HTML: the same
    tokens with the project's block loop as with markdown-it's own."""
    from proceedings.config import load_config
    from proceedings.load.workspace import load_workspace
    from proceedings.render.build import BuildOptions, build_proceedings
    from proceedings.render.dialect import dialect_parser

    workspace = load_workspace(load_config(sample_archive))
    build_proceedings(workspace, BuildOptions(formats=("md",), output_dir=tmp_path / "out"))
    text = (tmp_path / "out" / "proceedings.md").read_text("utf-8")
    assert dialect_parser().parse(text, {}) == dialect_parser(stock_block_loop=True).parse(
        text, {})
