"""What a build may delete, how large its outputs may grow, one build at a time (issue #16).

- The build deletes only files it recorded as its own in an earlier build
  (`<output>/.proceedings-manifest.json`), never a site's own files, and a forged record
  makes it delete nothing outside the files it writes.
- An image shown many times is embedded once; outputs that would outgrow their sources stop
  the build before anything is rendered or written; a huge note is not read (F108).
- A second build of the same WG root waits for the first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from build_archives import PNG, archive, note, run, session, workspace
from proceedings.cli import app
from proceedings.errors import ProceedingsError
from proceedings.render.build import BuildOptions, build_proceedings

from helpers import write

S1 = "2024-05-01-spring"
MANIFEST_NAME = ".proceedings-manifest.json"  # the build's record of its own files
NOTE_BODY = "## 概要\n\n本文。\n\n## 議論\n\n- 論点\n"


def image_note(uses: int = 1) -> str:
    images = "\n\n".join(f"![図{i}](images/fig.png)" for i in range(uses))
    return note("話題", f"## 概要\n\n{images}\n\n## 議論\n\n- 論点\n")


def spring(root: Path, config: str = "", *, uses: int = 1) -> Path:
    return archive(
        root,
        {
            f"{S1}/session.md": session("春の会", "2024-05-01"),
            f"{S1}/01-a.md": image_note(uses),
            f"{S1}/images/fig.png": PNG,
        },
        config,
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(files: dict[str, str], state: str = "complete", **extra: object) -> str:
    data = {"format": "proceedings-output-manifest", "version": 1, "state": state,
            "files": files, **extra}
    return json.dumps(data)


# ----------------------------------------------------------------------------- deletion


def test_a_sites_own_assets_beside_the_outputs_are_never_deleted(tmp_path: Path) -> None:
    """output_dir = "docs": the site's docs/assets/ files stay (they were deleted before)."""
    root = spring(tmp_path / "wg", 'wg_name = "W"\noutput_dir = "docs"\n')
    site = {
        "docs/index.md": b"# Our site\n",
        "docs/assets/logo.png": PNG,
        "docs/assets/css/site.css": b"body { color: black }\n",
        f"docs/assets/{S1}/images/old-site-image.png": PNG,  # even in a folder the build uses
    }
    for rel, data in site.items():
        write(root / rel, data)
    result = run(root, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["removed"] == []
    for rel, data in site.items():
        assert (root / rel).read_bytes() == data, rel
    assert (root / "docs" / "assets" / S1 / "images" / "fig.png").read_bytes() == PNG


def test_only_files_recorded_by_an_earlier_build_are_deleted(tmp_path: Path) -> None:
    root = spring(tmp_path / "wg")
    assert run(root).exit_code == 0
    out = root / "proceedings"
    recorded = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
    assert recorded["state"] == "complete"
    assert recorded["files"][f"assets/{S1}/images/fig.png"] == sha(PNG)
    assert recorded["files"]["proceedings.md"] == sha((out / "proceedings.md").read_bytes())
    # a file the user put beside the copies, and the image no note shows any more
    write(out / "assets" / S1 / "images" / "mine.png", PNG)
    (root / "sessions" / S1 / "01-a.md").write_text(note("話題", NOTE_BODY), "utf-8")
    result = run(root, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["removed"] == [f"proceedings/assets/{S1}/images/fig.png"]
    assert (out / "assets" / S1 / "images" / "mine.png").read_bytes() == PNG
    assert f"assets/{S1}/images/fig.png" not in json.loads(
        (out / MANIFEST_NAME).read_text("utf-8")
    )["files"]


def test_a_recorded_copy_that_was_edited_since_is_kept(tmp_path: Path) -> None:
    root = spring(tmp_path / "wg")
    assert run(root).exit_code == 0
    copy = root / "proceedings" / "assets" / S1 / "images" / "fig.png"
    copy.write_bytes(PNG + b"edited")
    (root / "sessions" / S1 / "01-a.md").write_text(note("話題", NOTE_BODY), "utf-8")
    result = run(root, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["removed"] == []
    assert copy.read_bytes() == PNG + b"edited"


def forged_manifests(root: Path, outside: Path) -> list[str]:
    """Records a hostile pull request could commit, each naming a file that is not the
    build's with its correct hash."""
    canary = outside / "canary.txt"
    readme = root / "README.md"
    out_link = f"assets/{S1}-link/x.png"  # a recorded path through a symlinked folder
    return [
        manifest({"../README.md": sha(readme.read_bytes())}),
        manifest({str(canary): sha(canary.read_bytes())}),
        manifest({f"assets/{S1}/../../../README.md": sha(readme.read_bytes())}),
        manifest({"assets/./x/../../../README.md": sha(readme.read_bytes())}),
        manifest({out_link: sha(PNG)}),
        manifest({"index.md": sha(b"# Our site\n")}),
        manifest({"assets/logo.png": sha(PNG)}),
        manifest({}, "committing", moves=[], remove={"../README.md": sha(readme.read_bytes())}),
        manifest({}, "committing", moves=[[".canary.txt.abcd1234.tmp", "canary.txt"]],
                 remove={}),
        manifest({}, "staging", temps=["../README.md"]),
        manifest({}, "staging", temps=[".index.md.abcd1234.tmp"]),
        manifest({"proceedings.md": "0" * 64}, extra="key"),
        '{"format": "proceedings-output-manifest", "version": 1, "state": "complete", '
        '"files": {"proceedings.md": ' + "[" * 100_000 + "]" * 100_000 + "}}",
        "not json at all",
    ]


def test_a_forged_manifest_deletes_nothing(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside / "canary.txt", "outside the repository\n")
    write(outside / "x.png", PNG)
    root = spring(tmp_path / "wg")
    write(root / "README.md", "# WG\n")
    out = root / "proceedings"
    site = {"index.md": b"# Our site\n", "assets/logo.png": PNG,
            ".canary.txt.abcd1234.tmp": b"not ours\n", ".index.md.abcd1234.tmp": b"mine\n"}
    for text in forged_manifests(root, outside):
        for rel, data in site.items():
            write(out / rel, data)
        link = out / "assets" / f"{S1}-link"
        if not link.is_symlink():
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(outside, target_is_directory=True)
        write(out / MANIFEST_NAME, text)
        result = run(root, "--json")
        assert result.exit_code == 0, (text[:200], result.output)
        summary = json.loads(result.stdout)
        assert summary["removed"] == [], text[:200]
        assert (root / "README.md").read_text("utf-8") == "# WG\n"
        assert (outside / "canary.txt").read_text("utf-8") == "outside the repository\n"
        assert (outside / "x.png").read_bytes() == PNG
        for rel, data in site.items():
            assert (out / rel).read_bytes() == data, (rel, text[:200])
        assert not (out / "canary.txt").exists()
        # The record is replaced by a valid one listing only what this build wrote.
        rewritten = json.loads((out / MANIFEST_NAME).read_text("utf-8"))
        assert sorted(rewritten["files"]) == [
            f"assets/{S1}/images/fig.png", "proceedings.html", "proceedings.md"
        ]


def test_an_invalid_manifest_is_named_in_a_b810_warning(tmp_path: Path) -> None:
    root = spring(tmp_path / "wg")
    write(root / "proceedings" / MANIFEST_NAME, manifest({"../README.md": "0" * 64}))
    result = run(root, "--json")
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert any(
        w.startswith(f"proceedings/{MANIFEST_NAME}:1:1: B810 ") and "'../README.md'" in w
        for w in warnings
    ), warnings
    again = run(root, "--json")  # the new record is valid: no warning any more
    assert not any(" B810 " in w for w in json.loads(again.stdout)["warnings"])


def test_nothing_is_written_through_a_symlinked_assets_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = spring(tmp_path / "wg")
    (root / "proceedings").mkdir()
    (root / "proceedings" / "assets").symlink_to(outside, target_is_directory=True)
    result = run(root)
    assert result.exit_code == 2, result.output
    assert "symbolic link" in result.output or "symlink" in result.output
    assert list(outside.iterdir()) == []
    assert not (root / "proceedings" / "proceedings.md").exists()


def test_an_output_or_manifest_that_is_a_symlink_is_replaced_never_written_through(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    targets = {name: write(outside / name, f"{name} outside\n")
               for name in ("md", "html", "manifest", "png")}
    root = spring(tmp_path / "wg")
    out = root / "proceedings"
    links = {
        "md": out / "proceedings.md", "html": out / "proceedings.html",
        "manifest": out / MANIFEST_NAME, "png": out / "assets" / S1 / "images" / "fig.png",
    }
    for name, link in links.items():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(targets[name])
    result = run(root)
    assert result.exit_code == 0, result.output
    for name, target in targets.items():
        assert target.read_text("utf-8") == f"{name} outside\n"
        assert not links[name].is_symlink() and links[name].is_file()
    assert links["png"].read_bytes() == PNG


def test_temporary_files_of_killed_builds_are_removed(tmp_path: Path) -> None:
    root = spring(tmp_path / "wg")
    assert run(root).exit_code == 0
    out = root / "proceedings"
    images = out / "assets" / S1 / "images"
    left = [
        out / ".proceedings.md.k2j3h4g5.tmp",  # named as earlier versions named them
        out / ".proceedings.pdf.abcdefgh.tmp",
        out / f".{MANIFEST_NAME}.x1y2z3w4.tmp",
        images / ".fig.png.0a1b2c3d4e5f.tmp",
    ]
    kept = [out / "notes.tmp", out / ".other.md.abcd1234.tmp", images / ".x.png.abcd1234.tmp"]
    for path in left + kept:
        write(path, b"half")
    assert run(root).exit_code == 0
    assert [p for p in left if p.exists()] == []
    assert all(p.read_bytes() == b"half" for p in kept)


def test_build_commit_records_the_deletion_of_a_stale_copy(tmp_path: Path) -> None:
    from git_helpers import commit_all, commit_paths, init_repo

    root = spring(tmp_path / "wg")
    repo = init_repo(root)
    commit_all(repo, "notes")
    first = CliRunner().invoke(app, ["build", "--root", str(root), "--format", "md,html",
                                     "--commit"])
    assert first.exit_code == 0, first.output
    copy = f"proceedings/assets/{S1}/images/fig.png"
    assert copy in repo.git.ls_files().splitlines()
    (root / "sessions" / S1 / "01-a.md").write_text(note("話題", NOTE_BODY), "utf-8")
    commit_all(repo, "no image any more")
    second = CliRunner().invoke(app, ["build", "--root", str(root), "--format", "md,html",
                                      "--commit"])
    assert second.exit_code == 0, second.output
    assert copy in commit_paths(repo)
    assert copy not in repo.git.ls_files().splitlines()
    assert f"proceedings/{MANIFEST_NAME}" in repo.git.ls_files().splitlines()
    assert repo.git.status("--porcelain") == ""


# ----------------------------------------------------------------------------- amplification


def test_an_image_shown_many_times_is_embedded_once(tmp_path: Path) -> None:
    root = spring(tmp_path / "wg", uses=300)
    result = run(root)
    assert result.exit_code == 0, result.output
    page = (root / "proceedings" / "proceedings.html").read_text("utf-8")
    encoded = base64.b64encode(PNG).decode()
    assert page.count(encoded) == 1
    assert len(re.findall(r'<img alt="図\d+" data-image="1" />', page)) == 300
    assert f'img[data-image="1"] {{ content: url("data:image/png;base64,{encoded}"); }}' in page
    single = spring(tmp_path / "one", uses=1)
    assert run(single).exit_code == 0
    once = (single / "proceedings" / "proceedings.html").read_text("utf-8")
    assert once.count(encoded) == 1 and f'src="data:image/png;base64,{encoded}"' in once


def amplifying_archive(root: Path, config: str = "") -> Path:
    url = "https://example.com/" + "a" * 5000
    refs = " ".join(["[x][r]"] * 4000)
    body = f"## 概要\n\n{refs}\n\n## 議論\n\n- 論点\n\n[r]: {url}\n"
    return archive(
        root,
        {f"{S1}/session.md": session("春の会", "2024-05-01"), f"{S1}/01-a.md": note("話題", body)},
        config,
    )


def test_outputs_that_outgrow_their_sources_stop_the_build(tmp_path: Path) -> None:
    """A 25 KB note whose one long reference is used 4000 times would be a 20 MB page."""
    root = amplifying_archive(tmp_path / "wg")
    result = run(root)
    assert result.exit_code == 2, result.output
    assert "more than 50 × the" in result.output and "max_output_ratio" in result.output
    assert "nothing was written" in result.output
    assert not (root / "proceedings").exists()
    raised = amplifying_archive(
        tmp_path / "raised", 'wg_name = "W"\n[build]\nmax_output_ratio = 2000\n'
    )
    assert run(raised).exit_code == 0
    assert (raised / "proceedings" / "proceedings.html").stat().st_size > 20_000_000


def test_max_output_ratio_must_be_a_positive_whole_number(tmp_path: Path) -> None:
    for value in ("0", "1.5", '"50"', "true"):
        root = spring(tmp_path / f"wg{len(value)}{value[:1]}",
                      f'wg_name = "W"\n[build]\nmax_output_ratio = {value}\n')
        result = run(root)
        assert result.exit_code == 2, result.output
        assert "proceedings.toml:3" in result.output and "build.max_output_ratio" in result.output


def test_a_note_larger_than_max_note_size_is_f108_and_not_built(tmp_path: Path) -> None:
    big = note("話題", NOTE_BODY + "- 長い行 " + "あ" * 2000 + "\n")  # about 6 KB
    root = archive(
        tmp_path / "wg",
        {f"{S1}/session.md": session("春の会", "2024-05-01"), f"{S1}/01-a.md": big},
        'wg_name = "W"\n[check]\nmax_note_size = 4\n',
    )
    checked = CliRunner().invoke(app, ["check", "--root", str(root), "--show-source"])
    assert checked.exit_code == 1, checked.output
    assert f"sessions/{S1}/01-a.md:1:1: F108 file is 0.0 MiB, larger than " \
        "check.max_note_size (4 KiB): not read" in checked.output
    assert "あああ" not in checked.output
    built = run(root)
    assert built.exit_code == 1 and "F108" in built.output
    assert not (root / "proceedings").exists()
    (root / "proceedings.toml").write_text('wg_name = "W"\n', "utf-8")  # default: 2048 KiB
    assert run(root).exit_code == 0


# ----------------------------------------------------------------------------- one at a time

HOLD_LOCK = textwrap.dedent(
    """
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.readline()  # until the test says so
    open(sys.argv[2], "w").write("released")
    fcntl.flock(fd, fcntl.LOCK_UN)
    """
)


def hold_lock(root: Path, marker: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(root), str(marker)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


def test_a_second_build_stops_with_a_clear_message_when_the_first_does_not_end(
    tmp_path: Path,
) -> None:
    root = spring(tmp_path / "wg")
    holder = hold_lock(root, tmp_path / "released")
    try:
        with pytest.raises(ProceedingsError) as raised:
            build_proceedings(workspace(root), BuildOptions(formats=("md",), lock_timeout=0.3))
        assert "another `proceedings build` of" in str(raised.value)
        assert "waited 0.3 s" in str(raised.value)
        assert not (root / "proceedings").exists()
    finally:
        holder.communicate("go\n")


def test_a_second_build_waits_for_the_first(tmp_path: Path) -> None:
    root = spring(tmp_path / "wg")
    marker = tmp_path / "released"
    holder = hold_lock(root, marker)
    build = subprocess.Popen(
        [sys.executable, "-m", "proceedings", "build", "--root", str(root), "--format", "md"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PROCEEDINGS_PDF_HELPER": "0"},
    )
    try:
        # The build is running and cannot take the lock: it waits, writing nothing.
        with pytest.raises(subprocess.TimeoutExpired):
            build.wait(timeout=3)
        assert not (root / "proceedings").exists()
    finally:
        holder.communicate("go\n")
    output, _ = build.communicate(timeout=120)
    assert build.returncode == 0, output
    written = root / "proceedings" / "proceedings.md"
    assert written.stat().st_mtime_ns >= marker.stat().st_mtime_ns


def test_the_pdf_holds_an_image_shown_many_times_once(tmp_path: Path) -> None:
    from pypdf import PdfReader

    root = spring(tmp_path / "wg", uses=20)
    result = run(root, "--format", "pdf")
    assert result.exit_code == 0, result.output
    images = set()
    for page in PdfReader(root / "proceedings" / "proceedings.pdf").pages:
        for ref in ((page.get("/Resources") or {}).get("/XObject") or {}).values():
            if ref.get_object().get("/Subtype") == "/Image":
                images.add(ref.idnum)
    assert len(images) == 1
