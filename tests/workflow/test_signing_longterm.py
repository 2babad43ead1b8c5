"""Long-term signatures in a workspace: a real timestamp authority over HTTP, trusted with
`keys trust`; B-T signatures and B-LTA when complete, verified as on 2040-01-01 by us,
by the dossier and by pdfsig/OpenSSL; B-B refused at 2040 with the expiry reason;
revocation and its CRL; no traceback on any refusal."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from signatures.tsa import LoopbackTsa
from tests.conftest import LETTER, Cli, make_workspace
from tests.signatures.tsa_server import loopback_tsa  # noqa: F401 - fixture
from tests.workflow.test_signing import (
    CA_PASS,
    KEY_PASS,
    passfile,
    setup_keys,
    to_approved,
)

pytestmark = pytest.mark.slow

OPENSSL = shutil.which("openssl") or "openssl"


def _use_tsa(ws: Cli, tsa: LoopbackTsa, tmp_path: Path, trust: bool = True) -> Path:
    toml = ws.root / "resolutions.toml"
    toml.write_text(toml.read_text("utf-8").replace(
        "[signatures]\n", f'[signatures]\ntimestamp_url = "{tsa.url}"\n'), "utf-8")
    ws(["audit", "config"])
    root = tmp_path / "tsa-root.pem"
    root.write_bytes(tsa.root_pem)
    if trust:
        ws(["keys", "trust", str(root), "--for", "timestamps"])
    return root


def _new(ws: Cli, tmp_path: Path) -> str:
    from tests.conftest import fixture_text

    path = tmp_path / "other.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    symbol = ws(["new", str(path)]).output.strip()
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])
    return symbol


def _said(output: str) -> str:
    """What a command said, without the progress lines it prints off a terminal."""
    return "".join(line for line in output.splitlines(keepends=True)
                   if not line.startswith("done: "))


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and 'File "' not in text, text


def _files(ws: Cli, symbol: str, out: Path) -> dict[str, list[Path]]:
    written = json.loads(ws(["signed-files", symbol, "-o", str(out), "--json"]).output)["files"]
    paths: dict[str, list[Path]] = {}
    for item in written:
        paths.setdefault(item["kind"], []).append(Path(item["path"]))
    return paths


def test_b_lta_through_a_trusted_tsa_verifies_in_2040(ws: Cli, tmp_path: Path,
                                                      loopback_tsa: LoopbackTsa) -> None:  # noqa: F811
    setup_keys(ws, tmp_path)
    tsa_root = _use_tsa(ws, loopback_tsa, tmp_path, trust=False)
    other = _new(ws, tmp_path)
    for member in ("appr-ru", "appr-zh"):
        ws(["approve", other, "--by", member, "--evidence", LETTER])
    # a timestamp authority nobody trusted: one sentence, nothing recorded
    refused = _said(ws(["sign", other, "--by", "appr-ru", "--passphrase-file",
                        str(tmp_path / "appr-ru.pass")], code=1).output)
    _no_traceback(refused)
    assert refused.count("\n") == 1 and "resolutions keys trust" in refused
    assert '"action": "sign"' not in ws(["log", other, "--json"]).output
    added = json.loads(ws(["keys", "trust", str(tsa_root), "--for", "timestamps", "--json"]
                          ).output)["added"][0]
    symbol = to_approved(ws, tmp_path)  # signed approval statements, timestamped
    listing = json.loads(ws(["keys", "list", "--json"]).output)
    entry = next(t for t in listing["trust"] if t["sha256"] == added["sha256"])
    assert entry["for"] == ["timestamps"] and "test TSA root" in entry["subject"]
    ca = next(t for t in listing["trust"] if "microelectronics CA" in t["subject"])
    assert ca["for"] == ["signatures"] and len(ca["sha256"]) == 64
    assert added["sha256"] in ws(["keys", "list"]).output  # the full fingerprint is shown
    levels = []
    for member in KEY_PASS:
        out = ws(["sign", symbol, "--by", member, "--passphrase-file",
                  str(tmp_path / f"{member}.pass")]).output
        levels.append(out.strip().splitlines()[-1].strip())
    assert levels == ["PAdES B-T", "PAdES B-T", "PAdES B-LTA"]
    status = json.loads(ws(["status", symbol, "--json"]).output)
    assert any("B-LTA once complete" in f for f in status["facts"])
    files = _files(ws, symbol, tmp_path / "files")
    pdf, ca_pem = files["pdf"][0], ws.root / ".resolutions/keys/ca/ca.pem"
    outside = Cli(tmp_path / "elsewhere", ws.runner)
    (tmp_path / "elsewhere").mkdir()
    args = ["verify", str(pdf), "--trust", str(ca_pem), "--trust-tsa", str(tsa_root), "--json"]
    now = json.loads(outside(args).output)
    later = json.loads(outside([*args, "--at", "2040-01-01"]).output)
    for report in (now, later):
        assert report["ok"] and report["level"] == "B-LTA" and report["signature_count"] == 3
        assert all(s["proof"]["by"] == "signature-timestamp" for s in report["signatures"])
    assert later["at"] == "2040-01-01T00:00:00+00:00"
    inside = json.loads(ws(["verify", str(pdf), "--at", "2040-01-01", "--json"]).output)
    assert inside["ok"] and inside["workspace"] is True
    # the DOCX signatures are CAdES-T and verify at 2040 too
    docx = json.loads(outside(["verify", str(files["docx"][0]), "--trust", str(ca_pem),
                               "--trust-tsa", str(tsa_root), "--at", "2040-01-01",
                               "--json"]).output)
    assert docx["ok"] and all(s["timestamp_time"] for s in docx["signatures"])
    for p7s in files["p7s"]:
        done = subprocess.run([OPENSSL, "cms", "-verify", "-binary", "-inform", "DER", "-in",
                               str(p7s), "-content", str(files["docx"][0]), "-CAfile",
                               str(ca_pem), "-purpose", "any", "-out", "/dev/null"],
                              capture_output=True)
        assert done.returncode == 0, done.stderr
    # the dossier, with nothing but the bag, as on 2040-01-01
    ws(["dossier", "export", symbol, "-o", str(tmp_path / "bag"),
        "--seal-passphrase-file", str(tmp_path / "seal.pass")])
    report = json.loads(outside(["dossier", "verify", str(tmp_path / "bag"), "--at",
                                 "2040-01-01", "--json"]).output)
    assert report["ok"], report["problems"]
    assert report["archive_timestamp"] is not None
    assert (tmp_path / "bag" / "archive-timestamp.tsr").is_file()
    assert json.loads(ws(["audit", "verify", "--json"]).output)["ok"]
    con = sqlite3.connect(ws.root / ".resolutions" / "resolutions.db") \
        if (ws.root / ".resolutions" / "resolutions.db").exists() else None
    if con is not None:
        actions = [a for (a,) in con.execute("SELECT action FROM audit_events ORDER BY seq")]
        assert actions.count("keys-trust") == 1
        con.close()


def test_pdfsig_accepts_the_b_lta_file(tmp_path: Path, loopback_tsa: LoopbackTsa) -> None:  # noqa: F811
    ws = make_workspace(tmp_path / "ws")
    setup_keys(ws, tmp_path)
    symbol = to_approved(ws, tmp_path, signed_approvals=False)
    _use_tsa(ws, loopback_tsa, tmp_path)
    for member in KEY_PASS:
        ws(["sign", symbol, "--by", member, "--passphrase-file", str(tmp_path / f"{member}.pass")])
    pdf = _files(ws, symbol, tmp_path / "files")["pdf"][0]
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "rcwg-ca", "-t", "C,C,C", "-i",
                    str(ws.root / ".resolutions/keys/ca/ca.pem")], check=True)
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf)],
                         capture_output=True).stdout.decode("utf-8", "replace")
    assert out.count("Signature Validation: Signature is Valid.") >= 3, out
    assert out.count("Certificate Validation: Certificate is Trusted.") >= 3, out


def test_b_b_is_refused_in_2040_with_the_expiry_reason(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    setup_keys(ws, tmp_path)
    symbol = to_approved(ws, tmp_path, signed_approvals=False)
    out = ws(["sign", symbol, "--by", "appr-ru", "--passphrase-file",
              str(tmp_path / "appr-ru.pass")]).output
    assert "PAdES B-B: no timestamp authority" in out
    assert any("PAdES B-B" in f for f in json.loads(ws(["status", symbol, "--json"]).output)["facts"])
    for member in ("appr-zh", "chair"):
        ws(["sign", symbol, "--by", member, "--passphrase-file", str(tmp_path / f"{member}.pass")])
    pdf = _files(ws, symbol, tmp_path / "files")["pdf"][0]
    text = ws(["verify", str(pdf), "--at", "2040-01-01"], code=1).output
    _no_traceback(text)
    assert "certificate of Смирнова Анна expired on 2029-" in text
    assert "no timestamp proves the signature existed before" in text
    data = json.loads(ws(["verify", str(pdf), "--at", "2040-01-01", "--json"], code=1).output)
    assert data["level"] == "B-B"
    assert {s["reason"] for s in data["signatures"]} == {"expired"}
    ws(["dossier", "export", symbol, "-o", str(tmp_path / "bag"),
        "--seal-passphrase-file", str(tmp_path / "seal.pass")])
    bag = ws(["dossier", "verify", str(tmp_path / "bag"), "--at", "2040-01-01"], code=1).output
    assert "expired on" in bag and "no timestamp proves" in bag
    ws(["dossier", "verify", str(tmp_path / "bag")])  # today it holds
    bad = ws(["verify", str(pdf), "--at", "next tuesday"], code=1).output
    assert "is not a date" in bad


def test_revocation_crl_and_signatures_before_and_after(ws_sqlite: Cli, tmp_path: Path,
                                                        loopback_tsa: LoopbackTsa) -> None:  # noqa: F811
    ws = ws_sqlite
    setup_keys(ws, tmp_path)
    symbol = to_approved(ws, tmp_path, signed_approvals=False)
    _use_tsa(ws, loopback_tsa, tmp_path)
    ca_pass = passfile(tmp_path, "ca", CA_PASS)
    ws(["sign", symbol, "--by", "appr-ru", "--passphrase-file", str(tmp_path / "appr-ru.pass")])
    before = _files(ws, symbol, tmp_path / "before")["pdf"][0]
    p12 = ws.root / ".resolutions/keys/appr-ru.p12"
    time.sleep(1.1)  # timestamps and revocation times have one-second resolution
    revoked = json.loads(ws(["keys", "revoke", "appr-ru", "--reason", "key-compromise",
                             "--ca-passphrase-file", ca_pass, "--json"]).output)
    assert not p12.exists()  # set aside so a new one can be issued
    aside = next(p12.parent.glob("appr-ru.revoked-*.p12"))
    listing = json.loads(ws(["keys", "list", "--json"]).output)
    mine = next(k for k in listing["certificates"] if k["member"] == "appr-ru")
    assert mine["revoked"]["reason"] == "key-compromise"
    # the CRL, DER and PEM, checked by OpenSSL against the CA
    ca_pem = ws.root / ".resolutions/keys/ca/ca.pem"
    for args, inform in ((["--pem"], "PEM"), ([], "DER")):
        crl = tmp_path / f"ca-{inform}.crl"
        ws(["keys", "crl", "-o", str(crl), *args])
        done = subprocess.run([OPENSSL, "crl", "-inform", inform, "-in", str(crl), "-CAfile",
                               str(ca_pem), "-noout", "-text"], capture_output=True, text=True)
        assert done.returncode == 0 and "verify OK" in done.stdout + done.stderr, done.stderr
        assert revoked["serial"].upper()[-8:] in done.stdout.replace(":", "").upper()
        assert "Key Compromise" in done.stdout
    fresh = ws(["keys", "crl", "-o", str(tmp_path / "fresh.crl"), "--ca-passphrase-file",
                ca_pass, "--json"]).output
    assert json.loads(fresh)["revoked"] == 1
    # issued certificates name the CRL
    from cryptography import x509

    from signatures import Signer

    cert = Signer.from_p12(aside, KEY_PASS["appr-ru"].encode()).cert
    dp = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert dp[0].full_name[0].value.endswith("/.resolutions/keys/ca/crl.der")
    # the signature timestamped before the revocation stays valid, in and out of the workspace
    # (the file holds one of three signatures: the set is incomplete, the signature holds;
    # of the two missing, the chair's field is Required — ``required = ["chair"]`` — while
    # the zh delegation's second signatory may be either of its two members)
    inside = json.loads(ws(["verify", str(before), "--json"], code=1).output)
    assert inside["signatures"][0]["ok"]
    assert "chair's signature (field sig-chair) is missing" in " ".join(inside["problems"])
    outside = Cli(tmp_path / "elsewhere", ws.runner)
    (tmp_path / "elsewhere").mkdir()
    trust = ["--trust", str(ca_pem), "--trust-tsa", str(tmp_path / "tsa-root.pem")]
    crl_der = tmp_path / "ca-DER.crl"
    assert json.loads(outside(["verify", str(before), *trust, "--crl", str(crl_der),
                               "--json"], code=1).output)["signatures"][0]["ok"]
    # the revoked member cannot sign here any more
    out = ws(["sign", symbol, "--by", "appr-ru", "--p12", str(aside), "--passphrase-file",
              str(tmp_path / "appr-ru.pass")], code=1).output
    assert "already signed" in out or "was revoked" in out
    # a signature made after the revocation (elsewhere, with the old key) is refused
    from signatures.tsa import UrlTimeStamper

    later = tmp_path / "later.pdf"
    data = before.read_bytes()
    from signatures import sign_pdf, signature_box

    page, box = signature_box(data, "sig-appr-zh", width=180, height=60)
    later.write_bytes(sign_pdf(data, Signer.from_p12(aside, KEY_PASS["appr-ru"].encode()),
                               field_name="sig-appr-zh", page=page, box=box, stamp_lines=["x"],
                               timestamper=UrlTimeStamper(loopback_tsa.url)))
    report = json.loads(outside(["verify", str(later), *trust, "--crl", str(crl_der), "--json"],
                                code=1).output)
    assert report["signatures"][0]["ok"] is True
    assert "revoked" in report["signatures"][1]["reasons"]
    # a fresh certificate after revocation signs again on another resolution
    ws(["keys", "issue", "appr-ru", "--ca-passphrase-file", ca_pass, "--passphrase-file",
        str(tmp_path / "appr-ru.pass")])


def test_sign_with_an_unreachable_tsa_is_one_sentence(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    setup_keys(ws, tmp_path)
    symbol = to_approved(ws, tmp_path, signed_approvals=False)
    gone = LoopbackTsa(label="test")
    gone.stop()
    _use_tsa(ws, gone, tmp_path)
    out = _said(ws(["sign", symbol, "--by", "appr-ru", "--passphrase-file",
                    str(tmp_path / "appr-ru.pass")], code=1).output)
    _no_traceback(out)
    assert out.startswith("Error:") and "cannot be reached" in out and out.count("\n") == 1



def test_the_archive_timestamp_keeps_b_b_signatures_provable(ws_sqlite: Cli, tmp_path: Path,
                                                             loopback_tsa: LoopbackTsa) -> None:  # noqa: F811
    ws = ws_sqlite
    setup_keys(ws, tmp_path)
    symbol = to_approved(ws, tmp_path, signed_approvals=False)
    for member in KEY_PASS:  # no timestamp authority yet: B-B
        ws(["sign", symbol, "--by", member, "--passphrase-file", str(tmp_path / f"{member}.pass")])
    _use_tsa(ws, loopback_tsa, tmp_path)
    ws(["dossier", "export", symbol, "-o", str(tmp_path / "bag"),
        "--seal-passphrase-file", str(tmp_path / "seal.pass")])
    token = tmp_path / "bag" / "archive-timestamp.tsr"
    done = subprocess.run([OPENSSL, "ts", "-verify", "-in", str(token), "-data",
                           str(tmp_path / "bag" / "manifest-sha512.txt"), "-CAfile",
                           str(tmp_path / "tsa-root.pem")], capture_output=True, text=True)
    assert done.returncode == 0 and "Verification: OK" in done.stdout, done.stderr
    report = json.loads(ws(["dossier", "verify", str(tmp_path / "bag"), "--at", "2040-01-01",
                            "--json"]).output)
    assert report["ok"] and report["archive_timestamp"], report["problems"]
    # a token over another bag's manifests proves nothing here
    ws(["dossier", "export", symbol, "-o", str(tmp_path / "bag2"),
        "--seal-passphrase-file", str(tmp_path / "seal.pass")])
    shutil.copy(tmp_path / "bag2" / "archive-timestamp.tsr", token)
    (tmp_path / "bag" / "manifest-sha512.txt").write_text(
        (tmp_path / "bag" / "manifest-sha512.txt").read_text("utf-8") + "\n", "utf-8")
    out = ws(["dossier", "verify", str(tmp_path / "bag"), "--at", "2040-01-01"], code=1).output
    assert "archive-timestamp.tsr" in out and "expired on" in out


def test_keys_trust_takes_roots_only_and_is_audited(ws_sqlite: Cli, tmp_path: Path,
                                                    loopback_tsa: LoopbackTsa) -> None:  # noqa: F811
    from cryptography.hazmat.primitives.serialization import Encoding

    ws = ws_sqlite
    setup_keys(ws, tmp_path)
    leaf = tmp_path / "tsa-leaf.pem"
    leaf.write_bytes(loopback_tsa.authority.cert.public_bytes(Encoding.PEM))
    out = ws(["keys", "trust", str(leaf)], code=1).output
    assert "is not a root certificate" in out and out.count("\n") == 1
    root = tmp_path / "root.pem"
    root.write_bytes(loopback_tsa.root_pem)
    # one purpose per root: never signers and times at once
    refused = ws(["keys", "trust", str(root), "--for", "signatures", "--for", "timestamps"],
                 code=1).output
    assert "a root is trusted for one of them only" in " ".join(refused.split())
    both = json.loads(ws(["keys", "trust", str(root), "--json"]).output)["added"][0]
    assert both["for"] == ["signatures"]  # the default
    log = json.loads(ws(["audit", "verify", "--json"]).output)
    assert log["ok"]
    con = sqlite3.connect(ws.root / ".resolutions" / "resolutions.db")
    (detail,) = con.execute("SELECT detail FROM audit_events WHERE action='keys-trust'").fetchone()
    con.close()
    assert json.loads(detail)["fingerprint"] == both["sha256"]
    assert ws(["keys", "crl", "-o", str(tmp_path / "x.crl")]).output.startswith(str(tmp_path))
