"""The check of the fact rows against the chain, as pure data.

Every table whose rows state a fact (``FACT_TABLES``) has each row's content hash in the
last audit event that wrote it (``workflow.store.facts`` records them); the tables that are
not facts are listed in ``NOT_FACTS`` with the reason. ``fact_problems()`` compares every
row with that hash and names table, row and field. The rows come from the ORM
(``workflow.store.facts``) or from the bare driver (``workflow.store.verify_reads``), each
column in the text form ``workflow.store.rowhash.canonical`` gives it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping

from workflow.store.chain import Problem
from workflow.store.rowhash import field_digests, recorded_rows, row_digest

__all__ = ["FACT_TABLES", "NOT_FACTS", "fact_problems"]

#: every table whose rows state a fact, in the order the check reads them
FACT_TABLES: tuple[str, ...] = (
    "members", "member_roles", "member_certificates", "resolutions", "versions",
    "translation_state", "review_rounds", "comments", "amendments", "approvals",
    "signatures", "messages", "submissions", "receipts", "audit_anchors", "waivers")

NOT_FACTS: dict[str, str] = {
    "audit_events": "the chain itself",
    "audit_head": "the chain's last link, checked against the chain",
    "artefacts": "a cache of rendered files; each file is named by its SHA-256 and checked "
                 "against its bytes, and the signed ones against the signatures' hashes",
    "alembic_version": "the schema's revision",
    "blobs": "the shared store's bytes, each named by its SHA-256 and checked against it "
             "whenever a machine reads it; append-only on PostgreSQL",
    "shared_files": "where a named file's bytes are (path → SHA-256); every file it names is "
                    "checked before use against what a fact or the chain records (a message's "
                    "or a package's hash, the fingerprints the chain registered for the trust "
                    "store, the CA and the seal, the rules' config event); export records are "
                    "sealed with the export secret",
    "workspace_secrets": "secrets of the secretariat (binding key, export-record seal), "
                         "visible only to the roles that need them; never evidence",
    "search_texts": "the search index, derived from the versions (workflow.store.search_index); "
                    "'resolutions search --check' compares it with them",
    "search_spans": "the search index, derived from the versions (workflow.store.search_index); "
                    "'resolutions search --check' compares it with them",
}

_NAMES: dict[str, str] = {
    "members": "member {id}",
    "member_roles": "role {role} of member {member_id}",
    "member_certificates": "certificate of member {member_id}",
    "resolutions": "resolution {symbol}",
    "versions": "version {number} of {sym}",
    "translation_state": "translation records of {sym}",
    "review_rounds": "review round {number} of {sym}",
    "comments": "comment {number} of {sym}",
    "amendments": "amendment {number} of {sym}",
    "approvals": "{decision} by {member_id} of {sym} v{version_number}",
    "signatures": "signature by {member_id} of {sym} v{version_number}",
    "messages": "message {id} ({kind} to {recipient})",
    "submissions": "submission {id} of {sym} to {body}",
    "receipts": "receipt {id} ({outcome}) of submission {submission_id}",
    "audit_anchors": "audit anchor {id} (of event {seq})",
    "waivers": "waiver of {finding} ({ref} {rule}) by {member_id} of {sym}",
}


def _label(name: str, key: str, values: Mapping[str, object] | None,
           symbols: Mapping[object, str]) -> str:
    where = f"table {name}, row {', '.join(json.loads(key))}"
    if not values:
        return where
    try:
        what = _NAMES[name].format(sym=symbols.get(values.get("resolution_id"), "?"), **values)
    except (KeyError, IndexError, ValueError):
        return where
    return f"{what} ({where})"


def fact_problems(rows_of: Callable[[str], Iterable[tuple[str, Mapping[str, object]]]],
                  symbols: Mapping[object, str],
                  details: Iterable[tuple[int, Mapping[str, object]]]) -> list[Problem]:
    """Every fact row (``rows_of(table)``: (key text, {column: value}) in key order)
    compared with the hash the chain recorded last for it; ``symbols``: resolution id →
    symbol, to name the rows."""
    latest = recorded_rows(details)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for name in FACT_TABLES:
        for key, values in rows_of(name):
            seen.add((name, key))
            rec = latest.get((name, key))
            if rec is not None and rec[1] is not None and row_digest(name, values) == rec[1]:
                continue  # the row as the chain recorded it last
            where = _label(name, key, values, symbols)
            if rec is None:
                problems.append(Problem(where, "has no audit event recording it: it was written "
                                               "behind the engine's back"))
                continue
            seq, digest, fields = rec
            if digest is None:
                problems.append(Problem(where, f"was deleted by audit event {seq} but is back"))
            elif row_digest(name, values) != digest:
                now = field_digests(values)
                changed = sorted(k for k in set(now) | set(fields) if now.get(k) != fields.get(k))
                problems.append(Problem(where, f"field{'s' if len(changed) != 1 else ''} "
                                               f"{', '.join(changed) or '?'} differ"
                                               f"{'s' if len(changed) == 1 else ''} from what audit "
                                               f"event {seq} recorded: edited outside the engine"))
    for (name, key), (seq, digest, _) in latest.items():
        if digest is not None and (name, key) not in seen:
            problems.append(Problem(_label(name, key, None, symbols),
                                    f"recorded by audit event {seq} is missing: it was deleted"))
    return problems
