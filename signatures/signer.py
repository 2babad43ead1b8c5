"""The signing identity handed to the PDF and CMS signing functions.

A :class:`Signer` holds one member's private key, certificate and the certificates above
it, and builds pyHanko's ``SimpleSigner`` from them on demand. It can be made from a
PKCS#12 file or directly from objects already in memory, which is what tests and the
workflow's import paths use. Signing always uses SHA-256 with PKCS#1 v1.5 RSA signatures,
the combination every PDF reader and OpenSSL build verifies.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from signatures.keys import CertInfo, LoadedKey, cert_info, load_p12

if TYPE_CHECKING:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

__all__ = ["DIGEST_ALGORITHM", "Signer", "to_asn1_cert", "test_timestamper"]

DIGEST_ALGORITHM = "sha256"


def to_asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    """The same certificate as the asn1crypto object pyHanko works with."""
    from asn1crypto import x509 as asn1_x509

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _to_asn1_key(key: rsa.RSAPrivateKey) -> asn1_keys.PrivateKeyInfo:
    from asn1crypto import keys as asn1_keys

    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


@lru_cache(maxsize=1)
def _signer_class() -> Callable[..., SimpleSigner]:
    """``SimpleSigner`` that signs with the key object already in memory.

    pyHanko's own class decodes the private key again for every signature, which costs
    about 0.1 s per RSA-3072 operation; PKCS#1 v1.5 signatures here reuse the loaded key.
    """
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class _KeyInMemorySigner(SimpleSigner):
        def __init__(self, crypto_key: rsa.RSAPrivateKey, *, signing_cert: asn1_x509.Certificate,
                     signing_key: asn1_keys.PrivateKeyInfo,
                     cert_registry: SimpleCertificateStore) -> None:
            super().__init__(signing_cert=signing_cert, signing_key=signing_key,
                             cert_registry=cert_registry)
            self._crypto_key = crypto_key

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mechanism["algorithm"].native in ("rsassa_pkcs1v15", f"{digest_algorithm}_rsa"):
                hash_algo = get_pyca_cryptography_hash(digest_algorithm)
                return self._crypto_key.sign(data, PKCS1v15(), hash_algo)
            result: bytes = super().sign_raw(data, digest_algorithm)
            return result

    return _KeyInMemorySigner


class Signer:
    """One signatory's key and certificates, ready to sign PDFs and detached CMS."""

    def __init__(
        self,
        key: rsa.RSAPrivateKey,
        cert: x509.Certificate,
        chain: list[x509.Certificate] | tuple[x509.Certificate, ...] = (),
    ) -> None:
        self.key = key
        self.cert = cert
        self.chain = list(chain)
        #: the timestamp client detached signatures by this signer use when none is given
        self.timestamper: TimeStamper | None = None

    @classmethod
    def from_loaded(cls, loaded: LoadedKey) -> Signer:
        return cls(loaded.key, loaded.cert, loaded.chain)

    @classmethod
    def from_p12(cls, path: Path, passphrase: bytes) -> Signer:
        """Open a PKCS#12 bundle (wrong passphrase: :class:`PassphraseError`)."""
        return cls.from_loaded(load_p12(path, passphrase))

    @property
    def info(self) -> CertInfo:
        return cert_info(self.cert)

    @cached_property
    def pyhanko_signer(self) -> SimpleSigner:
        """pyHanko's signer over the same key (built once, on first use)."""
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        registry = SimpleCertificateStore.from_certs([to_asn1_cert(c) for c in self.chain])
        return _signer_class()(
            self.key,
            signing_cert=to_asn1_cert(self.cert),
            signing_key=_to_asn1_key(self.key),
            cert_registry=registry,
        )

    def __repr__(self) -> str:
        return f"Signer({self.info.subject!r})"


def test_timestamper(tsa: LoadedKey) -> TimeStamper:
    """A local timestamp authority for tests and offline demos (no network).

    ``tsa`` is a key whose certificate carries the critical ``timeStamping`` extended key
    usage. The tokens it issues are real RFC 3161 tokens signed by that key, so they
    validate when the TSA's CA is among the trust roots.
    """
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return DummyTimeStamper(
        tsa_cert=to_asn1_cert(tsa.cert),
        tsa_key=_to_asn1_key(tsa.key),
        certs_to_embed=SimpleCertificateStore.from_certs([to_asn1_cert(c) for c in tsa.chain]),
    )


test_timestamper.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
