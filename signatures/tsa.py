"""An RFC 3161 timestamp authority served over HTTP on loopback, and a client for any TSA.

:class:`TimestampAuthority` answers timestamp requests: it parses a ``TimeStampReq``,
builds the ``TSTInfo`` (message imprint, serial, time, nonce) and signs it as CMS
SignedData with its own key (signed attributes: content type, message digest, signing
time and signing-certificate-v2 over SHA-256). :class:`LoopbackTsa` puts one behind
``http.server`` on ``127.0.0.1`` with an ephemeral port, in a thread, and also serves the
authority's root certificate (``/root.pem``) and its current CRL (``/crl``), which the
TSA certificate names as its CRL distribution point. Every certificate it makes is
labelled with ``label`` ("demo" for ``resolutions demo``, "test" in the suite): it is for
demonstrations and tests, never a production TSA.

:class:`UrlTimeStamper` is the client used when ``[signatures] timestamp_url`` is set: a
pyHanko ``TimeStamper`` over the standard library's HTTP client (no extra dependency).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import urllib.request
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, cast

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signatures.errors import SigningError

if TYPE_CHECKING:
    from asn1crypto import cms, tsp

    # re-exported: the type of a timestamp client, for the workflow (which imports no pyHanko)
    from pyhanko.sign.timestamps import TimeStamper as TimeStamper

#: id-ct-TSTInfo (RFC 3161), by its number: asn1crypto learns the name ``tst_info`` only when
#: ``asn1crypto.tsp`` is imported, and a lookup by name made before that keeps not knowing it
_TST_INFO = "1.2.840.113549.1.9.16.1.4"

__all__ = ["TimestampAuthority", "LoopbackTsa", "UrlTimeStamper", "TSA_POLICY"]

#: The policy our authority states in its tokens (a UUID-based OID, RFC 4122 § 4 / X.667).
TSA_POLICY = "2.25.211283934906271830618418412370216399521"
_QUERY = "application/timestamp-query"
_REPLY = "application/timestamp-reply"
Clock = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(timezone.utc)


class TimestampAuthority:
    """Issues RFC 3161 timestamp tokens with one RSA key and certificate."""

    def __init__(self, key: rsa.RSAPrivateKey, cert: x509.Certificate,
                 root: x509.Certificate, root_key: rsa.RSAPrivateKey | None = None,
                 clock: Clock = _now) -> None:
        self.key, self.cert, self.root, self.root_key = key, cert, root, root_key
        self.clock = clock
        self._lock = threading.Lock()

    @classmethod
    def create(cls, *, label: str, crl_url: str | None = None, clock: Clock = _now,
               years: int = 30) -> TimestampAuthority:
        """A fresh root and TSA certificate (both named "… (label)"), RSA-2048."""
        start = clock() - timedelta(minutes=5)
        root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        root_name = x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, f"brics-resolutions {label} TSA root"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"brics-resolutions ({label} only)")])
        root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
                .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(start + timedelta(days=365 * years + 30))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(_usage(cert_sign=True), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()),
                               critical=False)
                .sign(root_key, hashes.SHA256()))
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([
                x509.NameAttribute(NameOID.COMMON_NAME, f"brics-resolutions {label} TSA"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                   f"brics-resolutions ({label} only)")]))
            .issuer_name(root_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                           critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                root_key.public_key()), critical=False))
        if crl_url:
            builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None,
                reasons=None, crl_issuer=None)]), critical=False)
        return cls(key, builder.sign(root_key, hashes.SHA256()), root, root_key, clock)

    @property
    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def crl(self) -> bytes:
        """The root's current CRL (DER): it revokes nothing. It is valid until the TSA
        certificate expires, so a validator holding it (in a PDF's DSS, beside a token)
        can check the authority offline for as long as its tokens can be checked at all."""
        if self.root_key is None:
            raise SigningError("this timestamp authority has no root key to sign a CRL with")
        now = self.clock()
        crl = (x509.CertificateRevocationListBuilder().issuer_name(self.root.subject)
               .last_update(now - timedelta(minutes=5))
               .next_update(max(self.cert.not_valid_after_utc, now + timedelta(days=1)))
               .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
               .sign(self.root_key, hashes.SHA256()))
        return crl.public_bytes(serialization.Encoding.DER)

    def respond(self, request_der: bytes) -> bytes:
        """The DER ``TimeStampResp`` to a DER ``TimeStampReq`` (rejection if unreadable)."""
        from asn1crypto import tsp

        try:
            req = tsp.TimeStampReq.load(request_der)
            imprint = req["message_imprint"]
            algorithm = imprint["hash_algorithm"]["algorithm"].native
            if algorithm not in ("sha256", "sha384", "sha512"):
                raise ValueError(f"digest {algorithm} not accepted")
            nonce = req["nonce"].native
        except Exception:  # any malformed request gets a rejection, never a crash
            from asn1crypto import core

            status = tsp.PKIStatusInfo({"status": "rejection",
                                        "fail_info": tsp.PKIFailureInfo({"bad_request"})})
            rejection: bytes = core.Sequence.load(b"\x30" + _der_length(len(status.dump()))
                                                  + status.dump()).dump()
            return rejection
        with self._lock:
            token = self._token(imprint, algorithm, nonce)
        granted: bytes = tsp.TimeStampResp({"status": {"status": "granted"},
                                            "time_stamp_token": token}).dump()
        return granted

    def _token(self, imprint: tsp.MessageImprint, algorithm: str,
               nonce: int | None) -> cms.ContentInfo:
        from asn1crypto import cms, tsp
        from asn1crypto import x509 as asn1_x509

        when = self.clock().astimezone(timezone.utc).replace(microsecond=0)
        tsa_cert = asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))
        root = asn1_x509.Certificate.load(self.root.public_bytes(serialization.Encoding.DER))
        info = {"version": "v1", "policy": TSA_POLICY, "message_imprint": imprint,
                "serial_number": int.from_bytes(os.urandom(16), "big"), "gen_time": when,
                "tsa": asn1_x509.GeneralName(name="directory_name", value=tsa_cert.subject)}
        if nonce is not None:
            info["nonce"] = nonce
        content = tsp.TSTInfo(info).dump()
        digest = hashlib.new(algorithm, content).digest()
        cert_id = tsp.ESSCertIDv2({
            "hash_algorithm": {"algorithm": "sha256"},
            "cert_hash": hashlib.sha256(tsa_cert.dump()).digest(),
            "issuer_serial": {"issuer": [asn1_x509.GeneralName(
                name="directory_name", value=tsa_cert.issuer)],
                "serial_number": tsa_cert.serial_number}})
        attrs = cms.CMSAttributes([
            cms.CMSAttribute({"type": "content_type", "values": [_TST_INFO]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": when})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [digest]}),
            cms.CMSAttribute({"type": "signing_certificate_v2",
                              "values": [tsp.SigningCertificateV2({"certs": [cert_id]})]}),
        ])
        hash_cls: Callable[[], hashes.HashAlgorithm] = {
            "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}[algorithm]
        signature = self.key.sign(attrs.dump(), padding.PKCS1v15(), hash_cls())
        signer_info = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
                "issuer": tsa_cert.issuer, "serial_number": tsa_cert.serial_number}}),
            "digest_algorithm": {"algorithm": algorithm},
            "signed_attrs": attrs,
            "signature_algorithm": {"algorithm": "rsassa_pkcs1v15"},
            "signature": signature})
        signed = cms.SignedData({
            "version": "v3", "digest_algorithms": [{"algorithm": algorithm}],
            "encap_content_info": {"content_type": _TST_INFO,
                                   "content": cms.ParsableOctetString(content)},
            "certificates": [tsa_cert, root], "signer_infos": [signer_info]})
        return cms.ContentInfo({"content_type": "signed_data", "content": signed})


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=not cert_sign, content_commitment=not cert_sign,
                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                         key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False,
                         decipher_only=False)


def _handler(tsa: TimestampAuthority,
             published: dict[str, Callable[[], bytes]]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1 << 16))
            if self.headers.get("Content-Type", "").split(";")[0].strip() != _QUERY:
                self._send(415, "text/plain", b"send application/timestamp-query\n")
                return
            self._send(200, _REPLY, tsa.respond(body))

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/crl":
                self._send(200, "application/pkix-crl", tsa.crl())
            elif self.path == "/root.pem":
                self._send(200, "application/x-pem-file", tsa.root_pem)
            elif self.path in published:
                try:
                    body = published[self.path]()
                except OSError:
                    self._send(404, "text/plain", b"not published yet\n")
                    return
                self._send(200, "application/pkix-crl", body)
            else:
                self._send(404, "text/plain", b"POST a timestamp query to /\n")

        def _send(self, code: int, ctype: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return  # quiet: no request log on stderr

    return Handler


class LoopbackTsa:
    """A :class:`TimestampAuthority` served on ``http://127.0.0.1:PORT/`` in a thread.

    Use as a context manager, or call :meth:`stop`. ``url`` takes timestamp queries,
    ``url + "crl"`` gives the CRL and ``url + "root.pem"`` the root certificate.
    :meth:`publish` serves more files (a working group's CRL, read anew at every request).
    """

    def __init__(self, *, label: str = "demo", clock: Clock = _now) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self.authority = TimestampAuthority.create(label=label, crl_url=self.url + "crl",
                                                   clock=clock)
        self._published: dict[str, Callable[[], bytes]] = {}
        self._server.RequestHandlerClass = _handler(self.authority, self._published)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name=f"tsa-{label}", daemon=True)
        self._thread.start()

    @property
    def root_pem(self) -> bytes:
        return self.authority.root_pem

    def publish(self, name: str, path: os.PathLike[str] | str) -> str:
        """Serve the file at ``path`` (read at every request) as ``url + name``; returns
        that URL."""
        from pathlib import Path

        source = Path(path)
        self._published["/" + name.lstrip("/")] = source.read_bytes
        return self.url + name.lstrip("/")

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> LoopbackTsa:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _stamper_class() -> Callable[[str, float], TimeStamper]:
    from pyhanko.sign.timestamps import TimeStamper
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    # pyHanko leaves TimeStamper.__init__ unannotated: call it through its real signature
    stamper_init = cast("Callable[[TimeStamper], None]", TimeStamper.__init__)

    class _Client(TimeStamper):
        def __init__(self, url: str, timeout: float) -> None:
            stamper_init(self)
            self.url, self.timeout = url, timeout

        def _post(self, body: bytes) -> bytes:
            request = urllib.request.Request(self.url, data=body, method="POST", headers={
                "Content-Type": _QUERY, "Accept": _REPLY})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    if response.headers.get("Content-Type") != _REPLY:
                        raise TimestampRequestError(
                            f"the timestamp authority {self.url} did not answer with a "
                            "timestamp reply")
                    data: bytes = response.read()
                    return data
            except OSError as exc:
                raise TimestampRequestError(
                    f"the timestamp authority {self.url} cannot be reached ({exc})") from exc

        async def async_request_tsa_response(self, req: tsp.TimeStampReq
                                             ) -> tsp.TimeStampResp:
            from asn1crypto import tsp

            raw = await asyncio.to_thread(self._post, req.dump())
            return tsp.TimeStampResp.load(raw)

    return _Client


def UrlTimeStamper(url: str, timeout: float = 10.0) -> TimeStamper:  # noqa: N802 - acts as a class
    """A pyHanko ``TimeStamper`` that posts RFC 3161 queries to ``url``."""
    return _stamper_class()(url, timeout)
