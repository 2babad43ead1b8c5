"""Signed PDFs against their records: each field signed by its member's recorded
certificate (:func:`wrong_signers`), and the signed PDF inside a submission package must
be the signed PDF.

A package's ``manifest.json`` names each file's role; the file with the role
``signed-pdf`` is what the body received as the signed resolution. It must have the
SHA-256 of the version's signed PDF that the resolution's record gives (the one with
every signature), and carry each recorded signature: a package holding the unsigned text,
or an earlier revision with fewer signatures, is named even when its own manifest and the
package hash were recomputed to match.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.dossier.report import JSONObject, VerifyReport
from workflow.dossier.unzip import PACKAGE_LIMITS, UnsafeZip, read_entry, safe_entries

if TYPE_CHECKING:
    from cryptography import x509

    from signatures.verify import PdfReport

__all__ = ["check_packaged_pdfs", "wrong_signers", "SIGNED_ROLE"]

SIGNED_ROLE = "signed-pdf"


def _signed_entries(manifest: object) -> list[str]:
    files = manifest.get("files", []) if isinstance(manifest, dict) else []
    return [str(f.get("name")) for f in files
            if isinstance(f, dict) and f.get("role") == SIGNED_ROLE]


def _from_zip(path: Path) -> tuple[JSONObject | None, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        infos = {i.filename: i for i in safe_entries(zf, PACKAGE_LIMITS)}
        name = next((n for n in infos if n.rsplit("/", 1)[-1] == "manifest.json"), None)
        if name is None:
            return None, {}
        prefix = name[: -len("manifest.json")]
        manifest = json.loads(read_entry(zf, infos[name], PACKAGE_LIMITS))
        pdfs = {n: read_entry(zf, infos[prefix + n], PACKAGE_LIMITS)
                for n in _signed_entries(manifest) if prefix + n in infos}
        return manifest, pdfs


def _from_folder(folder: Path) -> tuple[JSONObject | None, dict[str, bytes]]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None, {}
    return manifest, {n: (folder / n).read_bytes() for n in _signed_entries(manifest)
                      if (folder / n).is_file()}


def check_packaged_pdfs(root: Path, base: str, record: JSONObject, roots: list[x509.Certificate],
                        report: VerifyReport) -> None:
    signed_by_version: dict[int, str] = {}
    fields: dict[int, dict[str, tuple[str, str]]] = {}
    for sig in record.get("signatures", []):
        version = int(sig.get("version", 0))
        if sig.get("signed_sha256"):
            signed_by_version[version] = str(sig["signed_sha256"])  # the last has all
        fields.setdefault(version, {})[str(sig.get("field_name"))] = (
            str(sig.get("member")), str(sig.get("cert_fingerprint")))
    for sub in record.get("submissions", []):
        for rel in [str(f) for f in sub.get("files", [])]:
            path = root / base / rel
            try:
                if rel.endswith(".zip") and path.is_file():
                    manifest, pdfs = _from_zip(path)
                elif rel.endswith("/manifest.json") and path.is_file():
                    manifest, pdfs = _from_folder(path.parent)
                else:
                    continue
            except (UnsafeZip, zipfile.BadZipFile, ValueError):
                continue  # reported by the package check
            if manifest is None:
                continue
            version = int(manifest.get("version", 0) or 0)
            for name, data in pdfs.items():
                where = f"{base}/{rel}!{name}" if rel.endswith(".zip") else \
                    f"{base}/{rel.rsplit('/', 1)[0]}/{name}"
                _check(data, where, signed_by_version.get(version), fields.get(version, {}),
                       roots, report)


def _check(data: bytes, where: str, expected: str | None,
           fields: dict[str, tuple[str, str]], roots: list[x509.Certificate], report: VerifyReport) -> None:
    from signatures.verify import verify_pdf

    if expected is None:
        report.add(where, "the package holds a signed PDF but the record has no signed PDF "
                   "for its version")
        return
    if hashlib.sha256(data).hexdigest() != expected:
        report.add(where, "is not the signed PDF of the record (SHA-256 differs): the package "
                   "does not hold what was signed")
    try:
        result = verify_pdf(data, roots, at=report.at, proven_at=report.proven_at,
                            timestamp_roots=report.ts_roots, complete=False)
    except Exception as exc:  # an unreadable PDF is a verdict
        report.add(where, f"signatures cannot be checked ({exc})")
        return
    wrong = wrong_signers(result, fields)
    if not result.signatures:
        report.add(where, "carries no signature: the package holds the unsigned text")
    elif not result.ok or wrong:
        found = list(result.problems) + [p for s in result.signatures for p in s.problems]
        report.add(where, "PDF signature does not verify: " + "; ".join(found + wrong))
    report.count("packaged signed PDFs")


def wrong_signers(result: PdfReport, signers: dict[str, tuple[str, str]]) -> list[str]:
    wrong = []
    for sig in result.signatures:
        expected = signers.get(sig.field_name)
        who = f"{sig.signer_common_name} ({sig.signer_member_id}, {sig.signer_sha256[:16]}…)"
        if expected is None:
            wrong.append(f"field {sig.field_name}: no signature is recorded for it; signed by {who}")
        elif sig.signer_sha256 != expected[1] \
                or sig.signer_member_id not in (expected[0], None) \
                or (sig.field_name.startswith("sig-") and sig.field_name != f"sig-{expected[0]}"):
            wanted = sig.field_name[4:] if sig.field_name.startswith("sig-") else expected[0]
            wrong.append(f"field {sig.field_name}: expected {wanted}, signed by {who} "
                         "(wrong-signer)")
    missing = set(signers) - {s.field_name for s in result.signatures}
    wrong += [f"field {f}: the recorded signature of {signers[f][0]} is not in the PDF"
              for f in sorted(missing)]
    return wrong
