"""One demo workspace for the trust suite: `resolutions demo` played once per session.

By the time the tests run, the demo's timestamp authority and the address it published
the working group's CRL at are gone: whatever validates afterwards does so offline, from
what the files carry."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli


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


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    root = tmp_path_factory.mktemp("trust") / "demo"
    result = CliRunner().invoke(cli, ["demo", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return Demo(root, result.output)


def run_cli(args: list[str], cwd: Path | None = None,
            stdout_only: bool = False) -> tuple[int, str]:
    """The installed command line in a process of its own (outside any workspace when
    ``cwd`` is not one): exit code and what it printed (``stdout_only``: for --json)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd, check=False)
    return done.returncode, done.stdout if stdout_only else done.stdout + done.stderr
