"""Findings set aside: a member judged a finding wrong for this text, and said why.

A parity rule is a heuristic; an official translation may say "утверждает" where the
lexicon expects "подтверждает". A finding is identified by :func:`finding_id` — its
paragraph, rule and languages, the same in every version — and a waiver holds that id
with the hash of the paragraph's texts when it was accepted (:func:`texts_hash`). The
waiver holds while the paragraph is as it was: once any of its texts changes, the finding
comes back and must be judged again.

:func:`apply` splits the findings of a version into those that stand and those waived.
The records themselves (who, why, when, bound to the audit chain) are the workflow's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from drafts.errors import DraftError
from drafts.model import Resolution
from drafts.parity.core import Finding
from drafts.staleness import units

__all__ = ["finding_id", "texts_hash", "unit_hashes", "Waived", "apply", "resolve",
           "WaiverError"]


class WaiverError(DraftError):
    """A finding named for a waiver that the version does not have."""


def finding_id(finding: Finding) -> str:
    """``f-`` and 8 hex digits: the finding's paragraph, rule and languages."""
    return finding.id


def texts_hash(texts: Mapping[str, str]) -> str:
    """SHA-256 over a unit's texts in every language (key order does not matter)."""
    blob = json.dumps(dict(texts), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def unit_hashes(resolution: Resolution) -> dict[str, str]:
    """Paragraph (or title) id → the hash of its texts."""
    return {uid: texts_hash(texts) for uid, texts in units(resolution).items()}


@dataclass(frozen=True)
class Waived:
    """A finding that stands no more, and the waiver that set it aside (as the workflow
    passes it: any mapping with ``finding``, ``texts_hash`` and what to show)."""

    finding: Finding
    waiver: Mapping[str, object]


def apply(findings: Iterable[Finding], waivers: Iterable[Mapping[str, object]],
          hashes: Mapping[str, str]) -> tuple[list[Finding], list[Waived]]:
    """(findings that stand, findings waived). A waiver counts while its paragraph's
    texts hash as they did when it was accepted (``hashes``: :func:`unit_hashes`)."""
    by_id: dict[str, list[Mapping[str, object]]] = {}
    for waiver in waivers:
        by_id.setdefault(str(waiver["finding"]), []).append(waiver)
    standing: list[Finding] = []
    waived: list[Waived] = []
    for finding in findings:
        match = next((w for w in reversed(by_id.get(finding_id(finding), []))
                      if w.get("texts_hash") == hashes.get(finding.paragraph_id)), None)
        if match is None:
            standing.append(finding)
        else:
            waived.append(Waived(finding, match))
    return standing, waived


def resolve(findings: Sequence[Finding], name: str) -> Finding:
    """The finding a user names: its id (``f-1a2b3c4d``) or ``REF:RULE``
    (``"OP 2:opener-mismatch"``, ``"Title:length-ratio"``)."""
    wanted = name.strip()
    hits = [f for f in findings if finding_id(f) == wanted.lower()]
    if not hits and ":" in wanted:
        ref, _, rule = wanted.rpartition(":")
        hits = [f for f in findings if f.ref.lower() == " ".join(ref.split()).lower()
                and f.rule == rule.strip()]
    if len(hits) == 1:
        return hits[0]
    listing = "; ".join(f"{finding_id(f)} ({f.ref} {f.rule})" for f in findings[:12]) or "none"
    if len(hits) > 1:
        raise WaiverError(f"{name!r} names {len(hits)} findings; name one by its id: "
                          + "; ".join(f"{finding_id(f)} ({f.ref} {f.rule} "
                                      f"[{', '.join(f.languages)}])" for f in hits))
    raise WaiverError(f"no finding {name!r} in this version; its findings are: {listing} "
                      "('resolutions check REF' lists them with their ids)")
