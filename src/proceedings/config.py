"""WG settings: `proceedings.toml` or `[tool.proceedings]` in `pyproject.toml`.

Every key carries its own documentation (`setting(default, doc)`); docs/configuration.md is
generated from these tables by `reference_markdown()` and a test keeps the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, get_args, get_origin, get_type_hints

from proceedings import i18n, paths
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.load.setting_values import folder_problem, marker_problem, positive_problem
from proceedings.load.setting_values import (  # re-exported: render/fonts.py imports it here
    page_size_problem as page_size_problem,
)
from proceedings.paths import (
    OutsideRepository,
    confinement_problem,
    read_inside,
    refused_link_message,
)
from proceedings.text import closest, did_you_mean

CONFIG_FILE = "proceedings.toml"
PYPROJECT_FILE = "pyproject.toml"


class Setting(NamedTuple):
    """A config key: its default, its line in docs/configuration.md, and what it accepts
    (`choices`, or `check` returning what was expected when a value does not fit). A default
    that is a Table class makes the key a nested table."""

    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    check: Callable[[Any], str | None] | None = None


def setting(
    default: Any,
    doc: str,
    *,
    choices: tuple[str, ...] = (),
    check: Callable[[Any], str | None] | None = None,
) -> Any:
    """Declare a key of a Table (typed `Any` so `name: str = setting(...)` type-checks)."""
    return Setting(default, doc, choices, check)


class Table:
    """A config table, declared like a dataclass: annotated class attributes made with
    `setting()`. An instance holds every key, with the defaults filled in.

    Not a dataclass because every run loads the config, the pre-commit hook included, and a
    dataclass compiles its methods when it is defined (about 1 ms each in a fresh interpreter).
    """

    def __init__(self, **values: Any) -> None:
        for name, key in table_keys(type(self)).items():
            setattr(self, name, values.pop(name) if name in values else _fresh(key.default))
        if values:
            raise TypeError(f"{type(self).__name__} has no key {', '.join(sorted(values))}")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __repr__(self) -> str:
        keys = ", ".join(f"{name}={value!r}" for name, value in vars(self).items())
        return f"{type(self).__name__}({keys})"


def table_keys(cls: type[Table]) -> dict[str, Setting]:
    """A Table's keys in the order they are declared."""
    return {name: value for name, value in vars(cls).items() if isinstance(value, Setting)}


def is_table(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, Table)


def _fresh(default: Any) -> Any:
    """A copy of a default, so that no two configs share a list or a table."""
    if is_table(default):
        return default()
    if isinstance(default, list):
        return [_fresh(item) for item in default]
    if isinstance(default, dict):
        return {key: _fresh(item) for key, item in default.items()}
    return default


class SectionsConfig(Table):
    """The `[sections]` table: which sections a topic note must or may have."""

    required: list[list[str]] = setting(
        [["Summary", "概要"], ["Discussion", "議論"]],
        "Sections every topic note must have. Each entry lists the names a section may go by.",
    )
    optional: list[list[str]] = setting(
        [["Key points", "要点"], ["Next steps", "今後の課題"]],
        "Sections a note may have. Listed so the checker and the build know their names.",
    )


class CheckConfig(Table):
    """The `[check]` table: how `proceedings check` judges the notes."""

    fail_on: str = setting(
        "error",
        "Lowest severity that makes `proceedings check` exit 1.",
        choices=("error", "warning", "info"),
    )
    select: list[str] = setting([], "Only run these rule codes (or code prefixes). Empty: all.")
    ignore: list[str] = setting([], "Never run these rule codes (or code prefixes).")
    severity: dict[str, str] = setting(
        {}, 'Per-rule severity overrides, e.g. `{ C406 = "warning" }`.'
    )
    private_terms: list[str] = setting(
        [],
        "Names or terms that must never be published; any occurrence in a note is reported.",
    )
    max_note_size: int = setting(
        2048,
        "Largest note (or `session.md`) in KiB. A larger file is an F108 error and is not "
        "read, which bounds the memory check and build need (docs/benchmarks.md).",
        check=positive_problem,
    )


class BuildConfig(Table):
    """The `[build]` table: what `proceedings build` writes and how."""

    formats: list[str] = setting(
        ["md", "html", "pdf"], "Outputs `proceedings build` writes by default."
    )
    allow_raw_html: bool = setting(
        False, "Let a safe subset of raw HTML through. Off: raw HTML is shown as text."
    )
    paper: str = setting(
        "A4",
        "Page size for the PDF: a name (`A4`, `B5`, `JIS-B5`, `letter`, …, optionally with "
        "`landscape`) or two lengths (`182mm 257mm`).",
        check=page_size_problem,
    )
    fonts: list[str] = setting(
        [], "Extra font files (paths relative to the WG root) to use before the default stack."
    )
    markdown_flavor: str = setting(
        "github",
        "Dialect of proceedings.md: `github` (GitHub Flavored Markdown, anchors as raw "
        "`<a id>`: reads cleanly on GitHub) or `pandoc` (heading attributes and fenced divs, "
        "for feeding the file to Pandoc). The HTML and PDF are the same either way.",
        choices=("github", "pandoc"),
    )
    max_output_ratio: int = setting(
        50,
        "Largest size of a build's outputs (all formats and copied files together) as a "
        "multiple of its sources (every file of the sessions built), plus 10 MB for fonts "
        "and the page frame. A build that would write more stops before writing anything "
        "(docs/build.md).",
        check=positive_problem,
    )


class Config(Table):
    """A WG's proceedings.toml (or `[tool.proceedings]`), with every default filled in."""

    wg_name: str = setting("Working Group", "The working group's name, shown on the cover.")
    title: str = setting(
        "",
        "Title of the proceedings document. Empty: the default of the WG's language "
        "(議論記録集 for `ja`, Proceedings for `en`).",
    )
    language: str = setting(
        "ja",
        "Default language of notes and labels. When written here, also the language of the "
        "tool's messages (see docs/messages.md).",
        choices=("ja", "en"),
    )
    sessions_dir: str = setting(
        "sessions", "Folder (relative to the WG root) with the sessions.", check=folder_problem
    )
    output_dir: str = setting(
        "proceedings",
        "Folder the build writes to, inside the WG repository and outside `.git` (also when "
        "reached through a symbolic link); `build --output DIR` may name one elsewhere.",
        check=folder_problem,
    )
    templates_dir: str = setting(
        "templates", "Folder with the WG's template overrides (file by file).",
        check=folder_problem,
    )
    key_point_marker: str = setting(
        "★", "Marker that makes a list item or paragraph a key point.", check=marker_problem
    )
    sections: SectionsConfig = setting(SectionsConfig, "Note sections.")
    check: CheckConfig = setting(CheckConfig, "`proceedings check`.")
    build: BuildConfig = setting(BuildConfig, "`proceedings build`.")

    def all_section_names(self) -> set[str]:
        return {name for group in self.sections.required + self.sections.optional for name in group}


class LoadedConfig(NamedTuple):
    """The config, the WG root it belongs to, and the file it came from."""

    root: Path
    config: Config
    source: Path | None  # None: defaults, no config file found


def find_root(start: Path) -> Path | None:
    """Walk up from `start` to the first folder with proceedings.toml or [tool.proceedings]."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
        pyproject = folder / PYPROJECT_FILE
        if pyproject.is_file() and "[tool.proceedings" in _read_inside(pyproject, folder):
            return folder
    return None


def _read_inside(path: Path, root: Path) -> str:
    """A config file's text, or "" when it is a link out of `root` (never read); a user
    error naming it when it cannot be read."""
    try:
        return read_inside(path, root).decode("utf-8", "replace")
    except OutsideRepository:
        return ""
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: OSError) -> ProceedingsError:
    return ProceedingsError(
        _("cannot read the settings file: {reason}").format(reason=exc.strerror or exc),
        path=path, hint=_("make it readable (`chmod a+r`) or restore it from git"),
    )


def _refuse_outside(path: Path, root: Path) -> None:
    """A config file that is a symlink leading out of the repository is never read."""
    problem = confinement_problem(path, root)
    if problem is not None:
        raise ProceedingsError(
            refused_link_message(problem), path=path, line=1,
            hint=_("replace the link with the file itself"),
        )



def check_folder(root: Path, config: Config, source: Path | None, key: str) -> None:
    """Refuse a folder setting (`sessions_dir`, `templates_dir`, `output_dir`) whose real
    path — symlinks followed — leaves the repository or enters .git: one line naming the
    config file and line (or, for a default, the folder itself) and what to do."""
    value = getattr(config, key)
    problem = confinement_problem(root / value, root)
    if problem is None:
        return
    hint = (_("replace the link with a real folder, or pass --output DIR to write elsewhere")
            if key == "output_dir" else _("replace the link with a real folder"))
    into_git = problem == paths.INTO_GIT
    line = None
    if source is not None:
        prefix = "tool.proceedings" if source.name == PYPROJECT_FILE else ""
        line = _key_line(source.read_text("utf-8-sig", "replace"), key, prefix)
    if line is None:  # the default value: the symlink itself is the problem
        message = (_("`{key}` folder is a symbolic link that leads into the repository's "
                     ".git folder") if into_git else
                   _("`{key}` folder is a symbolic link that leads outside the repository"))
        raise ProceedingsError(message.format(key=key), path=root / value, hint=hint)
    message = (_("`{key}` = {value!r} leads into the repository's .git folder through a "
                 "symbolic link") if into_git else
               _("`{key}` = {value!r} leads outside the repository through a symbolic link"))
    raise ProceedingsError(message.format(key=key, value=value), path=source, line=line,
                           hint=hint)


def load_config(root: Path | None = None, *, cwd: Path | None = None) -> LoadedConfig:
    """Load the config for `root` (given with --root), or find it walking up from `cwd`."""
    if root is not None:
        root = root.resolve()
        if not root.is_dir():
            raise ProceedingsError(_("--root {root} is not a folder").format(root=root))
    else:
        found = find_root(cwd or Path.cwd())
        if found is None:
            raise ProceedingsError(
                _("no proceedings.toml found here or in any parent folder"),
                hint=_("run inside a WG repository, pass --root DIR, or create one with "
                       "`proceedings init`"),
            )
        root = found
    loaded = _load(root)  # every message from here on is in this WG's language
    for key in ("sessions_dir", "templates_dir"):  # output_dir: by the build (see --output)
        check_folder(root, loaded.config, loaded.source, key)
    return loaded


def _load(root: Path) -> LoadedConfig:
    config_path = root / CONFIG_FILE
    _refuse_special_file(config_path)
    if config_path.is_file():
        _refuse_outside(config_path, root)
        return _parsed(root, _read_toml(config_path), config_path)
    pyproject = root / PYPROJECT_FILE
    if pyproject.is_file():
        _refuse_outside(pyproject, root)
        tool = _read_toml(pyproject).get("tool")
        table = tool.get("proceedings") if isinstance(tool, dict) else None
        if table is not None:
            return _parsed(root, table, pyproject, "tool.proceedings")
    i18n.follow()  # no settings: the person's choice or the locale decides
    return LoadedConfig(root, Config(), None)


def _parsed(root: Path, raw: Any, path: Path, prefix: str = "") -> LoadedConfig:
    """The settings in `raw`, checked. The messages switch to the language the settings
    state first, so that the settings' own errors are in it too. Only a stated `language`
    counts, not its default (see proceedings.i18n)."""
    stated = raw.get("language") if isinstance(raw, dict) else None
    i18n.follow(stated if stated in i18n.LANGUAGES else None)
    return LoadedConfig(root, parse_config(raw, path, prefix), path)


def _refuse_special_file(path: Path) -> None:
    """A proceedings.toml that is there but is no regular file (a folder, a FIFO, a dangling
    link) is an error, not "no settings": reading a FIFO would wait forever."""
    if (path.is_symlink() or path.exists()) and not path.is_file():
        raise ProceedingsError(
            _("is not a regular file"), path=path,
            hint=_("make it a plain text file with your settings, or remove it"),
        )


def _read_settings(path: Path) -> bytes:
    """The bytes of a settings file, or a user error naming it (permissions, I/O errors)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = _read_settings(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProceedingsError(
            _("not valid UTF-8 at byte {offset}").format(offset=exc.start), path=path,
            hint=_("save the file as UTF-8"),
        ) from None
    from proceedings.load.cache import parsed_config

    return parsed_config(path, data, lambda text: _parse_toml(text, path))


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    import tomllib  # only when the text is not in the cache (see cache_store.py)

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_toml_error(str(exc))
        message = str(exc).split(" (at line")[0]
        raise ProceedingsError(_("invalid TOML: {problem}").format(problem=message), path=path,
                               line=line) from None


_TOML_ERROR_LINE = re.compile(r"line (\d+)")


def _line_from_toml_error(text: str) -> int | None:
    match = _TOML_ERROR_LINE.search(text)
    return int(match.group(1)) if match else None


def parse_config(raw: dict[str, Any], path: Path, prefix: str = "") -> Config:
    text = _read_settings(path).decode("utf-8-sig", "replace")
    config: Config = _build(Config, raw, path, text, prefix)
    return config


def _build(cls: type, raw: Any, path: Path, text: str, prefix: str) -> Any:
    if not isinstance(raw, dict):
        raise ProceedingsError(
            _("`{key}` must be a table").format(key=prefix), path=path,
            line=_key_line(text, prefix),
            hint=_("write it as a `[{key}]` header with its keys on the lines below").format(
                key=prefix),
        )
    hints = get_type_hints(cls)
    known = table_keys(cls)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if key not in known:
            close = closest(key, known)
            hint = (did_you_mean(close) if close else
                    _("known keys: {keys}").format(keys=", ".join(known)))
            raise ProceedingsError(
                _("unknown setting `{key}`").format(key=dotted), path=path,
                line=_key_line(text, key, prefix), hint=hint,
            )
        kind = hints[key]
        if is_table(kind):
            values[key] = _build(kind, value, path, text, dotted)
            continue
        problem = _type_problem(value, kind)
        choices = known[key].choices
        if problem is None and choices and value not in choices:
            problem = _("one of {choices}").format(choices=", ".join(f'"{c}"' for c in choices))
        check = known[key].check
        if problem is None and check is not None:
            problem = check(value)
        if problem is not None:
            raise ProceedingsError(
                _("`{key}` must be {expected}, not {value!r}").format(
                    key=dotted, expected=problem, value=value),
                path=path,
                line=_key_line(text, key, prefix),
            )
        values[key] = value
    return cls(**values)


def _type_problem(value: Any, kind: Any) -> str | None:
    """None when `value` fits `kind`, else a description of what was expected."""
    origin = get_origin(kind)
    if kind is bool:
        return None if isinstance(value, bool) else _("true or false")
    if kind is str:
        return None if isinstance(value, str) else _("a string")
    if kind is int:
        fits = isinstance(value, int) and not isinstance(value, bool)
        return None if fits else _("a whole number")
    if origin is list:
        (item_kind,) = get_args(kind)
        fits = isinstance(value, list) and all(_type_problem(v, item_kind) is None for v in value)
        if fits and get_origin(item_kind) is list and not all(value):
            fits = False  # an empty name group could never match a section
        if fits:
            return None
        return _("a list of strings") if item_kind is str else \
            _("a list of non-empty lists of strings")
    if origin is dict:
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            return None
        return _("a table of strings")
    raise TypeError(f"unsupported config type {kind}")  # a programming error, not user input


def _describe(kind: Any) -> str:
    if kind is str:
        return "strings"
    if get_origin(kind) is list:
        return "non-empty lists of strings"
    return str(kind)


# The name ends at a non-space (or is empty), so the lazy name and the spaces before `]` never
# share a run of spaces: linear time on `[a` followed by many spaces.
_TABLE_HEADER = re.compile(r"^\s*+\[++\s*+((?:[^\]]*?[^\]\s])??)\s*+\]+")


@lru_cache(maxsize=64)
def key_line_patterns(key: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Patterns that find the last part of `key` in TOML lines: as `key =` (after any dotted
    prefix), as a table header `[… key]`, and inside an inline table. The key is escaped;
    tests/test_linear_patterns.py runs them on hostile lines."""
    last = re.escape(key.rsplit(".", 1)[-1])
    return (
        re.compile(rf'^\s*((?:"?[\w-]+"?\s*\.\s*)*)"?{last}"?\s*='),
        re.compile(rf"^\s*\[+\s*([\w.]*\.)?{last}\s*\]+"),
        re.compile(rf'[{{,]\s*"?{last}"?\s*='),
    )


def _key_line(text: str, key: str, table: str | None = None) -> int | None:
    """Best-effort line of `key = ...` or `[key]` in TOML text (tomllib keeps no positions).

    With `table` ("" for the top level), a match inside that table is preferred: `language`
    under `[check]` is not the top-level `language`. Dotted keys (`check.fail_on = …`) count
    as inside their table, lines inside multi-line strings are skipped, and a key found only
    inside an inline table (`{ optional = 1 }`) is a last resort."""
    assignment, table_header, in_inline_table = key_line_patterns(key)
    first = inline = None
    current = ""  # the table the line is in
    open_string = None  # the quotes of a multi-line string that has not ended yet
    for number, line in enumerate(text.splitlines(), start=1):
        if open_string:
            if line.count(open_string) % 2:
                open_string = None
            continue
        header = _TABLE_HEADER.match(line)
        if header:
            current = header.group(1)
        where = None
        if header and table_header.match(line):
            # `[check.severity]` is the key `severity` of the table `check`.
            where = current.rsplit(".", 1)[0] if "." in current else ""
        elif match := assignment.match(line):
            dotted = [part.strip().strip('"') for part in match.group(1).split(".")]
            where = ".".join(part for part in [current, *dotted] if part)
        elif inline is None and in_inline_table.search(line):
            inline = number
        if where is not None:
            if table is None or where == table:
                return number
            first = first or number
        open_string = next((q for q in ('"""', "'''") if line.count(q) % 2), None)
    return first or inline


def reference_markdown() -> str:
    """The configuration reference (docs/configuration.md), generated from the Tables."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated by `python -m proceedings.config`; tests/test_config.py keeps it in"
        " step with the code. -->",
        "",
        "Settings live in `proceedings.toml` at the WG root, or under `[tool.proceedings]` in",
        "`pyproject.toml`. `proceedings` finds the file by walking up from the current folder",
        "(or takes `--root DIR`). Every key is optional; unknown keys and wrong types are",
        "errors that name the file and line.",
        "",
    ]
    lines += _reference_table(Config, "")
    return "\n".join(lines) + "\n"


def _reference_table(cls: type, prefix: str) -> list[str]:
    hints = get_type_hints(cls)
    title = f"## `[{prefix}]`" if prefix else "## Top level"
    lines = [title, "", "| key | type | default | meaning |", "|---|---|---|---|"]
    nested: list[tuple[type, str]] = []
    for name, key in table_keys(cls).items():
        kind = hints[name]
        if is_table(kind):
            nested.append((kind, f"{prefix}.{name}" if prefix else name))
            continue
        doc = key.doc
        if key.choices:
            doc += " One of: " + ", ".join(f"`{c}`" for c in key.choices) + "."
        lines.append(f"| `{name}` | {_type_name(kind)} | `{_toml_value(key.default)}` | {doc} |")
    lines.append("")
    for kind, name in nested:
        lines += _reference_table(kind, name)
    return lines


def _type_name(kind: Any) -> str:
    if kind is bool:
        return "boolean"
    if kind is str:
        return "string"
    if kind is int:
        return "integer"
    if get_origin(kind) is list:
        return "list of " + _describe(get_args(kind)[0])
    return "table of strings"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    print(reference_markdown(), end="")
