"""Errors raised by the text model: each names the place and the fix."""

from __future__ import annotations

__all__ = ["DraftError", "SourceError", "RefError"]


class DraftError(Exception):
    """Base class for every error of the resolution text model; ``error_code`` is the
    stable word the command line reports under --json."""

    error_code = "invalid-input"


class SourceError(DraftError):
    """A resolution source that cannot be accepted.

    ``file`` and ``line`` locate the problem, ``field`` is the dotted path of the
    offending value (``operative[2].items[0].zh``) and ``fix`` says what to do.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<source>"
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.fix:
            text += f" — {self.fix}"
        return text


class RefError(DraftError):
    """A paragraph reference ("OP 3(b)") that names no paragraph."""

    error_code = "not-found"
