"""The sealed dossier against an attacker who knows BagIt.

One resolution through review, approval, two signatures (B-LTA through a loopback TSA),
submission and receipt, exported once and sealed. Each attack edits a copy and then
recomputes everything BagIt lets anyone recompute — manifests, Payload-Oxum, tag manifests
— with the ``bagit`` library's own ``Bag.save``. Without the seal key the seal names every
one of them. The insider who holds the seal key and re-seals is caught by the deeper
checks, each named; a self-made CA and seal by the chain's registrations and by
``--expect-ca``. VERIFY.txt's own commands pass on the bag and fail on a tampered one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import bagit
import pytest
from click.testing import Result

from signatures.tsa import LoopbackTsa
from tests.conftest import LETTER, Cli, fixture_text, module_workspace
from tests.signatures.tsa_server import loopback_tsa  # noqa: F401 - fixture

pytestmark = pytest.mark.slow

FOLDER = "RCWG-RES-2024-1"
SEAL_OUTSIDER = "seal.p7s: the seal over tagmanifest-sha256.txt does not verify"


@dataclass
class Sealed:
    ws: Cli
    root: Path
    bag: Path

    @property
    def data(self) -> Path:
        return self.bag / "data" / FOLDER


def _secret(root: Path, name: str) -> str:
    path = root / f"{name}.pass"
    path.write_text(f"{name}-Passphrase-7c2d\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory,
           loopback_tsa: LoopbackTsa) -> Iterator[Sealed]:  # noqa: F811
    root = tmp_path_factory.mktemp("sealed")
    with module_workspace(root / "ws") as ws:
        toml = ws.root / "resolutions.toml"
        toml.write_text(toml.read_text("utf-8").replace(
            "[signatures]\n", f'[signatures]\ntimestamp_url = "{loopback_tsa.url}"\n'), "utf-8")
        ws(["audit", "config"])
        (root / "tsa-root.pem").write_bytes(loopback_tsa.root_pem)
        ws(["keys", "trust", str(root / "tsa-root.pem"), "--for", "timestamps"])
        source = root / "res.yaml"
        source.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
        s = ws(["new", str(source)]).output.strip()
        ws(["circulate", s, "--reviewer", "rev-ru"])
        ws(["comment", s, "--by", "rev-ru", "--ref", "OP 1(b)", "--type", "te",
            "--text", "Name the components"])
        ws(["dispose", s, "1", "--reject", "--note", "Out of scope"])
        ws(["close-review", s, "--no-objection"])
        for member in ("appr-ru", "appr-zh"):
            ws(["approve", s, "--by", member, "--evidence", LETTER])
        ca = _secret(root, "ca")
        ws(["keys", "init-ca", "--passphrase-file", ca])
        for member in ("appr-ru", "appr-zh", "rev-ru"):
            ws(["keys", "issue", member, "--ca-passphrase-file", ca,
                "--passphrase-file", _secret(root, member)])
        for member in ("appr-ru", "appr-zh"):
            ws(["sign", s, "--by", member, "--passphrase-file", _secret(root, member)])
        ws(["submit", s, "--to", "brics-higher-council"])
        ws(["receipt", s, "--ref", "HC/2024/7", "--outcome", "acknowledged"])
        ws(["keys", "seal-issue", "--ca-passphrase-file", ca,
            "--passphrase-file", _secret(root, "seal")])
        ws(["dossier", "export", s, "-o", str(root / "bag"),
            "--seal-passphrase-file", str(root / "seal.pass")])
        yield Sealed(ws, root, root / "bag")


# -- the attacker's tools -------------------------------------------------------------------
def _copy(sealed: Sealed, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(sealed.bag, target)
    return target


def _rebag(bag: Path) -> None:
    """Recompute manifests, Payload-Oxum and tag manifests with bagit's own code."""
    bagit.Bag(str(bag)).save(manifests=True)


def _reseal(sealed: Sealed, bag: Path) -> None:
    """The insider with the seal key: drop the old seal and timestamps, rebag, re-seal."""
    from signatures.signer import Signer
    from workflow.dossier.seal import seal_bag

    for name in ("seal.p7s", "seal-timestamp.tsr", "archive-timestamp.tsr"):
        (bag / name).unlink(missing_ok=True)
    _rebag(bag)
    key = sealed.ws.root / ".resolutions/keys/seal/seal.p12"
    seal_bag(bag, Signer.from_p12(key, b"seal-Passphrase-7c2d"))


def _verify(sealed: Sealed, bag: Path, *extra: str, code: int = 1) -> str:
    result: Result = sealed.ws(["dossier", "verify", str(bag), *extra], code=code)
    return result.output


def _edit_json(path: Path, change: object) -> None:
    value = json.loads(path.read_text("utf-8"))
    change(value)  # type: ignore[operator]
    path.write_text(json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1) + "\n",
                    encoding="utf-8")


def _both(sealed: Sealed, tmp_path: Path, attack: object, insider: list[str]) -> None:
    """The attack by an outsider (caught by the seal) and by the insider who re-seals
    (caught by each of the ``insider`` messages)."""
    outsider = _copy(sealed, tmp_path / "out")
    attack(outsider)  # type: ignore[operator]
    _rebag(outsider)
    assert SEAL_OUTSIDER in _verify(sealed, outsider)
    inside = _copy(sealed, tmp_path / "in")
    attack(inside)  # type: ignore[operator]
    _reseal(sealed, inside)
    out = _verify(sealed, inside)
    assert SEAL_OUTSIDER not in out, out
    for message in insider:
        assert message in out, out


# -- a sound bag ----------------------------------------------------------------------------
def test_sealed_bag_verifies_and_prints_what_to_compare(sealed: Sealed) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    out = _verify(sealed, sealed.bag, code=0)
    ca = x509.load_pem_x509_certificate((sealed.ws.root / ".resolutions/keys/ca/ca.pem")
                                        .read_bytes()).fingerprint(hashes.SHA256()).hex()
    seal = x509.load_pem_x509_certificate((sealed.ws.root / ".resolutions/keys/seal/seal.pem")
                                          .read_bytes())
    assert f"CA          {ca}" in out
    assert f"seal        {seal.fingerprint(hashes.SHA256()).hex()}  (timestamped" in out
    head = sealed.ws(["audit", "head"]).output.split()
    assert f"audit head  {head[0]} {head[1]}" in out and "dossier intact" in out
    assert "RCWG secretariat seal" in seal.subject.rfc4514_string()
    report = json.loads(sealed.ws(["dossier", "verify", str(sealed.bag), "--json",
                                   "--expect-ca", ca]).output)
    assert report["ok"] and report["seal"]["ca_sha256"] == ca
    assert report["seal"]["audit_head"] == {"seq": int(head[0]), "hash": head[1]}
    assert report["checked"]["packaged signed PDFs"] == 1 and report["checked"]["seal"] == 1
    tags = (sealed.bag / "tagmanifest-sha256.txt").read_text("utf-8")
    assert "VERIFY.txt" in tags and "seal.p7s" not in tags


def test_an_unchanged_re_export_anchors_nothing_new_and_is_reused(sealed: Sealed,
                                                                   tmp_path: Path) -> None:
    """With a timestamp authority each export anchors the head it carries; when nothing
    happened since (the chain ends with that anchor), the next export adds no anchor, so
    its inputs are unchanged and the payload is reused — sealed and timestamped anew."""
    before = sealed.ws(["audit", "head"]).output.split()
    again = json.loads(sealed.ws(["dossier", "export", "1", "-o", str(tmp_path / "again"),
                                  "--json", "--seal-passphrase-file",
                                  str(sealed.root / "seal.pass")]).output)
    assert sealed.ws(["audit", "head"]).output.split() == before
    assert again["reused"] is True
    for name in ("manifest-sha256.txt", "manifest-sha512.txt"):
        assert (tmp_path / "again" / name).read_bytes() == (sealed.bag / name).read_bytes()
    assert (tmp_path / "again" / "seal-timestamp.tsr").read_bytes() != \
        (sealed.bag / "seal-timestamp.tsr").read_bytes()
    assert "dossier intact" in _verify(sealed, tmp_path / "again", code=0)


def test_verify_txt_commands_pass_on_the_bag_and_fail_on_a_tampered_one(
        sealed: Sealed, tmp_path: Path) -> None:
    from workflow.dossier.howto import commands

    text = (sealed.bag / "VERIFY.txt").read_text("utf-8")
    assert "Печать" in text and "印章" in text and "pdfsig" in text
    script = "\n".join(commands(text))
    assert "openssl ts -verify" in script and "bagit.py --validate" in script
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "BAG": str(sealed.bag)}
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("Signature is Valid") >= 2
    copy = _copy(sealed, tmp_path)
    _edit_json(copy / "data" / FOLDER / "approvals/approvals.json", lambda v: v)  # reformat
    (copy / "data" / FOLDER / "review/round-1.json").write_text("{}\n", encoding="utf-8")
    _rebag(copy)
    env["BAG"] = str(copy)
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], env=env,
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert "Verification failure" in done.stderr or "verification failure" in done.stderr


# -- the nine attacks -----------------------------------------------------------------------
def _replace_in(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def attack(bag: Path) -> None:
        path = bag / "data" / FOLDER / rel
        before = path.read_text("utf-8")
        path.write_text(before.replace(old, new), "utf-8")
        assert path.read_text("utf-8") != before
    return attack


def test_an_approval_moved_to_another_member(sealed: Sealed, tmp_path: Path) -> None:
    _both(sealed, tmp_path, _replace_in("approvals/approvals.json", '"appr-zh"', '"appr-ru2"'),
          [f"data/{FOLDER}/approvals/approvals.json id", "says member_id = 'appr-ru2', but the "
           "row the audit log recorded has 'appr-zh'"])


def test_a_disposition_changed(sealed: Sealed, tmp_path: Path) -> None:
    _both(sealed, tmp_path, _replace_in("review/round-1.json", '"rejected"', '"accepted"'),
          [f"data/{FOLDER}/review/round-1.json comment", "says disposition = 'accepted'"])


def test_a_receipt_rewritten(sealed: Sealed, tmp_path: Path) -> None:
    _both(sealed, tmp_path, _replace_in("submissions/1/submission.json", '"acknowledged"',
                                        '"adopted"'),
          [f"data/{FOLDER}/submissions/1/submission.json", "says outcome = 'adopted'"])


def test_the_rows_edited_with_the_records_are_named_by_the_chain(sealed: Sealed,
                                                                  tmp_path: Path) -> None:
    """The insider edits the record and the row it is checked against: the hash the chain
    recorded for the row still says otherwise; a row taken out is named too."""
    def attack(bag: Path) -> None:
        _replace_in("approvals/approvals.json", '"appr-zh"', '"appr-ru2"')(bag)
        rows = bag / "data" / FOLDER / "audit/rows.jsonl"
        lines = [json.loads(x) for x in rows.read_text("utf-8").splitlines()]
        for line in lines:
            if line["table"] == "approvals" and line["row"]["member_id"] == "appr-zh":
                line["row"]["member_id"] = "appr-ru2"
        lines = [x for x in lines if x["table"] != "comments"]
        rows.write_text("".join(json.dumps(x, ensure_ascii=False, sort_keys=True) + "\n"
                                for x in lines), encoding="utf-8")

    _both(sealed, tmp_path, attack, ["audit/rows.jsonl line", "field(s) member_id differ from "
                                     "what audit event", "lacks the comments row"])


def test_signed_pdf_replaced_by_its_earlier_revision(sealed: Sealed, tmp_path: Path) -> None:
    from signatures.verify import signed_revision

    def attack(bag: Path) -> None:
        pdf = bag / "data" / FOLDER / "signed/v1/signed.pdf"
        pdf.write_bytes(signed_revision(pdf.read_bytes(), 0))  # 1 of 2 signatures
        digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
        _edit_json(bag / "data" / FOLDER / "record.json", lambda r: [
            s.update(signed_sha256=digest) for s in r["signatures"]])
    _both(sealed, tmp_path, attack, [
        f"data/{FOLDER}/signed/v1/signed.pdf: PDF signature does not verify",
        "the recorded signature of appr-zh is not in the PDF"])


def test_signed_pdf_deleted_and_pdf_null(sealed: Sealed, tmp_path: Path) -> None:
    def attack(bag: Path) -> None:
        (bag / "data" / FOLDER / "signed/v1/signed.pdf").unlink()
        _edit_json(bag / "data" / FOLDER / "record.json", lambda r: [
            s.update(pdf=None) for s in r["signatures"]])
    _both(sealed, tmp_path, attack, [
        f"data/{FOLDER}/record.json: the audit log records 2 signature(s) but the bag holds "
        "no signed PDF"])


def _package_zip(bag: Path) -> Path:
    return next((bag / "data" / FOLDER / "submissions/1").glob("*.zip"))


def test_package_pdf_replaced_by_the_unsigned_text(sealed: Sealed, tmp_path: Path) -> None:
    def attack(bag: Path) -> None:
        package = _package_zip(bag)
        unsigned = (bag / "data" / FOLDER / "versions/v1/text.pdf").read_bytes()
        with zipfile.ZipFile(package) as zf:
            entries = {i.filename: zf.read(i) for i in zf.infolist()}
        name = next(n for n in entries if n.endswith("_signed.pdf"))
        entries[name] = unsigned
        mname = next(n for n in entries if n.endswith("manifest.json"))
        manifest = json.loads(entries[mname])
        for f in manifest["files"]:
            if name.endswith(f["name"]):
                f["sha256"], f["size"] = hashlib.sha256(unsigned).hexdigest(), len(unsigned)
        entries[mname] = json.dumps(manifest).encode("utf-8")
        with zipfile.ZipFile(package, "w") as zf:
            for n, data in entries.items():
                zf.writestr(n, data)
        digest = hashlib.sha256(package.read_bytes()).hexdigest()
        _edit_json(bag / "data" / FOLDER / "record.json", lambda r: [
            s.update(package_sha256=digest) for s in r["submissions"]])
        _edit_json(bag / "data" / FOLDER / "submissions/1/submission.json",
                   lambda s: s.update(package_sha256=digest))
    _both(sealed, tmp_path, attack, [
        "carries no signature: the package holds the unsigned text",
        "is not the signed PDF of the record (SHA-256 differs)"])


def test_audit_events_turned_into_redaction_stubs(sealed: Sealed, tmp_path: Path) -> None:
    def attack(bag: Path) -> None:
        chain = bag / "data/audit/chain.jsonl"
        lines = [json.loads(x) for x in chain.read_text("utf-8").splitlines()]
        hidden = {r["seq"] for r in lines if r.get("action") == "approve"}
        chain.write_text("".join(json.dumps(
            {"seq": r["seq"], "redacted": True, "prev_hash": r["prev_hash"], "hash": r["hash"]}
            if r["seq"] in hidden else r, ensure_ascii=False, sort_keys=True) + "\n"
            for r in lines), "utf-8")
        own = bag / "data" / FOLDER / "audit/audit.jsonl"
        own.write_text("".join(x + "\n" for x in own.read_text("utf-8").splitlines()
                               if json.loads(x)["seq"] not in hidden), "utf-8")
    _both(sealed, tmp_path, attack, ["is a redaction stub in the chain"])


def _forger(tmp_path: Path, ca_name: str) -> tuple[object, Path]:
    """A CA with the working group's CA's name, and a certificate naming appr-ru."""
    from signatures import keys
    from signatures.signer import Signer

    keys.create_ca(tmp_path / "fca", common_name=ca_name, organisation="Russian–Chinese "
                   "working group on microelectronics", passphrase=b"forger-Passphrase-1")
    keys.issue_certificate(tmp_path / "fca", b"forger-Passphrase-1", member_id="appr-ru",
                           name="Appr RU", organisation="X", email=None,
                           out_p12=tmp_path / "f.p12", p12_passphrase=b"p12-Passphrase-22")
    return Signer.from_p12(tmp_path / "f.p12", b"p12-Passphrase-22"), tmp_path / "fca/ca.pem"


def test_page_altered_and_re_signed_under_a_ca_added_to_the_trust_folder(
        sealed: Sealed, tmp_path: Path) -> None:
    from cryptography import x509

    from signatures.keys import cert_info
    from signatures.pades import sign_pdf

    ca_name = x509.load_pem_x509_certificate(
        (sealed.bag / "data/trust/ca.pem").read_bytes()).subject.rfc4514_string()
    signer, forged_ca = _forger(tmp_path, ca_name.split("CN=")[1].split(",")[0])

    def attack(bag: Path) -> None:
        pdf = bag / "data" / FOLDER / "signed/v1/signed.pdf"
        altered = (bag / "data" / FOLDER / "versions/v1/text.pdf").read_bytes()
        pdf.write_bytes(sign_pdf(altered, signer, field_name="sig-appr-ru", page=0,
                                 box=(40, 40, 200, 100), stamp_lines=["Appr RU"]))
        shutil.copy(forged_ca, bag / "data/trust/zz-forged.pem")
        _edit_json(bag / "data/dossier.json", lambda d: d["trust"].append("trust/zz-forged.pem"))
        digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
        fp = cert_info(signer.cert).sha256  # type: ignore[attr-defined]
        _edit_json(bag / "data" / FOLDER / "record.json", lambda r: [
            s.update(signed_sha256=digest, cert_fingerprint=fp) for s in r["signatures"]])
    _both(sealed, tmp_path, attack, [
        "data/trust/zz-forged.pem: trust anchor", "was never registered in the audit chain",
        f"data/{FOLDER}/signed/v1/signed.pdf: is not the signed PDF the audit log records"])


def test_a_p7s_replaced_by_a_reviewers(sealed: Sealed, tmp_path: Path) -> None:
    from signatures.cms import sign_detached
    from signatures.signer import Signer

    reviewer = Signer.from_p12(sealed.ws.root / ".resolutions/keys/rev-ru.p12",
                               b"rev-ru-Passphrase-7c2d")

    def attack(bag: Path) -> None:
        docx = bag / "data" / FOLDER / "signed/v1/text.docx"
        p7s = bag / "data" / FOLDER / "signed/v1/text.docx.appr-ru.p7s"
        p7s.write_bytes(sign_detached(docx.read_bytes(), reviewer))
        digest = hashlib.sha256(p7s.read_bytes()).hexdigest()
        _edit_json(bag / "data" / FOLDER / "record.json", lambda r: [
            s.update(p7s_sha256=digest) for s in r["signatures"] if s["member"] == "appr-ru"])
    _both(sealed, tmp_path, attack, [
        f"data/{FOLDER}/signed/v1/text.docx.appr-ru.p7s: signature over text.docx does not "
        "verify", "expected appr-ru, signed by"])


# -- a self-made seal -----------------------------------------------------------------------
def _self_sealed(sealed: Sealed, tmp_path: Path) -> tuple[Path, str]:
    """The bag re-sealed under a CA and seal the forger made (same names)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    from signatures import keys
    from signatures.signer import Signer
    from workflow.dossier.seal import seal_bag

    bag = _copy(sealed, tmp_path)
    keys.create_ca(tmp_path / "own", common_name="Russian–Chinese working group on "
                   "microelectronics CA", organisation="X", passphrase=b"own-Passphrase-12")
    keys.issue_certificate(tmp_path / "own", b"own-Passphrase-12", member_id=None,
                           name="RCWG secretariat seal", organisation="X", email=None,
                           out_p12=tmp_path / "seal.p12", p12_passphrase=b"seal-Passphrase-1")
    seal = Signer.from_p12(tmp_path / "seal.p12", b"seal-Passphrase-1")
    shutil.copy(tmp_path / "own/ca.pem", bag / "data/trust/ca.pem")
    (bag / "data/seal.pem").write_bytes(seal.cert.public_bytes(Encoding.PEM))
    for name in ("seal.p7s", "seal-timestamp.tsr", "archive-timestamp.tsr"):
        (bag / name).unlink(missing_ok=True)
    _rebag(bag)
    seal_bag(bag, seal)
    return bag, keys.cert_info(keys.load_certificates(
        (tmp_path / "own/ca.pem").read_bytes())[0]).sha256


def test_a_self_made_seal_is_caught_by_the_chain_and_by_expect_ca(
        sealed: Sealed, tmp_path: Path) -> None:
    bag, forged = _self_sealed(sealed, tmp_path)
    out = _verify(sealed, bag)
    assert SEAL_OUTSIDER not in out  # the forger's seal itself is sound
    assert "data/trust/ca.pem: is not the CA the audit chain registered (keys-init-ca)" in out
    assert "data/seal.pem: is not the seal certificate the audit chain registered" in out
    assert f"CA          {forged}" in out
    real = json.loads(sealed.ws(["dossier", "verify", str(sealed.bag), "--json"]).output)
    out = _verify(sealed, bag, "--expect-ca", real["seal"]["ca_sha256"])
    assert (f"data/trust/ca.pem: the CA's SHA-256 is {forged}, not the expected "
            f"{real['seal']['ca_sha256']}") in out


# -- bags that are refused outright ---------------------------------------------------------
@pytest.mark.parametrize(("remove", "message"), [
    (["tagmanifest-sha256.txt", "tagmanifest-sha512.txt"],
     "tagmanifest-sha256.txt: refused: the bag has no tag manifests"),
    (["seal.p7s"], "seal.p7s: refused: the bag carries no seal"),
    ([], "bag-info.txt: refused: no Payload-Oxum"),
])
def test_refused_with_one_line(sealed: Sealed, tmp_path: Path, remove: list[str],
                               message: str) -> None:
    copy = _copy(sealed, tmp_path)
    for name in remove:
        (copy / name).unlink()
    if not remove:
        info = copy / "bag-info.txt"
        info.write_text("".join(x for x in info.read_text("utf-8").splitlines(keepends=True)
                                if not x.startswith("Payload-Oxum")), "utf-8")
    out = _verify(sealed, copy)
    problems = [x for x in out.splitlines() if x.startswith("PROBLEM")]
    assert len(problems) == 1 and problems[0].startswith(f"PROBLEM: {message}"), out
