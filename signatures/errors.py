"""Errors raised by the signatures package.

Every message names the file or signature concerned and says what to do next, so the
CLI can show it as it is. All of them derive from :class:`SignatureError`.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "SignatureError",
    "PassphraseError",
    "KeyFileError",
    "CertificateError",
    "SigningError",
    "VerificationError",
]


class SignatureError(Exception):
    """Base class of every error of the signatures package; ``error_code`` is the stable
    word the command line reports under --json."""

    error_code = "signature"


class PassphraseError(SignatureError):
    """A passphrase did not open a key file or a PKCS#12 bundle."""

    error_code = "wrong-passphrase"

    def __init__(self, path: Path | str, what: str = "key file") -> None:
        self.path = Path(path)
        super().__init__(
            f"Wrong passphrase for the {what} {self.path}: it could not be decrypted. "
            "Type the passphrase again (it is case-sensitive), or ask the secretary to "
            "issue a new certificate if it is lost."
        )


class KeyFileError(SignatureError):
    """A key or certificate file is missing, unreadable, or would be overwritten."""

    error_code = "key-file"

    def __init__(self, path: Path | str, problem: str, fix: str) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path}: {problem}. {fix}")


class CertificateError(SignatureError):
    """A certificate cannot be parsed or is not fit for its purpose."""

    error_code = "certificate"


class SigningError(SignatureError):
    """Producing a signature failed (bad input PDF, unknown field, font problem)."""


class VerificationError(SignatureError):
    """A document or detached signature cannot even be read for verification.

    A signature that reads fine but does not verify is not an exception: it is reported
    in the verification report with ``ok`` false and its problems in plain words.
    """

    error_code = "invalid-input"
