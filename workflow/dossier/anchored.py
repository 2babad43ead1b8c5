"""The audit anchors in a dossier: RFC 3161 tokens on heads of the chain the bag carries.

Export writes each anchor the workspace holds as ``data/audit/anchors/<seq>.tsr`` (the
token) and ``<seq>.txt`` (the exact line it timestamps, ``brics-resolutions audit head SEQ
HASH``), listed in ``data/dossier.json``. Verification checks that the bag's chain still has
that hash at that event, and that the token is a valid timestamp over the line by an
authority among the bag's trust anchors — with ``openssl ts -verify`` as well as here. A
chain rewritten before export, after an anchor, cannot pass.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from workflow.dossier.report import VerifyReport
from workflow.store.chain import anchor_statement

__all__ = ["ANCHOR_DIR", "anchor_files", "check_anchors"]

ANCHOR_DIR = "audit/anchors"


def anchor_files(session: Any) -> list[tuple[str, bytes, dict[str, Any]]]:
    """(path under data/, bytes, listing entry) for every stored anchor (export side)."""
    from sqlmodel import select

    from workflow.store.models import AuditAnchor

    out = []
    for row in session.exec(select(AuditAnchor).order_by(AuditAnchor.id)):
        stem = f"{ANCHOR_DIR}/{row.seq:08d}-{row.id}"
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=_dt.timezone.utc)
        entry = {"seq": row.seq, "hash": row.hash, "at": at.isoformat(),
                 "token": f"{stem}.tsr", "statement": f"{stem}.txt"}
        out.append((f"{stem}.txt", anchor_statement(row.seq, row.hash), entry))
        out.append((f"{stem}.tsr", bytes(row.token), entry))
    return out


def check_anchors(root: Path, dossier: dict[str, Any], chain: list[dict[str, Any]],
                  roots: list[Any], report: VerifyReport) -> list[dict[str, Any]]:
    """Every anchor the bag lists; returns those that hold (with their times)."""
    from signatures.ltv import check_token

    by_seq = {int(r.get("seq", 0)): r for r in chain}
    held = []
    for entry in dossier.get("anchors", []):
        seq, digest = int(entry.get("seq", 0)), str(entry.get("hash", ""))
        rel = f"data/{entry.get('token', '')}"
        where = f"{rel} (audit anchor of event {seq})"
        record = by_seq.get(seq)
        if record is None:
            report.add(where, f"the chain in the bag has no event {seq}: it was truncated")
            continue
        if record.get("hash") != digest:
            report.add(where, f"event {seq} in the bag's chain has another hash than the one "
                              "timestamped: the chain was rewritten after it was anchored")
        statement = root / "data" / str(entry.get("statement", ""))
        if statement.is_file() and statement.read_bytes() != anchor_statement(seq, digest):
            report.add(f"data/{entry.get('statement')}", "is not the line the anchor stamps")
        try:
            token = (root / rel).read_bytes()
        except FileNotFoundError:
            report.add(rel, "missing")
            continue
        at, problem = check_token(token, anchor_statement(seq, digest), roots, report.at)
        if problem is not None:
            report.add(where, problem.replace("archive timestamp", "anchor's timestamp"))
            continue
        held.append({"seq": seq, "hash": digest, "at": at.isoformat() if at else None})
        report.count("audit anchors")
    return held
