"""`resolutions demo` played once per test run, shared by every module that needs it.

Playing the demo is the longest thing the suite builds (every step of the life cycle, three
signatures, a sealed dossier). The demo test and the trust suite (tests/trust) read the same
played workspace: the first pytest-xdist worker to ask plays it into the run's shared
temporary folder, under a file lock, and every worker then works on a copy of its own — so
nothing a test does to its copy reaches another worker's. It is played exactly as a newcomer
plays it (`resolutions demo FOLDER`), with the suite's frozen clock and no workspace from
the environment; what it printed is kept with it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["Demo", "demo", "played_demo"]

_FOLDER = "played-demo"


@dataclass(frozen=True)
class Demo:
    root: Path
    output: str

    @property
    def ca(self) -> Path:
        return self.root / ".resolutions" / "keys" / "ca" / "ca.pem"

    @property
    def tsa_root(self) -> Path:
        return self.root / "demo-tsa-root.pem"

    @property
    def signed_pdf(self) -> Path:
        return next((self.root / "out" / "signed").glob("*_signed.pdf"))

    @property
    def dossier(self) -> Path:
        return self.root / "dossier"

    def secret(self, name: str) -> Path:
        return self.root / ".demo-secrets" / f"{name}.pass"

    def copy_dossier(self, target: Path) -> Path:
        shutil.copytree(self.dossier, target, symlinks=True)
        return target


def _run_folder(factory: pytest.TempPathFactory) -> Path:
    """The temporary folder every worker of this run shares (one process: its own)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _play(target: Path) -> str:
    from click.testing import CliRunner

    from cli import cli
    from tests.conftest import FROZEN_NOW

    with pytest.MonkeyPatch.context() as mp:
        for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER",
                     "RESOLUTIONS_CRASH_AT", "RESOLUTIONS_CRASH_LOG"):
            mp.delenv(name, raising=False)
        mp.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
        result = CliRunner().invoke(cli, ["demo", str(target)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def played_demo(factory: pytest.TempPathFactory, target: Path) -> Demo:
    """A copy at ``target`` of the demo played once for the whole run."""
    shared = _run_folder(factory) / _FOLDER
    shared.mkdir(exist_ok=True)
    played, said = shared / "demo", shared / "output.txt"
    with _locked(shared / "lock"):
        if not said.is_file():  # not played yet, or a worker's play failed half-way
            shutil.rmtree(played, ignore_errors=True)
            output = _play(played)
            said.write_text(output, encoding="utf-8")  # last: the mark that it is whole
    shutil.copytree(played, target, symlinks=True)
    return Demo(target, said.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The played demo, a copy for this worker (import it where a module needs it)."""
    return played_demo(tmp_path_factory, tmp_path_factory.mktemp("trust") / "demo")
