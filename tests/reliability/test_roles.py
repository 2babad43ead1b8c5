"""Roles: every state-changing command, tried by a member without the role it takes, is
refused (exit 1, "… may not …: it takes the … role") and recorded in the audit log as a
refused event naming who tried; nothing else changes. The resolution is walked through its
life cycle so that, at each step, the role (not the state) is what refuses."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import LETTER, Cli, fixture_text
from tests.reliability.helpers import row_counts, setup_keys, sql


def refused(ws: Cli, who: str, args: list[str], count: list[int]) -> None:
    before = row_counts(ws.root)
    result = ws(args, actor=who, code=None)
    assert result.exit_code == 1, f"{who} {args}: exit {result.exit_code}: {result.output}"
    assert " may not " in result.output and " role" in result.output, result.output
    after = row_counts(ws.root)
    assert after["audit_events"] == before["audit_events"] + 1, f"{args} not audited"
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"}, f"{args} changed rows"
    actor, action, outcome, detail = sql(ws.root, "SELECT actor, action, outcome, detail FROM "
                                         "audit_events ORDER BY seq DESC LIMIT 1")[0]
    assert (actor, action, outcome) == (who, "refused", "refused"), (actor, action, outcome)
    assert json.loads(str(detail))["reason"]
    count[0] += 1


def test_every_state_changing_command_refused_without_its_role(ws_sqlite: Cli,
                                                               tmp_path: Path) -> None:
    ws, n = ws_sqlite, [0]
    ws(["member", "add", "arch", "--name", "Archivist", "--role", "archivist"])
    src = tmp_path / "res.yaml"
    src.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    secret = tmp_path / "p.pass"
    secret.write_text("Role-Test-Passphrase-1\n")

    refused(ws, "rev-ru", ["member", "add", "eve", "--name", "Eve", "--role", "secretary"], n)
    refused(ws, "rev-ru", ["new", str(src)], n)
    refused(ws, "appr-ru", ["keys", "init-ca", "--passphrase-file", str(secret)], n)
    s = ws(["new", str(src)]).output.split()[0]
    refused(ws, "rev-ru", ["edit", s, str(src)], n)
    refused(ws, "rev-ru", ["circulate", s, "--reviewer", "rev-ru"], n)
    refused(ws, "rev-ru", ["withdraw", s, "--reason", "mine"], n)
    ws(["circulate", s, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    refused(ws, "arch", ["comment", s, "--ref", "OP 1", "--type", "ge", "--text", "x"], n)
    refused(ws, "rev-zh", ["comment", s, "--by", "rev-ru", "--ref", "OP 1", "--type", "ge",
                           "--text", "in someone else's name"], n)
    ws(["comment", s, "--by", "rev-ru", "--ref", "OP 1", "--type", "ge", "--text", "ok"])
    refused(ws, "rev-ru", ["dispose", s, "1", "--accept", "--note", "self-accepted"], n)
    refused(ws, "arch", ["amend", s, "--target", "OP 2", "--op", "delete", "--why", "x"], n)
    ws(["amend", s, "--by", "rev-ru", "--target", "OP 2", "--op", "delete", "--why", "x"])
    refused(ws, "rev-ru", ["amendment", "accept", s, "1"], n)
    refused(ws, "rev-ru", ["amendment", "reject", s, "1"], n)
    refused(ws, "rev-ru", ["close-review", s, "--no-objection"], n)
    ws(["amendment", "reject", s, "1"])
    ws(["dispose", s, "1", "--accept", "--note", "taken"])
    ws(["close-review", s, "--no-objection"])
    refused(ws, "rev-ru", ["approve", s], n)
    refused(ws, "rev-ru", ["approve", s, "--by", "appr-ru"], n)
    refused(ws, "rev-ru", ["object", s, "--note", "no"], n)
    refused(ws, "rev-ru", ["translations", "confirm", s, "--lang", "zh"], n)
    ws(["approve", s, "--by", "appr-ru", "--evidence", LETTER])
    ws(["approve", s, "--by", "appr-zh", "--evidence", LETTER])
    setup_keys(ws, tmp_path / "secrets")
    refused(ws, "rev-ru", ["keys", "issue", "rev-ru", "--ca-passphrase-file", str(secret),
                           "--passphrase-file", str(secret)], n)
    refused(ws, "appr-ru2", ["sign", s, "--passphrase-file", str(secret)], n)
    refused(ws, "rev-ru", ["sign", s, "--by", "appr-ru", "--passphrase-file",
                           str(tmp_path / "secrets" / "appr-ru.pass")], n)
    refused(ws, "rev-ru", ["submit", s, "--to", "brics-higher-council"], n)
    refused(ws, "rev-ru", ["receipt", s, "--ref", "X/1", "--outcome", "adopted"], n)
    refused(ws, "rev-ru", ["archive", s], n)
    print(f"\n{n[0]} commands refused for lack of a role, each audited as refused")
    assert n[0] == 23
    ws(["audit", "verify"])
