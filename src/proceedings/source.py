"""Reading one Markdown file: decode, split front matter, parse YAML safely, parse the body.

Nothing here raises for bad input: every problem becomes a Diagnostic on the returned file.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from proceedings import codes
from proceedings.diagnostics import Diagnostic
from proceedings.markdown import (
    REPLACED_FOOTNOTES,
    TOO_DEEP,
    UNUSED_FOOTNOTES,
    Heading,
    complete_inline,
    headings,
    parse,
    parse_for_check,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

MAX_FRONT_MATTER_BYTES = 64 * 1024
FENCE = re.compile(r"^---[ \t]*$")
CLOSING_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


@lru_cache(maxsize=1)
def _front_matter_loader() -> type:
    """Safe loader that leaves dates as text, so we validate them ourselves.

    PyYAML turns `2021-02-30` into an exception deep inside the constructor; keeping timestamps
    as strings lets the schema report a clear "not a real date" with the line. Built on first
    use: importing PyYAML costs ~25 ms, which a pre-commit run whose front matter is in the
    cache (see `FrontMatterCache`) never pays.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN202
        # YAML lets a later `title:` silently replace an earlier one; in a note that is a
        # mistake (two titles, one lost), so it is a syntax finding at the second key.
        first_lines: dict[str, int] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in first_lines:
                    raise yaml.constructor.ConstructorError(
                        None, None,
                        f"key `{key_node.value}` appears twice (first on line "
                        f"{first_lines[key_node.value] + 2})",
                        key_node.start_mark,
                    )
                first_lines[key_node.value] = key_node.start_mark.line
        return base.construct_mapping(self, node, deep=deep)

    loader = type("_FrontMatterLoader", (base,), {
        "__doc__": _front_matter_loader.__doc__, "construct_mapping": construct_mapping,
    })
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return loader


class FrontMatterCache:
    """Front matter parsed by an earlier run, keyed by its exact text; only clean results (a
    mapping, no diagnostic) are kept. Set `source.front_matter_cache` to use one; the check
    runner does for runs on a few files (see `proceedings.facts_cache.load_front_matter`)."""

    def __init__(self, entries: dict[str, bytes] | None = None) -> None:
        self.entries: dict[str, bytes] = entries or {}
        self.changed = False

    def get(self, source: str) -> tuple[dict[str, Any], dict[str, int]] | None:
        import pickle

        stored = self.entries.get(source)
        # Unpickled on every hit, so two files with the same front matter never share objects.
        return pickle.loads(stored) if stored is not None else None

    def put(self, source: str, meta: dict[str, Any], key_lines: dict[str, int]) -> None:
        import pickle

        try:
            self.entries[source] = pickle.dumps((meta, key_lines))
            self.changed = True
        except Exception:  # an exotic YAML value that does not pickle: just not cached
            pass


front_matter_cache: FrontMatterCache | None = None


class MarkdownFile:
    """A decoded Markdown file with optional front matter. `text` has LF endings and no BOM.
    Made from the bytes alone; the reader fills in the rest."""

    def __init__(self, path: Path, rel: str, raw: bytes) -> None:
        self.path = path
        self.rel = rel
        self.raw = raw
        self.text: str | None = None  # None when the file could not be decoded
        self.has_front_matter = False
        self.meta: dict[str, Any] = {}
        self.key_lines: dict[str, int] = {}
        self.closing_line = 1  # line of the closing `---` (or 1 without front matter)
        self.body = ""
        self.body_offset = 0  # number of file lines before the body starts
        self.diagnostics: list[Diagnostic] = []
        self.parsed_tokens: list[Token] | None = None
        # Inline tokens the checker's parse left unparsed (see markdown.parse_for_check).
        self.unparsed_inline: list[Token] | None = None
        # Body lines (0-based) markdown-it dropped, nested past markdown.MAX_NESTING, and
        # footnote definitions nothing cites (body line, label), which the outputs leave out.
        self.too_deep: list[tuple[int, int]] = []
        self.unused_footnotes: list[tuple[int, str]] = []
        self.replaced_footnotes: list[tuple[int, str, int]] = []  # (line, label, later line)

    def __repr__(self) -> str:
        return f"MarkdownFile({self.rel!r})"

    @property
    def tokens(self) -> list[Token]:
        """The body's markdown-it tokens, parsed on first use.

        Lazy so that a checker run whose per-file facts are cached never parses.
        """
        if self.parsed_tokens is None:
            env: dict[str, Any] = {}
            self.parsed_tokens = parse(self.body, env) if self.text is not None else []
            self._keep_parse_notes(env)
        elif self.unparsed_inline:
            complete_inline(self.unparsed_inline)  # the checker parsed them only in part
        self.unparsed_inline = None
        return self.parsed_tokens

    @property
    def check_tokens(self) -> list[Token]:
        """The tokens as far as the checker reads them: block tokens, headings' children, and
        the children of inline tokens holding `[` or `<`. Cheaper than `tokens` on a cold run;
        `tokens` completes them later if needed."""
        if self.parsed_tokens is None:
            if self.text is None:
                self.parsed_tokens = []
            else:
                env: dict[str, Any] = {}
                self.parsed_tokens, self.unparsed_inline = parse_for_check(self.body, env)
                self._keep_parse_notes(env)
        return self.parsed_tokens

    def _keep_parse_notes(self, env: dict[str, Any]) -> None:
        self.too_deep = env.get(TOO_DEEP, [])
        self.unused_footnotes = env.get(UNUSED_FOOTNOTES, [])
        self.replaced_footnotes = env.get(REPLACED_FOOTNOTES, [])

    @tokens.setter
    def tokens(self, value: list[Token]) -> None:
        self.parsed_tokens = value
        self.unparsed_inline = None

    @property
    def readable(self) -> bool:
        return self.text is not None

    @property
    def headings(self) -> list[Heading]:
        return headings(self.tokens, self.body_offset)

    def report(self, code: codes.Code, line: int, message: str, hint: str = "", col: int = 1):
        self.diagnostics.append(
            Diagnostic(self.rel, line, col, code.code, message, code.severity, hint)
        )


def is_special_file(path: Path) -> bool:
    """A pipe, socket or device: reading one could wait forever, so it is never read."""
    return path.exists() and not path.is_file()


def read_markdown(path: Path, rel: str) -> MarkdownFile:
    if is_special_file(path):
        file = MarkdownFile(path, rel, b"")
        file.report(codes.UNREADABLE, 1, "not a regular file (a pipe, socket or device)",
                    "replace it with the note itself")
        return file
    try:
        raw = path.read_bytes()
    except OSError as exc:
        file = MarkdownFile(path, rel, b"")
        file.report(codes.UNREADABLE, 1, f"cannot read file: {exc.strerror}")
        return file
    return parse_markdown(raw, path, rel)


def parse_markdown(raw: bytes, path: Path, rel: str) -> MarkdownFile:
    file = MarkdownFile(path, rel, raw)
    text = _decode(file)
    if text is None:
        return file
    file.text = text
    _split_front_matter(file, text)
    return file  # the body is parsed when `tokens` is first used


def _decode(file: MarkdownFile) -> str | None:
    raw = file.raw
    if raw.startswith(b"\xef\xbb\xbf"):
        file.report(
            codes.BOM, 1, "file starts with a byte-order mark", "run `proceedings check --fix`"
        )
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(file.raw) - len(raw))
        line = file.raw[:offset].count(b"\n") + 1
        file.report(
            codes.NOT_UTF8,
            line,
            f"not valid UTF-8 at byte offset {offset} (byte 0x{file.raw[offset]:02x})",
            "re-save the file as UTF-8",
        )
        return None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        kinds = " and ".join(f"{name} (old Mac)" if name == "CR" else name
                             for name in line_ending_names(text))
        file.report(codes.CRLF, line, f"{kinds} line endings", "run `proceedings check --fix`")
        text = lf_text(text)
    if "\x00" in text:
        _report_nul(file, text)
    if text and not text.endswith("\n"):
        file.report(
            codes.NO_FINAL_NEWLINE,
            text.count("\n") + 1,
            "no newline at end of file",
            "run `proceedings check --fix`",
        )
    return text


def _report_nul(file: MarkdownFile, text: str) -> None:
    """One F106 at the first NUL byte, counting the rest (markdown-it makes each a U+FFFD)."""
    at = text.index("\x00")
    line_start = text.rfind("\n", 0, at) + 1
    more = text.count("\x00") - 1
    file.report(
        codes.NUL_BYTE,
        text.count("\n", 0, at) + 1,
        "NUL byte (U+0000)" + (f", and {more} more in the file" if more else "")
        + ": the outputs would show it as �",
        "run `proceedings check --fix` to delete it",
        col=at - line_start + 1,
    )


# A lone CR (old Mac) ends a line as CRLF and LF do, for CommonMark and for the checker.
_ENDING_NAMES = {"\r\n": "CRLF", "\r": "CR"}


def line_endings(text: str) -> dict[str, int]:
    """How many lines of `text` end in CRLF, in a lone CR and in a lone LF."""
    crlf = text.count("\r\n")
    return {"\r\n": crlf, "\r": text.count("\r") - crlf, "\n": text.count("\n") - crlf}


def line_ending_names(text: str) -> list[str]:
    """The line endings of `text` other than LF: "CRLF", "CR", both or none."""
    counts = line_endings(text)
    return [name for ending, name in _ENDING_NAMES.items() if counts[ending]]


def lf_text(text: str) -> str:
    """`text` with every line ending made LF: the lines the findings count in."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(file: MarkdownFile, text: str) -> None:
    lines = text.split("\n")
    if not lines or not FENCE.match(lines[0]):
        file.body = text
        return
    closing = next((i for i in range(1, len(lines)) if CLOSING_FENCE.match(lines[i])), None)
    if closing is None:
        file.report(
            codes.YAML_SYNTAX,
            1,
            "front matter opened with `---` is never closed",
            "add a line `---` after the last key",
        )
        file.body = ""
        return
    file.has_front_matter = True
    file.closing_line = closing + 1
    file.body_offset = closing + 1
    file.body = "\n".join(lines[closing + 1 :])
    _load_yaml(file, "\n".join(lines[1:closing]))


def _load_yaml(file: MarkdownFile, source: str) -> None:
    if len(source.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        file.report(
            codes.UNSAFE_YAML,
            1,
            f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB",
            "move long content into the note body",
        )
        return
    if not source.strip():
        return
    cache = front_matter_cache
    if cache is not None:
        hit = cache.get(source)
        if hit is not None:
            file.meta, file.key_lines = hit
            return
    import yaml

    if ("*" in source or "&" in source) and _has_alias(source):
        file.report(
            codes.UNSAFE_YAML,
            1,
            "front matter uses YAML anchors/aliases, which are not allowed",
            "write the values out in full",
        )
        return
    loader = _front_matter_loader()(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 2) if mark else 1  # +1 for 0-based, +1 for the opening ---
        col = (mark.column + 1) if mark else 1
        file.report(codes.YAML_SYNTAX, line, f"YAML: {exc.problem or exc}", col=col)
        return
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (NUL, BEL, …)
        # Found again in the text: libyaml counts the error's position in bytes, PyYAML in
        # characters.
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        index = max(source.find(chr(code)), 0)
        before = source[:index]
        line = before.count("\n") + 2  # +1 for 1-based, +1 for the opening ---
        col = index - (before.rfind("\n") + 1) + 1
        file.report(codes.YAML_SYNTAX, line, f"YAML: character U+{code:04X} is not allowed",
                    "delete it; most editors do not show it", col=col)
        return
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        file.report(codes.YAML_SYNTAX, 1, "YAML: " + " ".join(str(exc).split()))  # one line
        return
    finally:
        loader.dispose()
    if data is None:
        return
    if not isinstance(data, dict):
        file.report(
            codes.NOT_MAPPING,
            2,
            f"front matter must be `key: value` lines, not a {type(data).__name__}",
        )
        return
    file.meta = {str(key): value for key, value in data.items()}
    file.key_lines = {
        str(key_node.value): key_node.start_mark.line + 2 for key_node, _ in node.value
    }
    if cache is not None:
        cache.put(source, file.meta, file.key_lines)


def _has_alias(source: str) -> bool:
    import yaml

    try:
        return any(
            isinstance(event, yaml.AliasEvent | yaml.events.NodeEvent)
            and getattr(event, "anchor", None)
            for event in yaml.parse(source, Loader=yaml.SafeLoader)
        )
    except yaml.YAMLError:
        return False  # the real load reports the syntax error with its line
