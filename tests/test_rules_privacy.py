"""C407/C408: what counts as an e-mail address or a phone number, and what must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from check_support import SESSION, found, make_wg, note, run_check

A = f"{SESSION}/01-alpha.md"

PHONES = [
    "03-1234-5678", "090-1234-5678", "0120-123-456", "(03) 1234-5678", "03 1234 5678",
    "09012345678", "０３－１２３４－５６７８", "090ー1234ー5678", "+81 3-1234-5678",
    "+81-90-1234-5678", "+819012345678", "+1 415 555 0100", "(415) 555-0100",
    "415-555-0100", "+44 20 7946 0958",
    # at the end of a sentence
    "090-1234-5678.", "03-1234-5678。", "(03) 1234-5678.",
]
NOT_PHONES = [
    "2024-03-16", "2024/03/16", "2024-03-16T10:00:00+09:00", "v1.2.3", "1.2.3.4",
    "192.168.10.1", "192.168.100.1.", "1.2.3.4.", "10:00-12:00", "p99 レイテンシ 50ms",
    "1,000,000 件", "20240316",
    "ISBN 978-4-06-512345-6", "12345678901", "https://example.com/tel/03-1234-5678",
    "commit 0123456789abcdef", "RFC 9110", "+5 %", "第 3 回 2024-08", "0.125",
    "data:image/png;base64,iVBORw0KGgo+819012345678==",
]
EMAILS = ["taro.yamada@corp.co.jp", "a+b@mail.example.jp", "<hanako@wg-mlops.org>"]
NOT_EMAILS = ["user@example.com", "x@sub.example", "git@github.com:org/repo.git", "@dataclass",
              "pkg@1.2.3", "foo@localhost", "メール@なし"]


def _check(tmp_path: Path, text: str):
    root = make_wg(tmp_path / "wg", {A: note("アルファ") + f"\n連絡先 {text} まで\n"})
    return run_check(root)


@pytest.mark.parametrize("text", PHONES)
def test_phone_numbers_are_found(tmp_path: Path, text: str) -> None:
    report = _check(tmp_path, text)
    assert found(report, "C408") == [(A, 15)]
    (diagnostic,) = [d for d in report.diagnostics if d.code == "C408"]
    assert diagnostic.col == len("連絡先 ") + 1 + (1 if text.startswith("<") else 0)


@pytest.mark.parametrize("text", NOT_PHONES)
def test_dates_versions_and_other_numbers_are_not_phone_numbers(tmp_path: Path, text) -> None:
    assert found(_check(tmp_path, text), "C408") == []


@pytest.mark.parametrize("text", EMAILS)
def test_email_addresses_are_found(tmp_path: Path, text: str) -> None:
    report = _check(tmp_path, text)
    assert found(report, "C407") == [(A, 15)]
    (diagnostic,) = [d for d in report.diagnostics if d.code == "C407"]
    assert text.strip("<>").split("@")[1] in diagnostic.message  # the domain is shown
    assert text.strip("<>").split("@")[0] not in diagnostic.message  # the mailbox is not


@pytest.mark.parametrize("text", NOT_EMAILS)
def test_documentation_addresses_and_look_alikes_are_not_reported(tmp_path: Path, text) -> None:
    assert found(_check(tmp_path, text), "C407") == []


def test_front_matter_and_code_are_published_too(tmp_path: Path) -> None:
    text = note("アルファ").replace("title: アルファ", "title: アルファ\nscribes: [taro@corp.jp]")
    text += "\n```\ncall 03-1234-5678\n```\n"
    report = run_check(make_wg(tmp_path / "wg", {A: text}))
    assert found(report, "C407") == [(A, 3)]
    assert found(report, "C408") == [(A, 17)]


def test_private_terms_are_not_echoed(tmp_path: Path) -> None:
    config = '[check]\nprivate_terms = ["Project Kestrel", "社外秘"]\n'
    text = note("アルファ") + "\nこれは社外秘。PROJECT  KESTREL も。\n"
    root = make_wg(tmp_path / "wg", {A: text}, config)
    report = run_check(root)
    assert found(report, "C409") == [(A, 15), (A, 15)]
    messages = " ".join(d.message + d.hint for d in report.diagnostics)
    assert "Kestrel" not in messages and "KESTREL" not in messages and "社外秘" not in messages


# What an IME types: full-width digits, separators, `＠` and dots, and Japanese running straight
# into the number or address.
WIDE_PHONES = [
    "０９０　１２３４　５６７８", "０３．１２３４．５６７８", "＋８１　３－１２３４－５６７８",
    "電話090-1234-5678まで", "電話：090-1234-5678", "TEL:03-1234-5678",
    "電話:０９０１２３４５６７８です",
]
WIDE_EMAILS = [
    ("taro.yamada＠corp.co.jp", 1), ("ｔａｒｏ＠ｃｏｒｐ．ｃｏ．ｊｐ", 1),
    ("taro@corp．co．jp", 1), ("taro﹫corp.co.jp", 1), ("連絡はtaro＠corp.co.jpまで", 4),
]


@pytest.mark.parametrize("text", WIDE_PHONES)
def test_phone_numbers_typed_full_width_or_inside_japanese_are_found(
    tmp_path: Path, text: str
) -> None:
    report = _check(tmp_path, text)
    assert found(report, "C408") == [(A, 15)], [d.format() for d in report.diagnostics]
    (diagnostic,) = [d for d in report.diagnostics if d.code == "C408"]
    first_digit = next(i for i, c in enumerate(text) if c in "0０+＋")
    assert diagnostic.col == len("連絡先 ") + 1 + first_digit  # the column of the original


@pytest.mark.parametrize(("text", "col"), WIDE_EMAILS)
def test_email_addresses_typed_full_width_are_found_at_their_column(
    tmp_path: Path, text: str, col: int
) -> None:
    report = _check(tmp_path, text)
    assert found(report, "C407") == [(A, 15)], [d.format() for d in report.diagnostics]
    (diagnostic,) = [d for d in report.diagnostics if d.code == "C407"]
    assert diagnostic.col == len("連絡先 ") + col
    assert "@corp.co.jp`" in diagnostic.message
    assert "full-width" in diagnostic.message


@pytest.mark.parametrize("text", ["user＠example.com", "ｕｓｅｒ＠ｅｘａｍｐｌｅ．ｃｏｍ",
                                  "メール＠なし", "10:00-12:00", "１０：００－１２：００"])
def test_full_width_documentation_addresses_and_times_are_not_findings(
    tmp_path: Path, text: str
) -> None:
    report = _check(tmp_path, text)
    assert found(report, "C407") == [] and found(report, "C408") == []
