"""Messages in the reader's language: English by default, Japanese from gettext catalogs.

Every sentence the tool shows a person (findings, hints, errors, summaries, what the commands
print) is written in English inside `_()`, with `{name}` fields filled by `.format()` after the
lookup, so that a translation may put the fields in its own order:

    file.report(codes.CRLF, line, _("{kinds} line endings").format(kinds=kinds))

Strings made at import time (tables of hints, labels) are marked with `N_()` and translated
with `_()` where they are used. Babel extracts the marked strings into
`locale/proceedings.pot` and compiles `locale/ja/LC_MESSAGES/proceedings.po` into the `.mo`
file read here (`scripts/dev messages`); tests/test_messages.py fails when a message has no
translation or the compiled catalog is stale.

Which language: `PROCEEDINGS_MESSAGES=en|ja` when set (a person's own choice); otherwise
Japanese when the WG's settings say `language = "ja"` or the locale is Japanese
(`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`); otherwise English. Rule codes, option names
and machine-readable fields (JSON keys, severities) are never translated.

Light (only `os`; `gettext` is imported when Japanese is chosen): the pre-commit hook
imports it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

DOMAIN = "proceedings"
LANGUAGES = ("en", "ja")
OVERRIDE_VARIABLE = "PROCEEDINGS_MESSAGES"
LOCALE_DIR = Path(__file__).parent / "locale"
# The locale variables in the order gettext reads them; the first one set decides.
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_lookup: Callable[[str], str] | None = None  # None: English, the strings as written
_plural_lookup: Callable[[str, str, int], str] | None = None
_language = "en"


def _(message: str) -> str:
    """`message` in the chosen language (unchanged in English, or when it has no translation)."""
    return message if _lookup is None else _lookup(message)


def N_(message: str) -> str:  # noqa: N802 — the name xgettext and Babel look for
    """Mark `message` for the catalog without translating it now (tables made at import)."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the chosen language."""
    if _plural_lookup is None:
        return singular if count == 1 else plural
    return _plural_lookup(singular, plural, count)


def current_language() -> str:
    return _language


def use_language(language: str) -> None:
    """Show messages in `language` ("en" or "ja") from now on, in this process."""
    global _lookup, _plural_lookup, _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown message language {language!r}")
    _language = language
    if language == "en":
        _lookup = _plural_lookup = None
        return
    import gettext  # only here: ~2 ms that an English pre-commit run does not pay

    translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)
    _lookup, _plural_lookup = translation.gettext, translation.ngettext


def choose_language(wg_language: str | None = None,
                    environ: Mapping[str, str] | None = None) -> str:
    """The message language: the person's override, else Japanese for a WG whose settings
    say `language = "ja"` (`wg_language`: None when the settings do not say) or for a
    Japanese locale, else English."""
    environ = os.environ if environ is None else environ
    override = environ.get(OVERRIDE_VARIABLE, "").strip().lower()
    if override in LANGUAGES:
        return override
    if wg_language == "ja":
        return "ja"
    return "ja" if locale_language(environ) == "ja" else "en"


def locale_language(environ: Mapping[str, str]) -> str | None:
    """The two-letter language of the locale, as gettext would read it (`ja_JP.UTF-8` → ja),
    or None for the C/POSIX locale or none set."""
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            # LANGUAGE may list several (`ja:en`); the first one is preferred.
            first = value.split(":")[0].split(".")[0].split("@")[0]
            language = first.split("_")[0].lower()
            return None if language in ("c", "posix", "") else language
    return None


def follow(wg_language: str | None = None) -> str:
    """Choose the message language (see `choose_language`) and use it; returns it."""
    language = choose_language(wg_language)
    use_language(language)
    return language
