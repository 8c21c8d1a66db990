"""Which encoding a note that is not UTF-8 is most likely in, and whether it converts safely.

Used only when a file fails to decode as UTF-8, so the detector (charset-normalizer) is
imported then and never on the pre-commit path of a clean archive.

The detector ranks candidate encodings; this module adds what a conversion needs:

- *readings*: candidates that decode the bytes to the same text are one reading (CP932 and
  Shift_JIS-2004 usually read a note identically). One reading is unambiguous; two or more
  (a short text that reads as Japanese in CP932 and as accented Latin in Windows-1252) are not.
- *lossless*: encoding the reading again gives exactly the original bytes. ISO-2022-JP files
  whose escape sequences differ from Python's, or CP932 files that use the NEC-selected IBM
  extensions (two byte codes for one character), fail this and are never converted.

Windows' Japanese encoding (CP932) is tried before the JIS variants, because that is what
Japanese editors on Windows save as "Shift_JIS".
"""

from __future__ import annotations

from typing import NamedTuple

from proceedings.i18n import _
from proceedings.text import all_of

# The encodings the WG's editors save, tried first: Unicode with and without a byte-order
# mark, the Japanese encodings and the Western one. Only when none of these fits is every
# encoding the detector knows tried (then the result is named but never converted).
_EXPECTED = [
    "utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be",
    "cp932", "shift_jis", "shift_jis_2004", "euc_jp", "euc_jis_2004", "iso2022_jp",
    "cp1252",
]
# Multi-byte encodings: a wrong guess almost never decodes, so one clean reading can be
# trusted. A single-byte encoding decodes any bytes, so it is named but never converted.
_CONVERTIBLE = {
    "utf_16_le", "utf_16_be", "utf_32_le", "utf_32_be",
    "cp932", "shift_jis", "shift_jis_2004", "euc_jp", "euc_jis_2004", "iso2022_jp",
}
# Within one reading, the name a user knows best is shown (and given to iconv).
_PREFERRED = ["cp932", "shift_jis", "euc_jp", "iso2022_jp", "shift_jis_2004", "euc_jis_2004"]
_NAMES = {
    "cp932": ("Shift_JIS (CP932)", "CP932"),
    "shift_jis": ("Shift_JIS", "SHIFT_JIS"),
    "shift_jis_2004": ("Shift_JIS-2004", "SHIFT_JISX0213"),
    "euc_jp": ("EUC-JP", "EUC-JP"),
    "euc_jis_2004": ("EUC-JIS-2004", "EUC-JISX0213"),
    "iso2022_jp": ("ISO-2022-JP", "ISO-2022-JP"),
    "utf_16_le": ("UTF-16 LE", "UTF-16LE"),
    "utf_16_be": ("UTF-16 BE", "UTF-16BE"),
    "utf_32_le": ("UTF-32 LE", "UTF-32LE"),
    "utf_32_be": ("UTF-32 BE", "UTF-32BE"),
    "cp1252": ("Windows-1252", "WINDOWS-1252"),
    "latin_1": ("ISO-8859-1", "ISO-8859-1"),
    "cp949": ("CP949 (Korean)", "CP949"),
    "big5": ("Big5 (Chinese)", "BIG5"),
    "gb18030": ("GB18030 (Chinese)", "GB18030"),
}
# Byte-order marks, longest first (UTF-32 LE starts like UTF-16 LE).
_BOMS = [
    (b"\xff\xfe\x00\x00", "utf_32_le"), (b"\x00\x00\xfe\xff", "utf_32_be"),
    (b"\xff\xfe", "utf_16_le"), (b"\xfe\xff", "utf_16_be"),
]


class EncodingGuess(NamedTuple):
    """The most likely encoding of some bytes, how sure that is, and whether converting them
    to UTF-8 is safe."""

    codec: str  # Python's name, e.g. "cp932"
    name: str  # for people, e.g. "Shift_JIS (CP932)"
    iconv: str  # for `iconv -f`, e.g. "CP932"
    confidence: str  # "certain", "high" or "low"
    reason: str  # why that confidence, e.g. "it has a UTF-16 byte-order mark"
    text: str | None  # the decoded text when the conversion is safe, else None
    refusal: str  # why it is not converted automatically ("" when it is)

    @property
    def convertible(self) -> bool:
        return self.text is not None


def name_of(codec: str) -> tuple[str, str]:
    """(name for people, name for iconv) of a Python codec name."""
    return _NAMES.get(codec, (codec.upper().replace("_", "-"), codec.upper().replace("_", "-")))


def guess_encoding(raw: bytes) -> EncodingGuess | None:
    """The most likely encoding of `raw` (bytes that are not UTF-8), or None when nothing
    reads them as text."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _with_bom(raw, bom, codec)
    readings = _readings(raw, _EXPECTED) or _readings(raw, None)
    if not readings:
        return None
    codecs, text = readings[0]
    codec = _preferred(raw, text, codecs)
    name, iconv = name_of(codec)
    if len(readings) == 1:
        confidence = "high"
        reason = _("no other encoding tried reads it as text")
    else:
        confidence = "low"
        others = sorted({name_of(_preferred(raw, other, cs))[0] for cs, other in readings[1:]})
        listed = all_of(others)
        reason = (_("{encoding} also reads it, differently") if len(others) == 1 else
                  _("{encoding} also read it, differently")).format(encoding=listed)
    refusal = ""
    if len(readings) > 1:
        refusal = _("other encodings read it differently, so the guess is not certain")
    elif codec not in _CONVERTIBLE:
        refusal = _("{encoding} is a single-byte encoding, which reads any bytes, so the guess "
                    "cannot be confirmed").format(encoding=name)
    else:
        refusal = _lossless_problem(raw, text, codec)
    return EncodingGuess(codec, name, iconv, confidence, reason,
                         None if refusal else text, refusal)


def _with_bom(raw: bytes, bom: bytes, codec: str) -> EncodingGuess:
    name, iconv = name_of(codec)
    body = raw[len(bom):]
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        refusal = _("it has a {encoding} byte-order mark, but byte offset {offset} is not "
                    "valid {encoding}").format(encoding=name, offset=exc.start + len(bom))
        return EncodingGuess(codec, name, iconv, "low", _("byte-order mark only"), None,
                             refusal)
    refusal = _lossless_problem(body, text, codec, len(bom))
    # iconv keeps the mark when told the byte order; plain UTF-16/UTF-32 reads and drops it.
    iconv = iconv[:-2]
    return EncodingGuess(codec, name, iconv, "certain",
                         _("it starts with a {encoding} byte-order mark").format(encoding=name),
                         None if refusal else text,
                         refusal)


def _preferred(raw: bytes, text: str, codecs: list[str]) -> str:
    """The best-known encoding that reads `raw` as `text` (EUC-JP rather than EUC-JIS-2004
    when both give the same text)."""
    for codec in _PREFERRED:
        if codec in codecs:
            return codec
        try:
            if raw.decode(codec) == text:
                return codec
        except UnicodeDecodeError:
            continue
    return codecs[0]


def _is_text(text: str) -> bool:
    """False when a reading has control characters (other than tab, newline, carriage return
    and form feed), which a note never has: ISO-2022-JP read as Windows-1252 keeps its ESC
    codes, UTF-16 read as Latin-1 is half NUL bytes."""
    return not any(c < " " and c not in "\t\n\r\f" or "\x7f" <= c <= "\x9f" for c in text)


def _readings(raw: bytes, isolation: list[str] | None) -> list[tuple[list[str], str]]:
    """The detector's candidates grouped by the text they decode to, best first."""
    from charset_normalizer import from_bytes

    readings: dict[str, list[str]] = {}
    for match in from_bytes(raw, cp_isolation=isolation):
        codec = match.encoding
        if codec in ("utf_8", "ascii"):
            continue
        try:
            text = raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _is_text(text):
            continue
        readings.setdefault(text, []).append(codec)
    return [(codecs, text) for text, codecs in readings.items()]


def _lossless_problem(raw: bytes, text: str, codec: str, base: int = 0) -> str:
    """Why converting `raw` (read as `text` in `codec`) to UTF-8 would lose something, or ""."""
    if "\ufffd" in text:
        return _("it contains the replacement character U+FFFD")
    try:
        again = text.encode(codec)
    except UnicodeEncodeError as exc:
        return _("character U+{code:04X} does not convert back").format(
            code=ord(text[exc.start]))
    if again == raw:
        return ""
    at = next((i for i, (a, b) in enumerate(zip(again, raw, strict=False)) if a != b),
              min(len(again), len(raw)))
    return _("converting back to {encoding} does not give the same bytes (they differ at "
             "byte offset {offset}), so some bytes have two readings").format(
                 encoding=name_of(codec)[0], offset=base + at)
