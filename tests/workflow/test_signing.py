"""Signing end to end through the CLI: keys, three signatories (one signing elsewhere and
imported), the guard to ``signed``, the certificate of completion, signed approvals, and
verification of the results by us, outside the workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import LETTER, Cli, fixture_text

pytestmark = pytest.mark.slow

CA_PASS = "ca-Secret-3f9a-Кл"
KEY_PASS = {"appr-ru": "ru-Key-71c2", "appr-zh": "zh-Key-58e0", "chair": "chair-Key-a4d3"}


def passfile(tmp_path: Path, name: str, value: str) -> str:
    path = tmp_path / f"{name}.pass"
    path.write_text(value + "\n", encoding="utf-8")
    return str(path)


def setup_keys(ws: Cli, tmp_path: Path) -> None:
    """A third signatory required by the workspace, a CA, and a key per signatory."""
    ws(["member", "add", "chair", "--name", "Chen Jing", "--name-zh", "陈静", "--name-ru",
        "Чэнь Цзин", "--org", "BRICS Secretariat", "--delegation", "zh", "--email",
        "chair@wg.example", "--role", "signatory"])
    toml = ws.root / "resolutions.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "required = []", 'required = ["chair"]'), encoding="utf-8")
    assert json.loads(ws(["audit", "config", "--json"]).output)["changed"] == [
        "signatures.required"]  # a rule changed: recorded in the audit log
    ca = passfile(tmp_path, "ca", CA_PASS)
    out = json.loads(ws(["keys", "init-ca", "--passphrase-file", ca, "--json"]).output)
    assert out["common_name"] == "Russian–Chinese working group on microelectronics CA"
    assert len(out["sha256"]) == 64
    for member, secret in KEY_PASS.items():
        info = json.loads(ws(["keys", "issue", member, "--ca-passphrase-file", ca,
                              "--passphrase-file", passfile(tmp_path, member, secret),
                              "--json"]).output)
        assert info["p12_path"] == f".resolutions/keys/{member}.p12"
        assert (ws.root / info["p12_path"]).stat().st_mode & 0o777 == 0o600
    # the secretariat's seal, for dossier exports: --seal-passphrase-file <tmp_path>/seal.pass
    ws(["keys", "seal-issue", "--ca-passphrase-file", ca, "--passphrase-file",
        passfile(tmp_path, "seal", "seal-Pass-5e41-secretariat")])


def to_approved(ws: Cli, tmp_path: Path, signed_approvals: bool = True) -> str:
    path = tmp_path / "res.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    symbol = ws(["new", str(path)]).output.strip()
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])
    for member in ("appr-ru", "appr-zh"):
        extra = (["--passphrase-file", str(tmp_path / f"{member}.pass")] if signed_approvals
                 else ["--evidence", LETTER])
        ws(["approve", symbol, "--by", member, *extra])
    assert json.loads(ws(["status", symbol, "--json"]).output)["state"] == "approved"
    return symbol


def sign_elsewhere(pdf: Path, p12: Path, secret: str, field: str) -> bytes:
    """What Acrobat does: sign the empty field of the file as it is."""
    from signatures import Signer, sign_pdf, signature_box

    data = pdf.read_bytes()
    page, box = signature_box(data, field, width=180, height=60)
    return sign_pdf(data, Signer.from_p12(p12, secret.encode()), field_name=field, page=page,
                    box=box, stamp_lines=["陈静", "Chen Jing"])


def test_three_signatories_sign_and_the_resolution_becomes_signed(ws: Cli, tmp_path: Path) -> None:
    setup_keys(ws, tmp_path)
    s = to_approved(ws, tmp_path)

    # a member without the signatory role is refused, and the refusal is audited
    refused = ws(["sign", s, "--by", "appr-ru2", "--passphrase-file",
                  passfile(tmp_path, "x", "whatever")], code=1)
    assert "appr-ru2 may not sign: it takes the signatory role" in refused.output

    out = json.loads(ws(["sign", s, "--by", "appr-ru", "--passphrase-file",
                         str(tmp_path / "appr-ru.pass"), "--json"]).output)
    assert out["certification"] and out["state"] == "approved"
    assert out["missing"] == ["chair", "a zh signatory"]
    signed = ws(["sign", s, "--by", "appr-zh", "--passphrase-file", str(tmp_path / "appr-zh.pass")])
    out = signed.output
    assert "signed by appr-zh → approved; still missing: chair" in out
    assert signed.stderr.splitlines() == [  # off a terminal: one line per finished step
        "done: the approved text's PDF and DOCX", "done: sign and check the PDF",
        "done: sign the DOCX (.p7s)"]
    assert "already signed" in ws(["sign", s, "--by", "appr-zh", "--passphrase-file",
                                   str(tmp_path / "appr-zh.pass")], code=1).output

    # the chair signs in Acrobat: take the latest PDF out, sign it there, import it
    files = tmp_path / "out"
    written = json.loads(ws(["signed-files", s, "-o", str(files), "--json"]).output)["files"]
    pdf = next(Path(f["path"]) for f in written if f["kind"] == "pdf")
    assert pdf.name.endswith("_v1_signed.pdf")
    external = sign_elsewhere(pdf, ws.root / ".resolutions/keys/chair.p12",
                              KEY_PASS["chair"], "sig-chair")
    # a signature over anything but our latest PDF is refused
    stale = tmp_path / "stale.pdf"
    stale.write_bytes(external[:200] + b"%" + external[201:])
    assert "not our latest PDF" in ws(["signatures", "import", s, str(stale)], code=1).output
    imported = tmp_path / "chair-signed.pdf"
    imported.write_bytes(external)
    done = json.loads(ws(["signatures", "import", s, str(imported), "--json"]).output)["signatures"]
    assert [(d["member"], d["state"], d["missing"]) for d in done] == [("chair", "signed", [])]
    assert done[0]["certificate_sha256"]

    # verify the final PDF outside the workspace, with the CA certificate only
    written = json.loads(ws(["signed-files", s, "-o", str(files), "--json"]).output)["files"]
    kinds = {f["kind"]: Path(f["path"]) for f in written if f["kind"] != "p7s"}
    assert kinds["pdf"].read_bytes() == external
    ca_pem = ws.root / ".resolutions/keys/ca/ca.pem"
    report = json.loads(Cli(tmp_path, ws.runner)(
        ["verify", str(kinds["pdf"]), "--trust", str(ca_pem), "--json"]).output)
    assert report["ok"] and report["signature_count"] == 3
    sigs = report["signatures"]
    assert [x["signer"]["member_id"] for x in sigs] == ["appr-ru", "appr-zh", "chair"]
    assert [x["signer"]["common_name"] for x in sigs] == ["Смирнова Анна", "李伟", "Chen Jing"]
    assert [x["field_name"] for x in sigs] == ["sig-appr-ru", "sig-appr-zh", "sig-chair"]
    assert [x["certification"] for x in sigs] == [True, False, False]
    assert sigs[0]["docmdp_level"] == "FILL_FORMS"
    assert all(x["intact"] and x["valid"] and x["trusted"] and x["bottom_line"] for x in sigs)
    assert [x["modification_level"] for x in sigs] == ["FORM_FILLING", "FORM_FILLING", "NONE"]
    assert sigs[2]["coverage"] == "ENTIRE_FILE" and sigs[2]["signed_revision_end"] == report["size"]

    # the DOCX companion: one .p7s per workspace signature, verified by us
    docx_report = json.loads(ws(["verify", str(kinds["docx"]), "--json"]).output)
    assert docx_report["ok"] and docx_report["signature_count"] == 2
    assert sorted(r["signer"]["member_id"] for r in docx_report["signatures"]) == [
        "appr-ru", "appr-zh"]

    # the stamp shows the names in the document's languages, the page text is untouched
    text = PdfReader(kinds["pdf"]).pages[-1].extract_text()
    assert "Смирнова Анна" in text and "李伟" in text

    # certificate of completion: every event and the signers' fingerprints
    cert_pdf = PdfReader(kinds["certificate"])
    facts = json.loads(cert_pdf.attachments["completion.json"][0])
    keys = json.loads(ws(["keys", "list", "--json"]).output)["certificates"]
    fingerprints = {k["member"]: k["fingerprint"] for k in keys}
    assert [(x["member"], x["cert_fingerprint"]) for x in facts["signers"]] == [
        (m, fingerprints[m]) for m in ("appr-ru", "appr-zh", "chair")]
    assert facts["signed_pdf_sha256"] == report_sha(kinds["pdf"])
    assert [e["action"] for e in facts["events"]][-4:] == ["signing-base", "sign", "sign", "sign"]
    assert all(len(e["hash"]) == 64 for e in facts["events"])

    log = json.loads(ws(["log", s, "--json"]).output)["events"]
    assert [(e["action"], e["outcome"]) for e in log][-6:] == [
        ("refused", "refused"), ("signing-base", "ok"), ("sign", "ok"), ("sign", "ok"),
        ("sign", "ok"), ("completion-certificate", "ok")]
    assert json.loads(ws(["status", s, "--json"]).output)["state"] == "signed"
    audit = json.loads(ws(["audit", "verify", "--json"]).output)
    assert audit["ok"], audit["problems"]


def report_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_signing_refusals(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    setup_keys(ws, tmp_path)
    s = to_approved(ws, tmp_path, signed_approvals=False)
    # another member's key is not the signatory's registered certificate
    out = ws(["sign", s, "--by", "appr-ru", "--p12", str(ws.root / ".resolutions/keys/appr-zh.p12"),
              "--passphrase-file", str(tmp_path / "appr-zh.pass")], code=1).output
    assert "is not the one registered for appr-ru" in out
    out = ws(["sign", s, "--by", "appr-ru", "--passphrase-file",
              passfile(tmp_path, "wrong", "not-it")], code=1).output
    assert "Wrong passphrase" in out
    assert ws(["log", s, "--json"]).output.count('"action": "sign"') == 0


def test_a_certificate_from_another_ca_is_imported_and_signs(ws_sqlite: Cli, tmp_path: Path) -> None:
    from signatures import create_ca, issue_certificate

    ws = ws_sqlite
    setup_keys(ws, tmp_path)
    national = tmp_path / "national"
    create_ca(national / "ca", common_name="Национальный УЦ", organisation="Минпромторг",
              passphrase=b"national-ca")
    issue_certificate(national / "ca", b"national-ca", member_id="appr-ru", name="Смирнова Анна",
                      organisation="Минпромторг России", email=None,
                      out_p12=national / "smirnova.p12", p12_passphrase=b"national-key")
    pf = passfile(tmp_path, "national", "national-key")
    # a bundle issued to someone else is refused
    out = ws(["keys", "import", "appr-zh", str(national / "smirnova.p12"),
              "--passphrase-file", pf], code=1).output
    assert "names member 'appr-ru', not 'appr-zh'" in out
    info = json.loads(ws(["keys", "import", "appr-ru", str(national / "smirnova.p12"),
                          "--passphrase-file", pf, "--json"]).output)
    assert info["imported"] and info["issuer"] == "O=Минпромторг,CN=Национальный УЦ"
    listing = json.loads(ws(["keys", "list", "--json"]).output)
    assert len(listing["trust"]) == 2
    assert {k["member"]: k["imported"] for k in listing["certificates"]} == {
        "appr-ru": True, "appr-zh": False, "chair": False}
    import sqlite3

    con = sqlite3.connect(ws.root / ".resolutions" / "resolutions.db")
    events = con.execute("SELECT action, detail FROM audit_events WHERE action LIKE 'keys-%' "
                         "ORDER BY seq").fetchall()
    con.close()
    assert [a for a, _ in events] == ["keys-init-ca"] + ["keys-issue"] * 3 + [
        "keys-seal-issue", "keys-import"]
    assert json.loads(events[-1][1])["fingerprint"] == info["fingerprint"]
    s = to_approved(ws, tmp_path, signed_approvals=False)
    out = ws(["sign", s, "--by", "appr-ru", "--passphrase-file", pf]).output
    assert "signed by appr-ru (certifying) → approved" in out
    # the key issued by our CA before the import is no longer appr-ru's registered one
    out = ws(["sign", s, "--by", "appr-zh", "--p12", str(ws.root / ".resolutions/keys/appr-ru.p12"),
              "--passphrase-file", str(tmp_path / "appr-ru.pass")], code=1).output
    assert "is not the one registered for appr-zh" in out
