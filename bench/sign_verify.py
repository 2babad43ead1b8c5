"""Signing and verification: milliseconds per document with 3 visible PAdES signatures.

Keys come from the signatures library (a working-group CA and three member certificates
in PKCS#12 bundles, as ``keys init-ca`` / ``keys issue`` make them). The document is the
demo resolution's draft PDF (ru | zh | en). In one process: the first document (pyHanko
imported, the stamp font read) and then the warm per-document cost of three signatures
(the first certifies) and of verifying all three offline against the CA. Then a cold
``resolutions verify FILE --trust CA.pem`` in a fresh process.

One signature against its floor: ``signatures.sign_pdf`` (our stamp, our key handling,
the stamp font from the subset cache) against a bare pyHanko script signing the same PDF
in the same field with the same key and the same visible stamp text in the same font
(the same cut-down face, handed to pyHanko's own ``GlyphAccumulatorFactory``). The goal is
≤ 1.5×.

Cold ``resolutions verify FILE --trust CA.pem`` against its floor: a bare pyHanko script
(written to ``bench/out/floor_verify.py``) that validates every signature of the same file
against the same CA, fresh processes taking turns. The goal is ≤ 1.15×.

    python bench/sign_verify.py [--docs 6]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    OUT,
    PYTHON,
    RESOLUTIONS,
    Figure,
    bench_env,
    interleaved,
    median,
    print_figures,
    save,
)

VERIFY_FLOOR = r'''"""The floor of `verify --trust`: bare pyHanko validating every signature."""
import sys

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

context = ValidationContext(trust_roots=[load_cert_from_pemder(sys.argv[2])])
ok = True
with open(sys.argv[1], "rb") as fh:
    for sig in PdfFileReader(fh).embedded_signatures:
        status = validate_pdf_signature(sig, context)
        ok = ok and status.bottom_line
        print(sig.field_name, status.bottom_line, status.modification_level)
sys.exit(0 if ok else 1)
'''

SIGNATORIES = [("sokolov", "Соколов Михаил Андреевич", "ВО «ФАРЭКСПО»"),
               ("kuznetsova", "Кузнецова Елена Игоревна", "АНО «РКЦ по Уралу и Сибири»"),
               ("li-wei", "李伟", "TTF Electronic (陕西)")]


def keys(folder: Path) -> tuple[list[object], object]:
    from signatures import Signer, create_ca, issue_certificate, load_certificates

    ca_dir = folder / "ca"
    create_ca(ca_dir, common_name="RCWG bench CA", organisation="RCWG", passphrase=b"ca-pass-1234")
    signers = []
    for member, name, org in SIGNATORIES:
        p12 = folder / f"{member}.p12"
        issue_certificate(ca_dir, b"ca-pass-1234", member_id=member, name=name,
                          organisation=org, email=None, out_p12=p12,
                          p12_passphrase=b"member-pass-1234")
        signers.append(Signer.from_p12(p12, b"member-pass-1234"))
    ca_cert = load_certificates((ca_dir / "ca.pem").read_bytes())[0]
    return signers, ca_cert


def base_pdf(folder: Path) -> bytes:
    from render import make_workspace, view_and_html

    from templates.pdf.render import Renderer

    view, _html = view_and_html(make_workspace(folder / "ws"))
    return Renderer().pdf(view)


def sign_three(pdf: bytes, signers: list[object]) -> bytes:
    """Three signatures in their own fields; the first certifies and creates all three
    fields (a certified document accepts form filling only)."""
    from signatures import sign_pdf

    slots = [(f"sig-{member}", 0, (40 + 180 * i, 40, 210 + 180 * i, 100))
             for i, (member, _n, _o) in enumerate(SIGNATORIES)]
    for i, signer in enumerate(signers):
        name, page, box = slots[i]
        pdf = sign_pdf(pdf, signer, field_name=name, page=page, box=box,  # type: ignore[arg-type]
                       stamp_lines=[SIGNATORIES[i][1], "RCWG/RES/2024/1", "2024-10-13"],
                       certify=(i == 0), reason="Approved text", location="Moscow",
                       empty_fields=slots if i == 0 else ())
    return pdf


STAMP = ["Соколов Михаил Андреевич", "李伟", "Подписано · 签署 · Signed: 2024-10-13 10:00 UTC"]


def one_ours(pdf: bytes, signer: object) -> bytes:
    from signatures import sign_pdf

    return sign_pdf(pdf, signer, field_name="sig-one", page=0,  # type: ignore[arg-type]
                    box=(40, 40, 220, 100), stamp_lines=STAMP)


def bare_pyhanko(p12: Path, font_file: Path, keep_key: bool = True) -> object:
    """The floor: pyHanko alone, key loaded once, the stamp font from a file."""
    from io import BytesIO

    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=b"member-pass-1234")
    if keep_key:  # sign with the key object in memory: pyHanko's SimpleSigner decodes the
        # DER key (with its RSA checks, ≈ 0.3 s for RSA-3072) for every signature
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15

        key = serialization.load_der_private_key(signer.signing_key.dump(), password=None)

        class InMemory(signers.SimpleSigner):  # type: ignore[misc]
            def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
                return key.sign(data, PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg,arg-type]

        signer = InMemory(signing_cert=signer.signing_cert, signing_key=signer.signing_key,
                          cert_registry=signer.cert_registry)
    style = TextStampStyle(stamp_text="\n".join(STAMP), border_width=1, background=None,
                           text_box_style=TextBoxStyle(
                               font=GlyphAccumulatorFactory(str(font_file)), font_size=8))

    def sign(pdf: bytes) -> bytes:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        meta = signers.PdfSignatureMetadata(field_name="sig-one", md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES)
        out = signers.PdfSigner(meta, signer, stamp_style=style, new_field_spec=fields.SigFieldSpec(
            "sig-one", on_page=0, box=(40, 40, 220, 100))).sign_pdf(writer)
        return out.getvalue()  # type: ignore[no-any-return]

    return sign


def one_signature(folder: Path, pdf: bytes, signers: list[object], rounds: int) -> list[Figure]:
    from signatures.stamp import find_stamp_font, stamp_font_bytes

    path, face = find_stamp_font()
    t = time.perf_counter()
    stamp_font_bytes.cache_clear()
    cold_cache = folder / "font-cache"
    stamp_font_bytes(str(path), face, "\n".join(STAMP), str(cold_cache))
    cut_once = (time.perf_counter() - t) * 1000
    font_file = folder / "stamp-face.otf"
    font_file.write_bytes(stamp_font_bytes(str(path), face, "\n".join(STAMP)))
    bare = bare_pyhanko(folder / f"{SIGNATORIES[0][0]}.p12", font_file)
    default = bare_pyhanko(folder / f"{SIGNATORIES[0][0]}.p12", font_file, keep_key=False)
    one_ours(pdf, signers[0])
    bare(pdf)  # type: ignore[operator]
    default(pdf)  # type: ignore[operator]
    ours_ms, bare_ms, default_ms = [], [], []
    for i in range(rounds):
        t = time.perf_counter()
        one_ours(pdf, signers[0])
        ours_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        bare(pdf)  # type: ignore[operator]
        bare_ms.append((time.perf_counter() - t) * 1000)
        if i < 3:
            t = time.perf_counter()
            default(pdf)  # type: ignore[operator]
            default_ms.append((time.perf_counter() - t) * 1000)
    return [
        Figure("sign", "one signature, visible CJK stamp (warm)", median(ours_ms),
               baseline="bare pyHanko, same stamp", baseline_value=median(bare_ms), target=1.5,
               note=f"median of {rounds}; the floor keeps the key in memory"),
        Figure("sign", "bare pyHanko with its SimpleSigner as shipped", median(default_ms),
               note="decodes the RSA key for every signature; median of 3"),
        Figure("sign", "stamp font cut for a new character set", cut_once,
               note="once per character set, then read from the disk cache"),
    ]


def run(docs: int = 6) -> list[Figure]:
    from signatures import verify_pdf

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sign-", dir=OUT) as tmp:
        folder = Path(tmp)
        signers, ca_cert = keys(folder)
        pdf = base_pdf(folder)
        t = time.perf_counter()
        signed = sign_three(pdf, signers)
        first_sign = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        report = verify_pdf(signed, [ca_cert])  # type: ignore[list-item]
        first_verify = (time.perf_counter() - t) * 1000
        if not report.ok or len(report.signatures) != 3:
            raise SystemExit(f"verification failed: {report.to_json()}")
        sign_ms, verify_ms = [], []
        for _ in range(docs):
            t = time.perf_counter()
            signed = sign_three(pdf, signers)
            sign_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            ok = verify_pdf(signed, [ca_cert]).ok  # type: ignore[list-item]
            verify_ms.append((time.perf_counter() - t) * 1000)
            assert ok
        singles = one_signature(folder, pdf, signers, max(docs * 3, 9))
        signed_path = folder / "signed.pdf"
        signed_path.write_bytes(signed)
        floor = OUT / "floor_verify.py"
        floor.write_text(VERIFY_FLOOR, "utf-8")
        ca_pem = str(folder / "ca" / "ca.pem")
        elsewhere = bench_env()
        elsewhere.pop("RESOLUTIONS_WORKSPACE", None)
        cold = interleaved({"floor": [PYTHON, str(floor), str(signed_path), ca_pem],
                            "ours": [RESOLUTIONS, "verify", str(signed_path), "--trust", ca_pem]},
                           7, env=elsewhere)
    return [
        Figure("sign", "3 signatures, first document in a process", first_sign,
               note="pyHanko import and stamp font included"),
        Figure("sign", "3 signatures per document (warm)", median(sign_ms),
               note=f"{median(sign_ms) / 3:.0f} ms per signature; median of {docs}"),
        Figure("sign", "verify 3 signatures, first in a process", first_verify),
        Figure("sign", "verify 3 signatures per document (warm)", median(verify_ms),
               note=f"median of {docs}"),
        Figure("sign", "cold 'resolutions verify FILE --trust CA', cpu", cold["ours"][1],
               baseline="bare pyHanko validation cpu", baseline_value=cold["floor"][1],
               target=1.15, note="fresh processes, interleaved, median of 7"),
        Figure("sign", "  wall time of cold verify", cold["ours"][0], baseline="floor wall",
               baseline_value=cold["floor"][0]),
        *singles,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=6)
    args = parser.parse_args()
    figures = run(args.docs)
    print_figures(figures)
    save("sign_verify", figures)


if __name__ == "__main__":
    main()
