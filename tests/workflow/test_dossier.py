"""Dossier export and verification: a resolution through its whole life (review, revision,
approval, two signatures, submission, receipt) exported as a BagIt bag, checked by our
verify and by bagit's own CLI, then tampered with in every way an archivist must catch."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from pypdf import PdfReader

from tests.conftest import FROZEN_NOW, LETTER, Cli, fixture_text, module_workspace

BAGIT = Path(sys.executable).parent / "bagit.py"
FOLDER = "RCWG-RES-2024-1"


def _secret(root: Path, name: str) -> str:
    path = root / f"{name}.pass"
    path.write_text(f"{name}-Passphrase-4e1b\n", encoding="utf-8")
    return str(path)


def _lifecycle(ws: Cli, root: Path) -> str:
    source = root / "res.yaml"
    source.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    s = ws(["new", str(source)]).output.strip()
    ws(["circulate", s, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    ws(["comment", s, "--by", "rev-ru", "--ref", "OP 1(b)", "--type", "te",
        "--text", "Name the components"])
    ws(["dispose", s, "1", "--accept", "--note", "Done in version 2"])
    ws(["amend", s, "--by", "rev-zh", "--target", "OP 2", "--op", "replace",
        "--text", "en=*Instructs* the working group to prepare a roadmap until 2035;",
        "--text", "ru=*Поручает* рабочей группе подготовить дорожную карту до 2035 года;",
        "--text", "zh=*责成*工作组制定至2035年的路线图；", "--why", "Longer horizon"])
    ws(["amendment", "accept", s, "1"])
    ws(["close-review", s, "--changes"])
    ws(["circulate", s, "--reviewer", "rev-ru"])
    ws(["close-review", s, "--no-objection"])
    ws(["approve", s, "--by", "appr-ru", "--evidence", LETTER])
    ws(["approve", s, "--by", "appr-zh", "--evidence", LETTER])
    ca = _secret(root, "ca")
    ws(["keys", "init-ca", "--passphrase-file", ca])
    ws(["keys", "seal-issue", "--ca-passphrase-file", ca, "--passphrase-file",
        _secret(root, "seal")])
    for member in ("appr-ru", "appr-zh"):
        ws(["keys", "issue", member, "--ca-passphrase-file", ca,
            "--passphrase-file", _secret(root, member)])
        ws(["sign", s, "--by", member, "--passphrase-file", _secret(root, member)])
    ws(["submit", s, "--to", "brics-higher-council"])
    ws(["receipt", s, "--ref", "HC/2024/7", "--outcome", "acknowledged"])
    return s


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, Path]]:
    """One workspace through the whole lifecycle, exported once (shared: it is slow)."""
    root = tmp_path_factory.mktemp("dossier")
    with module_workspace(root / "ws") as ws:
        _lifecycle(ws, root)
        ws(["dossier", "export", "1", "-o", str(root / "bag"), "--json", *_seal(root / "bag")])
        yield ws, root / "bag"


def _seal(bag: Path) -> list[str]:
    """The export option that opens the seal (its passphrase file sits next to the bag)."""
    return ["--seal-passphrase-file", str(bag.parent / "seal.pass")]


def _copy(bag: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(bag, target)
    return target


def _verify(ws: Cli, path: Path, code: int) -> Result:
    return ws(["dossier", "verify", str(path)], code=code)


def _rehash(bag: Path) -> None:
    """Rewrite both manifests (and tag manifests) as a forger would, so that only the
    deeper checks can catch the change."""
    files = sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*")
                   if p.is_file())
    for alg in ("sha256", "sha512"):
        lines = [f"{hashlib.new(alg, (bag / f).read_bytes()).hexdigest()}  {f}\n" for f in files]
        (bag / f"manifest-{alg}.txt").write_text("".join(lines), encoding="utf-8")
    info = (bag / "bag-info.txt").read_text("utf-8").splitlines()
    octets = sum((bag / f).stat().st_size for f in files)
    info = [f"Payload-Oxum: {octets}.{len(files)}" if x.startswith("Payload-Oxum") else x
            for x in info]
    (bag / "bag-info.txt").write_text("\n".join(info) + "\n", encoding="utf-8")
    tags = ["bag-info.txt", "bagit.txt", "manifest-sha256.txt", "manifest-sha512.txt"]
    for alg in ("sha256", "sha512"):
        lines = [f"{hashlib.new(alg, (bag / t).read_bytes()).hexdigest()}  {t}\n" for t in tags]
        (bag / f"tagmanifest-{alg}.txt").write_text("".join(lines), encoding="utf-8")


# -- what a sound export holds ----------------------------------------------------------
def test_export_then_verify_passes_and_bagit_accepts_it(exported: tuple[Cli, Path]) -> None:
    ws, bag = exported
    out = _verify(ws, bag, 0).output
    assert "dossier intact" in out and "2 version texts" in out
    report = json.loads(ws(["dossier", "verify", str(bag), "--json"]).output)
    assert report["ok"] and report["checked"]["PDF signatures"] >= 2
    assert report["checked"]["detached signatures"] == 2
    done = subprocess.run([sys.executable, str(BAGIT), "--validate", str(bag)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (bag / "bagit.txt").read_text("utf-8").startswith("BagIt-Version: 1.0\n")
    info = dict(line.split(": ", 1) for line in (bag / "bag-info.txt").read_text("utf-8")
                .splitlines())
    assert info["Source-Organization"].startswith("Russian–Chinese working group")
    assert (info["Resolution-Count"], info["Version-Count"], info["Signature-Count"],
            info["Submission-Count"]) == ("1", "2", "2", "1")
    assert info["Earliest-Date"] == FROZEN_NOW and info["Bagging-Date"] == "2024-09-26"
    sha256 = (bag / "manifest-sha256.txt").read_text("utf-8").splitlines()
    assert len(sha256) == len((bag / "manifest-sha512.txt").read_text("utf-8").splitlines())


def test_bag_holds_the_whole_life_of_the_resolution(exported: tuple[Cli, Path]) -> None:
    _, bag = exported
    data = bag / "data" / FOLDER
    index = "".join(p.extract_text() for p in PdfReader(bag / "data" / "index.pdf").pages)
    assert "Dossier index" in index and f"{FOLDER}/" in index and "trust/ca.pem" in index
    own = "".join(p.extract_text() for p in PdfReader(data / "index.pdf").pages)
    assert "versions/v2/redline.pdf" in own and "signed/v2/signed.pdf" in own
    record = json.loads((data / "record.json").read_text("utf-8"))
    assert record["state"] == "acknowledged" and [v["number"] for v in record["versions"]] == [1, 2]
    events = [json.loads(x) for x in (data / "audit/audit.jsonl").read_text("utf-8").splitlines()]
    signs = [e["detail"]["signed_sha256"] for e in events if e["action"] == "sign"]
    signed = (data / "signed/v2/signed.pdf").read_bytes()
    assert hashlib.sha256(signed).hexdigest() == signs[-1]
    assert len(list((data / "signed/v2").glob("text.docx.*.p7s"))) == 2
    rounds = json.loads((data / "review/round-1.json").read_text("utf-8"))
    assert rounds["comments"][0]["disposition"] == "accepted"
    assert rounds["amendments"][0]["status"] == "applied"
    assert "Instructs" in (data / "versions/v2/source.yaml").read_text("utf-8")
    archival = PdfReader(data / "versions/v2/text.pdf")
    assert set(archival.attachments) == {"RCWG-RES-2024-1-v2.yaml", "RCWG-RES-2024-1-audit.json"}
    embedded = archival.attachments["RCWG-RES-2024-1-v2.yaml"][0]
    assert embedded == (data / "versions/v2/source.yaml").read_bytes()
    xmp = archival.xmp_metadata
    assert xmp is not None and 'pdfaid:part="3"' in xmp.rdf_root.toxml()
    submission = json.loads((data / "submissions/1/submission.json").read_text("utf-8"))
    assert submission["outcome"] == "acknowledged" and submission["receipt_ref"] == "HC/2024/7"
    assert [(r["reference"], r["outcome"]) for r in submission["receipts"]] == [
        ("HC/2024/7", "acknowledged")]
    dc = (data / "metadata/dublin-core.xml").read_text("utf-8")
    assert "<dc:identifier>RCWG/RES/2024/1</dc:identifier>" in dc and 'xml:lang="zh"' in dc
    assert b"akomaNtoso" in (data / "metadata/akn.xml").read_bytes()
    assert (bag / "data/trust/ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE")


def test_two_exports_of_the_same_workspace_have_identical_payloads(
        exported: tuple[Cli, Path], tmp_path: Path) -> None:
    ws, bag = exported
    result = json.loads(ws(["dossier", "export", "1", "-o", str(tmp_path / "again"),
                            "--workers", "1", "--json", *_seal(bag)]).output)
    assert result["rendered"] == 0  # everything came from the render cache (or the last export)
    for name in ("manifest-sha256.txt", "manifest-sha512.txt"):
        assert (tmp_path / "again" / name).read_bytes() == (bag / name).read_bytes()
    files = sorted(p.relative_to(bag) for p in (bag / "data").rglob("*") if p.is_file())
    for rel in files:
        assert (tmp_path / "again" / rel).read_bytes() == (bag / rel).read_bytes(), rel


# -- an unchanged re-export: the last payload, copied from the store and checked -----------
def _export(ws: Cli, bag: Path, target: Path) -> dict[str, object]:
    return dict(json.loads(ws(["dossier", "export", "1", "-o", str(target), "--workers", "1",
                               "--json", *_seal(bag)]).output))


def _record(ws: Cli) -> Path:
    (record,) = (ws.root / ".resolutions" / "exports").glob("*.json")
    return record


def test_an_unchanged_re_export_reuses_the_payload_and_verifies(exported: tuple[Cli, Path],
                                                                tmp_path: Path) -> None:
    ws, bag = exported
    again = _export(ws, bag, tmp_path / "again")
    assert again["reused"] is True and again["rendered"] == 0
    for name in ("manifest-sha256.txt", "manifest-sha512.txt"):
        assert (tmp_path / "again" / name).read_bytes() == (bag / name).read_bytes()
    assert "bag-info.txt" in (tmp_path / "again" / "tagmanifest-sha256.txt").read_text()
    info = (tmp_path / "again" / "bag-info.txt").read_text("utf-8")
    assert "Resolution-Count: 1" in info and "Signature-Count: 2" in info
    text = _verify(ws, tmp_path / "again", 0).output
    assert "dossier intact" in text


def test_a_changed_stored_file_abandons_the_reuse(exported: tuple[Cli, Path],
                                                  tmp_path: Path) -> None:
    """An insider edits a stored payload file the record names (here the record.json the
    bag carries): the copy's hash differs, and the export is made in full from the
    database instead — the bag holds the true record.json and verifies."""
    ws, bag = exported
    digest = hashlib.sha256((bag / "data" / FOLDER / "record.json").read_bytes()).hexdigest()
    stored = ws.root / ".resolutions" / "store" / digest[:2] / digest
    original = stored.read_bytes()
    stored.chmod(0o644)
    stored.write_bytes(original.replace(b'"state"', b'"State"', 1))
    try:
        again = _export(ws, bag, tmp_path / "again")
        assert again["reused"] is False
        assert (tmp_path / "again" / "data" / FOLDER / "record.json").read_bytes() == original
        _verify(ws, tmp_path / "again", 0)
    finally:
        stored.write_bytes(original)
        stored.chmod(0o444)


def test_a_forged_record_is_ignored(exported: tuple[Cli, Path], tmp_path: Path) -> None:
    """The record names which stored files to copy; one edited without the workspace's
    secret (two files' hashes swapped) fails its seal and is not used."""
    ws, bag = exported
    _export(ws, bag, tmp_path / "first")  # a record for the workspace as it is
    path = _record(ws)
    saved = path.read_bytes()
    outer = json.loads(saved)
    files = outer["record"]["files"]
    files[0][1], files[1][1] = files[1][1], files[0][1]
    path.write_text(json.dumps(outer), encoding="utf-8")
    try:
        again = _export(ws, bag, tmp_path / "again")
        assert again["reused"] is False
        _verify(ws, tmp_path / "again", 0)
    finally:
        path.write_bytes(saved)


def test_a_changed_rules_file_is_not_reused(exported: tuple[Cli, Path], tmp_path: Path) -> None:
    ws, bag = exported
    config = ws.root / "resolutions.toml"
    saved = config.read_bytes()
    config.write_bytes(saved + b"\n# a comment changes the rules file's hash\n")
    try:
        assert _export(ws, bag, tmp_path / "again")["reused"] is False
    finally:
        config.write_bytes(saved)
    assert _export(ws, bag, tmp_path / "back")["reused"] is True


def test_zip_round_trips(exported: tuple[Cli, Path], tmp_path: Path) -> None:
    ws, bag = exported
    target = tmp_path / "dossier.zip"
    exported_zip = ws(["dossier", "export", "1", "-o", str(target), "--zip", *_seal(bag)])
    told = exported_zip.stderr.splitlines()  # off a terminal: one line per finished step
    # (unchanged since the last export: its payload is copied, the one step is writing)
    assert told == ["done: write (36)"], told  # 33 + the reading room (2 pages) + PREMIS
    assert "dossier intact" in _verify(ws, target, 0).output
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        assert names == sorted(names) and all(n.startswith("dossier/") for n in names)
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        zf.extractall(tmp_path / "out")
        manifest = zf.read("dossier/manifest-sha256.txt")
    assert manifest == (bag / "manifest-sha256.txt").read_bytes()
    done = subprocess.run([sys.executable, str(BAGIT), "--validate", str(tmp_path / "out/dossier")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_existing_target_is_refused_and_a_failed_export_leaves_nothing(
        exported: tuple[Cli, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, bag = exported
    assert "already exists" in ws(["dossier", "export", "1", "-o", str(bag), *_seal(bag)],
                                  code=1).output
    from workflow.dossier import bag as dossier_bag
    calls = {"n": 0}
    original = dossier_bag.BagWriter.add_file

    def failing(self: dossier_bag.BagWriter, rel: str, source: Path) -> None:
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        original(self, rel, source)

    monkeypatch.setattr(dossier_bag.BagWriter, "add_file", failing)
    assert "Aborted" in ws(["dossier", "export", "1", "-o", str(tmp_path / "half"),
                            *_seal(bag)], code=1).output  # Ctrl-C in the middle of writing
    assert list(tmp_path.iterdir()) == []


# -- tampering: each makes verify exit 1 and name the file --------------------------------
def test_same_size_edit_of_one_payload_byte(exported: tuple[Cli, Path], tmp_path: Path) -> None:
    ws, bag = exported
    copy = _copy(bag, tmp_path)
    target = copy / "data" / FOLDER / "versions/v1/text.docx"
    raw = bytearray(target.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    target.write_bytes(bytes(raw))
    out = _verify(ws, copy, 1).output
    assert f"data/{FOLDER}/versions/v1/text.docx: sha256 checksum differs" in out
    assert "dossier NOT intact" in out


def test_deleted_file(exported: tuple[Cli, Path], tmp_path: Path) -> None:
    ws, bag = exported
    copy = _copy(bag, tmp_path)
    (copy / "data" / FOLDER / "review/matrix.pdf").unlink()
    out = _verify(ws, copy, 1).output
    assert f"data/{FOLDER}/review/matrix.pdf: is listed in manifest-sha256.txt but missing" in out


def test_added_file(exported: tuple[Cli, Path], tmp_path: Path) -> None:
    ws, bag = exported
    copy = _copy(bag, tmp_path)
    (copy / "data" / FOLDER / "versions/v2/extra.txt").write_text("later addition")
    out = _verify(ws, copy, 1).output
    assert f"data/{FOLDER}/versions/v2/extra.txt: is in the bag but in no manifest" in out


def test_edited_audit_line_is_caught_by_the_chain(exported: tuple[Cli, Path],
                                                   tmp_path: Path) -> None:
    ws, bag = exported
    copy = _copy(bag, tmp_path)
    for rel in (f"data/{FOLDER}/audit/audit.jsonl", "data/audit/chain.jsonl"):
        path = copy / rel
        lines = path.read_text("utf-8").splitlines(keepends=True)
        n = next(i for i, x in enumerate(lines) if '"action": "approve"' in x)
        event = json.loads(lines[n])
        event["detail"]["member"] = "appr-ru2"  # who approved, rewritten after the fact
        lines[n] = json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n"
        path.write_text("".join(lines), encoding="utf-8")
    _rehash(copy)
    out = _verify(ws, copy, 1).output
    assert f"data/{FOLDER}/audit/audit.jsonl line" in out and "was edited" in out
    assert "data/audit/chain.jsonl audit event" in out


def test_pdf_replaced_by_an_earlier_valid_signed_revision(exported: tuple[Cli, Path],
                                                          tmp_path: Path) -> None:
    from signatures.verify import signed_revision

    ws, bag = exported
    copy = _copy(bag, tmp_path)
    target = copy / "data" / FOLDER / "signed/v2/signed.pdf"
    target.write_bytes(signed_revision(target.read_bytes(), 0))  # validly signed, by one
    _rehash(copy)
    out = _verify(ws, copy, 1).output
    assert f"data/{FOLDER}/signed/v2/signed.pdf: is not the signed PDF the dossier records" in out


def test_re_signed_pdf(exported: tuple[Cli, Path], tmp_path: Path) -> None:
    from signatures import keys
    from signatures.pades import sign_pdf
    from signatures.signer import Signer

    ws, bag = exported
    copy = _copy(bag, tmp_path)
    keys.create_ca(tmp_path / "ca", common_name="Forger CA", organisation="X",
                   passphrase=b"forger-Passphrase-1")
    keys.issue_certificate(tmp_path / "ca", b"forger-Passphrase-1", member_id="forger",
                           name="Forger", organisation="X", email=None,
                           out_p12=tmp_path / "forger.p12", p12_passphrase=b"p12-Passphrase-22")
    signer = Signer.from_p12(tmp_path / "forger.p12", b"p12-Passphrase-22")
    target = copy / "data" / FOLDER / "signed/v2/signed.pdf"
    target.write_bytes(sign_pdf(target.read_bytes(), signer, field_name="sig-forger", page=0,
                                box=(40, 40, 200, 100), stamp_lines=["Forger"]))
    _rehash(copy)
    out = _verify(ws, copy, 1).output
    assert f"data/{FOLDER}/signed/v2/signed.pdf: PDF signature does not verify" in out
    assert f"data/{FOLDER}/signed/v2/signed.pdf: is not the signed PDF" in out


def test_verify_needs_no_workspace(exported: tuple[Cli, Path], tmp_path: Path) -> None:
    _, bag = exported
    done = subprocess.run([sys.executable, "-c", "import sys, json; from workflow.dossier.verify "
                           "import verify; r = verify(__import__('pathlib').Path(sys.argv[1]));"
                           "print(json.dumps([r.ok, 'sqlmodel' in sys.modules]))", str(bag)],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={"PYTHONPATH": str(Path(__file__).parents[2]), "PATH": "/usr/bin"})
    assert json.loads(done.stdout) == [True, False], done.stderr


def test_chain_names_a_deleted_event() -> None:
    from workflow.store.chain import chain_problems

    records = [{"seq": 1, "redacted": True, "prev_hash": "0" * 64, "hash": "a" * 64},
               {"seq": 3, "redacted": True, "prev_hash": "b" * 64, "hash": "c" * 64}]
    found = [str(p) for p in chain_problems(records, (3, "c" * 64), where="chain.jsonl")]
    assert found[0] == "chain.jsonl audit event 2: missing (next present is 3): an event was deleted"
    assert any("does not follow" in p for p in found)


def test_the_dossiers_akoma_ntoso_is_what_export_akn_writes(exported: tuple[Cli, Path],
                                                             tmp_path: Path) -> None:
    """The archived copy carries the body's opening line, the original wIds and the person
    slugs, like `export-akn` (one builder for both)."""
    ws, bag = exported
    archived = next(bag.glob("data/*/metadata/akn.xml")).read_bytes()
    out = tmp_path / "now.xml"
    ws(["export-akn", "1", "-o", str(out)])
    assert archived == out.read_bytes()
    assert b"/ontology/person/xb-brics/x" not in archived

