"""The dossier's payload records checked against the rows the audit chain recorded.

Export writes, in each resolution's folder, ``audit/rows.jsonl``: every fact row about the
resolution (its own row, versions, translation records, review rounds, comments,
amendments, approvals, signatures, messages, submissions) and every member with their roles
and certificates, one ``{"table", "key", "row"}`` line each, values in the canonical form of
``workflow.store.rowhash``. Verification then needs nothing but the bag:

1. each row's hash is the last one the chain (``data/audit/chain.jsonl``) recorded for that
   table and key, and every row the chain recorded for the resolution is there;
2. every payload record agrees with those rows, field by field — ``record.json`` (the
   resolution, versions, signatures, submissions), the review rounds (comments with their
   dispositions, amendments), ``approvals.json``, each submission's record with its receipt,
   and every version's ``source.yaml`` byte for byte.

So an approval moved to another member, a disposition changed or a receipt rewritten in the
bag is named even when every checksum and manifest was recomputed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.dossier.report import JSONObject, VerifyReport, read_json, read_jsonl
from workflow.store.rowhash import canonical, field_digests, key_text, recorded_rows, row_digest

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Table
    from sqlmodel import Session


__all__ = ["ROWS_FILE", "rows_jsonl", "check_rows"]

ROWS_FILE = "audit/rows.jsonl"
#: tables whose rows belong to one resolution (by ``resolution_id``)
_OWN = ("versions", "translation_state", "review_rounds", "comments", "amendments",
        "approvals", "signatures", "messages", "submissions", "waivers")
_PEOPLE = ("members", "member_roles", "member_certificates")


def _lines(session: Session, table: Table,
           where: ColumnElement[bool] | None = None) -> Iterator[bytes]:
    statement = table.select().order_by(*table.primary_key.columns)
    if where is not None:
        statement = statement.where(where)
    for row in session.connection().execute(statement).mappings():
        values = dict(row)
        key = [values[c.name] for c in table.primary_key.columns]
        yield json.dumps({"table": table.name, "key": json.loads(key_text(key)),
                          "row": {k: canonical(v) for k, v in values.items()}},
                         ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"


def rows_jsonl(session: Session, resolution_id: int) -> bytes:
    """The resolution's fact rows and everyone's, as the bag carries them (export side:
    the database modules are imported here only, so verifying a bag needs none)."""
    from sqlmodel import SQLModel

    tables = SQLModel.metadata.tables
    own = tables["resolutions"]
    out = list(_lines(session, own, own.c.id == resolution_id))
    for name in _OWN:
        table = tables[name]
        out += _lines(session, table, table.c.resolution_id == resolution_id)
    subs = tables["submissions"]
    receipts = tables["receipts"]
    out += _lines(session, receipts, receipts.c.submission_id.in_(
        subs.select().with_only_columns(subs.c.id).where(subs.c.resolution_id == resolution_id)))
    for name in _PEOPLE:
        out += _lines(session, tables[name])
    return b"".join(out)


# -- verification --------------------------------------------------------------------------
def check_rows(root: Path, base: str, record: JSONObject, chain: list[JSONObject],
               report: VerifyReport) -> None:
    rel = f"{base}/{ROWS_FILE}"
    if not (root / rel).is_file():
        report.add(rel, "is missing: the payload records cannot be checked against the rows "
                        "the audit log recorded")
        return
    full = [(int(r.get("seq", 0)), r.get("detail") or {}) for r in chain
            if not r.get("redacted") and isinstance(r.get("detail"), dict)]
    latest = recorded_rows(full)
    rows: dict[tuple[str, str], JSONObject] = {}
    for n, line in enumerate(read_jsonl(root, rel, report), 1):
        table, key, row = str(line.get("table")), line.get("key"), line.get("row")
        if not isinstance(key, list) or not isinstance(row, dict):
            report.add(f"{rel} line {n}", "is not a row record")
            continue
        name = (table, json.dumps([str(k) for k in key], ensure_ascii=False))
        rows[name] = row
        _against_chain(f"{rel} line {n} ({table} {', '.join(map(str, key))})", table, row,
                       latest.get(name), report)
    symbol = record.get("symbol")
    for r in chain:
        if r.get("redacted") or r.get("symbol") != symbol or r.get("resolution_id") is None:
            continue
        for item in (r.get("detail") or {}).get("facts", ()):
            name = (str(item[0]), key_text(item[1]))
            if name[0] in _OWN + ("resolutions", "receipts") and latest.get(name, (0, None))[1] \
                    and name not in rows:
                report.add(rel, f"lacks the {name[0]} row {', '.join(map(str, item[1]))} "
                                f"audit event {r.get('seq')} recorded: it was removed")
    _payload(root, base, record, rows, report)
    report.count("rows checked against the audit log", len(rows))


def _against_chain(where: str, table: str, row: Mapping[str, Any],
                   recorded: tuple[int, str | None, dict[str, str]] | None,
                   report: VerifyReport) -> None:
    if recorded is None:
        report.add(where, "no audit event recorded this row")
        return
    seq, digest, fields = recorded
    if digest is None:
        report.add(where, f"audit event {seq} recorded this row as deleted")
    elif row_digest(table, row) != digest:
        now = field_digests(row)
        changed = sorted(k for k in set(now) | set(fields) if now.get(k) != fields.get(k))
        report.add(where, f"field(s) {', '.join(changed)} differ from what audit event {seq} "
                          "recorded")


def _by(rows: dict[tuple[str, str], JSONObject], table: str) -> list[JSONObject]:
    return [row for (t, _), row in sorted(rows.items()) if t == table]


def _agree(where: str, payload: Mapping[str, Any], row: Mapping[str, Any] | None,
           report: VerifyReport, rename: Mapping[str, str] | None = None) -> None:
    """Every field the payload states that is a column of the row must equal it."""
    if row is None:
        report.add(where, "has no row the audit log recorded: it was added or altered")
        return
    for key, value in payload.items():
        column = (rename or {}).get(key, key)
        if column in row and row[column] != value:
            report.add(where, f"says {key} = {value!r}, but the row the audit log recorded "
                              f"has {row[column]!r}")


def _payload(root: Path, base: str, record: JSONObject,
             rows: dict[tuple[str, str], JSONObject], report: VerifyReport) -> None:
    own = next(iter(_by(rows, "resolutions")), None)
    top: JSONObject = {k: record[k] for k in ("symbol", "number", "title", "body", "state",
                                  "current_version", "created_at", "updated_at") if k in record}
    _agree(f"{base}/record.json", top, own, report)
    versions = {r["number"]: r for r in _by(rows, "versions")}
    for ver in record.get("versions", []):
        row = versions.get(ver.get("number"))
        _agree(f"{base}/record.json version {ver.get('number')}",
               {k: v for k, v in ver.items() if k != "source"}, row, report)
        path = root / base / str(ver.get("source", ""))
        if row is not None and path.is_file() and path.read_bytes() != \
                str(row.get("source", "")).encode("utf-8"):
            report.add(f"{base}/{ver.get('source')}", "differs from the version text the "
                                                      "audit log recorded")
    _review(root, base, rows, report)
    approvals = {r["id"]: r for r in _by(rows, "approvals")}
    listed = read_json(root, f"{base}/approvals/approvals.json", report) \
        if (root / base / "approvals" / "approvals.json").is_file() else []
    for entry in listed if isinstance(listed, list) else []:
        _agree(f"{base}/approvals/approvals.json id {entry.get('id')}", entry,
               approvals.get(entry.get("id")), report)
    signatures = {(r["member_id"], r["signed_sha256"]): r for r in _by(rows, "signatures")}
    for entry in record.get("signatures", []):
        _agree(f"{base}/record.json signature of {entry.get('member')}",
               {k: entry[k] for k in ("member", "version", "field_name", "cert_fingerprint",
                                      "base_sha256", "signed_sha256", "source", "at")
                if k in entry},
               signatures.get((entry.get("member"), entry.get("signed_sha256"))), report,
               {"member": "member_id", "version": "version_number"})
    submissions = _by(rows, "submissions")
    for k, sub in enumerate(record.get("submissions", []), 1):
        rel = f"{base}/{sub.get('record', f'submissions/{k}/submission.json')}"
        row = submissions[k - 1] if k - 1 < len(submissions) else None
        _agree(f"{base}/record.json submission {k}",
               {"body": sub.get("body"), "package_sha256": sub.get("package_sha256")},
               row, report)
        if (root / rel).is_file():
            data = read_json(root, rel, report)
            if isinstance(data, dict):
                _agree(rel, {k: v for k, v in data.items() if k != "package_path"}, row,
                       report)
    if len(record.get("submissions", [])) != len(submissions):
        report.add(f"{base}/record.json", f"lists {len(record.get('submissions', []))} "
                   f"submission(s); the audit log recorded {len(submissions)}")


def _review(root: Path, base: str, rows: dict[tuple[str, str], JSONObject],
            report: VerifyReport) -> None:
    rounds = _by(rows, "review_rounds")
    comments = {r["id"]: r for r in _by(rows, "comments")}
    amendments = {r["id"]: r for r in _by(rows, "amendments")}
    seen_comments: set[Any] = set()
    for rnd in rounds:
        rel = f"{base}/review/round-{rnd['number']}.json"
        if not (root / rel).is_file():
            report.add(rel, "is missing: the audit log recorded this round")
            continue
        data = read_json(root, rel, report)
        if not isinstance(data, dict):
            continue
        _agree(rel, {k: v for k, v in data.items() if k not in ("comments", "amendments")},
               rnd, report)
        for c in data.get("comments", []):
            seen_comments.add(c.get("id"))
            _agree(f"{rel} comment {c.get('number')}", c, comments.get(c.get("id")), report)
        for a in data.get("amendments", []):
            row = amendments.get(a.get("id"))
            _agree(f"{rel} amendment {a.get('number')}",
                   {k: v for k, v in a.items() if k != "texts"}, row, report)
            if row is not None and json.loads(row.get("texts_json") or "{}") != a.get("texts"):
                report.add(f"{rel} amendment {a.get('number')}", "texts differ from the row "
                                                                  "the audit log recorded")
    for cid, c in comments.items():
        if cid not in seen_comments:
            report.add(f"{base}/review", f"lacks comment {c.get('number')}, which the audit "
                                         "log recorded")
