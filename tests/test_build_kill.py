"""Killed builds (SIGKILL, at random moments) leave the complete old outputs or the complete
new ones, never a mix; the next build repairs what a kill left (issue #16, defect 7).

Real builds run as subprocesses and are killed at random times: some anywhere in the build,
most during the write step (the test watches the output folder's manifest being replaced
and kills a random moment later, so the kills land before, between and after the renames).
After each kill the output folder is repaired as the next build would (`atomic.recover`)
and must hold exactly the files of a clean build of the old notes or of the new notes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from build_archives import archive, note, run, session
from proceedings.render.build import OUTPUT_NAMES, is_output_path
from proceedings.render.manifest import MANIFEST_NAME, read_manifest
from proceedings.render.output_set import recover

S1 = "2024-05-01-spring"
COPIES = 30  # linked files per version: a write step of ~70 files, long enough to hit


def versioned_archive(root: Path) -> Path:
    files: dict[str, str | bytes] = {f"{S1}/session.md": session("春の会", "2024-05-01")}
    for version in "AB":
        for n in range(COPIES):
            files[f"{S1}/data/{version}{n:02}.csv"] = f"{version},{n}\n".encode() * 3000
    archive(root, files)
    set_version(root, "A")
    return root


def set_version(root: Path, version: str) -> None:
    links = "\n".join(f"- [表{n}](data/{version}{n:02}.csv)" for n in range(COPIES))
    body = f"## 概要\n\n版 {version} の本文。\n\n## 議論\n\n{links}\n"
    path = root / "sessions" / S1 / "01-a.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(note("話題", body), "utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()
    }


def start_build(root: Path, formats: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "proceedings", "build", "--root", str(root), "--format", formats],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PROCEEDINGS_PDF_HELPER": "0"},
    )


def inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except FileNotFoundError:
        return None


def kill_during_write(build: subprocess.Popen[bytes], manifest: Path, delay: float) -> None:
    """Kill `build` `delay` seconds after it first replaces the manifest (its write step
    starts with that), or not at all if it ends first."""
    before = inode(manifest)
    while build.poll() is None:
        if inode(manifest) != before:
            time.sleep(delay)
            build.send_signal(signal.SIGKILL)
            return
        time.sleep(0.0002)


def kill_anytime(build: subprocess.Popen[bytes], delay: float) -> None:
    try:
        build.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        build.send_signal(signal.SIGKILL)


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.tmp")]


def kill_many(tmp_path: Path, formats: str, runs: int, seed: int) -> dict[str, int]:
    # The complete output set of each version comes from uninterrupted builds in the same
    # folder (the PDF's links to copied files name the folder).
    root = versioned_archive(tmp_path / f"killed-{formats}")
    out = root / "proceedings"
    assert run(root, "--format", formats).exit_code == 0
    sets = {"A": snapshot(out)}
    rng = random.Random(seed)
    # How long one build and its write step take here, measured on an uninterrupted build.
    set_version(root, "B")
    # The write step runs from the first replacement of the manifest (staging) to the last
    # (complete).
    started = time.monotonic()
    build = start_build(root, formats)
    seen_inode, changes = inode(out / MANIFEST_NAME), []
    while build.poll() is None:
        now = inode(out / MANIFEST_NAME)
        if now != seen_inode:
            seen_inode = now
            changes.append(time.monotonic())
        time.sleep(0.0002)
    assert build.returncode == 0 and changes
    whole, write = time.monotonic() - started, max(changes[-1] - changes[0], 0.002)
    sets["B"] = snapshot(out)
    assert sets["A"] != sets["B"] and temp_files(out) == []
    current = "B"

    seen = {"old": 0, "new": 0, "journal": 0}
    for n in range(runs):
        target = "A" if current == "B" else "B"
        set_version(root, target)
        build = start_build(root, formats)
        if n % 4 == 3:
            kill_anytime(build, rng.uniform(0, whole))
        else:
            kill_during_write(build, out / MANIFEST_NAME, rng.uniform(0, write * 1.3))
        build.wait()
        try:
            state = read_manifest(out, is_output_path)
        except Exception as error:  # noqa: BLE001 — the invariant says it is always valid
            pytest.fail(f"run {n}: the manifest is not valid after the kill: {error}")
        if state is not None and state.state != "complete":
            seen["journal"] += 1
        recover(out, is_output_path, OUTPUT_NAMES.values())
        after = snapshot(out)
        assert after in (sets[current], sets[target]), (
            f"run {n} (seed {seed}): after a kill and the repair the outputs are a mix of "
            f"both builds: {sorted(set(after) ^ set(sets[target]))[:5]}"
        )
        assert temp_files(out) == [], f"run {n}"
        seen["new" if after == sets[target] else "old"] += 1
        current = target if after == sets[target] else current
    # The next real build (not only the repair) also ends with the complete new set.
    target = "A" if current == "B" else "B"
    set_version(root, target)
    build = start_build(root, formats)
    kill_during_write(build, out / MANIFEST_NAME, write / 2)
    build.wait()
    result = run(root, "--format", formats)
    assert result.exit_code == 0, result.output
    assert snapshot(out) == sets[target] and temp_files(out) == []
    shutil.rmtree(tmp_path, ignore_errors=True)
    return seen


def test_builds_killed_at_random_moments_leave_the_old_or_the_new_outputs(
    tmp_path: Path,
) -> None:
    seed = int(time.time())
    seen = kill_many(tmp_path, "md,html", runs=14, seed=seed)
    # The kills landed in all three places: before the commit point (old set), after it
    # (new set), and in the middle of the write step (a journal the repair completed).
    assert seen["old"] and seen["new"] and seen["journal"], (seen, seed)


def test_pdf_builds_killed_while_writing_leave_the_old_or_the_new_outputs(
    tmp_path: Path,
) -> None:
    kill_many(tmp_path, "md,html,pdf", runs=2, seed=int(time.time()))


# A build that kills itself (SIGKILL) just before its k-th rename in the output folder — the
# manifest's replacements included. The patch lives only in this child process; the build
# code runs unchanged.
KILL_AT_RENAME = """
import os, signal, sys
import proceedings.render.output_set as atomic
calls, kill_at, out = [0], int(sys.argv[1]), os.path.join(sys.argv[2], "proceedings")
real_replace = os.replace
def replace(src, dst):
    calls[0] += str(dst).startswith(out + os.sep)
    if calls[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(src, dst)
atomic.os.replace = replace
from proceedings.cli import main
sys.argv = ["proceedings", "build", "--root", sys.argv[2], "--format", "md,html"]
main()
"""


def test_a_build_killed_before_each_rename_leaves_the_old_or_the_new_set(
    tmp_path: Path,
) -> None:
    root = tmp_path / "wg"
    files: dict[str, str | bytes] = {f"{S1}/session.md": session("春の会", "2024-05-01")}
    for version in "AB":
        for n in range(3):
            files[f"{S1}/data/{version}{n}.csv"] = f"{version},{n}\n"
    archive(root, files)
    out = root / "proceedings"

    def version(name: str) -> None:
        links = "\n".join(f"- [表{n}](data/{name}{n}.csv)" for n in range(3))
        body = f"## 概要\n\n版 {name}。\n\n## 議論\n\n{links}\n"
        (root / "sessions" / S1 / "01-a.md").write_text(note("話題", body), "utf-8")

    sets = {}
    for name in "BA":  # ends with A built
        version(name)
        assert run(root).exit_code == 0
        sets[name] = snapshot(out)
    # The write step replaces: the manifest (staging), the manifest (committing: the commit
    # point), md, html and 3 copies, the manifest (complete) — 8 renames.
    for k in range(1, 10):
        version("B")
        child = subprocess.run(
            [sys.executable, "-c", KILL_AT_RENAME, str(k), str(root)],
            capture_output=True, text=True, env={**os.environ, "PROCEEDINGS_PDF_HELPER": "0"},
        )
        killed = child.returncode == -signal.SIGKILL
        assert killed == (k <= 8), (k, child.returncode, child.stderr[-500:])
        if k % 2:
            recover(out, is_output_path, OUTPUT_NAMES.values())
            expected = "A" if k <= 2 else "B"
            assert snapshot(out) == sets[expected], k
        else:  # the next build repairs first (and says so), then builds B
            result = run(root, "--json")
            assert result.exit_code == 0, result.output
            assert bool(json.loads(result.stdout)["recovered"]) == (3 <= k <= 7), k
            assert snapshot(out) == sets["B"], k
        assert temp_files(out) == [], k
        version("A")  # back to the old set for the next round
        assert run(root).exit_code == 0
        assert snapshot(out) == sets["A"]
