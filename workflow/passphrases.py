"""A passphrase or password read from its file (the first line), else asked for: the one
rule for every ``--passphrase-file`` and ``--password-file``. Nothing here imports the ORM,
so a write on the bare driver (``member add --password-file``) reads its file with it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workflow.errors import InvalidInput

__all__ = ["read_passphrase"]


def read_passphrase(passphrase_file: str | None, prompt: Callable[[str], bytes] | None,
                    label: str) -> bytes:
    """The file's first line (refused when empty), else what ``prompt`` answers."""
    if passphrase_file:
        data = Path(passphrase_file).read_bytes().rstrip(b"\r\n")
        if not data:
            raise InvalidInput(f"{passphrase_file} is empty; put the passphrase on its first line")
        return data
    if prompt is None:
        raise InvalidInput(f"{label}: give --passphrase-file FILE (passphrases are never "
                           "taken from the command line)")
    return prompt(label)
