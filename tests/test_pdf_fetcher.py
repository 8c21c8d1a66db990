"""The PDF's URL policy on its own: what may be read, what is refused, and that every refusal
is recorded. (tests/test_pdf_render.py proves the same through real WeasyPrint renders.)"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from proceedings.render.fetcher import RefusedURL, SafeFetcherPolicy, make_url_fetcher


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "wg"
    (root / "sessions" / "2024-01-01-a" / "images").mkdir(parents=True)
    (root / "sessions" / "2024-01-01-a" / "images" / "ok.svg").write_text("<svg/>")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]")
    (tmp_path / "outside.txt").write_text("secret")
    return root


def test_files_inside_the_root_are_read(repo: Path) -> None:
    policy = SafeFetcherPolicy(repo)
    path = repo / "sessions" / "2024-01-01-a" / "images" / "ok.svg"
    url, body, content_type = policy.read(path.as_uri())
    assert body == b"<svg/>"
    assert content_type == "image/svg+xml"
    assert policy.fetched == ["sessions/2024-01-01-a/images/ok.svg"]
    assert policy.blocked == []


def test_data_urls_are_read(repo: Path) -> None:
    policy = SafeFetcherPolicy(repo)
    payload = base64.b64encode(b"hello").decode()
    _, body, content_type = policy.read(f"data:text/plain;base64,{payload}")
    assert body == b"hello"
    assert content_type == "text/plain"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "outside the WG repository"),
        ("http://127.0.0.1:9/secret.png", "network access is disabled"),
        ("https://example.com/logo.png", "network access is disabled"),
        ("ftp://example.com/file", "network access is disabled"),
        ("gopher://example.com/", "URLs are not fetched"),
        ("file://otherhost/etc/hostname", "another host"),
    ],
)
def test_foreign_urls_are_refused_and_recorded(repo: Path, url: str, reason: str) -> None:
    policy = SafeFetcherPolicy(repo)
    with pytest.raises(RefusedURL):
        policy.read(url)
    assert len(policy.blocked) == 1
    assert policy.blocked[0].url == url
    assert reason in policy.blocked[0].reason


def test_dot_dot_escapes_are_refused(repo: Path) -> None:
    policy = SafeFetcherPolicy(repo)
    url = (repo / "sessions").as_uri() + "/../../outside.txt"
    with pytest.raises(RefusedURL):
        policy.read(url)
    assert "leaves the WG repository" in policy.blocked[0].reason


def test_symlink_leading_out_is_refused_but_inside_is_fine(repo: Path) -> None:
    images = repo / "sessions" / "2024-01-01-a" / "images"
    os.symlink(repo.parent / "outside.txt", images / "escape.png")
    os.symlink(images / "ok.svg", images / "alias.svg")
    policy = SafeFetcherPolicy(repo)
    with pytest.raises(RefusedURL):
        policy.read((images / "escape.png").as_uri())
    assert "symbolic link" in policy.blocked[0].reason
    _, body, _ = policy.read((images / "alias.svg").as_uri())
    assert body == b"<svg/>"


def test_root_given_through_a_symlink_still_works(repo: Path, tmp_path: Path) -> None:
    link = tmp_path / "link-to-wg"
    os.symlink(repo, link)
    policy = SafeFetcherPolicy(link)
    _, body, _ = policy.read((link / "sessions/2024-01-01-a/images/ok.svg").as_uri())
    assert body == b"<svg/>"


def test_hidden_files_and_missing_files_are_refused(repo: Path) -> None:
    policy = SafeFetcherPolicy(repo)
    for url in ((repo / ".git" / "config").as_uri(), (repo / "nope.png").as_uri()):
        with pytest.raises(RefusedURL):
            policy.read(url)
    assert [b.reason for b in policy.blocked] == [
        "hidden files and folders (such as .git) are never read",
        "file does not exist",
    ]


def test_each_blocked_url_is_recorded_once(repo: Path) -> None:
    policy = SafeFetcherPolicy(repo)
    for _ in range(3):
        with pytest.raises(RefusedURL):
            policy.read("file:///etc/passwd")
    assert len(policy.blocked) == 1


def test_weasyprint_fetcher_uses_the_policy(repo: Path) -> None:
    policy = SafeFetcherPolicy(repo)
    fetcher = make_url_fetcher(policy)
    response = fetcher((repo / "sessions/2024-01-01-a/images/ok.svg").as_uri())
    assert response.read() == b"<svg/>"
    with pytest.raises(RefusedURL):
        fetcher("file:///etc/hostname")
    assert policy.blocked[0].url == "file:///etc/hostname"
