"""Acting for someone else is explicit and evidenced, on SQLite and PostgreSQL.

The secretary records an approver's decision only with the approver's word: a signed
statement (made here with `openssl cms` over what `resolutions statement` prints, as a
member would on their own machine) or the letter that carries it. On SQLite `--as` is a
shorthand for `--by` with the same rules; on PostgreSQL `--as` logs in as that member, with
their own password, and the decision is theirs. The log names who typed it and for whom."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import LETTER, Cli
from tests.reliability.helpers import KEY_PASS, draft, row_counts, setup_keys


def _for_approval(ws: Cli, tmp_path: Path) -> str:
    symbol = draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])
    return symbol


def _last_event(ws: Cli, symbol: str, action: str) -> dict[str, object]:
    log = json.loads(ws(["log", symbol, "--json"]).output)["events"]
    return next(e for e in reversed(log) if e["action"] == action)


def _openssl_sign(ws: Cli, member: str, statement: Path, tmp_path: Path) -> Path:
    """What the member does with their own key and any CMS tool."""
    p12 = ws.root / ".resolutions" / "keys" / f"{member}.p12"
    pem = tmp_path / f"{member}.pem"
    subprocess.run(["openssl", "pkcs12", "-in", str(p12), "-out", str(pem), "-nodes",
                    "-passin", f"pass:{KEY_PASS[member]}"], check=True, capture_output=True)
    out = statement.with_suffix(statement.suffix + ".p7s")
    subprocess.run(["openssl", "cms", "-sign", "-binary", "-in", str(statement), "-signer",
                    str(pem), "-outform", "DER", "-out", str(out)], check=True,
                   capture_output=True)
    return out


def test_a_claim_without_evidence_is_refused(ws: Cli, tmp_path: Path, backend: str) -> None:
    symbol = _for_approval(ws, tmp_path)
    before = row_counts(ws.root) if backend == "sqlite" else None
    claims = [(["approve", symbol, "--by", "appr-ru"], None),
              (["object", symbol, "--by", "appr-zh", "--note", "no"], None)]
    if backend == "sqlite":  # on PostgreSQL --as is a login (below)
        claims.append((["approve", symbol], "appr-ru"))
    for args, actor in claims:
        out = ws(args, actor=actor, code=1).output
        assert "bring their word" in out and "--signed-statement" in out \
            and "--evidence" in out, out
        assert len(out.strip().splitlines()) == 1, out
    if before is not None:
        assert row_counts(ws.root) == before
    state = json.loads(ws(["status", symbol, "--json"]).output)["state"]
    assert state == "for_approval"
    if backend == "postgresql":  # logged in as appr-ru, with appr-ru's password
        ws(["approve", symbol], actor="appr-ru")
        detail = _last_event(ws, symbol, "approve")["detail"]
        assert isinstance(detail, dict)
        assert detail["typed_by"] == "appr-ru" and "on_behalf_of" not in detail


def test_a_letter_is_kept_and_named_in_the_log(ws: Cli, tmp_path: Path, backend: str) -> None:
    symbol = _for_approval(ws, tmp_path)
    ws(["approve", symbol, "--by", "appr-ru", "--evidence", LETTER])
    detail = _last_event(ws, symbol, "approve")["detail"]
    assert isinstance(detail, dict)
    digest = hashlib.sha256(Path(LETTER).read_bytes()).hexdigest()
    assert (detail["typed_by"], detail["on_behalf_of"]) == ("sec", "appr-ru")
    assert (detail["evidence"], detail["evidence_sha256"]) == ("document", digest)
    stored = ws.root / ".resolutions" / "store" / digest[:2] / digest
    assert stored.read_bytes() == Path(LETTER).read_bytes()
    # the same through --as: on SQLite a shorthand for --by, with the same rules; on
    # PostgreSQL appr-zh's own login, so the letter is kept but nobody acts for them
    ws(["approve", symbol, "--evidence", LETTER], actor="appr-zh")
    detail = _last_event(ws, symbol, "approve")["detail"]
    assert isinstance(detail, dict)
    if backend == "sqlite":
        assert detail["on_behalf_of"] == "appr-zh"
    else:
        assert detail["typed_by"] == "appr-zh" and "on_behalf_of" not in detail
    ws(["audit", "verify"])


def test_a_signed_statement_made_with_openssl(ws: Cli, tmp_path: Path) -> None:
    setup_keys(ws, tmp_path / "secrets")
    symbol = _for_approval(ws, tmp_path)
    statement = tmp_path / "statement.json"
    statement.write_bytes(ws(["statement", symbol, "--by", "appr-zh", "--for",
                              "approve"]).stdout_bytes)
    text = json.loads(statement.read_text("utf-8"))
    assert (text["member"], text["decision"], text["resolution"]) == \
        ("appr-zh", "approved", symbol)
    p7s = _openssl_sign(ws, "appr-zh", statement, tmp_path)
    # the signature the secretary receives is checkable by anyone with the CA
    ca = ws.root / ".resolutions" / "keys" / "ca" / "ca.pem"
    check = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                            str(p7s), "-content", str(statement), "-CAfile", str(ca),
                            "-purpose", "any", "-out", "/dev/null"], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr

    # a statement of another decision, or by another member's key, is refused
    wrong = tmp_path / "object.json"
    wrong.write_bytes(ws(["statement", symbol, "--by", "appr-zh", "--for",
                          "object"]).stdout_bytes)
    out = ws(["approve", symbol, "--by", "appr-zh", "--signed-statement",
              str(_openssl_sign(ws, "appr-zh", wrong, tmp_path))], code=1).output
    assert "is not appr-zh's approve" in out, out
    out = ws(["approve", symbol, "--by", "appr-ru", "--signed-statement",
              str(_openssl_sign(ws, "appr-zh", tmp_path / "statement.json", tmp_path))],
             code=1).output
    assert "not appr-ru's approve" in out or "not by appr-ru's registered" in out, out

    ws(["approve", symbol, "--by", "appr-zh", "--signed-statement", str(p7s)])
    detail = _last_event(ws, symbol, "approve")["detail"]
    assert isinstance(detail, dict)
    assert detail["evidence"] == "signed-statement" and detail["signed_statement"] is True
    assert detail["evidence_sha256"] == hashlib.sha256(p7s.read_bytes()).hexdigest()
    ws(["audit", "verify"])  # the stored statement verifies against the registered key


@pytest.mark.parametrize("what", ["approve", "object"])
def test_the_member_acting_themselves_needs_no_evidence(ws: Cli, tmp_path: Path,
                                                        what: str, backend: str) -> None:
    """Only the operator's own acts go without evidence. On SQLite nothing authenticates a
    member, so the operator is the workspace's secretary: a second secretary who approves
    under --as is recorded for, and needs their word like anyone else. On PostgreSQL --as
    logs in as sec2 (with sec2's own password): the database authenticated them."""
    ws(["member", "add", "sec2", "--name", "Second secretary", "--role", "secretary",
        "--role", "approver", "--delegation", "ru"])
    symbol = _for_approval(ws, tmp_path)
    args = ["approve", symbol] if what == "approve" else ["object", symbol, "--note", "x"]
    if backend == "postgresql":
        ws(args, actor="sec2")
        detail = _last_event(ws, symbol, what)["detail"]
        assert isinstance(detail, dict) and detail["typed_by"] == "sec2"
        assert "on_behalf_of" not in detail and "evidence" not in detail
        return
    ws(args, actor="sec2", code=1)  # sec2 is not the operator: their word is needed
    ws([*args, "--evidence", LETTER], actor="sec2")
