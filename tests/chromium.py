"""Headless Chromium (the Debian package ``chromium``) for the tests: a page loaded from a
``file://`` URL with no network, its DOM as the browser built it, what its console said,
and a screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Page", "load", "screenshot", "binary"]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-extensions", "--hide-scrollbars",
         "--force-device-scale-factor=1"]
_CONSOLE = re.compile(r":(?:INFO|WARNING|ERROR):CONSOLE[^\]]*\] (.*)")


def binary() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("headless Chromium is missing: install the Debian package "
                           "'chromium' (make setup does it as root)")
    return found


@dataclass
class Page:
    dom: str
    console: list[str]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run([binary(), *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=120, check=False)


def load(path: Path) -> Page:
    """The page at ``path`` as Chromium renders it: the DOM after loading, and every
    message its console printed (errors of scripts, resources that failed to load)."""
    out = _run(["--enable-logging=stderr", "--v=0", "--dump-dom", path.resolve().as_uri()])
    assert out.returncode == 0, out.stderr[-2000:]
    return Page(out.stdout, [m[1] for m in _CONSOLE.finditer(out.stderr)])


def screenshot(path: Path, target: Path, width: int = 1280, height: int = 1600) -> Path:
    out = _run([f"--window-size={width},{height}", f"--screenshot={target}",
                path.resolve().as_uri()])
    assert out.returncode == 0 and target.is_file(), out.stderr[-2000:]
    return target
