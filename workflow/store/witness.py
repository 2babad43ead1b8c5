"""Witnessed heads: the audit chain's last event (``SEQ HASH``) handed to people outside the
group — printed by ``audit head``, carried by every message the engine sends — so that a
later rewrite of the chain is caught by anyone who kept one: ``audit verify --witness``
checks that the chain still holds that event with that hash.

The chain's hashes need no key, so an insider who rewrites the database can recompute them
all; what they cannot recompute is the copy of a head that already left the group."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from workflow.errors import InvalidInput
from workflow.store.chain import Problem

if TYPE_CHECKING:  # 'audit verify' checks witnesses on the bare driver too
    from sqlmodel import Session

__all__ = ["head", "head_text", "parse_witness", "witness_problems", "witness_check", "HEADER", "WITNESS_LINE"]

HEADER = "X-Resolutions-Audit-Head"
#: the line in a message's text (three languages: whoever receives it may keep it)
WITNESS_LINE = ("Audit head / Контрольная запись журнала / 审计链头 (keep this line; "
                "'resolutions audit verify --witness SEQ:HASH' checks it):")
_WITNESS = re.compile(r"^\s*(\d{1,18})\s*[: ]\s*([0-9a-f]{64})\s*$")


def head(session: Session) -> tuple[int, str]:
    from workflow.store.models import AuditHead

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
    from workflow.store.models import AuditEvent

    def hash_of(seq: int) -> str | None:
        event = session.get(AuditEvent, seq)
        return None if event is None else event.hash

    return witness_check(hash_of, witnesses)


def witness_check(hash_of: Callable[[int], str | None],
                  witnesses: Sequence[tuple[int, str]]) -> list[Problem]:
    """Each kept head still in the chain; ``hash_of(seq)``: the hash event ``seq`` has now
    (None: there is no such event)."""
    problems = []
    for seq, digest in witnesses:
        now = hash_of(seq)
        where = f"witness {seq}:{digest[:12]}…"
        if now is None:
            problems.append(Problem(where, f"the chain has no event {seq} any more: it was "
                                    "truncated or rewritten"))
        elif now != digest:
            problems.append(Problem(where, f"event {seq} now has hash {now[:12]}…: the "
                                    "chain was rewritten after this head was witnessed"))
    return problems
