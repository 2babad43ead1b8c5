"""Timestamped anchors: an RFC 3161 token on the audit chain's head.

A witness (``audit head``) is only as good as the person who kept it; an anchor is kept by
the workspace itself and proven by a timestamp authority: the token's message imprint is the
SHA-256 of ``statement(seq, hash)``, so whoever later rewrites the chain with recomputed
hashes cannot make event ``seq`` carry that hash again, and cannot date a new token back.
``audit anchor`` makes one; ``circulate``, ``submit`` and ``dossier export`` make one when a
timestamp authority is configured; ``audit verify`` checks every stored anchor.

The statement is plain text, so the token verifies with open tools alone:
``openssl ts -verify -data head.txt -in anchor.tsr -CAfile tsa-root.pem`` (a dossier carries
each anchor as a ``TimeStampResp``; a bare token needs ``-token_in``).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass

from sqlmodel import Session, col, select

from workflow.app import App
from workflow.errors import WorkflowError
from workflow.lifecycle.steps import act, allow
from workflow.store import audit
from workflow.store.chain import Problem
from workflow.store.chain import anchor_statement as statement
from workflow.store.models import AuditAnchor, AuditEvent
from workflow.store.witness import head

__all__ = ["Anchor", "statement", "anchor", "auto_anchor", "anchor_note", "anchors",
           "anchor_problems"]


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: _dt.datetime
    tsa_url: str
    token_sha256: str

    def to_json(self) -> dict[str, object]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at.isoformat(),
                "tsa_url": self.tsa_url, "token_sha256": self.token_sha256}


def _url(app: App) -> str:
    return app.workspace.settings.signatures.timestamp_url


def _info(row: AuditAnchor) -> Anchor:
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=_dt.timezone.utc)
    return Anchor(row.seq, row.hash, at, row.tsa_url, hashlib.sha256(row.token).hexdigest())


def anchor(app: App) -> Anchor:
    """Timestamp the current head and record the token (itself a fact of the chain)."""
    from signatures.errors import SigningError
    from signatures.ltv import timestamp_token
    from workflow.signing.sign import timestamper_for

    url = _url(app)
    stamper = timestamper_for(app)
    if stamper is None:
        raise WorkflowError("no timestamp authority is configured: set [signatures] "
                            "timestamp_url in resolutions.toml (or 'resolutions init "
                            "--timestamp-url URL')")
    with app.read() as session:
        seq, digest = head(session)
    if seq == 0:
        raise WorkflowError("the audit log is empty: there is nothing to anchor yet")
    try:
        token = timestamp_token(statement(seq, digest), stamper)
    except SigningError as exc:
        raise WorkflowError(f"no anchor: the timestamp authority {url} did not answer "
                            f"({exc}); try 'resolutions audit anchor' again later") from exc
    from signatures.ltv import check_token
    from workflow.signing.keys import trust_roots

    at, problem = check_token(token, statement(seq, digest), trust_roots(app, "timestamps"))
    if problem is not None or at is None:
        raise WorkflowError(f"no anchor: the token from {url} does not verify ({problem}); "
                            "register the authority's root with 'resolutions keys trust "
                            "--purpose timestamps'")
    with app.write() as session:
        act(session, allow(app, session, "audit anchor"))
        row = AuditAnchor(seq=seq, hash=digest, at=at, tsa_url=url, token=token)
        session.add(row)
        session.flush()
        audit.record(session, actor=app.actor(session), action="anchor",
                     detail={"seq": seq, "hash": digest, "at": at.isoformat(), "tsa_url": url,
                             "token_sha256": hashlib.sha256(token).hexdigest()})
        return _info(row)


def auto_anchor(app: App) -> tuple[Anchor | None, str]:
    """An anchor after a step that sent something out, when a timestamp authority is
    configured: (anchor, "") or (None, why not). Never undoes the step. When nothing was
    recorded since the last anchor (the chain ends with its event), that anchor is the
    answer: a second export of an unchanged dossier anchors nothing new."""
    if not _url(app):
        return None, ""
    with app.read() as session:  # nothing since the last anchor but the anchor itself
        last = session.exec(select(AuditEvent.action).order_by(
            col(AuditEvent.seq).desc()).limit(1)).first()
        kept = session.exec(select(AuditAnchor).order_by(
            col(AuditAnchor.id).desc()).limit(1)).first()
        if last == "anchor" and kept is not None:
            return _info(kept), ""
    try:
        return anchor(app), ""
    except WorkflowError as exc:
        return None, str(exc)


def anchor_note(app: App) -> str:
    """:func:`auto_anchor` as a step's output says it: what was anchored, or why nothing
    was ('' without a timestamp authority)."""
    made, why = auto_anchor(app)
    if made is not None:
        return f"audit head {made.seq} anchored at {made.at.isoformat()} ({made.tsa_url})"
    return f"not anchored: {why}" if why else ""


def anchors(session: Session) -> list[Anchor]:
    return [_info(r) for r in session.exec(select(AuditAnchor).order_by(col(AuditAnchor.id)))]


def anchor_problems(app: App, session: Session) -> list[Problem]:
    """Every stored anchor: its event still carries the anchored hash, and its token is a
    valid timestamp over that head by a trusted authority."""
    import json

    from signatures.ltv import check_token
    from workflow.signing.keys import trust_roots

    rows = list(session.exec(select(AuditAnchor).order_by(col(AuditAnchor.id))))
    kept = {(r.seq, r.hash, hashlib.sha256(r.token).hexdigest()) for r in rows}
    problems = []
    for ev in session.exec(select(AuditEvent).where(AuditEvent.action == "anchor")
                           .order_by(col(AuditEvent.seq))):
        d = json.loads(ev.detail)
        if (d.get("seq"), d.get("hash"), d.get("token_sha256")) not in kept:
            problems.append(Problem(f"audit event {ev.seq}", f"records an anchor of event "
                                    f"{d.get('seq')} whose token is gone: it was deleted"))
    if not rows:
        return problems
    roots = trust_roots(app, "timestamps")
    for row in rows:
        where = f"audit anchor {row.id} (event {row.seq}, {_info(row).at.isoformat()})"
        event = session.get(AuditEvent, row.seq)
        if event is None:
            problems.append(Problem(where, f"event {row.seq} is gone: the chain was truncated "
                                           "or rewritten after it was anchored"))
        elif event.hash != row.hash:
            problems.append(Problem(where, f"event {row.seq} now has hash {event.hash[:16]}…, "
                                           f"the timestamped head says {row.hash[:16]}…: the "
                                           "chain was rewritten after it was anchored"))
        at, problem = check_token(row.token, statement(row.seq, row.hash), roots)
        if problem is not None:
            problems.append(Problem(where, problem.replace("archive timestamp", "anchor's "
                                                           "timestamp")))
        elif at is not None and abs((at - _info(row).at).total_seconds()) > 1:
            problems.append(Problem(where, f"recorded time {_info(row).at.isoformat()} is not "
                                           f"the token's ({at.isoformat()})"))
    return problems
