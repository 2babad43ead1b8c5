"""Rules of the workspace behind long-term signatures: the last signature is refused while
the CA's CRL is stale (before the passphrase is used); `verify --at` a date before a
revocation still refuses a revoked member's signature that nothing dates."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from signatures.tsa import LoopbackTsa
from tests.conftest import Cli
from tests.signatures.tsa_server import loopback_tsa  # noqa: F401 - fixture
from tests.workflow.test_signing import CA_PASS, passfile, setup_keys, to_approved
from tests.workflow.test_signing_longterm import _use_tsa


def test_the_last_signature_waits_for_a_fresh_crl(ws_sqlite: Cli, tmp_path: Path,
                                                   loopback_tsa: LoopbackTsa) -> None:  # noqa: F811
    from signatures.crl import make_crl

    ws = ws_sqlite
    setup_keys(ws, tmp_path)
    symbol = to_approved(ws, tmp_path, signed_approvals=False)
    _use_tsa(ws, loopback_tsa, tmp_path)
    for member in ("appr-ru", "appr-zh"):
        ws(["sign", symbol, "--by", member, "--passphrase-file", str(tmp_path / f"{member}.pass")])
    ca_dir = ws.root / ".resolutions" / "keys" / "ca"
    (ca_dir / "crl.der").write_bytes(make_crl(
        ca_dir, CA_PASS.encode(), [], number=9,
        now=datetime.now(timezone.utc) - timedelta(days=45)))
    out = ws(["sign", symbol, "--by", "chair", "--passphrase-file",
              str(tmp_path / "chair.pass")], code=1).output
    assert "the working group's CRL expired on" in out and "resolutions keys crl" in out
    assert json.loads(ws(["status", symbol, "--json"]).output)["state"] == "approved"
    ws(["keys", "crl", "-o", str(tmp_path / "fresh.crl"), "--ca-passphrase-file",
        passfile(tmp_path, "ca", CA_PASS)])
    done = json.loads(ws(["sign", symbol, "--by", "chair", "--passphrase-file",
                          str(tmp_path / "chair.pass"), "--json"]).output)
    assert done["state"] == "signed" and done["level"] == "B-LTA"


def test_at_a_date_before_the_revocation_an_undated_signature_is_still_revoked(
        ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    setup_keys(ws, tmp_path)
    symbol = to_approved(ws, tmp_path, signed_approvals=False)
    for member in ("appr-ru", "appr-zh", "chair"):  # no timestamp authority: B-B
        ws(["sign", symbol, "--by", member, "--passphrase-file", str(tmp_path / f"{member}.pass")])
    pdf = Path(next(f["path"] for f in json.loads(ws(["signed-files", symbol, "-o",
                                                       str(tmp_path / "out"), "--json"])
                                                    .output)["files"] if f["kind"] == "pdf"))
    before = datetime.now(timezone.utc).replace(microsecond=0)
    time.sleep(1.1)
    ws(["keys", "revoke", "appr-zh", "--reason", "key-compromise", "--ca-passphrase-file",
        passfile(tmp_path, "ca", CA_PASS)])
    report = json.loads(ws(["verify", str(pdf), "--at", before.isoformat(), "--json"],
                           code=1).output)
    zh = next(s for s in report["signatures"] if s["field_name"] == "sig-appr-zh")
    assert zh["reasons"][0] == "revoked"
    assert "no timestamp proves the signature existed before" in zh["problems"][0]
    assert all(s["ok"] for s in report["signatures"] if s["field_name"] != "sig-appr-zh")
