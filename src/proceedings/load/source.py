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
from proceedings.i18n import _
from proceedings.load.front_matter import (
    WIDE_SPACE,
    front_matter_with_slips,
    has_alias,
    report_marked_error,
    report_refused_character,
)
from proceedings.load.markdown import (
    REPLACED_FOOTNOTES,
    TOO_DEEP,
    UNUSED_FOOTNOTES,
    Heading,
    complete_inline,
    headings,
    parse,
    parse_for_check,
)
from proceedings.paths import OutsideRepository, read_inside, refused_link_message

if TYPE_CHECKING:
    from markdown_it.token import Token

    from proceedings.load.encodings import EncodingGuess

MAX_FRONT_MATTER_BYTES = 64 * 1024
# check.max_note_size's default: a larger file is reported (F108) and never read, so the
# memory a check or build needs stays bounded (docs/benchmarks.md).
MAX_NOTE_BYTES = 2048 * 1024
# A full-width space (U+3000) after the fence is an IME slip: the fence still counts, and the
# slip is reported (S310) instead of the missing front matter it would otherwise cause.
FENCE = re.compile("^---[ \t\u3000]*$")
CLOSING_FENCE = re.compile("^(---|\\.\\.\\.)[ \t\u3000]*$")


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

    def construct_mapping(self: Any, node: Any, deep: bool = False) -> Any:
        # YAML lets a later `title:` silently replace an earlier one; in a note that is a
        # mistake (two titles, one lost), so it is a syntax finding at the second key.
        first_lines: dict[str, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                # `<<: {title: …}` would add keys that the duplicate check never sees.
                raise _MergeKeyError(
                    None, None, _("YAML merge keys (`<<`) are not allowed"), key_node.start_mark
                )
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in first_lines:
                    raise yaml.constructor.ConstructorError(
                        None, None,
                        _("key `{key}` appears twice (first on line {line})").format(
                            key=key_node.value, line=first_lines[key_node.value] + 2),
                        key_node.start_mark,
                    )
                first_lines[key_node.value] = key_node.start_mark.line
        return base.construct_mapping(self, node, deep=deep)

    class _MergeKeyError(yaml.constructor.ConstructorError):
        merge_key = True

    resolvers_without_timestamps = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return type("_FrontMatterLoader", (base,), {
        "__doc__": _front_matter_loader.__doc__, "construct_mapping": construct_mapping,
        "yaml_implicit_resolvers": resolvers_without_timestamps,
    })


class FrontMatterCache:
    """Front matter parsed by an earlier run, keyed by its exact text; only clean results (a
    mapping, no diagnostic) made of JSON's own types are kept (a set, a date or bytes from a
    YAML tag: parsed every time). Set `source.front_matter_cache` to use one; the check runner
    does for runs on a few files (see `proceedings.check.cache.load_front_matter`).

    The entries come from a file in the repository, so each is checked on use: a mapping of
    plain values and a mapping of keys to line numbers, or it is parsed again."""

    def __init__(self, entries: dict[str, Any] | None = None) -> None:
        self.entries: dict[str, Any] = entries or {}
        self.changed = False

    def get(self, source: str) -> tuple[dict[str, Any], dict[str, int]] | None:
        from proceedings.load.cache import plain_copy

        stored = self.entries.get(source)
        if type(stored) is not list or len(stored) != 2:
            return None
        try:
            # A fresh copy on every hit, so two files with the same front matter never share
            # objects.
            meta, key_lines = plain_copy(stored[0]), stored[1]
        except (ValueError, RecursionError):
            return None
        if type(meta) is not dict or type(key_lines) is not dict:
            return None
        last = source.count("\n") + 2  # the closing `---`
        for line in key_lines.values():
            if type(line) is not int or not 2 <= line <= last:
                return None
        return meta, dict(key_lines)

    def put(self, source: str, meta: dict[str, Any], key_lines: dict[str, int]) -> None:
        from proceedings.load.cache import plain_copy

        try:
            self.entries[source] = [plain_copy(meta), dict(key_lines)]
            self.changed = True
        except (ValueError, RecursionError):  # a value JSON does not hold: just not cached
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
        # S310: line number -> the line with its full-width slip corrected (what --fix writes).
        self.slips: dict[int, str] = {}
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

    @tokens.setter
    def tokens(self, value: list[Token]) -> None:
        self.parsed_tokens = value
        self.unparsed_inline = None

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

    @property
    def readable(self) -> bool:
        return self.text is not None

    @property
    def headings(self) -> list[Heading]:
        return headings(self.tokens, self.body_offset)

    def report(
        self, code: codes.Code, line: int, message: str, hint: str = "", col: int = 1
    ) -> None:
        self.diagnostics.append(
            Diagnostic(self.rel, line, col, code.code, message, code.severity, hint)
        )

    def report_slip(self, index: int, at: int, message: str, fixed: str) -> None:
        """S310 at line `index` (0-based), column `at` (0-based); `fixed` is the corrected line."""
        self.slips[index + 1] = fixed
        self.report(codes.FULL_WIDTH_SYNTAX, index + 1, message,
                    _("write `{line}`; `proceedings check --fix` does").format(
                        line=fixed.strip()), col=at + 1)


def is_special_file(path: Path) -> bool:
    """A pipe, socket or device: reading one could wait forever, so it is never read."""
    return path.exists() and not path.is_file()


def read_markdown(
    path: Path, rel: str, root: Path | None = None, *, max_bytes: int = MAX_NOTE_BYTES
) -> MarkdownFile:
    """Read and parse one Markdown file, never more than `max_bytes` of it (F108 beyond).
    With `root` (every read of a WG repository), a file whose real path is outside it (or in
    its .git) is not read at all: F107."""
    if is_special_file(path):
        file = MarkdownFile(path, rel, b"")
        file.report(codes.UNREADABLE, 1, _("not a regular file (a pipe, socket or device)"),
                    _("replace it with the note itself"))
        return file
    try:
        if root is None:
            with path.open("rb") as handle:
                raw = handle.read(max_bytes + 1)  # never more: the file may be huge, or growing
        else:
            raw = read_inside(path, root, limit=max_bytes + 1)
    except OutsideRepository as exc:
        file = MarkdownFile(path, rel, b"")
        report_outside(file, exc.strerror)
        return file
    except OSError as exc:
        file = MarkdownFile(path, rel, b"")
        file.report(codes.UNREADABLE, 1,
                    _("cannot read file: {reason}").format(reason=exc.strerror))
        return file
    if len(raw) > max_bytes:
        return too_large(path, rel, max_bytes)
    return parse_markdown(raw, path, rel)


def outside_message(problem: str | None) -> tuple[str, str]:
    """F107's message and hint for a file or folder that `problem` (see
    `paths.confinement_problem`) says is not repository content."""
    return (refused_link_message(problem),
            _("replace the link with the file itself, or delete it"))


def report_outside(file: MarkdownFile, problem: str | None) -> None:
    message, hint = outside_message(problem)
    file.report(codes.OUTSIDE_REPOSITORY, 1, message, hint)


def too_large(path: Path, rel: str, max_bytes: int) -> MarkdownFile:
    """An unread file with its F108 finding."""
    file = MarkdownFile(path, rel, b"")
    limit = max_bytes // 1024
    try:
        size = path.stat().st_size / 1024 / 1024
    except OSError:
        message = _("file is too large, larger than check.max_note_size ({limit} KiB): "
                    "not read").format(limit=limit)
    else:
        message = _("file is {size:.1f} MiB, larger than check.max_note_size ({limit} KiB): "
                    "not read").format(size=size, limit=limit)
    file.report(
        codes.TOO_LARGE, 1, message,
        _("split it into several notes, move data into a linked file, or raise "
          "`max_note_size` in the [check] table"),
    )
    return file


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
            codes.BOM, 1, _("file starts with a byte-order mark"),
            _("run `proceedings check --fix`"),
        )
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(file.raw) - len(raw))
        _report_encoding(
            file, offset, _("not valid UTF-8 at byte offset {offset} (byte 0x{byte:02x})").format(
                offset=offset, byte=file.raw[offset])
        )
        return None
    if "\x1b$" in text and _report_iso2022(file):  # 7-bit ISO-2022-JP is valid UTF-8 too
        return None
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        file.report(codes.CRLF, line, _line_endings_message(line_ending_names(text)),
                    _("run `proceedings check --fix`"))
        text = lf_text(text)
    if "\x00" in text:
        _report_nul(file, text)
    if text and not text.endswith("\n"):
        file.report(
            codes.NO_FINAL_NEWLINE,
            text.count("\n") + 1,
            _("no newline at end of file"),
            _("run `proceedings check --fix`"),
        )
    return text


def _line_endings_message(names: list[str]) -> str:
    """F103's message for a file with CRLF, lone CR (old Mac) line endings, or both."""
    if names == ["CRLF"]:
        return _("CRLF line endings")
    if names == ["CR"]:
        return _("CR (old Mac) line endings")
    return _("CRLF and CR (old Mac) line endings")


def _report_encoding(
    file: MarkdownFile, offset: int, what: str, guess: EncodingGuess | None = None
) -> None:
    """F110 (a legacy encoding `--fix` converts) or F101 (anything else) for a file that is
    not UTF-8 from byte `offset` on, naming the encoding the detector finds most likely."""
    from proceedings.load.encodings import guess_encoding

    line = file.raw[:offset].count(b"\n") + 1
    guess = guess or guess_encoding(file.raw)
    if guess is None:
        file.report(codes.NOT_UTF8, line,
                    _("{what}; no known encoding reads it as text").format(what=what),
                    _("re-save the file as UTF-8"))
        return
    sure = confidence_text(guess)
    if guess.convertible:
        file.report(codes.LEGACY_ENCODING, line,
                    _("{what}: the file is {encoding} ({confidence})").format(
                        what=what, encoding=guess.name, confidence=sure),
                    _("run `proceedings check --fix` to convert it to UTF-8 (lossless: "
                      "converting back to {encoding} gives the same bytes)").format(
                          encoding=guess.name))
        return
    name = file.path.name
    command = (f"iconv -f {guess.iconv} -t UTF-8 {name} > {name}.utf8 && mv {name}.utf8 "
               f"{name}")
    file.report(
        codes.NOT_UTF8, line,
        _("{what}; most likely {encoding} ({confidence})").format(
            what=what, encoding=guess.name, confidence=sure),
        _("not converted automatically: {reason}; if it is {encoding}, convert it "
          "with `{command}` and check the result").format(
              reason=guess.refusal, encoding=guess.name, command=command),
    )


def confidence_text(guess: EncodingGuess) -> str:
    """How sure the guess is and why: `certain: …`, `high confidence: …`."""
    if guess.confidence == "certain":
        return _("certain: {reason}").format(reason=guess.reason)
    if guess.confidence == "high":
        return _("high confidence: {reason}").format(reason=guess.reason)
    return _("low confidence: {reason}").format(reason=guess.reason)


def _report_iso2022(file: MarkdownFile) -> bool:
    """Report a file in ISO-2022-JP (7-bit, so it decodes as UTF-8 with escape codes in it);
    False when its escape codes are something else (C412 reports those)."""
    from proceedings.load.encodings import guess_encoding

    guess = guess_encoding(file.raw)
    if guess is None or not guess.codec.startswith("iso2022"):
        return False
    offset = file.raw.index(b"\x1b$")
    _report_encoding(
        file, offset,
        _("not UTF-8: ISO-2022-JP escape code at byte offset {offset}").format(offset=offset),
        guess
    )
    return True


def _report_nul(file: MarkdownFile, text: str) -> None:
    """One F106 at the first NUL byte, counting the rest (markdown-it makes each a U+FFFD)."""
    at = text.index("\x00")
    line_start = text.rfind("\n", 0, at) + 1
    more = text.count("\x00") - 1
    message = _("NUL byte (U+0000), and {count} more in the file: the outputs would show it "
                "as �").format(count=more) if more else \
        _("NUL byte (U+0000): the outputs would show it as �")
    file.report(
        codes.NUL_BYTE,
        text.count("\n", 0, at) + 1,
        message,
        _("run `proceedings check --fix` to delete it"),
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
        file.body = _body_with_slips(file, lines, 0) if WIDE_SPACE in text or "＃" in text \
            else text
        return
    closing = next((i for i in range(1, len(lines)) if CLOSING_FENCE.match(lines[i])), None)
    for index in (0, closing):
        if index is not None and WIDE_SPACE in lines[index]:
            fence = lines[index].rstrip(" \t" + WIDE_SPACE)
            file.report_slip(index, lines[index].index(WIDE_SPACE),
                             _("full-width space after the front-matter fence `{fence}`; the "
                               "fence must be alone on its line").format(fence=fence), fence)
    if closing is None:
        file.report(
            codes.YAML_SYNTAX,
            1,
            _("front matter opened with `---` is never closed"),
            _("add a line `---` after the last key"),
        )
        file.body = ""
        return
    file.has_front_matter = True
    file.closing_line = closing + 1
    file.body_offset = closing + 1
    file.body = _body_with_slips(file, lines, closing + 1)
    load_front_matter(file, front_matter_with_slips(file, lines[1:closing]))


def _body_with_slips(file: MarkdownFile, lines: list[str], start: int) -> str:
    """The body (file lines from `start`, 0-based) with each heading typed with a full-width
    space or `＃` (`##　概要`) read as the heading it was meant to be, reported as S310. Lines
    in fenced code blocks are left alone. The corrections keep every column."""
    body = lines[start:]
    if not any(WIDE_SPACE in line or "＃" in line for line in body):
        return "\n".join(body)
    fence = ""
    for offset, line in enumerate(body):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if indent > 3:
            continue
        if fence:
            if stripped.startswith(fence) and not stripped.strip(fence[0]).strip():
                fence = ""
            continue
        mark = stripped[:1] * 3
        if mark in ("```", "~~~") and stripped.startswith(mark):
            fence = stripped[: len(stripped) - len(stripped.lstrip(mark[0]))]
            continue
        level = len(stripped) - len(stripped.lstrip("#＃"))
        if not 1 <= level <= 6 or level == len(stripped) or stripped[level] not in " " + WIDE_SPACE:
            continue
        marks = stripped[: level + 1]
        if "＃" not in marks and WIDE_SPACE not in marks:
            continue
        fixed = line[:indent] + "#" * level + " " + stripped[level + 1 :]
        at = indent + min(i for i, c in enumerate(marks) if c in "＃" + WIDE_SPACE)
        if "＃" in marks:
            message = _("full-width `＃` in a heading; Markdown needs `{marks}` and an ASCII "
                        "space, so this line is a paragraph, not a heading")
        else:
            message = _("full-width space after `{marks}` in a heading; Markdown needs "
                        "`{marks}` and an ASCII space, so this line is a paragraph, not a "
                        "heading")
        file.report_slip(start + offset, at, message.format(marks="#" * level), fixed)
        body[offset] = fixed
    return "\n".join(body)


def load_front_matter(file: MarkdownFile, source: str) -> None:
    """Parse the front matter `source` into `file.meta` and `file.key_lines`, reporting what
    is wrong with it; a clean result comes from (and goes to) `front_matter_cache` if set."""
    if len(source.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        file.report(
            codes.UNSAFE_YAML,
            1,
            _("front matter is larger than {size} KiB").format(
                size=MAX_FRONT_MATTER_BYTES // 1024),
            _("move long content into the note body"),
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
    if ("*" in source or "&" in source) and has_alias(source):
        file.report(
            codes.UNSAFE_YAML,
            1,
            _("front matter uses YAML anchors/aliases, which are not allowed"),
            _("write the values out in full"),
        )
        return
    parsed = _parse_yaml(file, source)
    if parsed is None:
        return
    data, node, quoted = parsed
    if data is None:
        return
    if not isinstance(data, dict):
        file.report(
            codes.NOT_MAPPING,
            2,
            _("front matter must be `key: value` lines, not a {kind}").format(
                kind=type(data).__name__),
        )
        return
    file.meta = {str(key): value for key, value in data.items()}
    file.key_lines = {
        str(key_node.value): key_node.start_mark.line + 2 for key_node, _value in node.value
    }
    if cache is not None and not quoted:
        cache.put(source, file.meta, file.key_lines)


def _parse_yaml(file: MarkdownFile, source: str) -> tuple[Any, Any, int] | None:
    """(the data, its root node, how many values were read as quoted) from the YAML
    `source`, or None once its error is reported. A value that needs quotes is reported and
    read as quoted (M212), so each such line is one finding and the rest is still read."""
    import yaml

    quoted = 0
    while True:
        loader = _front_matter_loader()(source)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
            return data, node, quoted
        except yaml.MarkedYAMLError as exc:
            fixed = report_marked_error(file, source, exc, quoted)
            if fixed is None:
                return None
            source = fixed
            quoted += 1
        except yaml.reader.ReaderError as exc:  # a character YAML refuses (NUL, BEL, …)
            report_refused_character(file, source, exc)
            return None
        except (yaml.YAMLError, ValueError, RecursionError) as exc:
            file.report(codes.YAML_SYNTAX, 1,  # one line
                        _("YAML: {problem}").format(problem=" ".join(str(exc).split())))
            return None
        finally:
            loader.dispose()
