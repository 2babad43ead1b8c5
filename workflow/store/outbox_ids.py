"""Message-IDs derived from what a message is, so a message is never queued twice and what
is still missing can be told from the ``messages`` table alone.

A review copy's id comes from (symbol, round, reviewer), a submission's from (symbol,
number): ``<first 32 hex digits of SHA-256(seed)@domain>``. The domain is the sender's and
may change with the configuration; the part before it does not, so
:func:`copies_not_queued` matches on that part only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

__all__ = ["derived_id", "review_seed", "copies_not_queued"]


def _local(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:32]


def derived_id(seed: str, domain: str) -> str:
    return f"<{_local(seed)}@{domain}>"


def review_seed(symbol: str, round_no: int, reviewer: str) -> str:
    return f"review|{symbol}|{round_no}|{reviewer}"


def copies_not_queued(symbol: str, round_no: int, reviewers: Iterable[str],
                      queued: Iterable[str]) -> list[str]:
    """The reviewers of round ``round_no`` whose review copy is not among the ``queued``
    Message-IDs (in the round's order)."""
    have = {q.strip("<>").split("@", 1)[0] for q in queued}
    return [r for r in reviewers if _local(review_seed(symbol, round_no, r)) not in have]
