"""C407–C409: things that must not be published — e-mail addresses, phone numbers, and the
WG's own list of private names and terms (`check.private_terms`).

The whole file is scanned, front matter and code included: the WG repository is public, so
anything in it is published. Every pattern is linear in the text (no nested quantifiers), so a
huge line or a base64 image cannot make the checker hang.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from proceedings import codes
from proceedings.check.rules import rule
from proceedings.check.rules.context import CheckContext, FileInput
from proceedings.diagnostics import Diagnostic
from proceedings.i18n import _

GROUP = "content"

# What an IME types for ASCII: the full-width forms U+FF01–U+FF5E become the ASCII characters
# NFKC makes of them (＠ @, ０ 0, ． ., ａ a), the ideographic space a space, the small
# commercial at and full stop too. One character for one, so a match's offsets and columns in
# the folded copy are those of the original text.
_WIDE = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)}
_WIDE.update({"\u3000": " ", "\ufe6b": "@", "\ufe52": "."})
_WIDE_TABLE = str.maketrans(_WIDE)
# For phone numbers, dash look-alikes (and the long-vowel mark an IME types for `-`) are dashes.
_DASHES = "－‐‑‒–—―ー−"
# The full-width colon stays: `電話：090-…` is a label, not a time like `10:00`.
_FOLD = str.maketrans({**_WIDE, "：": "：", **{dash: "-" for dash in _DASHES}})
_DIGITS = "0-9０-９"
_CANDIDATE = re.compile(
    rf"[+＋(（]?[{_DIGITS}][{_DIGITS}(（)） .．\u3000{_DASHES}-]{{6,}}"
)
_AT_SIGNS = re.compile("[@＠\ufe6b]")
_MASKED_URL = re.compile(r"\b(?:https?|ftp|data):[^\s<>()\[\]\"']*", re.I)
_EMAIL_LEFT = re.compile(r"[A-Za-z0-9._%+-]{1,64}$")
_EMAIL_RIGHT = re.compile(
    r"^[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}(?![A-Za-z0-9_-])"
)
# Documentation-only domains (RFC 2606 / RFC 6761) are fine to publish.
_EXAMPLE_DOMAINS = re.compile(
    r"(^|\.)(example\.(com|net|org)|[^.]+\.(example|test|invalid|localhost))$", re.I
)

# Not inside a longer number, word, version, URL or time. Only ASCII letters count as a word:
# Japanese runs straight into a number (`電話090-1234-5678まで`).
# A colon counts only after a digit (a time, `10:00`), not after a label (`TEL:`, `電話:`).
_BEFORE = r"(?<![A-Za-z0-9_.+/@-])(?<![0-9]:)"
# A sentence may end right after the number ("… 090-1234-5678."), but not a version or IP.
_AFTER = r"(?![A-Za-z0-9_:/@-]|[.-][A-Za-z0-9_])"
_PHONE = re.compile(
    "|".join(
        (
            # Japan and most countries with a trunk prefix: 03-1234-5678, 090 1234 5678,
            # 0120-123-456, (03) 1234-5678, 020 7946 0958.
            rf"{_BEFORE}(?P<trunk>\(?0\d{{1,4}}\)?[-. ]?\d{{1,4}}[-. ]\d{{3,4}}){_AFTER}",
            # Japanese mobile numbers written without separators: 09012345678.
            rf"{_BEFORE}(?P<mobile>0[5789]0\d{{8}}){_AFTER}",
            # International: +81 3-1234-5678, +81-90-1234-5678, +1 (415) 555-0100, +4420…
            # Digit runs are possessive: a long run of digits, split every possible way into
            # the groups, cost about 1,500 steps per character before failing.
            rf"{_BEFORE}(?P<intl>\+\d{{1,3}}+(?:[-. ]?\(?\d{{1,5}}+\)?){{1,5}}){_AFTER}",
            # North American: (415) 555-0100, 415-555-0100, 415.555.0100.
            rf"{_BEFORE}(?P<nanp>(?:\([2-9]\d\d\) ?|[2-9]\d\d[-.])\d{{3}}[-.]\d{{4}}){_AFTER}",
        )
    )
)


class _Locator:
    """Offset in the file text -> (line, column), both 1-based."""

    def __init__(self, lines: list[str]) -> None:
        self.starts = [0]
        for line in lines:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def __call__(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def _text(doc: FileInput) -> str | None:
    return doc.file.text


def _locator(doc: FileInput) -> _Locator:
    """One offset -> line table per file, shared by the privacy rules."""
    facts = doc.facts
    found = getattr(facts, "_privacy_locator", None)
    if found is None:
        found = _Locator(facts.lines)
        facts._privacy_locator = found  # type: ignore[attr-defined]
    return found


@rule(codes.EMAIL_ADDRESS, kind="markdown", needs_body=False)
def email_addresses(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    text = _text(doc)
    if not text or ("@" not in text and "＠" not in text and "\ufe6b" not in text):
        return
    locate = _locator(doc)
    for offset, local, domain in _emails(text):
        if _EXAMPLE_DOMAINS.search(domain):
            continue
        line, col = locate(offset)
        written = text[offset : offset + len(local) + 1 + len(domain)]
        message = (_("e-mail address `{address}`") if written.isascii()
                   else _("e-mail address `{address}` (typed with full-width characters)"))
        yield doc.diag(
            codes.EMAIL_ADDRESS, line, message.format(address=f"{local[:2]}…@{domain}"),
            _("remove it or write the person's name instead; the repository is public"), col,
        )


def _emails(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset, local part, domain) of every e-mail address in `text`, documentation
    domains included. Full-width characters count as their ASCII forms (`ｔａｒｏ＠…`); the
    parts are returned in ASCII, the offset is the original text's."""
    start = 0
    while (found := _AT_SIGNS.search(text, start)) is not None:
        at = found.start()
        start = at + 1
        base = max(0, at - 64)
        # Folded one character for one, so offsets in `window` are offsets in `text` - base.
        window = text[base : at + 400].translate(_WIDE_TABLE)
        here = at - base
        left = _EMAIL_LEFT.search(window, 0, here)
        right = _EMAIL_RIGHT.match(window[here + 1 :])
        if left is None or right is None:
            continue
        local, domain = left.group(), right.group()
        local = local.lstrip(".")
        if not local or window[here + 1 + len(domain) : here + 2 + len(domain)] == ":":
            continue  # git@host:repo style, not an address
        yield at - len(local), local, domain
        start = at + 1 + len(domain)


@rule(codes.PHONE_NUMBER, kind="markdown", needs_body=False)
def phone_numbers(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    text = _text(doc)
    if not text:
        return
    locate = _locator(doc)
    for offset, number in _phones(text):
        line, col = locate(offset)
        yield doc.diag(
            codes.PHONE_NUMBER, line,
            _("phone number `{number}`").format(number=_mask_digits(number)),
            _("remove it; the repository is public"), col,
        )


def _phones(text: str) -> Iterator[tuple[int, str]]:
    """(offset, number) of every phone number in `text` outside URLs."""
    # Most of a note has no run of 7+ digits and separators: look closely only at those runs
    # (with a little context for the boundary checks), not at the whole text.
    has_url = "://" in text or "data:" in text.lower()
    urls = [m.span() for m in _MASKED_URL.finditer(text)] if has_url else []
    for candidate in _CANDIDATE.finditer(text):
        start = max(candidate.start() - 2, 0)
        window = text[start : candidate.end() + 2].translate(_FOLD)
        for match in _PHONE.finditer(window):
            offset = start + match.start()
            if offset < candidate.start() - 1 or any(a <= offset < b for a, b in urls):
                continue
            number = match.group()
            if _plausible(number, match.lastgroup):
                yield offset, number


def _plausible(number: str, kind: str | None) -> bool:
    digits = sum(c.isdigit() for c in number)
    if kind == "trunk":
        return digits in (10, 11)
    if kind == "intl":
        separated = any(c in number for c in " -.(")
        return 9 <= digits <= 15 and (separated or digits >= 11)
    return True


def _mask_digits(number: str) -> str:
    tail = number[-4:]
    return "…" + tail if len(number) > 4 else number


@rule(codes.PRIVATE_TERM, kind="markdown", needs_body=False)
def private_terms(doc: FileInput, ctx: CheckContext) -> Iterator[Diagnostic]:
    text = _text(doc)
    terms = ctx.private_terms
    if not text or not terms:
        return
    pattern = _terms_pattern(tuple(terms))
    locate = _locator(doc)
    for match in pattern.finditer(text):
        index = int(match.lastgroup[1:])  # type: ignore[index]
        line, col = locate(match.start())
        # The message names the list entry, not the term, so CI logs do not republish it.
        yield doc.diag(
            codes.PRIVATE_TERM, line,
            _("private term (entry {entry} of check.private_terms) must not be published")
            .format(entry=index + 1),
            _("remove or rephrase it"), col,
        )


@lru_cache(maxsize=8)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for index, term in enumerate(terms):
        words = [re.escape(word) for word in term.split()]
        body = r"\s+".join(words)  # a term may wrap across lines or spacing may vary
        if term.strip()[0].isascii() and term.strip()[0].isalnum():
            body = r"(?<![A-Za-z0-9])" + body
        if term.strip()[-1].isascii() and term.strip()[-1].isalnum():
            body += r"(?![A-Za-z0-9])"
        parts.append(f"(?P<t{index}>{body})")
    return re.compile("|".join(parts), re.IGNORECASE)


def private_reason(text: str, private_terms: Sequence[str] = ()) -> str | None:
    """Why `text` — a name from git, say — must not be published: "an e-mail address", "a
    phone number" or "a private term" (from `check.private_terms`), or None. The rules'
    patterns, except that documentation domains count too: a name that is an address is
    withheld whatever its domain."""
    if next(_emails(text), None) is not None:
        return "an e-mail address"
    if next(_phones(text), None) is not None:
        return "a phone number"
    terms = tuple(term for term in private_terms if term.strip())
    if terms and _terms_pattern(terms).search(text):
        return "a private term"
    return None
