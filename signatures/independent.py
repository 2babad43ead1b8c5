"""The independent AdES validator: pyHanko's own ``pyhanko sign adesverify`` command.

Our verifier agreeing with our signer proves little; the demo and the suite also ask the
validator of the ETSI EN 319 102-1 long-term procedure that ships with pyHanko's command
line (package ``pyhanko-cli``), trusting only the roots given, as on a chosen date. It runs
as a separate process, exactly as an archivist types it, and its verdict lines
(``FIELD:SHA256:VALID``) are returned as printed.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["AdesVerdict", "adesverify", "command"]


@dataclass(frozen=True)
class AdesVerdict:
    at: datetime
    lines: list[str]
    ok: bool
    available: bool = True

    @property
    def summary(self) -> str:
        if not self.available:
            return "pyhanko-cli is not installed (pip install pyhanko-cli)"
        return ", ".join(line.split(":")[0] + " " + line.rsplit(":", 1)[-1]
                         for line in self.lines) or "no verdict"


def command(pdf: Path, trust: Sequence[Path], at: datetime) -> list[str]:
    """The command line, as an archivist would type it (``pyhanko`` is ``python -m pyhanko``)."""
    args = ["pyhanko", "sign", "adesverify", "--executive-summary",
            "--validation-time", at.isoformat()]
    for root in trust:
        args += ["--trust", str(root)]
    return [*args, "--trust-replace", str(pdf)]


def adesverify(pdf: Path, trust: Sequence[Path], at: datetime,
               timeout: float = 300.0) -> AdesVerdict:
    """Run the independent validator on ``pdf`` as on ``at``, trusting only ``trust``."""
    try:
        import pyhanko.cli  # noqa: F401 - the command line is a separate distribution
    except ImportError:
        return AdesVerdict(at, [], False, available=False)
    args = [sys.executable, "-m", "pyhanko", *command(pdf, trust, at)[1:]]
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    lines = [line.strip() for line in done.stdout.splitlines()
             if line.strip().startswith("sig-") or line.count(":") == 2]
    ok = done.returncode == 0 and bool(lines) and all(line.endswith(":VALID") for line in lines)
    return AdesVerdict(at, lines, ok)
