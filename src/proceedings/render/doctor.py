"""`proceedings doctor`: is this machine ready to build the PDF?

Checks WeasyPrint, Pango, HarfBuzz subsetting (fast font embedding), the CJK fonts fontconfig
can see, git, and — inside a WG repository — the font files listed in `build.fonts`. Each
check says what is wrong and which package fixes it; the report ends with one `apt-get`
command for everything missing. Nothing here prints: the CLI presents the `DoctorReport`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import io
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from proceedings.errors import ProceedingsError
from proceedings.i18n import N_, _
from proceedings.render.fonts import SANS_STACK, SERIF_STACK

OK, WARNING, MISSING = "ok", "warning", "missing"
MIN_PANGO = (1, 44, 0)  # WeasyPrint's minimum
WEASYPRINT_PIN = "weasyprint>=70,<71"
PANGO_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0")
SUBSET_PACKAGE = "libharfbuzz-subset0"
CJK_PACKAGE = "fonts-noto-cjk"

# Families that draw Japanese well; any other family with "CJK" in its name also counts.
JAPANESE_FAMILIES = tuple(
    name for name in SERIF_STACK + SANS_STACK if name not in ("serif", "sans-serif")
    and not name.startswith("DejaVu")
) + ("Noto Sans Mono CJK JP", "TakaoGothic", "TakaoMincho", "VL Gothic", "IPAGothic",
     "IPAMincho")

# What a person reads for a check's `name` (which stays as it is in --json); a name that is
# a program's own (WeasyPrint, Pango, git) is shown as it is.
_LABELS = {
    "HarfBuzz subsetting": N_("HarfBuzz subsetting"),
    "CJK fonts": N_("CJK fonts"),
    "WG config": N_("WG config"),
    "WG fonts": N_("WG fonts"),
}


@dataclass(frozen=True)
class Check:
    name: str  # the check's identity, also in --json; show `label` to a person
    status: str  # ok | warning | missing
    detail: str
    required: bool
    fix: str = ""
    apt_packages: tuple[str, ...] = ()
    pip_packages: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The check's name in the reader's language (`name` is the same in every language)."""
        label = _LABELS.get(self.name)
        return _(label) if label is not None else self.name

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["apt_packages"] = list(self.apt_packages)
        data["pip_packages"] = list(self.pip_packages)
        return data


@dataclass(frozen=True)
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing required is missing (warnings allowed)."""
        return not any(check.required and check.status == MISSING for check in self.checks)

    @property
    def apt_packages(self) -> list[str]:
        packages: list[str] = []
        for check in self.checks:
            if check.status != OK:
                packages += [p for p in check.apt_packages if p not in packages]
        return packages

    @property
    def apt_command(self) -> str | None:
        packages = self.apt_packages
        return f"sudo apt-get install -y {' '.join(packages)}" if packages else None

    @property
    def pip_command(self) -> str | None:
        packages: list[str] = []
        for check in self.checks:
            if check.status != OK:
                packages += [p for p in check.pip_packages if p not in packages]
        return "pip install " + " ".join(f"'{p}'" for p in packages) if packages else None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [check.to_json() for check in self.checks],
            "apt_get": self.apt_command,
            "pip": self.pip_command,
        }


def run_doctor(root: Path | None = None) -> DoctorReport:
    """Run every check. `root` (or the WG repository around the current folder) adds the
    check of the WG's own font files; outside a WG repository that check is skipped."""
    # The WG's settings first: a WG that says `language = "ja"` gets every detail in Japanese.
    wg_fonts = _check_wg_fonts(root)
    weasyprint_check, ffi = _check_weasyprint()
    checks = [
        weasyprint_check,
        _check_pango(ffi),
        _check_subsetting(ffi),
        _check_cjk_fonts(ffi),
        _check_git(),
    ]
    if wg_fonts is not None:
        checks.append(wg_fonts)
    return DoctorReport(checks)


def _check_weasyprint() -> tuple[Check, object | None]:
    """Import WeasyPrint (it loads Pango, HarfBuzz and fontconfig on import)."""
    captured = io.StringIO()
    try:
        # WeasyPrint prints its own troubleshooting text to stdout when a library is missing;
        # keep it out of our output (and out of --json).
        with contextlib.redirect_stdout(captured):
            import weasyprint
            from weasyprint.text import ffi
    except ImportError:
        return Check(
            "WeasyPrint", MISSING, _("the weasyprint Python package is not installed"), True,
            f"pip install '{WEASYPRINT_PIN}'", pip_packages=(WEASYPRINT_PIN,),
        ), None
    except OSError as exc:
        return Check(
            "WeasyPrint", MISSING,
            _("installed, but a system library failed to load: {error}").format(error=exc),
            True, _("install Pango and its font libraries"),
            apt_packages=PANGO_PACKAGES,
        ), None
    version = weasyprint.__version__
    if not version.startswith("70."):
        return Check(
            "WeasyPrint", WARNING,
            _("{version} (proceedings is tested with 70.x)").format(version=version), False,
            f"pip install '{WEASYPRINT_PIN}'", pip_packages=(WEASYPRINT_PIN,),
        ), ffi
    return Check("WeasyPrint", OK, version, True), ffi


def _check_pango(ffi: object | None) -> Check:
    number = None
    if ffi is not None:
        number = int(ffi.pango.pango_version())  # type: ignore[attr-defined]
    else:
        name = ctypes.util.find_library("pango-1.0")
        if name:
            with contextlib.suppress(OSError, AttributeError):
                number = int(ctypes.CDLL(name).pango_version())
    if number is None:
        return Check(
            "Pango", MISSING, _("libpango not found"), True,
            _("install Pango"), apt_packages=PANGO_PACKAGES,
        )
    version = (number // 10000, number // 100 % 100, number % 100)
    text = ".".join(map(str, version))
    if version < MIN_PANGO:
        return Check(
            "Pango", MISSING,
            _("{version} is older than {minimum}").format(
                version=text, minimum=".".join(map(str, MIN_PANGO))),
            True, _("upgrade Pango (a newer distribution release)"),
            apt_packages=PANGO_PACKAGES,
        )
    return Check("Pango", OK, text, True)


def _check_subsetting(ffi: object | None) -> Check:
    library = ctypes.util.find_library("harfbuzz-subset")
    loaded = ffi is not None and getattr(ffi, "harfbuzz_subset", None) is not None
    if loaded or (ffi is None and library):
        return Check(
            "HarfBuzz subsetting", OK,
            _("{library} (fast font embedding)").format(library=library or "libharfbuzz-subset"),
            False,
        )
    return Check(
        "HarfBuzz subsetting", WARNING,
        _("libharfbuzz-subset not found: PDF builds fall back to fontTools and are several "
          "times slower with CJK fonts"),
        False, f"sudo apt-get install {SUBSET_PACKAGE}", apt_packages=(SUBSET_PACKAGE,),
    )


_CJK_JP = re.compile(r"\bCJK\s+JP\b")


def _check_cjk_fonts(ffi: object | None) -> Check:
    families = _font_families(ffi)
    if families is None:
        return Check(
            "CJK fonts", MISSING, _("could not list fonts (no fontconfig, no fc-list)"), True,
            f"sudo apt-get install {CJK_PACKAGE} fontconfig",
            apt_packages=(CJK_PACKAGE, "fontconfig"),
        )
    japanese = sorted(
        family for family in families
        if family in JAPANESE_FAMILIES or _CJK_JP.search(family)
    )
    other_cjk = sorted(f for f in families if "CJK" in f and f not in japanese)
    if japanese:
        preferred = [name for name in ("Noto Serif CJK JP", "Noto Sans CJK JP") if name in japanese]
        if len(preferred) < 2:
            missing = {"Noto Serif CJK JP", "Noto Sans CJK JP"} - set(preferred)
            return Check(
                "CJK fonts", WARNING,
                _("found {found}; the default style also wants {wanted}").format(
                    found=", ".join(japanese), wanted=", ".join(sorted(missing))),
                True, f"sudo apt-get install {CJK_PACKAGE}", apt_packages=(CJK_PACKAGE,),
            )
        return Check("CJK fonts", OK, ", ".join(japanese), True)
    if other_cjk:
        detail = _("no Japanese font found; Japanese text would print as empty boxes "
                   "(found only {found})").format(found=", ".join(other_cjk))
    else:
        detail = _("no Japanese font found; Japanese text would print as empty boxes")
    return Check(
        "CJK fonts", MISSING, detail, True,
        f"sudo apt-get install {CJK_PACKAGE}", apt_packages=(CJK_PACKAGE,),
    )


def _font_families(ffi: object | None) -> set[str] | None:
    """Every font family fontconfig knows — through WeasyPrint's own fontconfig binding when
    it loaded (the fonts WeasyPrint will really see), else through `fc-list`."""
    if ffi is not None:
        with contextlib.suppress(Exception):
            return _fontconfig_families(ffi)
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        output = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {name.strip() for line in output.splitlines() for name in line.split(",") if name}


def _fontconfig_families(ffi_module: object) -> set[str]:
    ffi = ffi_module.ffi  # type: ignore[attr-defined]
    fontconfig = ffi_module.fontconfig  # type: ignore[attr-defined]
    config = fontconfig.FcInitLoadConfigAndFonts()
    families: set[str] = set()
    try:
        fonts = fontconfig.FcConfigGetFonts(config, 0)  # FcSetSystem
        value = ffi.new("FcChar8 **")
        for index in range(fonts.nfont if fonts != ffi.NULL else 0):
            number = 0
            while fontconfig.FcPatternGetString(fonts.fonts[index], b"family", number, value) == 0:
                families.add(ffi.string(value[0]).decode("utf-8", "replace"))
                number += 1
    finally:
        fontconfig.FcConfigDestroy(config)
    return families


def _check_git() -> Check:
    git = shutil.which("git")
    if git is None:
        return Check(
            "git", MISSING, _("git not found (needed for the pre-commit hook and build --commit)"),
            True, "sudo apt-get install git", apt_packages=("git",),
        )
    try:
        output = subprocess.run(
            [git, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return Check("git", MISSING, _("git does not run: {error}").format(error=exc), True,
                     "sudo apt-get install git", apt_packages=("git",))
    return Check("git", OK, output.removeprefix("git version "), True)


def _check_wg_fonts(root: Path | None) -> Check | None:
    from proceedings.config import find_root, load_config
    from proceedings.render.fonts import load_wg_fonts

    try:
        loaded = load_config(root)
    except ProceedingsError as exc:
        if root is not None:
            raise
        if find_root(Path.cwd()) is None:
            return None  # not inside a WG repository: nothing to check
        # In a WG repository whose config does not load, no build can run either.
        return Check("WG config", MISSING, str(exc), True, _("fix the config file"))
    entries = loaded.config.build.fonts
    if not entries:
        return Check("WG fonts", OK,
                     _("none configured (build.fonts); using the default stack"), False)
    try:
        faces = load_wg_fonts(loaded.root, entries, loaded.source)
    except ProceedingsError as exc:
        return Check("WG fonts", MISSING, str(exc), True, _("fix `build.fonts` in the config"))
    names = sorted({face.family for face in faces})
    return Check("WG fonts", OK, ", ".join(names), True)
