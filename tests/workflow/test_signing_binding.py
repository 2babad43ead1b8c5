"""Wrong-signer attacks: a valid, trusted signature in someone else's place is refused,
naming the field (or .p7s), the expected member and the actual signer — for PDF fields
and detached signatures, inside a workspace and outside one."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from signatures import Signer, issue_certificate, sign_pdf, signature_box
from tests.conftest import Cli, module_workspace
from tests.workflow.test_signing import CA_PASS, KEY_PASS, passfile, setup_keys, to_approved

pytestmark = pytest.mark.slow


@dataclass
class Attack:
    ws: Cli
    tmp: Path
    symbol: str
    base: Path  # the approved PDF as the workspace hands it out to sign elsewhere
    ca_pem: Path

    def forge(self, name: str, key: Path, secret: str, field: str) -> Path:
        data = self.base.read_bytes()
        page, box = signature_box(data, field, width=180, height=60)
        path = self.tmp / name
        path.write_bytes(sign_pdf(data, Signer.from_p12(key, secret.encode()), field_name=field,
                                  page=page, box=box, stamp_lines=["forged"], certify=True))
        return path

    def outside(self, *args: str, code: int) -> tuple[str, dict]:  # type: ignore[type-arg]
        cli = Cli(self.tmp / "elsewhere", self.ws.runner)
        text = cli([*args, "--trust", str(self.ca_pem)], code=code).output
        data = json.loads(cli([*args, "--trust", str(self.ca_pem), "--json"], code=code).output)
        return text, data


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Attack]:
    tmp = tmp_path_factory.mktemp("attack")
    with module_workspace(tmp / "ws") as ws:
        setup_keys(ws, tmp)
        # a reviewer gets a certificate from the same CA (a reviewer, not a signatory)
        ws(["keys", "issue", "rev-ru", "--ca-passphrase-file", passfile(tmp, "ca", CA_PASS),
            "--passphrase-file", passfile(tmp, "rev-ru", "rev-Key-0001")])
        symbol = to_approved(ws, tmp, signed_approvals=False)
        written = json.loads(ws(["signed-files", symbol, "-o", str(tmp / "base"), "--json"]
                                ).output)["files"]
        base = next(Path(w["path"]) for w in written if w["kind"] == "pdf")
        (tmp / "elsewhere").mkdir()
        yield Attack(ws, tmp, symbol, base, ws.root / ".resolutions/keys/ca/ca.pem")


def _key(attack: Attack, member: str) -> Path:
    return attack.ws.root / ".resolutions" / "keys" / f"{member}.p12"


def _wrong(data: dict, field: str) -> dict:  # type: ignore[type-arg]
    sig = next(s for s in data["signatures"] if s.get("field_name", s.get("p7s")) == field
               or str(s.get("p7s", "")).endswith(field))
    assert not sig["ok"] and "wrong-signer" in sig["reasons"], sig
    return sig  # type: ignore[no-any-return]


def test_a_signatory_key_in_another_signatory_field(attack: Attack) -> None:
    pdf = attack.forge("swapped.pdf", _key(attack, "appr-ru"), KEY_PASS["appr-ru"], "sig-appr-zh")
    text, data = attack.outside("verify", str(pdf), code=1)
    sig = _wrong(data, "sig-appr-zh")
    assert sig["intact"] and sig["trusted"]  # a perfectly valid signature, in the wrong place
    line = next(p for p in sig["problems"] if "expected" in p)
    assert "field sig-appr-zh: expected appr-zh, signed by Смирнова Анна (appr-ru" in line
    assert "NOT VALID" in text and "field sig-appr-zh: expected appr-zh" in text
    inside = json.loads(attack.ws(["verify", str(pdf), "--json"], code=1).output)
    assert _wrong(inside, "sig-appr-zh")
    out = attack.ws(["signatures", "import", attack.symbol, str(pdf)], code=1).output
    assert out.count("\n") == 1
    assert "field sig-appr-zh: signed by appr-ru" in out and "for appr-zh" in out


def test_a_reviewer_key_in_a_signatory_field(attack: Attack) -> None:
    pdf = attack.forge("reviewer.pdf", _key(attack, "rev-ru"), "rev-Key-0001", "sig-chair")
    _, data = attack.outside("verify", str(pdf), code=1)
    assert "expected chair, signed by Петров Пётр (rev-ru" in " ".join(
        _wrong(data, "sig-chair")["problems"])
    out = attack.ws(["signatures", "import", attack.symbol, str(pdf)], code=1).output
    assert "rev-ru" in out and out.startswith("Error:") and out.count("\n") == 1


def test_a_reviewer_signing_in_a_field_named_after_themselves(attack: Attack) -> None:
    """Outside a workspace the member id matches; inside, the role is missing."""
    data = attack.base.read_bytes()
    from signatures import add_empty_field

    page, box = signature_box(data, "sig-chair", width=180, height=60)
    prepared = add_empty_field(data, field_name="sig-rev-ru", page=page,
                               box=(box[0], box[1] - 80, box[2], box[3] - 80))
    signed = sign_pdf(prepared, Signer.from_p12(_key(attack, "rev-ru"), b"rev-Key-0001"),
                      field_name="sig-rev-ru", page=page,
                      box=(box[0], box[1] - 80, box[2], box[3] - 80), stamp_lines=["x"])
    path = attack.tmp / "own-field.pdf"
    path.write_bytes(signed)
    inside = json.loads(attack.ws(["verify", str(path), "--json"], code=1).output)
    assert "does not hold the signatory role" in " ".join(_wrong(inside, "sig-rev-ru")["problems"])


def test_an_unregistered_key_with_the_right_name(attack: Attack) -> None:
    """Issued by our CA for `chair`, but never registered: outside a workspace nothing can
    tell; inside, the fingerprint is not one registered for chair."""
    rogue = attack.tmp / "rogue-chair.p12"
    issue_certificate(attack.ws.root / ".resolutions/keys/ca", CA_PASS.encode(),
                      member_id="chair", name="Chen Jing", organisation="BRICS Secretariat",
                      email=None, out_p12=rogue, p12_passphrase=b"rogue-pass")
    pdf = attack.forge("rogue.pdf", rogue, "rogue-pass", "sig-chair")
    attack.outside("verify", str(pdf), code=0)
    inside = json.loads(attack.ws(["verify", str(pdf), "--json"], code=1).output)
    text = " ".join(_wrong(inside, "sig-chair")["problems"])
    assert "expected chair's registered certificate" in text and "never registered" in text
    out = attack.ws(["signatures", "import", attack.symbol, str(pdf)], code=1).output
    assert "has no registered certificate" in out


def test_a_detached_signature_renamed_to_another_member(attack: Attack) -> None:
    from signatures import sign_detached

    docx = attack.tmp / "text.docx"
    docx.write_bytes(b"PK\x03\x04 a resolution's DOCX bytes")
    p7s = sign_detached(docx.read_bytes(), Signer.from_p12(_key(attack, "appr-ru"),
                                                           KEY_PASS["appr-ru"].encode()))
    (attack.tmp / "text.docx.appr-ru.p7s").write_bytes(p7s)
    attack.outside("verify", str(docx), code=0)
    shutil.move(attack.tmp / "text.docx.appr-ru.p7s", attack.tmp / "text.docx.appr-zh.p7s")
    text, data = attack.outside("verify", str(docx), code=1)
    sig = _wrong(data, "text.docx.appr-zh.p7s")
    assert sig["intact"] and sig["trusted"]
    assert "expected appr-zh, signed by Смирнова Анна (appr-ru" in text
    inside = json.loads(attack.ws(["verify", str(docx), "--json"], code=1).output)
    _wrong(inside, "text.docx.appr-zh.p7s")


def test_the_honest_signature_passes_everywhere(attack: Attack) -> None:
    pdf = attack.forge("honest.pdf", _key(attack, "appr-zh"), KEY_PASS["appr-zh"], "sig-appr-zh")
    attack.outside("verify", str(pdf), code=0)
    assert json.loads(attack.ws(["verify", str(pdf), "--json"]).output)["ok"]


def _rebag(bag: Path, rel: str, data: bytes) -> None:
    """What an attacker without keys can do: replace a file and recompute every manifest."""
    import hashlib

    (bag / rel).write_bytes(data)
    for alg in ("sha256", "sha512"):
        manifest = bag / f"manifest-{alg}.txt"
        lines = []
        for line in manifest.read_text("utf-8").splitlines():
            digest, name = line.split("  ", 1)
            if name == rel:
                digest = hashlib.new(alg, data).hexdigest()
            lines.append(f"{digest}  {name}")
        manifest.write_text("\n".join(lines) + "\n", "utf-8")
    octets = sum(p.stat().st_size for p in (bag / "data").rglob("*") if p.is_file())
    count = sum(1 for p in (bag / "data").rglob("*") if p.is_file())
    info = bag / "bag-info.txt"
    info.write_text("\n".join(f"Payload-Oxum: {octets}.{count}" if line.startswith("Payload-Oxum")
                              else line for line in info.read_text("utf-8").splitlines()) + "\n",
                    "utf-8")
    for alg in ("sha256", "sha512"):
        tag = bag / f"tagmanifest-{alg}.txt"
        tag.write_text("".join(f"{hashlib.new(alg, (bag / n).read_bytes()).hexdigest()}  {n}\n"
                               for n in ("bag-info.txt", "bagit.txt", "manifest-sha256.txt",
                                         "manifest-sha512.txt")), "utf-8")


def test_a_dossier_rebagged_with_a_signature_in_the_wrong_field(attack: Attack) -> None:
    ws, tmp = attack.ws, attack.tmp
    (tmp / "second").mkdir()
    other = to_approved(ws, tmp / "second", signed_approvals=False)
    for member in KEY_PASS:
        ws(["sign", other, "--by", member, "--passphrase-file", str(tmp / f"{member}.pass")])
    bag = tmp / "bag"
    ws(["dossier", "export", other, "-o", str(bag), "--seal-passphrase-file",
        str(tmp / "seal.pass")])
    ws(["dossier", "verify", str(bag)])
    signed = next(bag.glob("data/*/signed/v*/signed.pdf"))
    rel = str(signed.relative_to(bag))
    approved = json.loads(ws(["log", other, "--json"]).output)["events"]
    base_sha = next(e for e in approved if e["action"] == "sign")["detail"]["base_sha256"]
    base = (ws.root / ".resolutions/store" / base_sha[:2] / base_sha).read_bytes()
    forged = base
    for index, (member, field) in enumerate((("appr-ru", "sig-appr-zh"),
                                             ("appr-zh", "sig-appr-ru"),
                                             ("chair", "sig-chair"))):
        page, box = signature_box(forged, field, width=180, height=60)
        forged = sign_pdf(forged, Signer.from_p12(_key(attack, member), KEY_PASS[member].encode()),
                          field_name=field, page=page, box=box, stamp_lines=["x"],
                          certify=index == 0)
    _rebag(bag, rel, forged)
    out = Cli(tmp / "elsewhere", ws.runner)(["dossier", "verify", str(bag)], code=1).output
    assert "field sig-appr-zh: expected appr-zh, signed by Смирнова Анна (appr-ru" in out
    assert "field sig-appr-ru: expected appr-ru, signed by 李伟 (appr-zh" in out
