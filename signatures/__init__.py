"""Keys, certificates and signatures for resolutions (a pure library over pyHanko).

- :mod:`signatures.keys` — the working group's CA, member certificates, PKCS#12 bundles;
- :mod:`signatures.signer` — :class:`Signer`, one signatory's key ready to sign;
- :mod:`signatures.places` — signature slots found as named destinations in a PDF;
- :mod:`signatures.pades` — visible PAdES signatures as incremental updates;
- :mod:`signatures.verify` — offline verification of a signed PDF, as a JSON-able report;
- :mod:`signatures.cms` — detached CMS (``.p7s``) signatures over any bytes;
- :mod:`signatures.tsa` — an RFC 3161 timestamp authority on loopback (demo and tests)
  and the HTTP client for a real one;
- :mod:`signatures.ltv` — B-LTA: validation data and document timestamps, archive tokens;
- :mod:`signatures.crl` — the CA's revocation list;
- :mod:`signatures.revocation` — revocation and validation time shared by every check;
- :mod:`signatures.verdict` — reason codes and proof times.

Names are re-exported here lazily: ``import signatures`` does not import pyHanko.
"""

from __future__ import annotations

import logging
import warnings
from importlib import import_module

__all__ = [
    "CertInfo",
    "CertificateError",
    "DetachedReport",
    "KeyFileError",
    "LoadedKey",
    "LoopbackTsa",
    "PassphraseError",
    "PdfReport",
    "SignatureError",
    "SignatureReport",
    "Signer",
    "SigningError",
    "TimestampAuthority",
    "UrlTimeStamper",
    "VerificationError",
    "add_empty_field",
    "cert_info",
    "create_ca",
    "find_destination",
    "issue_certificate",
    "load_ca",
    "load_certificates",
    "load_p12",
    "sign_detached",
    "sign_pdf",
    "signature_box",
    "signed_revision",
    "verify_detached",
    "verify_pdf",
]

_HOME = {
    "signatures.errors": (
        "SignatureError", "PassphraseError", "KeyFileError", "CertificateError",
        "SigningError", "VerificationError",
    ),
    "signatures.keys": (
        "CertInfo", "LoadedKey", "cert_info", "create_ca", "issue_certificate", "load_ca",
        "load_certificates", "load_p12",
    ),
    "signatures.signer": ("Signer",),
    "signatures.places": ("find_destination", "signature_box"),
    "signatures.pades": ("add_empty_field", "sign_pdf"),
    "signatures.verify": ("PdfReport", "SignatureReport", "signed_revision", "verify_pdf"),
    "signatures.cms": ("DetachedReport", "sign_detached", "verify_detached"),
    "signatures.tsa": ("LoopbackTsa", "TimestampAuthority", "UrlTimeStamper"),
}  # fmt: skip
# pyHanko logs whole tracebacks for ordinary verdicts (an untrusted or expired certificate);
# our reports say it in one sentence. Without a configured handler (the CLI sets one up
# with --verbose) those records go nowhere instead of to stderr.
for _logger in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_logger).addHandler(logging.NullHandler())
# pyHanko imports cryptography's DSA names at import time, which cryptography deprecates:
# a warning about the library's own imports (we never make or accept a DSA key), printed
# on every signing command. It is not ours to act on, so it is not shown.
try:
    from cryptography.utils import CryptographyDeprecationWarning as _Deprecated
except ImportError:  # pragma: no cover - cryptography always comes with pyHanko
    pass
else:
    warnings.filterwarnings("ignore", category=_Deprecated, module=r"pyhanko(_certvalidator)?\.")

_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'signatures' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
