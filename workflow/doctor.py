"""`doctor`: is this machine ready to render, sign and test? Each check says the fix."""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
from dataclasses import dataclass

__all__ = ["Check", "run_checks"]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def _font(family: str) -> tuple[bool, str]:
    if not shutil.which("fc-match"):
        return False, "fc-match not found (fontconfig)"
    out = subprocess.run(["fc-match", "-f", "%{family}|%{file}", family], capture_output=True,
                         text=True, timeout=20).stdout
    families, _, path = out.partition("|")
    return family.lower() in families.lower(), path or out


def run_checks() -> list[Check]:
    checks: list[Check] = []
    try:
        from weasyprint.text.ffi import pango

        number = int(pango.pango_version())
        text = f"{number // 10000}.{number // 100 % 100}.{number % 100}"
        checks.append(Check("pango", number >= 14400, f"pango {text}",
                            "install a pango ≥ 1.44 (Debian: libpango-1.0-0)"))
    except Exception as exc:  # pragma: no cover - depends on the machine
        checks.append(Check("pango", False, f"WeasyPrint cannot load pango: {exc}",
                            "apt-get install libpango-1.0-0 libpangoft2-1.0-0"))
    lib = ctypes.util.find_library("harfbuzz-subset")
    checks.append(Check("libharfbuzz-subset0", lib is not None, lib or "not found",
                        "apt-get install libharfbuzz-subset0 (without it CJK PDFs take 10–40× "
                        "longer to write)"))
    for family, fix in (("Noto Serif CJK SC", "apt-get install fonts-noto-cjk"),
                        ("Noto Sans CJK SC", "apt-get install fonts-noto-cjk"),
                        ("Noto Serif", "apt-get install fonts-noto-core")):
        ok, where = _font(family)
        checks.append(Check(f"font {family}", ok, where.strip(), fix))
    for tool, package, required in (("pdftotext", "poppler-utils", True),
                                    ("pdffonts", "poppler-utils", True),
                                    ("pdfsig", "poppler-utils", False),
                                    ("soffice", "libreoffice-writer-nogui", False),
                                    ("openssl", "openssl", False),
                                    ("certutil", "libnss3-tools", False),
                                    ("mutool", "mupdf-tools", False)):
        path = shutil.which(tool)
        checks.append(Check(tool, path is not None, path or "not found",
                            f"apt-get install {package}", required))
    return checks
