"""Witnessed heads: the full-chain rewrite that `audit verify` alone cannot see (every hash
recomputed with the engine's own function, no key needed) is caught by a head that left the
group — from `audit head`, or from the header of a message the engine sent."""

from __future__ import annotations

import datetime as dt
import email
import json
from email import policy
from pathlib import Path

from tests.conftest import LETTER, Cli
from tests.reliability.helpers import draft, sql
from workflow.store.chain import event_hash


def _rewrite_chain(root: Path) -> None:
    """The knowledgeable insider: move an approval to another member, put the moved row's
    hash (the engine's own function) in the event that recorded it, then recompute the hash
    of every event and the head."""
    from sqlalchemy import create_engine

    from workflow.store.facts import fact_entry

    sql(root, "UPDATE approvals SET member_id = 'appr-ru2' WHERE member_id = 'appr-ru'")
    (approval,) = sql(root, "SELECT id FROM approvals WHERE member_id = 'appr-ru2'")[0]
    engine = create_engine(f"sqlite:///{root / '.resolutions' / 'resolutions.db'}")
    with engine.connect() as conn:
        moved = fact_entry(conn, "approvals", [approval])
    engine.dispose()
    rows = sql(root, "SELECT seq, at, actor, action, outcome, resolution_id, symbol, detail "
                     "FROM audit_events ORDER BY seq")
    prev = "0" * 64
    for seq, at, actor, action, outcome, rid, symbol, detail in rows:
        detail = str(detail).replace('"member": "appr-ru"', '"member": "appr-ru2"')
        data = json.loads(detail)
        if any(f[:2] == moved[:2] for f in data.get("facts", ())):
            data["facts"] = [moved if f[:2] == moved[:2] else f for f in data["facts"]]
            detail = json.dumps(data, ensure_ascii=False, sort_keys=True)
        when = dt.datetime.fromisoformat(str(at))
        digest = event_hash(int(str(seq)), when, str(actor), str(action), str(outcome),  # type: ignore[arg-type]
                            rid, str(symbol), detail, prev)  # type: ignore[arg-type]
        sql(root, "UPDATE audit_events SET detail = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            (detail, prev, digest, seq))
        prev = digest
    sql(root, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (rows[-1][0], prev))


def test_a_rewritten_chain_is_caught_by_a_witness(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    symbol = draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])
    ws(["approve", symbol, "--by", "appr-ru", "--evidence", LETTER])
    kept = json.loads(ws(["audit", "head", "--json"]).output)
    assert ws(["audit", "head"]).output.split() == [str(kept["seq"]), kept["hash"]]
    witness = f"{kept['seq']}:{kept['hash']}"
    assert "1 witness(es) held" in ws(["audit", "verify", "--witness", witness]).output

    _rewrite_chain(ws.root)
    # the chain alone still looks whole: that is why witnesses exist
    out = ws(["audit", "verify"], code=None).output
    assert "appr-ru2" not in out
    out = ws(["audit", "verify", "--witness", witness], code=1).output
    assert f"witness {kept['seq']}:{kept['hash'][:12]}" in out
    assert "rewritten after this head was witnessed" in out


def test_every_message_carries_the_head(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    symbol = draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    outbox = sorted((ws.root / ".resolutions" / "outbox").glob("review-copy-*.eml"))
    assert len(outbox) == 2
    for path in outbox:
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        seq, digest = str(msg["X-Resolutions-Audit-Head"]).split()
        body = msg.get_body(preferencelist=("plain",))
        assert body is not None and f"{seq} {digest}" in body.get_content()
        # what the recipient holds verifies against the workspace
        ws(["audit", "verify", "--witness", f"{seq}:{digest}"])
    assert "not SEQ:HASH" in ws(["audit", "verify", "--witness", "12"], code=2).output
