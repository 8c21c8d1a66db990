"""Jinja2 templates: a WG's own `templates/` overrides the packaged defaults file by file.

A WG's templates come from its repository, which takes pull requests, so every template is
rendered in Jinja2's immutable sandbox: no attribute starting with `_` (the way from a template
to Python's internals and `os`), no method that changes a list, dict or set, `str.format`
checked the same way. A template that tries is refused with its file and line (a
ProceedingsError); nothing it asked for runs.

Compiled templates are kept between runs in the user's cache folder
(`$XDG_CACHE_HOME/proceedings`, else `~/.cache/proceedings`): compiling proceedings.md.j2
costs ~45 ms of every build, loading it ~1 ms. Jinja2 checks each template's source checksum,
so an edited template is compiled again; `PROCEEDINGS_NO_CACHE=1` turns the cache off, and a
folder that cannot be written only means compiling every time. That folder is outside the
repository, and only what this module compiled is written there: a compiled template is
Python code, loaded without a check, so a relative `XDG_CACHE_HOME` (which would put the folder
inside the WG repository a command runs in) is ignored, as the XDG specification asks, and the
folder's name says the code was compiled for the sandbox (Jinja2 compiles calls differently
for it, and does not tell the two apart in the cache).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from proceedings import __version__
from proceedings.errors import ProceedingsError
from proceedings.i18n import _
from proceedings.load import cache as cache_store
from proceedings.paths import real_inside


def packaged_templates_dir() -> Path:
    """Templates shipped in the wheel (proceedings/templates), or the checkout's templates/."""
    inside_package = Path(__file__).parent / "templates"
    if inside_package.is_dir():
        return inside_package
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if checkout.is_dir():
        return checkout
    raise ProceedingsError(
        _("the packaged templates are missing from this installation"),
        hint=_("reinstall proceedings (`pip install --force-reinstall proceedings`)"),
    )


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, except that it never fails a run: a file it cannot read or write
    (corrupt, read-only home, full disk) means the template is compiled as if uncached."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged cache file: compile again (and overwrite it)
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def bytecode_folder() -> Path | None:
    """Where compiled templates are kept, or None when caching is off."""
    if not cache_store.enabled():
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative (to the WG repository): not used
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):  # no home folder at all
            return None
    # Per proceedings and Jinja2 version: the Environment options below shape the compiled
    # code, and they can change between releases while a template's source stays the same.
    return (Path(base) / "proceedings"
            / f"templates-{__version__}-jinja2-{jinja2.__version__}-sandboxed")


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(folder))


def refuse_outside_templates(path: Path, override_dir: Path) -> None:
    """A WG's template override is read only when its real path is inside the real
    templates folder: a link there that leads elsewhere (out of the repository, say to
    /proc/self/environ) stops the command with one line naming the file."""
    if os.path.lexists(path) and not real_inside(
        os.path.realpath(path), os.path.realpath(override_dir)
    ):
        raise ProceedingsError(
            _("template override is a symbolic link that leads outside the templates folder; "
              "it is not read"), path=path, line=1,
            hint=_("replace the link with the template itself"),
        )


class _ConfinedLoader(jinja2.FileSystemLoader):
    """Jinja2's file loader, refusing a file of the WG's templates folder (the first
    search path) whose real path leaves that folder; the packaged templates are ours."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        override = self.searchpath[0] if len(self.searchpath) > 1 else None
        if override is not None:
            pieces = jinja2.loaders.split_template_path(template)
            refuse_outside_templates(Path(override, *pieces), Path(override))
        return super().get_source(environment, template)


@lru_cache(maxsize=8)
def _environment(
    override_dir: str | None, autoescape: bool, cache_folder: Path | None
) -> jinja2.Environment:
    search = [override_dir] if override_dir else []
    search.append(str(packaged_templates_dir()))
    environment = ImmutableSandboxedEnvironment(
        loader=_ConfinedLoader(search),
        autoescape=autoescape,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_bytecode_cache(cache_folder),
    )
    environment.filters["toml"] = toml_string
    return environment


def toml_string(value: str) -> str:
    """`value` as a quoted TOML string. A JSON string is a valid TOML basic string: quotes,
    backslashes and the C0 control characters come out escaped (DEL does not: init refuses
    it in a name, and the other values are the config's defaults)."""
    return json.dumps(value, ensure_ascii=False)


def render_template(name: str, context: dict[str, Any], *, override_dir: Path | None = None) -> str:
    """Render `name`, preferring `override_dir/name` (a WG's templates/) when it exists.

    Whatever goes wrong in a WG's own template (a refusal of the sandbox, an error its code
    raises) is a ProceedingsError naming the template's file and line."""
    override = str(override_dir) if override_dir and override_dir.is_dir() else None
    env = _environment(override, name.endswith((".html.j2", ".html")), bytecode_folder())
    template: jinja2.Template | None = None
    try:
        template = env.get_template(name)
        return template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise ProceedingsError(
            _("template syntax error: {problem}").format(problem=exc.message),
            path=exc.filename, line=exc.lineno,
        ) from None
    except jinja2.TemplateNotFound:
        raise ProceedingsError(_("template `{name}` not found").format(name=name)) from None
    except SecurityError as exc:
        frame = _template_frame(exc)
        raise ProceedingsError(
            _("template `{name}` does something not allowed in a template: {problem}").format(
                name=name, problem=_printable(exc)),
            path=frame[0] if frame else template.filename if template else None,
            line=frame[1] if frame else None,
            hint=_("a template may only use the values it is given and their public "
                   "attributes and methods; fix or delete it"),
        ) from None
    except jinja2.UndefinedError as exc:
        raise ProceedingsError(
            _("template `{name}` uses an unknown value: {problem}").format(
                name=name, problem=exc.message),
            path=template.filename if template else None,
            hint=_("check the variable names against the packaged template"),
        ) from None
    except ProceedingsError:
        raise
    except Exception as exc:
        frame = _template_frame(exc)
        if override is None or frame is None or not _inside(frame[0], override):
            raise  # in a packaged template or in proceedings itself: a bug of ours
        raise ProceedingsError(
            _("template `{name}` failed: {problem}").format(
                name=name, problem=f"{type(exc).__name__}: {_printable(exc)}"),
            path=frame[0], line=frame[1],
            hint=_("fix the template, or delete it to use the packaged one"),
        ) from None


def _inside(path: str, folder: str) -> bool:
    return os.path.abspath(path).startswith(os.path.abspath(folder) + os.sep)


def _printable(exc: BaseException) -> str:
    """The exception's text on one line, with control characters (a template chooses the
    attribute names and values the text may quote) escaped."""
    text = str(exc).rstrip(".")
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """File and line of the innermost template frame in `exc`'s traceback: Jinja2 rewrites
    the traceback so that each template frame carries the template's file and line (a frame
    it makes for the purpose, with `__jinja_exception__` among its globals)."""
    found = None
    trace = exc.__traceback__
    while trace is not None:
        if "__jinja_exception__" in trace.tb_frame.f_globals:
            found = (trace.tb_frame.f_code.co_filename, trace.tb_lineno)
        trace = trace.tb_next
    return found


def template_source_path(name: str, override_dir: Path | None = None) -> Path:
    if override_dir is not None and (override_dir / name).is_file():
        refuse_outside_templates(override_dir / name, override_dir)
        return override_dir / name
    return packaged_templates_dir() / name
