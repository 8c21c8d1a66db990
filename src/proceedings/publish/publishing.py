"""Publishing a build: provenance for every build, and `--commit`/`--push` of its outputs.

`Publishing` holds the options. The build calls `prepare` once the workspace is loaded
(preflight checks before anything is built, then provenance) and, after a successful build,
`publish` (commit only the outputs, then push); the returned `PublishOutcome` is what the CLI
presents. The git work itself is in `publish.commit` and `publish.provenance`, imported only
when needed (GitPython is heavy).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from proceedings.errors import EXIT_FINDINGS, EXIT_OK, ProceedingsError
from proceedings.i18n import _
from proceedings.paths import relative_posix

if TYPE_CHECKING:
    from proceedings.load.workspace import Workspace
    from proceedings.publish.commit import CommitResult, GitTarget, PushResult
    from proceedings.publish.provenance import Provenance
    from proceedings.render.build import BuildOptions, BuildResult


@dataclass
class PublishOutcome:
    provenance: Provenance | None
    commit: CommitResult | None = None
    push: PushResult | None = None

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.push is not None and not self.push.ok else EXIT_OK

    def to_json(self) -> dict[str, Any]:
        prov = self.provenance
        data: dict[str, Any] = {
            "provenance": None
            if prov is None
            else {
                "source_commit": prov.source_commit,
                "commit_date": prov.commit_date,
                "tool_version": prov.tool_version,
            },
        }
        if self.commit is not None:
            data["commit"] = self.commit.commit
            data["committed"] = self.commit.paths
            data["unchanged"] = self.commit.unchanged
            data["branch"] = self.commit.branch
            data["message"] = self.commit.message
        if self.push is not None:
            data["push"] = dataclasses.asdict(self.push)
        return data


@dataclass
class Publishing:
    commit: bool = False
    push: bool = False
    remote: str | None = None
    message: str | None = None
    allow_dirty: bool = False
    allow_detached: bool = False
    target: GitTarget | None = field(default=None, init=False)
    provenance: Provenance | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.commit:
            return
        needs_commit = [
            name
            for name, given in (
                ("--push", self.push),
                ("--remote", self.remote is not None),
                ("--message", self.message is not None),
                ("--allow-detached", self.allow_detached),
            )
            if given
        ]
        if needs_commit:
            raise ProceedingsError(
                _("{options} only works together with --commit").format(
                    options=", ".join(needs_commit)),
                hint=_("add --commit, e.g. `proceedings build --commit --push`"),
            )

    def prepare(self, workspace: Workspace, options: BuildOptions) -> BuildOptions:
        """Before building: refuse unsafe commits (with --commit) and collect provenance."""
        from proceedings.publish.provenance import collect_provenance
        from proceedings.render.build import OUTPUT_NAMES, output_folder, resolve_formats

        root = workspace.root
        sources = source_paths_of(workspace)
        files = [file.rel for session in workspace.sessions for file in session.files()]
        output_dir = output_folder(workspace, options.output_dir)
        output_rel = relative_posix(output_dir, root, resolve=True)
        if self.commit:
            from proceedings.publish.commit import preflight

            formats, _skipped = resolve_formats(options.formats, workspace.config.build.formats)
            planned = [
                relative_posix(output_dir / OUTPUT_NAMES[name], root, resolve=True)
                for name in formats
            ]
            self.target = preflight(
                root,
                planned,
                sources=sources,
                note_paths=files,
                output_dir=output_rel,
                allow_dirty=self.allow_dirty,
                allow_detached=self.allow_detached,
                push=self.push,
                remote=self.remote,
            )
            self.provenance = collect_provenance(
                root, files, allow_dirty=self.allow_dirty, sources=sources, exclude=[output_rel],
                private_terms=workspace.config.check.private_terms,
            )
        else:
            self.provenance = _lenient_provenance(
                root, files, sources, output_rel, workspace.config.check.private_terms
            )
        return dataclasses.replace(options, provenance=self.provenance)

    def publish(self, result: BuildResult) -> PublishOutcome:
        """After a successful build: commit only the outputs, then push if asked."""
        from proceedings.publish.commit import (
            check_output_paths,
            commit_outputs,
            default_message,
            push,
        )

        outcome = PublishOutcome(self.provenance)
        if not self.commit:
            return outcome
        assert self.target is not None
        root = result.document.root
        paths = [relative_posix(o.path, root, resolve=True) for o in result.outputs + result.assets]
        paths += [relative_posix(p, root, resolve=True) for p in result.removed]
        if result.manifest is not None:  # the record of what the build owns travels with it
            paths.append(relative_posix(result.manifest.path, root, resolve=True))
        # The outputs are known only now (copied assets): check them again, then commit.
        existing = [p for p in paths if (root / p).exists()]
        check_output_paths(root, existing)
        message = self.message or default_message(
            self.provenance,
            result.sessions,
            result.notes,
            [relative_posix(o.path, root, resolve=True) for o in result.outputs],
            forced_errors=len(result.errors) if result.forced else 0,
        )
        outcome.commit = commit_outputs(self.target, paths, message)
        if self.target.remote is not None:
            outcome.push = push(self.target)
        return outcome


def source_paths_of(workspace: Workspace) -> list[str]:
    from proceedings.config import LoadedConfig
    from proceedings.publish.provenance import source_paths

    return source_paths(LoadedConfig(workspace.root, workspace.config, workspace.config_source))


def _lenient_provenance(
    root: Path, files: list[str], sources: list[str], output_rel: str,
    private_terms: Sequence[str] = (),
) -> Provenance | None:
    """A plain build records the same provenance when it can (dirty is marked, not refused),
    so a preview matches what `--commit` publishes; without git there is simply none."""
    from proceedings.publish.provenance import collect_provenance

    if not any((folder / ".git").exists() for folder in (root.resolve(), *root.resolve().parents)):
        return None
    # An output folder outside the repository (`--output /tmp/preview`) holds nothing git
    # tracks, so there is nothing to exclude; git would refuse the path as a pathspec.
    outside = Path(output_rel).is_absolute()
    try:
        return collect_provenance(
            root, files, allow_dirty=True, sources=sources,
            exclude=[] if outside else [output_rel], private_terms=private_terms,
        )
    except ProceedingsError:
        return None  # git missing, bare repository …: build without provenance
