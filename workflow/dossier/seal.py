"""The dossier's seal, and what it is anchored on.

Writing order (``dossier export``): payload → ``VERIFY.txt`` → manifests → ``bag-info.txt``
→ ``archive-timestamp.tsr`` (over ``manifest-sha512.txt``) → tag manifests →
**``seal.p7s``**, a detached CMS signature by the secretariat's seal certificate over
``tagmanifest-sha256.txt`` → ``seal-timestamp.tsr``, an RFC 3161 ``TimeStampResp`` over
``seal.p7s`` (with a timestamp authority). The two seal files are tag files that no tag
manifest lists: the tag manifest cannot list the signature made over it, and the seal
timestamp is bound to the seal by its own imprint. Everything else is covered: the tag
manifest holds the SHA-256 of both payload manifests, of ``bag-info.txt``, of
``VERIFY.txt`` and of the archive timestamp; the manifests hold every payload file's.
With a timestamp authority in the chain's rules both timestamps are required, and every
anchor the chain records must be in the bag.

What anchors it (``dossier verify``): the seal must verify against the working group's CA
certificate in the bag (``data/trust/ca.pem``) and no other; the seal certificate
(``data/seal.pem``) and the CA must be the ones the audit chain registered
(``keys-seal-issue``, ``keys-init-ca``); every trust anchor in ``data/trust/`` must be one
the chain registered (``keys-init-ca``, ``keys-import``, ``keys-trust``). A forger without
the seal key cannot re-seal; one who makes their own CA and seal must rewrite the chain,
and the CA fingerprint (printed, or checked with ``--expect-ca``), a witnessed head and the
audit anchors (``data/audit/anchors/``) tell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.dossier.report import JSONObject, VerifyReport

if TYPE_CHECKING:
    from datetime import datetime

    from cryptography import x509

    from signatures.signer import Signer
    from signatures.tsa import TimeStamper

__all__ = ["SEAL_FILE", "SEAL_TIMESTAMP", "SEALED", "SEAL_CERT", "ANCHORS", "SealFacts",
           "seal_bag", "check_seal", "fingerprint", "REGISTERING_ACTIONS"]

SEAL_FILE = "seal.p7s"
SEAL_TIMESTAMP = "seal-timestamp.tsr"
SEALED = "tagmanifest-sha256.txt"
SEAL_CERT = "seal.pem"            # inside data/
ANCHORS = "audit/anchors"         # inside data/: <name>.tsr tokens, each with <name>.json
#: audit actions that put a certificate into the trust store (detail keys holding SHA-256s)
REGISTERING_ACTIONS = {"keys-init-ca": ("fingerprint",), "keys-trust": ("fingerprint",),
                       "keys-import": ("trust_added",)}


@dataclass
class SealFacts:
    """What an archivist compares out of band."""

    ca_sha256: str | None = None
    seal_sha256: str | None = None
    sealed_at: datetime | None = None   # the seal timestamp's time
    head: tuple[int, str] | None = None
    anchors: list[JSONObject] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"ca_sha256": self.ca_sha256, "seal_sha256": self.seal_sha256,
                "sealed_at": self.sealed_at.isoformat() if self.sealed_at else None,
                "audit_head": ({"seq": self.head[0], "hash": self.head[1]}
                               if self.head else None),
                "anchors": self.anchors}


def fingerprint(cert: x509.Certificate) -> str:
    from signatures.keys import cert_info

    return str(cert_info(cert).sha256)


def seal_bag(bag: Path, signer: Signer, timestamper: TimeStamper | None = None) -> None:
    """Seal the finished bag: ``seal.p7s`` over the tag manifest (and its timestamp)."""
    from signatures.cms import sign_detached

    bag = Path(bag)
    seal = sign_detached((bag / SEALED).read_bytes(), signer)
    (bag / SEAL_FILE).write_bytes(seal)
    if timestamper is not None:
        from signatures.ltv import timestamp_response, timestamp_token

        (bag / SEAL_TIMESTAMP).write_bytes(timestamp_response(timestamp_token(seal, timestamper)))


def _load(path: Path) -> list[x509.Certificate]:
    from signatures.keys import load_certificates

    return list(load_certificates(path.read_bytes()))


def _registered(chain: list[JSONObject]) -> tuple[set[str], set[str], set[str]]:
    """(CA fingerprints, seal fingerprints, every registered trust anchor) from the chain."""
    cas: set[str] = set()
    seals: set[str] = set()
    anchors: set[str] = set()
    for rec in chain:
        if rec.get("redacted") or rec.get("outcome") != "ok":
            continue
        action, detail = rec.get("action"), rec.get("detail") or {}
        if not isinstance(detail, dict):
            continue
        if action == "keys-init-ca":
            cas.add(str(detail.get("fingerprint")))
        if action == "keys-seal-issue":
            seals.add(str(detail.get("fingerprint")))
        for key in REGISTERING_ACTIONS.get(str(action), ()):
            value = detail.get(key)
            anchors.update(str(v) for v in (value if isinstance(value, list) else [value]))
    return cas, seals, anchors


def check_seal(root: Path, dossier: JSONObject, chain: list[JSONObject],
               report: VerifyReport, expect_ca: str | None = None) -> SealFacts:
    """Check the seal and what anchors it; return the facts to compare out of band."""
    facts = SealFacts(head=(int(dossier.get("audit", {}).get("head_seq", 0)),
                            str(dossier.get("audit", {}).get("head_hash", ""))))
    cas, seals, registered = _registered(chain)
    ca_rel = f"data/{(dossier.get('ca') or {}).get('file', 'trust/ca.pem')}"
    try:
        ca = _load(root / ca_rel)[0]
    except (FileNotFoundError, IndexError, ValueError) as exc:
        report.add(ca_rel, f"the working group's CA certificate is missing or unreadable "
                   f"({exc}); the seal cannot be checked")
        return facts
    facts.ca_sha256 = fingerprint(ca)
    if facts.ca_sha256 not in cas:
        report.add(ca_rel, "is not the CA the audit chain registered (keys-init-ca)")
    if expect_ca and facts.ca_sha256 != expect_ca.replace(":", "").lower():
        report.add(ca_rel, f"the CA's SHA-256 is {facts.ca_sha256}, not the expected "
                   f"{expect_ca}: the dossier was not sealed under the working group's CA")
    _trust_registered(root, registered, report)
    _timestamps_present(root, dossier, chain, report)
    facts.sealed_at = _seal_timestamp(root, report)
    seal_rel = f"data/{(dossier.get('seal') or {}).get('certificate', SEAL_CERT)}"
    try:
        seal_cert = _load(root / seal_rel)[0]
        facts.seal_sha256 = fingerprint(seal_cert)
    except (FileNotFoundError, IndexError, ValueError) as exc:
        report.add(seal_rel, f"the seal certificate is missing or unreadable ({exc})")
    if facts.seal_sha256 and facts.seal_sha256 not in seals:
        report.add(seal_rel, "is not the seal certificate the audit chain registered "
                   "(keys-seal-issue)")
    _seal_signature(root, ca, facts, report)
    facts.anchors = _anchors(root, chain, report)
    return facts


def _trust_registered(root: Path, registered: set[str], report: VerifyReport) -> None:
    trust = root / "data" / "trust"
    for path in sorted(trust.glob("*")) if trust.is_dir() else []:
        rel = path.relative_to(root).as_posix()
        try:
            certs = _load(path)
        except ValueError as exc:
            report.add(rel, f"is not a readable certificate ({exc})")
            continue
        for cert in certs:
            if fingerprint(cert) not in registered:
                report.add(rel, f"trust anchor {cert.subject.rfc4514_string()} "
                           f"({fingerprint(cert)[:16]}…) was never registered in the audit "
                           "chain (keys init-ca, import or trust): it was added to the bag")


def _tsa_configured(chain: list[JSONObject]) -> str | None:
    """The timestamp authority the rules recorded last in the chain name, if any."""
    url = None
    for rec in chain:
        if rec.get("action") == "config" and rec.get("outcome") == "ok" \
                and isinstance(rec.get("detail"), dict):
            config = rec["detail"].get("config") or {}
            url = str((config.get("signatures") or {}).get("timestamp_url") or "") or None
    return url


def _timestamps_present(root: Path, dossier: JSONObject, chain: list[JSONObject],
                        report: VerifyReport) -> None:
    """A dossier exported with a timestamp authority carries both timestamps: removing
    them would turn a proven moment of sealing into a claimed one."""
    from workflow.signing.archive import TOKEN_NAME

    url = _tsa_configured(chain)
    declared = dossier.get("timestamps") or {}
    if not url and not declared:
        return
    why = (f"the audit chain's rules name the timestamp authority {url}" if url else
           "data/dossier.json says the bag was timestamped")
    for name in (SEAL_TIMESTAMP, TOKEN_NAME):
        if not (root / name).is_file():
            report.add(name, f"is missing: {why}, so every dossier it exports carries its "
                       "seal and archive timestamps; the timestamp was removed")


def _seal_timestamp(root: Path, report: VerifyReport) -> datetime | None:
    token = root / SEAL_TIMESTAMP
    if not token.is_file():
        return None
    from signatures.ltv import check_token

    roots = list(report.ts_roots)
    when, problem = check_token(token.read_bytes(), (root / SEAL_FILE).read_bytes(), roots,
                                report.at)
    if problem:
        report.add(SEAL_TIMESTAMP, problem.replace("archive timestamp", "seal timestamp")
                   .replace("these manifests", "seal.p7s"))
    return when


def _seal_signature(root: Path, ca: x509.Certificate, facts: SealFacts, report: VerifyReport) -> None:
    from signatures.cms import verify_detached

    try:
        result = verify_detached((root / SEALED).read_bytes(), (root / SEAL_FILE).read_bytes(),
                                 [ca], at=report.at, proven_at=facts.sealed_at)
    except Exception as exc:  # a damaged seal is a verdict
        report.add(SEAL_FILE, f"the seal cannot be checked ({exc})")
        return
    if not result.ok:
        report.add(SEAL_FILE, "the seal over tagmanifest-sha256.txt does not verify against "
                   "the working group's CA: " + ("; ".join(result.problems) or "invalid")
                   + " — the bag was changed after it was sealed, or sealed by someone else")
    elif facts.seal_sha256 and result.signer_sha256 != facts.seal_sha256:
        report.add(SEAL_FILE, f"is signed by {result.signer_common_name} "
                   f"({result.signer_sha256[:16]}…), not by the seal certificate "
                   f"{SEAL_CERT} ({facts.seal_sha256[:16]}…)")
    report.count("seal")


def _anchors(root: Path, chain: list[JSONObject], report: VerifyReport
             ) -> list[JSONObject]:
    """Each anchor token in ``data/audit/anchors/``: ``NAME.tsr`` over the bytes that
    ``NAME.json`` gives as ``"data"`` (the head as timestamped), for event ``seq`` with
    ``hash``; the chain must hold that event with that hash."""
    import hashlib

    from signatures.ltv import check_token, token_of

    folder = root / "data" / ANCHORS
    out: list[JSONObject] = []
    carried: set[str] = set()
    hashes = {int(r.get("seq", 0)): r.get("hash") for r in chain}
    roots = list(report.ts_roots)
    for token in sorted(folder.glob("*.tsr")) if folder.is_dir() else []:
        rel = token.relative_to(root).as_posix()
        try:
            meta = json.loads(token.with_suffix(".json").read_text("utf-8"))
            seq, digest, data = int(meta["seq"]), str(meta["hash"]), str(meta["data"])
        except (FileNotFoundError, ValueError, KeyError, TypeError) as exc:
            report.add(rel, f"has no readable description next to it ({exc})")
            continue
        carried.add(hashlib.sha256(token_of(token.read_bytes())).hexdigest())
        when, problem = check_token(token.read_bytes(), data.encode("utf-8"), roots, report.at)
        if problem:
            report.add(rel, problem.replace("archive timestamp", "audit anchor"))
        if hashes.get(seq) != digest or digest not in data:
            report.add(rel, f"anchors audit event {seq} with hash {digest[:16]}…, which the "
                       "chain in the bag does not hold: the chain was rewritten")
        out.append({"file": rel, "seq": seq, "hash": digest,
                    "time": when.isoformat() if when else None})
        report.count("audit anchors")
    for rec in chain:  # every anchor the chain records must be in the bag
        detail = rec.get("detail") if isinstance(rec.get("detail"), dict) else {}
        if rec.get("action") == "anchor" and rec.get("outcome") == "ok" and detail \
                and str(detail.get("token_sha256")) not in carried:
            report.add(f"data/{ANCHORS}/", f"lacks the anchor of audit event "
                       f"{detail.get('seq')} ({str(detail.get('hash'))[:16]}…, at "
                       f"{detail.get('at')}) that audit event {rec.get('seq')} records: the "
                       "anchor was removed from the bag")
    return out
