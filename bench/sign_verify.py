"""Signing and verification: milliseconds per document with 3 visible PAdES signatures.

Keys come from the signatures library (a working-group CA and three member certificates
in PKCS#12 bundles, as ``keys init-ca`` / ``keys issue`` make them). The document is the
demo resolution's draft PDF (ru | zh | en). In one process: the first document (pyHanko
imported, the stamp font read) and then the warm per-document cost of three signatures
(the first certifies) and of verifying all three offline against the CA. Then a cold
``resolutions verify FILE --trust CA.pem`` in a fresh process.

    python bench/sign_verify.py [--docs 6]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import OUT, RESOLUTIONS, Figure, bench_env, median, print_figures, save, timed_run  # noqa: E402

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

    from templates.pdf import Renderer

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
        signed_path = folder / "signed.pdf"
        signed_path.write_bytes(signed)
        cli = [timed_run([RESOLUTIONS, "verify", str(signed_path), "--trust",
                          str(folder / "ca" / "ca.pem")], env=bench_env())[0]
               for _ in range(3)]
    return [
        Figure("sign", "3 signatures, first document in a process", first_sign,
               note="pyHanko import and stamp font included"),
        Figure("sign", "3 signatures per document (warm)", median(sign_ms),
               note=f"{median(sign_ms) / 3:.0f} ms per signature; median of {docs}"),
        Figure("sign", "verify 3 signatures, first in a process", first_verify),
        Figure("sign", "verify 3 signatures per document (warm)", median(verify_ms),
               note=f"median of {docs}"),
        Figure("sign", "cold 'resolutions verify FILE --trust CA'", median(cli),
               note="fresh process, median of 3"),
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
