"""Fixtures for the signatures tests: a throwaway PKI and a rendered trilingual PDF.

Everything is made offline in temporary directories with the package's own ``keys``
module; the test PDF is rendered by WeasyPrint from HTML with Russian and Chinese text
and one ``<div id="sig-MEMBER">`` slot per signatory on its last page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from signatures import keys
from signatures.pades import sign_pdf
from signatures.places import signature_box
from signatures.signer import Signer

CA_PASSPHRASE = b"ca-Passphrase-7d1f"
P12_PASSPHRASE = b"p12-Passphrase-90ac"
MEMBERS = (
    ("ivanov", "Иван Петрович Иванов", "Министерство промышленности и торговли"),
    ("liwei", "李伟", "中华人民共和国工业和信息化部"),
    ("smith", "John Smith", "BRICS Secretariat"),
)

HTML = """<!doctype html><html lang="ru"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 2cm }
body { font-family: "Noto Serif CJK SC", "Noto Serif"; font-size: 11pt }
.zh { font-family: "Noto Serif CJK SC" }
.slot { width: 220pt; height: 70pt; margin: 10pt 0 }
.last { page-break-before: always }
</style></head><body>
<h1>О переходе от «рынка» к «производству» в микроэлектронике</h1>
<p>Рабочая группа <em>рекомендует</em> создание совместных предприятий.</p>
<h1 class="zh" lang="zh">关于微电子领域从“市场”向“生产”过渡</h1>
<p class="zh" lang="zh">工作组建议建立合资企业。</p>
<div class="last"><p>Подписи · 签字 · Signatures</p>
<div class="slot" id="sig-ivanov"></div>
<div class="slot" id="sig-liwei"></div>
<div class="slot" id="sig-smith"></div></div>
</body></html>"""


@dataclass(frozen=True)
class Pki:
    root: Path
    ca_dir: Path
    ca_cert: x509.Certificate
    p12: dict[str, Path]
    signers: dict[str, Signer]
    names: dict[str, str]


def _issue_all(root: Path, ca_name: str) -> Pki:
    ca_dir = root / "ca"
    keys.create_ca(ca_dir, common_name=ca_name, organisation="RCWG", passphrase=CA_PASSPHRASE)
    p12: dict[str, Path] = {}
    for member_id, name, org in MEMBERS:
        p12[member_id] = root / "members" / f"{member_id}.p12"
        keys.issue_certificate(
            ca_dir,
            CA_PASSPHRASE,
            member_id=member_id,
            name=name,
            organisation=org,
            email=f"{member_id}@rcwg.example",
            out_p12=p12[member_id],
            p12_passphrase=P12_PASSPHRASE,
        )
    return Pki(
        root=root,
        ca_dir=ca_dir,
        ca_cert=keys.load_certificates((ca_dir / "ca.pem").read_bytes())[0],
        p12=p12,
        signers={m: Signer.from_p12(path, P12_PASSPHRASE) for m, path in p12.items()},
        names={m: name for m, name, _ in MEMBERS},
    )


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return _issue_all(tmp_path_factory.mktemp("pki"), "Рабочая группа РКРГ · 工作组 CA")


@pytest.fixture(scope="session")
def outsider_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A second, unrelated CA with the same member names: never trusted by ``pki``."""
    return _issue_all(tmp_path_factory.mktemp("outsider"), "Unknown CA")


@pytest.fixture(scope="session")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> keys.LoadedKey:
    """A timestamp authority (timeStamping EKU) under its own root, ``chain[0]``: never
    the CA that issues the signers' certificates."""
    root_dir = tmp_path_factory.mktemp("tsa-root")
    keys.create_ca(root_dir, common_name="RCWG test TSA root", organisation="TSA",
                   passphrase=CA_PASSPHRASE)
    return _tsa_under(root_dir)


@pytest.fixture(scope="session")
def ca_issued_tsa(pki: Pki) -> keys.LoadedKey:
    """A timestamp authority the signers' own CA issued: what a CA holder could make."""
    return _tsa_under(pki.ca_dir)


def _tsa_under(ca_dir: Path) -> keys.LoadedKey:
    ca = keys.load_ca(ca_dir, CA_PASSPHRASE)
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    now = datetime.now(timezone.utc) - timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "RCWG test TSA")]))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    return keys.LoadedKey(cert=cert, key=key, chain=[ca.cert])


@pytest.fixture(scope="session")
def resolution_pdf() -> bytes:
    from weasyprint import HTML as WeasyHTML

    pdf: bytes = WeasyHTML(string=HTML).write_pdf()
    return pdf


def slots(pdf: bytes) -> list[tuple[str, int, tuple[float, float, float, float]]]:
    """(field name, page, box) of every member's slot, in signing order."""
    result = []
    for member_id, _, _ in MEMBERS:
        page, box = signature_box(pdf, f"sig-{member_id}", width=210, height=64)
        result.append((f"Signature-{member_id}", page, box))
    return result


def sign_all(pdf: bytes, pki: Pki, **kwargs: object) -> bytes:
    """All three members sign in turn; the first certifies."""
    all_slots = slots(pdf)
    for index, (field_name, page, box) in enumerate(all_slots):
        member_id = field_name.removeprefix("Signature-")
        pdf = sign_pdf(
            pdf,
            pki.signers[member_id],
            field_name=field_name,
            page=page,
            box=box,
            stamp_lines=[pki.names[member_id], "Подписано · 已签署 · Signed", "26.09.2024"],
            certify=index == 0,
            reason="Approval of RCWG/RES/2024/1",
            location="Москва · 北京",
            empty_fields=all_slots if index == 0 else (),
            **kwargs,  # type: ignore[arg-type]
        )
    return pdf


@pytest.fixture(scope="session")
def signed_pdf(resolution_pdf: bytes, pki: Pki) -> bytes:
    return sign_all(resolution_pdf, pki)
