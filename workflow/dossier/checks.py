"""The checks of a dossier's contents, after its checksums: the audit chain, the version
texts, signatures against the bag's trust anchors, and the signed files' hashes against
the records and the audit events. Pure: the bag is the only input (see
``workflow.dossier.verify`` for the order of the checks)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.dossier.packages import check_packaged_pdfs, wrong_signers
from workflow.dossier.report import JSONObject, VerifyReport, read_json, read_jsonl
from workflow.dossier.rows import check_rows
from workflow.store.chain import chain_problems, record_problems

if TYPE_CHECKING:
    from cryptography import x509


__all__ = ["check_contents", "BASE_ACTION", "CERTIFICATE_ACTION"]

BASE_ACTION = "signing-base"                   # detail: version, pdf, docx (the signed bases)
CERTIFICATE_ACTION = "completion-certificate"  # detail: version, sha256

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hexes(value: object, into: set[str]) -> set[str]:
    if isinstance(value, str) and HEX64.match(value):
        into.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            _hexes(v, into)
    elif isinstance(value, list):
        for v in value:
            _hexes(v, into)
    return into


def check_contents(root: Path, report: VerifyReport) -> None:
    dossier = read_json(root, "data/dossier.json", report)
    if not isinstance(dossier, dict):
        return
    audit = dossier.get("audit", {})
    chain_file = f"data/{audit.get('file', 'audit/chain.jsonl')}"
    chain = read_jsonl(root, chain_file, report)
    head = (int(audit.get("head_seq", 0)), str(audit.get("head_hash", "")))
    for p in chain_problems(chain, head, where=chain_file):
        report.problems.append(p)
    report.count("audit events", len(chain))
    by_seq = {int(r.get("seq", 0)): r for r in chain if not r.get("redacted")}
    stubs = {int(r.get("seq", 0)) for r in chain if r.get("redacted")}
    from workflow.dossier.seal import check_seal

    roots = _trust_roots(root, dossier, report)
    report.ts_roots = _timestamp_roots(roots, chain)
    roots = [c for c in roots if c not in report.ts_roots]
    report.seal = check_seal(root, dossier, chain, report, report.expect_ca)
    from workflow.signing.archive import TOKEN_NAME, archive_proof

    report.proven_at, problem = archive_proof(root, report.ts_roots, report.at)
    if problem:
        report.add(TOKEN_NAME, problem)
    records = []
    for entry in dossier.get("resolutions", []):
        folder = str(entry.get("folder", ""))
        record = _resolution(root, folder, by_seq, stubs, roots, report)
        if record is not None:
            records.append((folder, record))
    from workflow.dossier.howto import check_howto

    check_howto(root, dossier, records, _rels(root, dossier, report.ts_roots), report)


def _rels(root: Path, dossier: JSONObject, certs: list[x509.Certificate]) -> list[str]:
    """The bag paths (data/…) of the trust files holding ``certs``, in the bag's order."""
    from signatures.keys import load_certificates
    from workflow.dossier.seal import fingerprint

    wanted = {fingerprint(c) for c in certs}
    out = []
    for rel in dossier.get("trust", []):
        try:
            found = load_certificates((root / "data" / rel).read_bytes())
        except Exception:  # reported by the trust check
            continue
        if any(fingerprint(c) in wanted for c in found):
            out.append(f"data/{rel}")
    return out


def _timestamp_roots(certs: list[x509.Certificate], chain: list[JSONObject]
                     ) -> list[x509.Certificate]:
    """The trust anchors the chain registered for timestamps only (``keys-trust`` with
    ``for: [timestamps]``): the CA and every root registered for signatures never are."""
    from workflow.dossier.seal import fingerprint

    timestamps: set[str] = set()
    signing: set[str] = set()
    for rec in chain:
        if rec.get("redacted") or rec.get("outcome") != "ok":
            continue
        detail = rec.get("detail") or {}
        if not isinstance(detail, dict):
            continue
        if rec.get("action") == "keys-trust":
            purposes = detail.get("for") or ["signatures", "timestamps"]
            (timestamps if purposes == ["timestamps"] else signing).add(
                str(detail.get("fingerprint")))
        elif rec.get("action") == "keys-init-ca":
            signing.add(str(detail.get("fingerprint")))
        elif rec.get("action") == "keys-import":
            signing.update(str(v) for v in detail.get("trust_added") or [])
    return [c for c in certs if fingerprint(c) in timestamps - signing]


def _trust_roots(root: Path, dossier: JSONObject, report: VerifyReport
                 ) -> list[x509.Certificate]:
    from signatures.keys import load_certificates

    certs: list[x509.Certificate] = []
    for rel in dossier.get("trust", []):
        try:
            certs += load_certificates((root / "data" / rel).read_bytes())
        except FileNotFoundError:
            report.add(f"data/{rel}", "missing")
        except Exception as exc:  # a damaged PEM is a problem of that file
            report.add(f"data/{rel}", f"is not a readable certificate ({exc})")
    report.count("trust anchors", len(certs))
    return certs


def _resolution(root: Path, folder: str, by_seq: dict[int, JSONObject], stubs: set[int],
                roots: list[x509.Certificate], report: VerifyReport) -> JSONObject | None:
    base = f"data/{folder}"
    record = read_json(root, f"{base}/record.json", report)
    if not isinstance(record, dict):
        return None
    audit_file = f"{base}/{record.get('audit', {}).get('file', 'audit/audit.jsonl')}"
    lines = read_jsonl(root, audit_file, report)
    seen: set[int] = set()
    for n, rec in enumerate(lines, 1):
        where = f"{audit_file} line {n}"
        report.problems.extend(record_problems(rec, where))
        seq = int(rec.get("seq", 0))
        seen.add(seq)
        if seq in by_seq and by_seq[seq] != rec:
            report.add(where, f"differs from audit event {seq} in the chain")
        elif seq not in by_seq:
            report.add(where, f"audit event {seq} is not in the chain")
    symbol = record.get("symbol")
    own = {int(s) for s in record.get("audit", {}).get("seqs", []) if str(s).isdigit()}
    for seq in sorted(own & stubs):
        report.add(f"{base}/record.json", f"audit event {seq} of {symbol} is a redaction stub "
                   "in the chain: events of a resolution in the bag are never redacted")
    for seq in sorted(own - seen - stubs):
        report.add(audit_file, f"lacks audit event {seq} that record.json lists")
    for seq, rec in by_seq.items():
        if rec.get("symbol") == symbol and rec.get("resolution_id") is not None \
                and seq not in seen:
            report.add(audit_file, f"lacks audit event {seq} of the chain: a line was deleted")
    details = [(str(r.get("action")), r.get("detail") or {}) for r in lines
               if r.get("outcome") == "ok" and isinstance(r.get("detail"), dict)]
    _versions(root, base, record, details, report)
    _approvals(root, base, record, roots, report)
    _signatures(root, base, record, details, roots, report)
    _submissions(root, base, record, roots, report)
    check_packaged_pdfs(root, base, record, roots, report)
    check_rows(root, base, record, list(by_seq.values()), report)
    return record


def _versions(root: Path, base: str, record: JSONObject,
              details: list[tuple[str, JSONObject]], report: VerifyReport) -> None:
    from drafts.source import load

    audited = {int(d["version"]): d["content_hash"] for _, d in details
               if "version" in d and "content_hash" in d}
    for ver in record.get("versions", []):
        rel = f"{base}/{ver.get('source')}"
        try:
            model, _ = load((root / rel).read_text("utf-8"), rel)
            actual = model.content_hash()
        except FileNotFoundError:
            continue  # reported by the checksum pass
        except Exception as exc:
            report.add(rel, f"no longer parses ({exc})")
            continue
        if actual != ver.get("content_hash"):
            report.add(rel, "text does not match the content hash its record gives")
        expected = audited.get(int(ver.get("number", 0)))
        if expected is not None and expected != actual:
            report.add(rel, "text differs from the content hash the audit log recorded")
        report.count("version texts")


def _detached(root: Path, data_rel: str, p7s_rel: str, roots: list[x509.Certificate],
              report: VerifyReport, member: str | None = None) -> None:
    from signatures.cms import verify_detached

    try:
        result = verify_detached((root / data_rel).read_bytes(), (root / p7s_rel).read_bytes(),
                                 roots, at=report.at, proven_at=report.proven_at,
                                 timestamp_roots=report.ts_roots)
    except FileNotFoundError:
        return
    except Exception as exc:
        report.add(p7s_rel, f"signature cannot be checked ({exc})")
        return
    if member is not None and result.signer_member_id not in (member, None):
        result = result.with_problem("wrong-signer", f"expected {member}, signed by "
                                     f"{result.signer_common_name} ({result.signer_member_id})")
    if not result.ok:
        report.add(p7s_rel, "signature over " + data_rel.rsplit("/", 1)[-1] + " does not "
                   "verify: " + ("; ".join(result.problems) or "not intact or not trusted"))
    report.count("detached signatures")


def _pdf(root: Path, rel: str, roots: list[x509.Certificate], report: VerifyReport,
         signers: dict[str, tuple[str, str]] | None = None) -> None:
    """Verify a signed PDF; with ``signers`` (field → (member, fingerprint) from the
    record) each field must be signed by its member's recorded certificate, and no other."""
    from signatures.verify import verify_pdf

    try:
        result = verify_pdf((root / rel).read_bytes(), roots, at=report.at,
                            proven_at=report.proven_at, timestamp_roots=report.ts_roots,
                            complete=False)
    except FileNotFoundError:
        return
    except Exception as exc:
        report.add(rel, f"signatures cannot be checked ({exc})")
        return
    wrong = wrong_signers(result, signers) if signers is not None else []
    if not result.ok or wrong:
        found = list(result.problems) + [p for s in result.signatures for p in s.problems]
        report.add(rel, "PDF signature does not verify: " + ("; ".join(found + wrong)
                                                             or "invalid"))
    report.count("PDF signatures", len(result.signatures))


def _approvals(root: Path, base: str, record: JSONObject, roots: list[x509.Certificate],
               report: VerifyReport) -> None:
    for a in record.get("approvals", []):
        statement = read_json(root, f"{base}/{a.get('statement')}", report)
        if isinstance(statement, dict) and (statement.get("member"), statement.get("decision")) \
                != (a.get("member"), a.get("decision")):
            report.add(f"{base}/{a.get('statement')}", "does not state the recorded decision")
        _detached(root, f"{base}/{a.get('statement')}", f"{base}/{a.get('p7s')}", roots, report)


def _signatures(root: Path, base: str, record: JSONObject,
                details: list[tuple[str, JSONObject]], roots: list[x509.Certificate],
                report: VerifyReport) -> None:
    audited: set[str] = set()
    for action, d in details:
        if action != BASE_ACTION and action.startswith("sign"):
            _hexes(d, audited)
    bases = {int(d.get("version", 0)): d for a, d in details if a == BASE_ACTION}
    checked_pdfs: set[str] = set()
    for sig in record.get("signatures", []):
        pdf = sig.get("pdf")
        if pdf and pdf not in checked_pdfs and (root / base / pdf).is_file():
            checked_pdfs.add(pdf)
            rel = f"{base}/{pdf}"
            actual = _sha(root / rel)
            if actual != sig.get("signed_sha256"):
                report.add(rel, "is not the signed PDF the dossier records (SHA-256 differs)")
            elif audited and actual not in audited:
                report.add(rel, "is not the signed PDF the audit log records")
            version = sig.get("version")
            _pdf(root, rel, roots, report, {
                str(s.get("field_name")): (str(s.get("member")), str(s.get("cert_fingerprint")))
                for s in record.get("signatures", []) if s.get("version") == version})
        docx = sig.get("docx")
        if docx and (root / base / docx).is_file():
            pinned = str(bases.get(int(sig.get("version", 0)), {}).get("docx", ""))
            actual = _sha(root / base / docx)
            if actual != sig.get("docx_sha256") or (pinned and actual != pinned):
                report.add(f"{base}/{docx}", "is not the DOCX the signatures were made over")
        if sig.get("p7s") and docx:
            if _sha(root / base / sig["p7s"]) != sig.get("p7s_sha256"):
                report.add(f"{base}/{sig['p7s']}", "is not the .p7s the dossier records")
            _detached(root, f"{base}/{docx}", f"{base}/{sig['p7s']}", roots, report,
                      member=str(sig.get("member")))
    signed = [d for a, d in details if a == "sign" and d.get("signed_sha256")]
    if signed and not checked_pdfs:
        report.add(f"{base}/record.json", f"the audit log records {len(signed)} signature(s) "
                   "but the bag holds no signed PDF: the signed PDF was removed")
    elif len(record.get("signatures", [])) < len(signed):
        report.add(f"{base}/record.json", f"lists {len(record.get('signatures', []))} "
                   f"signature(s) where the audit log records {len(signed)}")
    cert = record.get("certificate")
    if cert and (root / base / cert["file"]).is_file():
        issued = {str(d.get("sha256")) for a, d in details if a == CERTIFICATE_ACTION}
        actual = _sha(root / base / cert["file"])
        if actual != cert.get("sha256") or (issued and actual not in issued):
            report.add(f"{base}/{cert['file']}", "is not the certificate of completion the "
                       "audit log records")


def _manifest_hashes(value: object, out: dict[str, str]) -> dict[str, str]:
    """name → sha256 from a package manifest, whatever its nesting."""
    if isinstance(value, dict):
        name = value.get("path") or value.get("name") or value.get("file")
        if isinstance(name, str) and isinstance(value.get("sha256"), str):
            out[name] = value["sha256"]
        for key, v in value.items():
            if isinstance(v, str) and HEX64.match(v) and "." in key:
                out[key] = v
            else:
                _manifest_hashes(v, out)
    elif isinstance(value, list):
        for v in value:
            _manifest_hashes(v, out)
    return out


def _zip_package(path: Path, rel: str, roots: list[x509.Certificate], report: VerifyReport) -> None:
    """A zipped package: its files against its manifest.json, its signed PDFs verified."""
    import zipfile

    from signatures.verify import verify_pdf
    from workflow.dossier.unzip import PACKAGE_LIMITS, UnsafeZip, read_entry, safe_entries

    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in safe_entries(zf, PACKAGE_LIMITS)}
            names = set(infos)
            manifest = next((n for n in names if n.rsplit("/", 1)[-1] == "manifest.json"), None)
            if manifest is None:
                return
            prefix = manifest[: -len("manifest.json")]
            listed = _manifest_hashes(json.loads(read_entry(zf, infos[manifest],
                                                            PACKAGE_LIMITS)), {})
            for name, digest in sorted(listed.items()):
                if prefix + name not in names:
                    report.add(f"{rel}!{name}", "is in the package manifest but missing")
                    continue
                data = read_entry(zf, infos[prefix + name], PACKAGE_LIMITS)
                if hashlib.sha256(data).hexdigest() != digest.lower():
                    report.add(f"{rel}!{name}", "differs from the hash in the package manifest")
                elif name.endswith(".pdf") and b"/ByteRange" in data:
                    result = verify_pdf(data, roots, at=report.at, proven_at=report.proven_at,
                                 timestamp_roots=report.ts_roots)
                    if not result.ok:
                        report.add(f"{rel}!{name}", "PDF signature does not verify")
                    report.count("PDF signatures", len(result.signatures))
    except UnsafeZip as exc:
        report.add(rel, f"refused: {exc}")
    except (zipfile.BadZipFile, ValueError) as exc:
        report.add(rel, f"is not a readable package ({exc})")


def _submissions(root: Path, base: str, record: JSONObject, roots: list[x509.Certificate],
                 report: VerifyReport) -> None:
    for sub in record.get("submissions", []):
        files = [str(f) for f in sub.get("files", [])]
        manifests = [f for f in files if f.endswith("/manifest.json")]
        for mrel in manifests:
            folder = mrel.rsplit("/", 1)[0]
            listed = _manifest_hashes(read_json(root, f"{base}/{mrel}", report), {})
            for name, digest in sorted(listed.items()):
                path = root / base / folder / name
                if not path.is_file():
                    report.add(f"{base}/{folder}/{name}", "is in the package manifest but "
                               "missing from the package")
                elif _sha(path) != digest.lower():
                    report.add(f"{base}/{folder}/{name}", "differs from the hash in the "
                               "package manifest")
        if len(files) == 1 and not manifests and sub.get("package_sha256"):
            if _sha(root / base / files[0]) != sub["package_sha256"]:
                report.add(f"{base}/{files[0]}", "is not the package that was submitted "
                           "(SHA-256 differs from the record)")
        for rel in files:
            if rel.endswith(".zip") and (root / base / rel).is_file():
                _zip_package(root / base / rel, f"{base}/{rel}", roots, report)
        for rel in files:
            path = root / base / rel
            if rel.endswith(".pdf") and path.is_file() and b"/ByteRange" in path.read_bytes():
                _pdf(root, f"{base}/{rel}", roots, report)
        report.count("submissions")
