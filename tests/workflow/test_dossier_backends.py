"""The dossier on both backends: a draft exported with two render workers (each opening
the workspace, SQLite or PostgreSQL) verifies, and an export of several resolutions
lists each in the bag's index and counts."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import Cli, fixture_text

pytestmark = pytest.mark.slow


def _fp(pem: bytes) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    return x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex()


def _seal(ws: Cli, tmp_path: Path) -> list[str]:
    """A CA and the secretariat's seal; the export option that opens the seal."""
    for name in ("ca", "seal"):
        (tmp_path / f"{name}.pass").write_text(f"{name}-Passphrase-93ab\n", encoding="utf-8")
    ws(["keys", "init-ca", "--passphrase-file", str(tmp_path / "ca.pass")])
    ws(["keys", "seal-issue", "--ca-passphrase-file", str(tmp_path / "ca.pass"),
        "--passphrase-file", str(tmp_path / "seal.pass")])
    return ["--seal-passphrase-file", str(tmp_path / "seal.pass")]


def test_export_with_two_workers_on_either_backend(ws: Cli, tmp_path: Path) -> None:
    seal = _seal(ws, tmp_path)
    source = tmp_path / "res.yaml"
    source.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws(["new", str(source)])
    ws(["new", str(source)])  # the same text again: only the symbol differs
    result = json.loads(ws(["dossier", "export", "--all", "-o", str(tmp_path / "bag"),
                            "--workers", "2", "--json", *seal]).output)
    assert result["resolutions"] == ["RCWG/RES/2024/1", "RCWG/RES/2024/2"]
    assert result["rendered"] > 0 and result["workers"] == 2
    report = json.loads(ws(["dossier", "verify", str(tmp_path / "bag"), "--json"]).output)
    assert report["ok"], report["problems"]
    info = (tmp_path / "bag" / "bag-info.txt").read_text("utf-8")
    assert "Resolution-Count: 2\n" in info and "Version-Count: 2\n" in info
    index = "".join(p.extract_text() for p in PdfReader(tmp_path / "bag/data/index.pdf").pages)
    assert "RCWG-RES-2024-1/" in index and "RCWG-RES-2024-2/" in index
    again = json.loads(ws(["dossier", "export", "2", "-o", str(tmp_path / "one"),
                           "--json", *seal]).output)
    assert again["resolutions"] == ["RCWG/RES/2024/2"]
    assert again["rendered"] == 1  # only the bag's own index (it lists one folder now)
    for bag in ("bag", "one"):  # each resolution's documents carry its own symbol
        docx = tmp_path / bag / "data/RCWG-RES-2024-2/versions/v1/text.docx"
        with zipfile.ZipFile(docx) as zf:
            xml = zf.read("word/document.xml").decode("utf-8")
        assert "RCWG/RES/2024/2" in xml and "RCWG/RES/2024/1" not in xml
    chain = (tmp_path / "one/data/audit/chain.jsonl").read_text("utf-8").splitlines()
    redacted = [json.loads(x) for x in chain if '"redacted": true' in x]
    assert redacted and all(set(r) == {"seq", "redacted", "prev_hash", "hash"} for r in redacted)
    assert json.loads(ws(["dossier", "verify", str(tmp_path / "one"), "--json"]).output)["ok"]


def test_usage_errors(ws: Cli, tmp_path: Path) -> None:
    assert ws(["dossier", "export", "-o", str(tmp_path / "x")], code=2)
    unsealed = ws(["dossier", "export", "9", "-o", str(tmp_path / "x")], code=1).output
    assert "no seal to seal the dossier with" in unsealed and "keys seal-issue" in unsealed
    seal = _seal(ws, tmp_path)
    assert "no resolution" in ws(["dossier", "export", "9", "-o", str(tmp_path / "x"), *seal],
                                 code=1).output
    again = ["keys", "seal-issue", "--ca-passphrase-file", str(tmp_path / "ca.pass"),
             "--passphrase-file", str(tmp_path / "seal.pass")]
    assert "give --replace" in ws(again, code=1).output
    first = (ws.root / ".resolutions/keys/seal/seal.pem").read_bytes()
    replaced = json.loads(ws([*again, "--replace", "--json"]).output)
    kept = ws.root / f".resolutions/keys/seal/seal-{_fp(first)[:16]}.pem"
    assert kept.read_bytes() == first and replaced["sha256"] != _fp(first)
    events = json.loads(ws(["audit", "verify", "--json"]).output)
    assert events["ok"]
    wrong = tmp_path / "wrong.pass"
    wrong.write_text("not-the-Passphrase-1\n", encoding="utf-8")
    ws(["new", "--title", "A", "--body", "brics-higher-council"])
    refused = ws(["dossier", "export", "1", "-o", str(tmp_path / "x"),
                  "--seal-passphrase-file", str(wrong)], code=1).output
    assert "passphrase" in refused.lower() and "Traceback" not in refused
    assert not (tmp_path / "x").exists()
