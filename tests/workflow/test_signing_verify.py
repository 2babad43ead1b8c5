"""Verifying what the workspace signed: tampering, rewritten pages and strangers' keys fail
with exit 1; poppler's pdfsig and OpenSSL agree with us; no passphrase is kept anywhere."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from tests.conftest import FROZEN_NOW, Cli, module_workspace
from tests.workflow.test_signing import CA_PASS, KEY_PASS, setup_keys, to_approved

pytestmark = pytest.mark.slow


@dataclass
class Signed:
    ws: Cli
    tmp: Path
    symbol: str
    pdf: Path
    docx: Path
    p7s: list[Path]
    certificate: Path
    ca_pem: Path

    def verify(self, *args: str, code: int = 0) -> dict:  # type: ignore[type-arg]
        """`resolutions verify` outside the workspace, trusting the CA certificate only."""
        outside = Cli(self.tmp / "elsewhere", self.ws.runner)
        result = outside([*args, "--trust", str(self.ca_pem), "--json"], code=code)
        return json.loads(result.output)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Signed]:
    """One SQLite workspace whose resolution three signatories signed in the workspace."""
    tmp = tmp_path_factory.mktemp("signed")
    with module_workspace(tmp / "ws") as ws:
        setup_keys(ws, tmp)
        symbol = to_approved(ws, tmp)
        for member in KEY_PASS:
            ws(["sign", symbol, "--by", member, "--passphrase-file", str(tmp / f"{member}.pass")])
        out = tmp / "files"
        written = json.loads(ws(["signed-files", symbol, "-o", str(out), "--json"]).output)["files"]
        paths: dict[str, list[Path]] = {}
        for item in written:
            paths.setdefault(item["kind"], []).append(Path(item["path"]))
        (tmp / "elsewhere").mkdir()
        yield Signed(ws, tmp, symbol, paths["pdf"][0], paths["docx"][0], paths["p7s"],
                     paths["certificate"][0], ws.root / ".resolutions/keys/ca/ca.pem")


def test_the_signed_pdf_verifies_outside_the_workspace(signed: Signed) -> None:
    report = signed.verify("verify", str(signed.pdf))
    assert report["schema"] == "brics-resolutions/verify-pdf/1"
    assert report["ok"] and report["signature_count"] == 3 and report["problems"] == []
    assert [s["signer"]["member_id"] for s in report["signatures"]] == list(KEY_PASS)
    assert all(s["ok"] and s["trusted"] for s in report["signatures"])
    assert report["trust"] == str(signed.ca_pem)
    human = Cli(signed.tmp / "elsewhere", signed.ws.runner)(
        ["verify", str(signed.pdf), "--trust", str(signed.ca_pem)]).output
    assert "all 3 signature(s) valid" in human and "OK   Смирнова Анна (appr-ru)" in human


def test_verify_outside_a_workspace_opens_no_database(signed: Signed) -> None:
    """Outside a workspace, `verify --trust` needs certificates and the file, nothing of the
    database: no ORM, no workspace application, no database module is imported."""
    import sys

    root = Path(__file__).resolve().parents[2]
    code = ("import sys\n"
            f"sys.path.insert(0, {str(root)!r})\n"
            "from cli import cli\n"
            "try:\n"
            f"    cli.main(args=['verify', {str(signed.pdf)!r}, '--trust', "
            f"{str(signed.ca_pem)!r}, '--json'], prog_name='resolutions')\n"
            "except SystemExit as exc:\n"
            "    assert not exc.code, exc.code\n"
            "print('MODS:' + ','.join(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=signed.tmp / "elsewhere",
                          env={"PATH": "/usr/bin:/bin", "RESOLUTIONS_NOW": FROZEN_NOW})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout[:done.stdout.rindex("MODS:")])
    assert report["ok"] and report["signature_count"] == 3 and report["workspace"] is False
    modules = set(done.stdout[done.stdout.rindex("MODS:") + 5:].split(","))
    assert {"pyhanko", "signatures.verify"} <= modules  # it did verify
    leaked = {m for m in modules if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "pydantic",
                                                        "alembic", "psycopg", "ruamel")}
    leaked |= modules & {"workflow.app", "workflow.store.db", "workflow.store.models",
                         "workflow.signing.trust", "workflow.signing.keys"}
    assert leaked == set()


def test_verify_takes_trust_from_the_workspace_or_asks_for_it(
        signed: Signed, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from cli import cli

    inside = CliRunner().invoke(cli, ["--workspace", str(signed.ws.root), "verify",
                                      str(signed.pdf), "--json"], catch_exceptions=False)
    assert inside.exit_code == 0 and json.loads(inside.output)["trust"].endswith("keys/trust")
    monkeypatch.chdir(signed.tmp / "elsewhere")
    outside = CliRunner().invoke(cli, ["verify", str(signed.pdf)], catch_exceptions=False)
    assert outside.exit_code == 1 and "give --trust CA.pem" in outside.output


def test_a_flipped_byte_fails(signed: Signed) -> None:
    data = bytearray(signed.pdf.read_bytes())
    data[bytes(data).index(b"stream", 2000) + 40] ^= 0x01
    tampered = signed.tmp / "flipped.pdf"
    tampered.write_bytes(bytes(data))
    report = signed.verify("verify", str(tampered), code=1)
    assert not report["ok"]
    assert all(not s["intact"] and not s["ok"] for s in report["signatures"])
    assert "the signed bytes were changed after signing" in report["signatures"][0]["problems"][0]


def _rewrite_page(pdf: bytes) -> bytes:
    writer = PdfWriter(BytesIO(pdf), incremental=True)
    stream = DecodedStreamObject()
    stream.set_data(b"q 1 0 0 rg 100 100 200 200 re f Q")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_page_rewritten_after_signing_fails_with_its_modification_level(signed: Signed) -> None:
    original = signed.pdf.read_bytes()
    altered = _rewrite_page(original)
    assert altered.startswith(original)
    path = signed.tmp / "rewritten.pdf"
    path.write_bytes(altered)
    report = signed.verify("verify", str(path), code=1)
    sigs = report["signatures"]
    assert all(s["intact"] and s["valid"] and s["trusted"] for s in sigs)  # intact is not enough
    assert [s["modification_level"] for s in sigs] == ["OTHER"] * 3
    assert sigs[0]["docmdp_ok"] is False and not sigs[0]["bottom_line"]
    assert "modification level OTHER" in " ".join(sigs[0]["problems"])


def test_a_certificate_from_an_unknown_ca_is_untrusted(signed: Signed) -> None:
    from signatures import Signer, create_ca, issue_certificate, sign_pdf, signature_box

    outsider = signed.tmp / "outsider"
    create_ca(outsider / "ca", common_name="Outsider CA", organisation="Elsewhere",
              passphrase=b"outsider-ca")
    issue_certificate(outsider / "ca", b"outsider-ca", member_id="appr-ru", name="Смирнова Анна",
                      organisation="Elsewhere", email=None, out_p12=outsider / "appr-ru.p12",
                      p12_passphrase=b"outsider-key")
    # through the workspace: the stranger's key is not the registered certificate
    approved = signed.ws
    pf = signed.tmp / "outsider.pass"
    pf.write_text("outsider-key\n", encoding="utf-8")
    refused = approved(["sign", signed.symbol, "--by", "appr-ru", "--p12",
                        str(outsider / "appr-ru.p12"), "--passphrase-file", str(pf)], code=1)
    assert "signed by" not in refused.output and "Error:" in refused.output
    # signed outside the workspace, verified with our CA: untrusted
    data = _approved_pdf(signed)
    page, box = signature_box(data, "sig-appr-ru", width=180, height=60)
    stranger = sign_pdf(data, Signer.from_p12(outsider / "appr-ru.p12", b"outsider-key"),
                        field_name="sig-appr-ru", page=page, box=box, stamp_lines=["Смирнова Анна"])
    path = signed.tmp / "stranger.pdf"
    path.write_bytes(stranger)
    report = signed.verify("verify", str(path), code=1)
    (sig,) = report["signatures"]
    assert sig["intact"] and sig["valid"] and not sig["trusted"] and not sig["ok"]
    assert "does not lead to a trusted CA" in sig["problems"][0]
    # and the workspace will not import it
    out = signed.ws(["signatures", "import", signed.symbol, str(path)], code=1).output
    assert "Error:" in out


def _approved_pdf(signed: Signed) -> bytes:
    """The approved, unsigned PDF: the base of the first signature, from the store."""
    log = json.loads(signed.ws(["log", signed.symbol, "--json"]).output)["events"]
    first = next(e for e in log if e["action"] == "sign" and e["outcome"] == "ok")
    digest = first["detail"]["base_sha256"]
    return (signed.ws.root / ".resolutions" / "store" / digest[:2] / digest).read_bytes()


def test_docx_p7s_verify_and_one_changed_byte_fails(signed: Signed) -> None:
    assert sorted(p.name.rsplit(".", 2)[-2] for p in signed.p7s) == sorted(KEY_PASS)
    report = signed.verify("verify", str(signed.docx))
    assert report["schema"] == "brics-resolutions/verify-detached/1"
    assert report["ok"] and report["signature_count"] == 3
    assert {r["signer"]["member_id"] for r in report["signatures"]} == set(KEY_PASS)
    changed = signed.tmp / "elsewhere" / signed.docx.name
    data = bytearray(signed.docx.read_bytes())
    data[100] ^= 0x01
    changed.write_bytes(bytes(data))
    for p7s in signed.p7s:
        shutil.copy(p7s, changed.parent / p7s.name)
    report = signed.verify("verify", str(changed), code=1)
    assert not report["ok"] and all(not r["intact"] for r in report["signatures"])


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: install the Debian package {package}"
    return path


def test_pdfsig_agrees(signed: Signed) -> None:
    nss = signed.tmp / "nss"
    nss.mkdir(exist_ok=True)
    certutil = _tool("certutil", "libnss3-tools")
    subprocess.run([certutil, "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run([certutil, "-A", "-d", f"sql:{nss}", "-n", "rcwg-ca", "-t", "C,C,C",
                    "-i", str(signed.ca_pem)], check=True)
    done = subprocess.run([_tool("pdfsig", "poppler-utils"), "-nssdir", f"sql:{nss}",
                           str(signed.pdf)], capture_output=True)
    out = done.stdout.decode("utf-8", "replace")
    assert out.count("Signature Validation: Signature is Valid.") == 3, out
    assert out.count("Certificate Validation: Certificate is Trusted.") == 3, out
    for name in ("Смирнова Анна", "李伟", "Chen Jing"):
        assert f"Signer Certificate Common Name: {name}" in out
    assert "Signature Field Name: sig-chair" in out and "Total document signed" in out


def test_openssl_accepts_each_p7s(signed: Signed) -> None:
    openssl = _tool("openssl", "openssl")
    for p7s in signed.p7s:
        done = subprocess.run([openssl, "cms", "-verify", "-binary", "-inform", "DER", "-in",
                               str(p7s), "-content", str(signed.docx), "-CAfile",
                               str(signed.ca_pem), "-purpose", "any", "-out", "/dev/null"],
                              capture_output=True)
        assert done.returncode == 0 and b"Verification successful" in done.stderr, done.stderr


def test_no_passphrase_is_kept_in_the_database_audit_or_files(signed: Signed) -> None:
    secrets = [CA_PASS, *KEY_PASS.values()]
    needles = [s.encode("utf-8") for s in secrets] + [s.encode("utf-16-le") for s in secrets]
    root = signed.ws.root
    db = root / ".resolutions" / "resolutions.db"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert db in files
    for path in files:
        data = path.read_bytes()
        assert not any(n in data for n in needles), f"a passphrase is stored in {path}"
    assert b"PRIVATE KEY" not in db.read_bytes()  # no key material in the database either
    log = json.loads(signed.ws(["log", signed.symbol, "--json"]).output)["events"]
    assert not any(s in json.dumps(log, ensure_ascii=False) for s in secrets)


def test_audit_verify_checks_signed_statements_and_pdfs(signed: Signed) -> None:
    assert json.loads(signed.ws(["audit", "verify", "--json"]).output)["ok"]
    import sqlite3

    db = next(p for p in (signed.ws.root / ".resolutions").iterdir() if p.suffix == ".db")
    con = sqlite3.connect(db)
    try:
        (statement,) = con.execute("SELECT statement FROM approvals WHERE member_id='appr-zh'"
                                   ).fetchone()
        forged = bytearray(statement)
        forged[-10] ^= 0x01
        con.execute("UPDATE approvals SET statement=? WHERE member_id='appr-zh'", (bytes(forged),))
        con.commit()
        report = json.loads(signed.ws(["audit", "verify", "--json"], code=1).output)
        assert any("approval by appr-zh" in p and "does not verify" in p
                   for p in report["problems"]), report["problems"]
    finally:
        con.execute("UPDATE approvals SET statement=? WHERE member_id='appr-zh'", (statement,))
        con.commit()
        con.close()
