"""Witnessed heads: the audit chain's last event (``SEQ HASH``) handed to people outside the
group — printed by ``audit head``, carried by every message the engine sends — so that a
later rewrite of the chain is caught by anyone who kept one: ``audit verify --witness``
checks that the chain still holds that event with that hash.

The chain's hashes need no key, so an insider who rewrites the database can recompute them
all; what they cannot recompute is the copy of a head that already left the group."""

from __future__ import annotations

import re

from sqlmodel import Session

from workflow.errors import InvalidInput
from workflow.store.chain import Problem
from workflow.store.models import AuditEvent, AuditHead

__all__ = ["head", "head_text", "parse_witness", "witness_problems", "HEADER", "WITNESS_LINE"]

HEADER = "X-Resolutions-Audit-Head"
#: the line in a message's text (three languages: whoever receives it may keep it)
WITNESS_LINE = ("Audit head / Контрольная запись журнала / 审计链头 (keep this line; "
                "'resolutions audit verify --witness SEQ:HASH' checks it):")
_WITNESS = re.compile(r"^\s*(\d{1,18})\s*[: ]\s*([0-9a-f]{64})\s*$")


def head(session: Session) -> tuple[int, str]:
    row = session.get(AuditHead, 1)
    return (row.seq, row.hash) if row is not None else (0, "0" * 64)


def head_text(session: Session) -> str:
    seq, digest = head(session)
    return f"{seq} {digest}"


def parse_witness(text: str) -> tuple[int, str]:
    match = _WITNESS.match(text.lower())
    if match is None:
        raise InvalidInput(f"--witness {text!r} is not SEQ:HASH (the event number and its "
                           "64-hex-digit hash, as 'resolutions audit head' prints them)")
    return int(match.group(1)), match.group(2)


def witness_problems(session: Session, witnesses: list[tuple[int, str]]) -> list[Problem]:
    problems = []
    for seq, digest in witnesses:
        event = session.get(AuditEvent, seq)
        where = f"witness {seq}:{digest[:12]}…"
        if event is None:
            problems.append(Problem(where, f"the chain has no event {seq} any more: it was "
                                    "truncated or rewritten"))
        elif event.hash != digest:
            problems.append(Problem(where, f"event {seq} now has hash {event.hash[:12]}…: the "
                                    "chain was rewritten after this head was witnessed"))
    return problems
