"""Verifying a dossier with nothing but the bag: no workspace, no database, no network.

1. The bag: ``bagit.txt``; every payload file re-hashed in full against both manifests
   (SHA-256 and SHA-512; never the size-only check), files missing from the disk or from
   the manifests, ``Payload-Oxum``, and the tag manifests.
2. The audit chain: ``data/audit/chain.jsonl`` recomputed from the first event; every line
   of a resolution's ``audit/audit.jsonl`` recomputed and compared with the chain.
3. The texts: every version's YAML parses and has the content hash its record and its
   audit events give.
4. Signatures: every signed PDF and every ``.p7s`` checked offline against the bag's trust
   anchors (``data/trust/*.pem``); signed files must have the SHA-256 the records and the
   audit events give (``signing-base``, ``completion-certificate``).
5. Submission packages: files against the package's ``manifest.json`` and its recorded hash;
   the signed PDF in a package must be the signed PDF the record gives, with its signatures.
6. The seal (``workflow.dossier.seal``): ``seal.p7s`` over the tag manifest, by the seal
   certificate the chain registered, under the CA the chain registered; every trust anchor
   registered in the chain; the seal timestamp and the audit anchors.

A bag without tag manifests, ``Payload-Oxum`` or a seal is refused outright (one problem).
A zipped bag is unzipped within limits (``workflow.dossier.unzip``).

Every problem names the file; ``VerifyReport.ok`` is True only when there is none.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath

from workflow.dossier.checks import check_contents
from workflow.dossier.report import VerifyReport, read_json, read_jsonl

__all__ = ["verify", "VerifyReport", "read_json", "read_jsonl"]

CHUNK = 1 << 20


def verify(path: Path, at: datetime | None = None, expect_ca: str | None = None) -> VerifyReport:
    """Every problem of the dossier at ``path`` (a bag folder, or a ZIP holding one);
    with ``expect_ca`` the CA's SHA-256 fingerprint must be that one."""
    path = Path(path)
    report = VerifyReport(path, at=at, expect_ca=expect_ca)
    if path.is_file() and zipfile.is_zipfile(path):
        tmp = Path(tempfile.mkdtemp(prefix="dossier-verify-"))
        try:
            root = _unzip(path, tmp, report)
            if root is not None:
                _verify_bag(root, report)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    elif path.is_dir():
        _verify_bag(path, report)
    else:
        report.add(str(path), "is neither a bag folder nor a ZIP file")
    return report


def _unzip(path: Path, tmp: Path, report: VerifyReport) -> Path | None:
    from workflow.dossier.unzip import DOSSIER_LIMITS, UnsafeZip, extract, safe_entries

    try:
        with zipfile.ZipFile(path) as zf:
            tops = {PurePosixPath(i.filename).parts[0]
                    for i in safe_entries(zf, DOSSIER_LIMITS) if i.filename.strip("/")}
        if len(tops) != 1:
            report.add(path.name, "refused: a zipped dossier holds exactly one folder (the bag)")
            return None
        extract(path, tmp, DOSSIER_LIMITS)
    except UnsafeZip as exc:
        report.add(path.name, f"refused: {exc}")
        return None
    except zipfile.BadZipFile as exc:
        report.add(path.name, f"refused: not a readable ZIP ({exc})")
        return None
    return tmp / tops.pop()


def _hashes(path: Path, algorithms: list[str]) -> dict[str, str]:
    hashers = {alg: hashlib.new(alg) for alg in algorithms}
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            for h in hashers.values():
                h.update(chunk)
    return {alg: h.hexdigest() for alg, h in hashers.items()}


def _decode(name: str) -> str:
    return name.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")


def _manifest(path: Path, report: VerifyReport) -> dict[str, str]:
    from workflow.dossier.layout import duplicate_lines

    entries: dict[str, str] = {}
    names: list[str] = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, _, name = line.partition(" ")
        name = _decode(name.lstrip(" *"))
        if not name or not digest:
            report.add(path.name, f"line {n} is not '<checksum> <path>'")
            continue
        names.append(name)
        entries.setdefault(name, digest.lower())
    duplicate_lines(path, names, report)
    return entries


def _verify_bag(root: Path, report: VerifyReport) -> None:
    bagit = root / "bagit.txt"
    if not bagit.is_file():
        report.add("bagit.txt", "missing: this is not a BagIt bag")
        return
    declaration = bagit.read_text("utf-8")
    if "BagIt-Version: 1.0" not in declaration:
        report.add("bagit.txt", "does not declare BagIt-Version: 1.0")
    if _refused(root, report):
        return
    from workflow.dossier.layout import check_layout

    links = check_layout(root, report)
    manifests: dict[str, dict[str, str]] = {}
    for alg in ("sha256", "sha512"):
        mpath = root / f"manifest-{alg}.txt"
        if mpath.is_file():
            manifests[alg] = _manifest(mpath, report)
        else:
            report.add(mpath.name, "missing: the dossier keeps SHA-256 and SHA-512 manifests")
    present = sorted(rel for p in (root / "data").rglob("*")
                     if not _linked(rel := p.relative_to(root).as_posix(), links)
                     and p.is_file())
    octets = _payload(root, report, manifests, present)
    info = _bag_info(root / "bag-info.txt")
    oxum = info.get("Payload-Oxum", "")
    if oxum and oxum != f"{octets}.{len(present)}":
        report.add("bag-info.txt", f"Payload-Oxum says {oxum} but the payload is "
                   f"{octets}.{len(present)}")
    _tag_files(root, report, links)
    if not links:
        check_contents(root, report)


def _payload(root: Path, report: VerifyReport, manifests: dict[str, dict[str, str]],
             present: list[str]) -> int:
    """Every payload file against every manifest, both ways; the payload's octets."""
    listed = set().union(*(m.keys() for m in manifests.values())) if manifests else set()
    octets = 0
    for rel in present:
        if rel not in listed:
            report.add(rel, "is in the bag but in no manifest: a file was added")
            continue
        algs = [alg for alg, m in manifests.items() if rel in m]
        actual = _hashes(root / rel, algs)
        octets += (root / rel).stat().st_size
        for alg in algs:
            if actual[alg] != manifests[alg][rel]:
                report.add(rel, f"{alg} checksum differs from manifest-{alg}.txt: "
                           "the file was changed")
        report.count("payload files")
    for alg, m in manifests.items():
        for rel in sorted(set(m) - set(present)):
            report.add(rel, f"is listed in manifest-{alg}.txt but missing from the bag")
        for rel in sorted(set(present) - set(m)):
            if rel in listed:
                report.add(rel, f"is not listed in manifest-{alg}.txt")
    return octets


def _tag_files(root: Path, report: VerifyReport, links: set[str]) -> None:
    """Every tag file against the tag manifests."""
    for alg in ("sha256", "sha512"):
        tpath = root / f"tagmanifest-{alg}.txt"
        if not tpath.is_file():
            continue
        for name, digest in _manifest(tpath, report).items():
            if _linked(name, links):
                continue
            if not (root / name).is_file():
                report.add(name, f"is listed in {tpath.name} but missing")
            elif _hashes(root / name, [alg])[alg] != digest:
                report.add(name, f"{alg} checksum differs from {tpath.name}: the tag file "
                           "was changed")


def _linked(rel: str, links: set[str]) -> bool:
    """Whether ``rel`` is a symbolic link or lies under one."""
    return any(rel == link or rel.startswith(link + "/") for link in links)


def _refused(root: Path, report: VerifyReport) -> bool:
    """A bag that cannot be a sealed dossier is refused with one problem, before any
    other check (its manifests would prove nothing)."""
    from workflow.dossier.seal import SEAL_FILE

    missing = [f"tagmanifest-{alg}.txt" for alg in ("sha256", "sha512")
               if not (root / f"tagmanifest-{alg}.txt").is_file()]
    if missing:
        report.add(missing[0], "refused: the bag has no tag manifests, so nothing protects "
                   "its manifests; a dossier is exported with both")
    elif "Payload-Oxum" not in _bag_info(root / "bag-info.txt"):
        report.add("bag-info.txt", "refused: no Payload-Oxum; a dossier always states its "
                   "payload's size and file count")
    elif not (root / SEAL_FILE).is_file():
        report.add(SEAL_FILE, "refused: the bag carries no seal, so nothing shows who made "
                   "it; a dossier is sealed by the secretariat at export")
    else:
        return False
    return True


def _bag_info(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if path.is_file():
        for line in path.read_text("utf-8").splitlines():
            key, sep, value = line.partition(":")
            if sep and not line[:1].isspace():
                out[key.strip()] = value.strip()
    return out


