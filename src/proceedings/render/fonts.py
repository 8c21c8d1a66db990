"""Fonts for the PDF: the default stack, a WG's own font files, and missing-glyph reports.

The stack prefers Noto Serif/Sans CJK JP (Debian: `fonts-noto-cjk`). Their Latin letters come
from Adobe's Source Serif/Sans designs, so mixed Japanese/English text stays even; DejaVu is
the Latin fallback when the CJK fonts are absent. `<html lang="ja">` lets Pango choose the JP
glyph variants from these multi-language font files.

A WG lists extra font files in `build.fonts`; each is declared with `@font-face` under its own
family name (read from the file) and put in front of the stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from proceedings.config import page_size_problem
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.paths import real_path

SERIF_STACK = (
    "Noto Serif CJK JP", "Noto Serif JP", "Source Han Serif JP", "Source Han Serif",
    "IPAexMincho", "DejaVu Serif", "serif",
)
SANS_STACK = (
    "Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP", "Source Han Sans",
    "IPAexGothic", "DejaVu Sans", "sans-serif",
)
MONO_STACK = ("DejaVu Sans Mono", "Noto Sans Mono CJK JP", "Noto Sans CJK JP", "monospace")

FONT_SUFFIXES = (".otf", ".ttf", ".ttc", ".otc", ".woff", ".woff2")
FONT_PACKAGE = "fonts-noto-cjk"
INSTALL_FONTS = f"sudo apt-get install {FONT_PACKAGE}"
EMOJI_PACKAGE = "fonts-noto-color-emoji"


@dataclass(frozen=True)
class FontFace:
    """One WG font file, declared with @font-face."""

    family: str
    weight: int
    italic: bool
    path: Path
    rel: str  # as written in the config


@dataclass(frozen=True)
class MissingGlyph:
    """A character no available font can draw, and where the notes use it."""

    char: str
    places: tuple[tuple[str, int], ...] = field(default=())  # (note path, line)

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"

    def describe(self) -> str:
        return f"“{self.char}” ({self.codepoint})" if self.char.isprintable() else self.codepoint



class _Where(TypedDict):
    """Where a font entry is written: the config file and its line, for errors."""

    path: Path | None
    line: int | None


def load_wg_fonts(root: Path, entries: Iterable[str], config_source: Path | None) -> list[FontFace]:
    """Read the WG's font files (paths relative to the WG root) and their family names."""
    faces: list[FontFace] = []
    real_root = real_path(root)
    for entry in entries:
        path = real_path(root / entry)
        where = _Where(path=config_source, line=_config_line(config_source, entry))
        if not path.is_relative_to(real_root):
            raise ProceedingsError(
                _("font `{entry}` lies outside the WG repository").format(entry=entry),
                **where, hint=_("copy the font file into the repository (e.g. fonts/)"),
            )
        if not path.is_file():
            raise ProceedingsError(
                _("font file `{entry}` does not exist").format(entry=entry), **where,
                hint=_("fix the path in `build.fonts` (relative to the WG root)"),
            )
        if path.suffix.lower() not in FONT_SUFFIXES:
            raise ProceedingsError(
                _("`{entry}` is not a font file").format(entry=entry), **where,
                hint=_("use {suffixes} files").format(suffixes=", ".join(FONT_SUFFIXES)),
            )
        faces.append(_read_face(path, entry, where))
    return faces


def _read_face(path: Path, entry: str, where: _Where) -> FontFace:
    from fontTools.ttLib import TTCollection, TTFont, TTLibError

    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            font = TTCollection(str(path), lazy=True).fonts[0]
        else:
            font = TTFont(str(path), lazy=True)
        names = font["name"]
        family = str(names.getBestFamilyName() or path.stem)
        weight = int(font["OS/2"].usWeightClass) if "OS/2" in font else 400
        italic = bool(font["head"].macStyle & 0b10)
    except (TTLibError, OSError, KeyError, AssertionError) as exc:
        raise ProceedingsError(
            _("cannot read font `{entry}`: {error}").format(entry=entry, error=exc), **where,
            hint=_("check that it is a valid font"),
        ) from None
    return FontFace(family, max(100, min(900, weight)), italic, path, entry)


def _config_line(config_source: Path | None, entry: str) -> int | None:
    if config_source is None or not config_source.is_file():
        return None
    for number, line in enumerate(config_source.read_text("utf-8", "replace").splitlines(), 1):
        if entry in line:
            return number
    return None


def stack(faces: Iterable[FontFace], base: tuple[str, ...]) -> str:
    families: list[str] = []
    for name in [face.family for face in faces] + list(base):
        if name not in families:
            families.append(name)
    return ", ".join(_css_family(name) for name in families)


def settings_css(faces: list[FontFace], paper: str) -> str:
    """Stylesheet with the WG's @font-face rules, the font stacks and the paper size.

    It is given to WeasyPrint as a *user* stylesheet, so a WG's own print.css (author origin)
    still wins wherever it says something different.
    """
    rules = [f"@page {{ size: {_paper(paper)}; }}"]
    for face in faces:
        rules.append(
            "@font-face { "
            f"font-family: {_css_family(face.family)}; "
            f"src: url({_css_string(face.path.as_uri())}); "
            f"font-weight: {face.weight}; font-style: {'italic' if face.italic else 'normal'}; }}"
        )
    rules.append(
        ":root { "
        f"--proceedings-serif: {stack(faces, SERIF_STACK)}; "
        f"--proceedings-sans: {stack(faces, SANS_STACK)}; "
        f"--proceedings-mono: {stack([], MONO_STACK)}; }}"
    )
    return "\n".join(rules) + "\n"


def _paper(value: str) -> str:
    """`build.paper` goes into CSS: only what the config accepts (names and lengths, never a
    `;` or a brace), checked again for callers that did not load it from a config."""
    problem = page_size_problem(value)
    if problem is not None:
        raise ProceedingsError(
            _("`build.paper` must be {problem}, not {value!r}").format(
                problem=problem, value=value))
    return value.strip()


def _css_family(name: str) -> str:
    generic = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}
    return name if name in generic else _css_string(name)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def locate_missing(chars: Iterable[str], sources: Mapping[str, str]) -> list[MissingGlyph]:
    """Attach to each missing character the notes (path, first line) that contain it."""
    found: list[MissingGlyph] = []
    for char in sorted(set(chars)):
        places: list[tuple[str, int]] = []
        for rel, text in sources.items():
            index = text.find(char)
            if index >= 0:
                places.append((rel, text.count("\n", 0, index) + 1))
        found.append(MissingGlyph(char, tuple(sorted(places))))
    return found


def describe_chars(missing: Iterable[MissingGlyph], limit: int = 8) -> str:
    """`“𓀀” (U+13000)` for one character; a short sample and a count for many."""
    glyphs = list(missing)
    if len(glyphs) == 1:
        return glyphs[0].describe()
    shown = " ".join(
        f"“{glyph.char}”" if glyph.char.isprintable() else glyph.codepoint
        for glyph in glyphs[:limit]
    )
    more = " …" if len(glyphs) > limit else ""
    return _("{count} characters ({shown})").format(count=len(glyphs), shown=shown + more)


def notes_using(missing: Iterable[MissingGlyph]) -> dict[str, list[MissingGlyph]]:
    """note path -> the missing characters it uses, in character order."""
    by_note: dict[str, list[MissingGlyph]] = {}
    for glyph in missing:
        for rel, _line in glyph.places:
            by_note.setdefault(rel, []).append(glyph)
    return dict(sorted(by_note.items()))


def first_line(glyphs: Iterable[MissingGlyph], rel: str) -> int:
    return min(line for glyph in glyphs for path, line in glyph.places if path == rel)


def missing_glyph_message(missing: list[MissingGlyph], limit: int = 3) -> str:
    """One line naming the characters and the notes they are used in."""
    by_note = notes_using(missing)
    places = [f"{rel}:{first_line(glyphs, rel)}" for rel, glyphs in by_note.items()]
    chars = describe_chars(missing)
    if not places:
        return _("no installed font can draw {chars}, used in the page templates or labels"
                 ).format(chars=chars)
    if len(places) > limit:
        more = len(places) - limit
        return _("no installed font can draw {chars}, used in {places} and {count} more notes"
                 ).format(chars=chars, places=", ".join(places[:limit]), count=more)
    return _("no installed font can draw {chars}, used in {places}").format(
        chars=chars, places=", ".join(places))


def missing_glyph_hint(missing: list[MissingGlyph]) -> str:
    if any(_is_cjk(glyph.char) for glyph in missing):
        return _(
            "install the Noto CJK fonts (`{command}`), add a font file that has them to "
            "`build.fonts`, or build with --allow-missing-glyphs"
        ).format(command=INSTALL_FONTS)
    if all(_is_emoji(glyph.char) for glyph in missing):
        return _(
            "install an emoji font (`{command}`), add a font file "
            "that has them to `build.fonts`, or build with --allow-missing-glyphs"
        ).format(command=f"sudo apt-get install {EMOJI_PACKAGE}")
    return _(
        "add a font file that has these characters to `build.fonts` (or install one, e.g. "
        "`{command}` for Japanese), or build with --allow-missing-glyphs"
    ).format(command=INSTALL_FONTS)


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3000 <= code <= 0x30FF  # CJK punctuation, kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3134F
    )
