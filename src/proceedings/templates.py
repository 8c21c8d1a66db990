"""Jinja2 templates: a WG's own `templates/` overrides the packaged defaults file by file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from proceedings.errors import ProceedingsError


def packaged_templates_dir() -> Path:
    """Templates shipped in the wheel (proceedings/templates), or the checkout's templates/."""
    inside_package = Path(__file__).parent / "templates"
    if inside_package.is_dir():
        return inside_package
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if checkout.is_dir():
        return checkout
    raise ProceedingsError(
        "the packaged templates are missing from this installation",
        hint="reinstall proceedings (`pip install --force-reinstall proceedings`)",
    )


@lru_cache(maxsize=8)
def _environment(override_dir: str | None, autoescape: bool) -> jinja2.Environment:
    search = [override_dir] if override_dir else []
    search.append(str(packaged_templates_dir()))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=autoescape,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_template(name: str, context: dict, *, override_dir: Path | None = None) -> str:
    """Render `name`, preferring `override_dir/name` (a WG's templates/) when it exists."""
    override = str(override_dir) if override_dir and override_dir.is_dir() else None
    env = _environment(override, name.endswith((".html.j2", ".html")))
    try:
        template = env.get_template(name)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise ProceedingsError(
            f"template syntax error: {exc.message}", path=exc.filename, line=exc.lineno
        ) from None
    except jinja2.TemplateNotFound:
        raise ProceedingsError(f"template `{name}` not found") from None
    except jinja2.UndefinedError as exc:
        raise ProceedingsError(
            f"template `{name}` uses an unknown value: {exc.message}",
            path=template.filename,
            hint="check the variable names against the packaged template",
        ) from None


def template_source_path(name: str, override_dir: Path | None = None) -> Path:
    if override_dir is not None and (override_dir / name).is_file():
        return override_dir / name
    return packaged_templates_dir() / name
