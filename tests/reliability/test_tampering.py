"""Tampering: a row of each important table edited, forged or deleted straight in SQLite,
and a stored artefact changed on disk. `audit verify` must exit 1 and name what changed.

One workspace is built once (a resolution approved after a review round with comments and
a disposition, and a rendered artefact), then copied for each case.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FROZEN_NOW, LETTER, Cli, make_workspace
from tests.reliability.helpers import draft, run, sql

pytestmark = pytest.mark.slow

S = "RCWG/RES/2024/1"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with pytest.MonkeyPatch.context() as mp:
        for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER"):
            mp.delenv(name, raising=False)
        mp.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
        tmp = tmp_path_factory.mktemp("tamper")
        ws = make_workspace(tmp / "ws")
        assert draft(ws, tmp) == S
        ws(["circulate", S, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
        ws(["comment", S, "--by", "rev-ru", "--ref", "OP 1", "--type", "te", "--text",
            "Name the components", "--proposal", "microcircuits"])
        ws(["comment", S, "--by", "rev-zh", "--ref", "general", "--type", "ge", "--text", "支持"])
        ws(["dispose", S, "1", "--reject", "--note", "Covered elsewhere"])
        ws(["close-review", S, "--no-objection", "--force", "--reason",
            "the general comment needs no decision"])
        ws(["approve", S, "--by", "appr-ru", "--evidence", LETTER])
        ws(["approve", S, "--by", "appr-zh", "--evidence", LETTER])
        ws(["render", S, "--stage", "draft", "--format", "docx", "-o", str(tmp / "out")])
        ws(["audit", "verify"])
        yield ws.root


@pytest.fixture
def copy(template: Path, tmp_path: Path) -> Cli:
    root = tmp_path / "ws"
    shutil.copytree(template, root)
    return Cli(root, CliRunner())


def _rehash_version(root: Path) -> None:
    """Edit version 1's text and make its own hash agree (a careful forger)."""
    from drafts.source import load

    source = str(sql(root, "SELECT source FROM versions WHERE number = 1")[0][0])
    forged = source.replace("*Noting*", "*Denying*")
    model, _ = load(forged, "forged")
    sql(root, "UPDATE versions SET source = ?, content_hash = ? WHERE number = 1",
        (forged, model.content_hash()))


def _change_artefact(root: Path) -> None:
    stored = next(p for p in (root / ".resolutions" / "store").glob("??/*") if p.is_file())
    stored.chmod(0o644)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, same size
    stored.write_bytes(bytes(data))
    assert hashlib.sha256(data).hexdigest() != stored.name


CASES: dict[str, tuple[str | Callable[[Path], None], str]] = {
    "state": ("UPDATE resolutions SET state = 'signed'",
              f"resolution {S}: state is 'signed' but the audit log records 'approved'"),
    "version text": ("UPDATE versions SET source = replace(source, '*Noting*', '*Denying*')",
                     f"version 1 of {S} (table versions, row 1): field source differs from "
                     "what audit event"),
    "version text and its hash": (_rehash_version,
                                  f"version 1 of {S}: text differs from the hash the audit log"),
    "audit event edited": ("UPDATE audit_events SET actor = 'intruder' WHERE seq = 8",
                           "audit event 8"),
    "audit event deleted": ("DELETE FROM audit_events WHERE seq = 9", "audit event"),
    "audit detail edited": ("UPDATE audit_events SET detail = replace(detail, 'appr-zh', 'appr-ru2')"
                            " WHERE action = 'approve'", "audit event"),
    "comment text": ("UPDATE comments SET text = 'Fully supported' WHERE number = 1",
                     f"comment 1 of {S}: text differs from the hash audit event"),
    "comment proposal": ("UPDATE comments SET proposal = 'nothing' WHERE number = 1",
                         f"comment 1 of {S}: proposal differs"),
    "comment author": ("UPDATE comments SET author = 'appr-ru' WHERE number = 2",
                       f"comment 2 of {S}: author or type differs"),
    "comment disposition": ("UPDATE comments SET disposition = 'accepted' WHERE number = 1",
                            f"comment 1 of {S}: disposition differs"),
    "comment deleted": ("DELETE FROM comments WHERE number = 2",
                        f"comment 2 of {S}: recorded by audit event"),
    "comment forged": ("INSERT INTO comments (resolution_id, number, round_id, version_number,"
                       " paragraph_id, ref, author, type, text, proposal, disposition, note,"
                       " disposed_by, source, created_at) SELECT resolution_id, 3, round_id,"
                       " version_number, paragraph_id, ref, author, type, 'forged', '', '', '',"
                       " '', source, created_at FROM comments WHERE number = 2",
                       f"comment 3 of {S}: has no audit event recording it"),
    "approval member": ("UPDATE approvals SET member_id = 'appr-ru2' WHERE member_id = 'appr-ru'",
                        f"approval by appr-ru2 of {S} v1: has no audit event"),
    "approval forged": ("INSERT INTO approvals (resolution_id, version_number, content_hash,"
                        " member_id, decision, note, void, at) SELECT resolution_id,"
                        " version_number, content_hash, 'appr-ru2', decision, '', 0, at"
                        " FROM approvals LIMIT 1",
                        f"approval by appr-ru2 of {S} v1: has no audit event"),
    "approval voided": ("UPDATE approvals SET void = 1 WHERE member_id = 'appr-zh'",
                        f"approval by appr-zh of {S} v1: is marked void although"),
    "approval deleted": ("DELETE FROM approvals WHERE member_id = 'appr-zh'",
                         f"approval by appr-zh of {S} v1: recorded by audit event"),
    "approval turned objection": ("UPDATE approvals SET decision = 'objected' WHERE "
                                  "member_id = 'appr-zh'", f"objection by appr-zh of {S} v1"),
    "state no state": ("UPDATE resolutions SET state = 'adopted-ish'",
                       f"resolution {S}: state is 'adopted-ish' but the audit log records "
                       "'approved'"),
    "member role added": ("INSERT INTO member_roles (member_id, role) VALUES ('rev-ru', "
                          "'secretary')",
                          "member rev-ru: roles reviewer, secretary differ from those recorded"),
    "member role removed": ("DELETE FROM member_roles WHERE member_id = 'appr-zh' AND "
                            "role = 'approver'",
                            "member appr-zh: roles signatory differ from those recorded "
                            "(approver, signatory)"),
    "member role renamed": ("UPDATE member_roles SET role = 'secretary' WHERE member_id = 'rev-zh'",
                            "member rev-zh: roles secretary differ from those recorded (reviewer)"),
    "role without member": ("INSERT INTO member_roles (member_id, role) VALUES ('mallory', "
                            "'secretary')",
                            "member mallory: holds the secretary role but no such member exists"),
    "member forged": ("INSERT INTO members (id, name, names_json, org, delegation, email,"
                      " lang, created_at) SELECT 'mallory', 'Mallory', '{}', '', 'ru', '',"
                      " 'ru', created_at FROM members LIMIT 1",
                      "member mallory: has no audit event recording it"),
    "stored artefact": (_change_artefact, "bytes do not match their SHA-256 name"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_named_by_audit_verify(copy: Cli, case: str) -> None:
    action, expected = CASES[case]
    if callable(action):
        action(copy.root)
    else:
        sql(copy.root, action)
    result = run(copy.root, ["audit", "verify"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stdout + result.stderr, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_untouched_copy_verifies(copy: Cli) -> None:
    result = run(copy.root, ["audit", "verify"])
    assert result.returncode == 0, result.stdout + result.stderr
