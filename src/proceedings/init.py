"""`proceedings init`: lay out a new WG repository without ever overwriting a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from proceedings.atomic import write_text_atomic
from proceedings.config import CONFIG_FILE, Config
from proceedings.errors import ProceedingsError
from proceedings.templates import render_template


@dataclass
class InitResult:
    root: Path
    created: list[Path] = field(default_factory=list)
    overwritten: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)  # existed, left alone
    git_initialized: bool = False


def planned_files(wg_name: str, language: str) -> dict[str, str]:
    """Relative path -> content of every file `init` writes."""
    defaults = Config()
    context = {
        "wg_name": wg_name,
        "language": language,
        "config": defaults,
        "config_file": CONFIG_FILE,
    }
    return {
        CONFIG_FILE: render_template("init/proceedings.toml.j2", context),
        "README.md": render_template("init/README.md.j2", context),
        f"{defaults.sessions_dir}/.gitkeep": "",
    }


def init_repository(
    root: Path, *, wg_name: str, language: str = "ja", force: bool = False, git: bool = True
) -> InitResult:
    if root.exists() and not root.is_dir():
        raise ProceedingsError(f"{root} exists and is not a folder")
    if language not in ("ja", "en"):
        raise ProceedingsError(f"language must be ja or en, not {language!r}")
    result = InitResult(root)
    files = planned_files(wg_name, language)
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        target = root / rel
        existed = target.exists()
        if existed and not force:
            result.skipped.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, content)
        (result.overwritten if existed else result.created).append(target)
    if git and not _inside_git_repo(root):
        import git as gitpython  # heavy: only when a repository must be made

        gitpython.Repo.init(root)
        result.git_initialized = True
    return result


def _inside_git_repo(path: Path) -> bool:
    path = path.resolve()
    return any((folder / ".git").exists() for folder in (path, *path.parents))
