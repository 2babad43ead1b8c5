"""The floor scripts of ``bench/write_path.py``: each write command's plain SQL in one
script — the row inserted or updated, its SHA-256 fact hash, the chain event and the head —
with ``sqlite3`` (:data:`FLOOR`) and with ``psycopg`` on the member's own role
(:data:`FLOOR_PG`), each parsing its arguments with click, and the same two reading them from
``sys.argv`` (:data:`FLOOR_BARE`, :data:`FLOOR_PG_BARE`), the floors the ratios are taken
against. Written to ``bench/out/`` and run as fresh processes by ``write_path.py``."""

from __future__ import annotations

from common import LOADER

__all__ = ["FLOOR", "FLOOR_BARE", "FLOOR_PG", "FLOOR_PG_BARE"]

FLOOR = r'''"""The floor of a write command: Python, click parsing the arguments, and plain sqlite3
doing the insert, the row's fact hash and the chain event — nothing else."""
import datetime
import hashlib
import json
import sqlite3

import click


@click.command()
@click.argument("kind")
@click.argument("path")
@click.argument("rid", type=int)
@click.argument("tag")
@click.option("--number", type=int, default=1)
@click.option("--source", default=None)
@click.option("--parse", is_flag=True)
def main(kind, path, rid, tag, number, source, parse):
    now = datetime.datetime(2024, 10, 13, 10, 0, tzinfo=datetime.timezone.utc)
    conn = sqlite3.connect(path, isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    q = conn.execute
    seq, prev = q("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    stamp = now.replace(tzinfo=None).isoformat(" ")
    table = {"comment": "comments", "amend": "amendments", "dispose": "comments",
             "edit": "versions", "new": "versions", "approve": "approvals",
             "member add": "members", "amendment accept": "amendments",
             "amendment reject": "amendments", "object": "approvals",
             "withdraw": "resolutions", "close-review": "review_rounds"}[kind]
    if kind in ("comment", "amend"):
        rnd, ver = q("SELECT id, version_number FROM review_rounds WHERE resolution_id = ? "
                     "ORDER BY number DESC LIMIT 1", (rid,)).fetchone()
        n = (q(f"SELECT max(number) FROM {table} WHERE resolution_id = ?", (rid,)).fetchone()[0]
             or 0) + 1
    if kind == "comment":
        text = f"comment {tag}"
        row = [rid, n, rnd, ver, "", "General", "w0", "ge", text, "", "", "", "", "cli",
               stamp, "", "", ""]
        q("INSERT INTO comments (resolution_id, number, round_id, version_number, "
          "paragraph_id, ref, author, type, text, proposal, disposition, note, disposed_by, "
          "source, created_at, lang, quote, anchor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
          row)
        detail = {"by": "w0", "comment": n, "ref": "General", "paragraph": "", "type": "ge",
                  "source": "cli", "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
                  "proposal_sha256": hashlib.sha256(b"").hexdigest()}
    elif kind == "amend":
        texts = json.dumps({"en": f"amended {tag}"})
        row = [rid, n, rnd, ver, "w0", "op-1", "OP 1", "replace", texts, f"why {tag}",
               "proposed", "", None, stamp]
        q("INSERT INTO amendments (resolution_id, number, round_id, version_number, author, "
          "target_id, target_ref, op, texts_json, why, status, decided_by, applied_version, "
          "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
        detail = {"amendment": n, "by": "w0", "target": "OP 1", "op": "replace"}
    elif kind == "dispose":
        row = list(q("SELECT * FROM comments WHERE resolution_id = ? AND number = ?",
                     (rid, number)).fetchone())
        q("UPDATE comments SET disposition = 'accepted', note = ?, disposed_by = 'w0' "
          "WHERE resolution_id = ? AND number = ?", (f"note {tag}", rid, number))
        detail = {"comment": number, "disposition": "accepted", "note": f"note {tag}"}
    elif kind == "edit":
        n, source = q("SELECT v.number, v.source FROM versions v JOIN resolutions r ON "
                      "r.id = v.resolution_id AND r.current_version = v.number WHERE "
                      "r.id = ?", (rid,)).fetchone()
        source = source.replace("*Noting*", f"*Noting* ({tag})", 1)
        if parse:
            load(source)
        digest = hashlib.sha256(source.encode()).hexdigest()
        row = [rid, n + 1, source, digest, "w0", "", stamp]
        q("INSERT INTO versions (resolution_id, number, source, content_hash, author, note, "
          "created_at) VALUES (?,?,?,?,?,?,?)", row)
        q("UPDATE resolutions SET current_version = ?, row_version = row_version + 1 "
          "WHERE id = ?", (n + 1, rid))
        detail = {"version": n + 1, "content_hash": digest, "note": "", "state": "draft"}
    elif kind == "new":
        text = open(source, encoding="utf-8").read()
        if parse:
            load(text)
        digest = hashlib.sha256(text.encode()).hexdigest()
        n = (q("SELECT max(number) FROM resolutions").fetchone()[0] or 0) + 1
        rid = q("INSERT INTO resolutions (number, symbol, body, title, state, current_version, "
                "row_version, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
                (n, f"FLOOR/{tag}", "brics-higher-council", "floor", "draft", 1, 1, stamp,
                 stamp)).fetchone()[0]
        row = [rid, 1, text, digest, "w0", "first draft", stamp]
        q("INSERT INTO versions (resolution_id, number, source, content_hash, author, note, "
          "created_at) VALUES (?,?,?,?,?,?,?)", row)
        detail = {"version": 1, "content_hash": digest, "state": "draft", "file": "r.yaml"}
    elif kind == "approve":
        ver, digest = q("SELECT v.number, v.content_hash FROM versions v JOIN resolutions r "
                        "ON r.id = v.resolution_id AND r.current_version = v.number "
                        "WHERE r.id = ?", (rid,)).fetchone()
        row = [rid, ver, digest, "w0", "approved", "", False, None, stamp]
        q("INSERT INTO approvals (resolution_id, version_number, content_hash, member_id, "
          "decision, note, void, statement, at) VALUES (?,?,?,?,?,?,?,?,?)", row)
        q("UPDATE resolutions SET state = 'approved', row_version = row_version + 1 "
          "WHERE id = ?", (rid,))
        detail = {"member": "w0", "version": ver, "content_hash": digest, "state": "approved"}
    elif kind in ("amendment accept", "amendment reject"):
        status = "accepted" if kind.endswith("accept") else "rejected"
        q("UPDATE amendments SET status = ?, decided_by = 'w0' WHERE resolution_id = ? AND "
          "number = ?", (status, rid, number))
        row = list(q("SELECT * FROM amendments WHERE resolution_id = ? AND number = ?",
                     (rid, number)).fetchone())
        q("UPDATE resolutions SET row_version = row_version + 1 WHERE id = ?", (rid,))
        detail = {"amendment": number, "status": status}
    elif kind == "object":
        ver, digest = q("SELECT v.number, v.content_hash FROM versions v JOIN resolutions r "
                        "ON r.id = v.resolution_id AND r.current_version = v.number "
                        "WHERE r.id = ?", (rid,)).fetchone()
        q("UPDATE approvals SET void = 1 WHERE resolution_id = ? AND version_number = ? AND "
          "void = 0 AND decision = 'approved'", (rid, ver))
        row = [rid, ver, digest, "w0", "objected", f"note {tag}", False, None, stamp]
        q("INSERT INTO approvals (resolution_id, version_number, content_hash, member_id, "
          "decision, note, void, statement, at) VALUES (?,?,?,?,?,?,?,?,?)", row)
        q("UPDATE resolutions SET state = 'revision', row_version = row_version + 1 "
          "WHERE id = ?", (rid,))
        detail = {"member": "w0", "note": f"note {tag}", "version": ver, "state": "revision"}
    elif kind == "withdraw":
        q("UPDATE resolutions SET state = 'withdrawn', row_version = row_version + 1 "
          "WHERE id = ?", (rid,))
        row = list(q("SELECT * FROM resolutions WHERE id = ?", (rid,)).fetchone())
        detail = {"reason": f"reason {tag}", "state": "withdrawn"}
    elif kind == "close-review":
        rnd, n = q("SELECT id, number FROM review_rounds WHERE resolution_id = ? "
                   "ORDER BY number DESC LIMIT 1", (rid,)).fetchone()
        q("UPDATE review_rounds SET closed_at = ?, outcome = 'no-objection' WHERE id = ?",
          (stamp, rnd))
        q("UPDATE resolutions SET state = 'for_approval', row_version = row_version + 1 "
          "WHERE id = ?", (rid,))
        row = list(q("SELECT * FROM review_rounds WHERE id = ?", (rnd,)).fetchone())
        detail = {"round": n, "from": "in_review", "state": "for_approval"}
    else:
        member = f"f-{tag}"
        row = [member, f"Member {tag}", "{}", "", "", "", "en", stamp, True]
        q("INSERT INTO members (id, name, names_json, org, delegation, email, lang, "
          "created_at, active) VALUES (?,?,?,?,?,?,?,?,?)", row)
        q("INSERT INTO member_roles (member_id, role) VALUES (?, ?)", (member, "reviewer"))
        detail = {"member": member, "roles": ["reviewer"]}
    detail["facts"] = [[table, [str(row[0])], hashlib.sha256(json.dumps(
        row, default=str, sort_keys=True).encode()).hexdigest()]]
    detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    payload = json.dumps({"seq": seq + 1, "at": now.isoformat(), "actor": "w0",
                          "action": kind, "outcome": "ok", "resolution_id": rid, "symbol": "",
                          "detail": detail, "prev": prev}, ensure_ascii=False,
                         sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(payload.encode()).hexdigest()
    q("INSERT INTO audit_events (seq, at, actor, action, outcome, resolution_id, symbol, "
      "detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
      (seq + 1, stamp, "w0", kind, "ok", rid, "", detail_text, prev, digest))
    q("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", (seq + 1, digest))
    q("COMMIT")
    click.echo(f"{kind} stored")


#: LOADER


main()
'''


ARGV = """
ARGS = sys.argv[1:]


def given(name):
    return ARGS[ARGS.index(name) + 1] if name in ARGS else None


"""


def without_click(script: str, imports: tuple[str, str], signature: str, call: str) -> str:
    """``script`` reading its arguments from ``sys.argv`` instead of click: its import lines
    (``imports``: before, after), ``def main(…)`` declared as ``signature`` (with defaults),
    and the call of ``main`` that takes the arguments."""
    head, rest = script.split("@click.command()\n", 1)
    body = rest.split("\ndef main(", 1)[1].split(":\n", 1)[1]
    out = (head.replace(*imports) + signature + "\n" + body) \
        .replace('    click.echo(f"{kind} stored")', '    print(f"{kind} stored")') \
        .replace("\nmain()\n", ARGV + call + "\n")
    assert "click" not in out.split('"""', 2)[2], "the click-free floor still uses click"
    return out


#: the same floor without click (what Python needs: the arguments read from ``sys.argv``),
#: the one issue 30's ratio is taken against; the floor above, with click, for comparison
FLOOR = FLOOR.replace("#: LOADER\n", LOADER)
FLOOR_BARE = without_click(
    FLOOR, ("import sqlite3\n\nimport click\n", "import sqlite3\nimport sys\n"),
    "def main(kind, path, rid, tag, number=1, source=None, parse=False):",
    'main(ARGS[0], ARGS[1], int(ARGS[2]), ARGS[3], int(given("--number") or 1), '
    'given("--source"),\n     "--parse" in ARGS)')

FLOOR_PG = r'''"""The floor of a write command on PostgreSQL: Python, click parsing the arguments, and
plain psycopg logged in as the member's own role doing the insert (or update), the row's fact
hash and the chain event through the database's own resolutions_append() — nothing else."""
import datetime
import hashlib
import json

import click
import psycopg


@click.command()
@click.argument("kind")
@click.argument("url")
@click.argument("rid", type=int)
@click.argument("tag")
@click.option("--number", type=int, default=1)
@click.option("--source", default=None)
def main(kind, url, rid, tag, number, source):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    conn = psycopg.connect(url)
    q = conn.execute
    q("SELECT resolutions_lock_head()")
    seq, prev = q("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
    symbol = q("SELECT symbol FROM resolutions WHERE id = %s", (rid,)).fetchone()[0] \
        if kind != "new" else ""
    table = "amendments" if kind == "amend" else "comments"
    if kind in ("comment", "amend"):
        rnd, ver = q("SELECT id, version_number FROM review_rounds WHERE resolution_id = %s "
                     "ORDER BY number DESC LIMIT 1", (rid,)).fetchone()
        n = (q(f"SELECT max(number) FROM {table} WHERE resolution_id = %s",
               (rid,)).fetchone()[0] or 0) + 1
    if kind == "comment":
        text = f"comment {tag}"
        key = q("INSERT INTO comments (resolution_id, number, round_id, version_number, "
                "paragraph_id, ref, author, type, text, proposal, disposition, note, "
                "disposed_by, source, created_at, lang, quote, anchor) VALUES (%s, %s, %s, %s, "
                "'', 'General', 'w0', 'ge', %s, '', '', '', '', 'cli', %s, '', '', '') "
                "RETURNING id", (rid, n, rnd, ver, text, now)).fetchone()[0]
        detail = {"by": "w0", "comment": n, "ref": "General", "paragraph": "", "type": "ge",
                  "source": "cli", "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
                  "proposal_sha256": hashlib.sha256(b"").hexdigest()}
    elif kind == "amend":
        texts = json.dumps({"en": f"amended {tag}"})
        key = q("INSERT INTO amendments (resolution_id, number, round_id, version_number, "
                "author, target_id, target_ref, op, texts_json, why, status, decided_by, "
                "applied_version, created_at) VALUES (%s, %s, %s, %s, 'w0', 'op-1', 'OP 1', "
                "'replace', %s, %s, 'proposed', '', NULL, %s) RETURNING id",
                (rid, n, rnd, ver, texts, f"why {tag}", now)).fetchone()[0]
        detail = {"amendment": n, "by": "w0", "target": "OP 1", "op": "replace"}
    elif kind == "approve":
        table = "approvals"
        ver, content = q("SELECT v.number, v.content_hash FROM versions v JOIN resolutions r "
                         "ON r.id = v.resolution_id AND r.current_version = v.number "
                         "WHERE r.id = %s", (rid,)).fetchone()
        key = q("INSERT INTO approvals (resolution_id, version_number, content_hash, "
                "member_id, decision, note, void, statement, at) VALUES (%s, %s, %s, 'w0', "
                "'approved', '', false, NULL, %s) RETURNING id",
                (rid, ver, content, now)).fetchone()[0]
        q("UPDATE resolutions SET state = 'approved', row_version = row_version + 1 "
          "WHERE id = %s", (rid,))
        detail = {"member": "w0", "version": ver, "content_hash": content,
                  "state": "approved"}
    elif kind in ("amendment accept", "amendment reject"):
        table = "amendments"
        status = "accepted" if kind.endswith("accept") else "rejected"
        key = q("UPDATE amendments SET status = %s, decided_by = 'w0' WHERE resolution_id = %s "
                "AND number = %s RETURNING id", (status, rid, number)).fetchone()[0]
        q("UPDATE resolutions SET row_version = row_version + 1 WHERE id = %s", (rid,))
        detail = {"amendment": number, "status": status}
    elif kind == "object":
        table = "approvals"
        ver, content = q("SELECT v.number, v.content_hash FROM versions v JOIN resolutions r "
                         "ON r.id = v.resolution_id AND r.current_version = v.number "
                         "WHERE r.id = %s", (rid,)).fetchone()
        q("UPDATE approvals SET void = true WHERE resolution_id = %s AND version_number = %s "
          "AND NOT void AND decision = 'approved'", (rid, ver))
        key = q("INSERT INTO approvals (resolution_id, version_number, content_hash, "
                "member_id, decision, note, void, statement, at) VALUES (%s, %s, %s, 'w0', "
                "'objected', %s, false, NULL, %s) RETURNING id",
                (rid, ver, content, f"note {tag}", now)).fetchone()[0]
        q("UPDATE resolutions SET state = 'revision', row_version = row_version + 1 "
          "WHERE id = %s", (rid,))
        detail = {"member": "w0", "note": f"note {tag}", "version": ver, "state": "revision"}
    elif kind == "withdraw":
        table, key = "resolutions", rid
        q("UPDATE resolutions SET state = 'withdrawn', row_version = row_version + 1 "
          "WHERE id = %s", (rid,))
        detail = {"reason": f"reason {tag}", "state": "withdrawn"}
    elif kind == "close-review":
        table = "review_rounds"
        key, n = q("SELECT id, number FROM review_rounds WHERE resolution_id = %s "
                   "ORDER BY number DESC LIMIT 1", (rid,)).fetchone()
        q("UPDATE review_rounds SET closed_at = %s, outcome = 'no-objection' WHERE id = %s",
          (now, key))
        q("UPDATE resolutions SET state = 'for_approval', row_version = row_version + 1 "
          "WHERE id = %s", (rid,))
        detail = {"round": n, "from": "in_review", "state": "for_approval"}
    elif kind == "edit":
        table = "versions"
        n, text = q("SELECT v.number, v.source FROM versions v JOIN resolutions r ON "
                    "r.id = v.resolution_id AND r.current_version = v.number WHERE "
                    "r.id = %s", (rid,)).fetchone()
        text = text.replace("*Noting*", f"*Noting* ({tag})", 1)
        content = hashlib.sha256(text.encode()).hexdigest()
        key = q("INSERT INTO versions (resolution_id, number, source, content_hash, author, "
                "note, created_at) VALUES (%s, %s, %s, %s, 'w0', '', %s) RETURNING id",
                (rid, n + 1, text, content, now)).fetchone()[0]
        q("UPDATE resolutions SET current_version = %s, row_version = row_version + 1 "
          "WHERE id = %s", (n + 1, rid))
        detail = {"version": n + 1, "content_hash": content, "note": "", "state": "draft"}
    elif kind == "new":
        table = "versions"
        text = open(source, encoding="utf-8").read()
        content = hashlib.sha256(text.encode()).hexdigest()
        n = (q("SELECT max(number) FROM resolutions").fetchone()[0] or 0) + 1
        symbol = f"FLOOR/{tag}"
        rid = q("INSERT INTO resolutions (number, symbol, body, title, state, "
                "current_version, row_version, created_at, updated_at) VALUES (%s, %s, "
                "'brics-higher-council', 'floor', 'draft', 1, 1, %s, %s) RETURNING id",
                (n, symbol, now, now)).fetchone()[0]
        key = q("INSERT INTO versions (resolution_id, number, source, content_hash, author, "
                "note, created_at) VALUES (%s, 1, %s, %s, 'w0', 'first draft', %s) "
                "RETURNING id", (rid, text, content, now)).fetchone()[0]
        detail = {"version": 1, "content_hash": content, "state": "draft", "file": "r.yaml"}
    else:
        key = q("UPDATE comments SET disposition = 'accepted', note = %s, disposed_by = 'w0' "
                "WHERE resolution_id = %s AND number = %s RETURNING id",
                (f"note {tag}", rid, number)).fetchone()[0]
        detail = {"comment": number, "disposition": "accepted", "note": f"note {tag}"}
    detail["facts"] = []
    for name, at in [(table, key)] + ([("resolutions", rid)] if kind in (
            "approve", "edit", "new", "amendment accept", "amendment reject", "object",
            "close-review")
            else []):
        cur = q(f"SELECT * FROM {name} WHERE id = %s", (at,))
        row = dict(zip([d[0] for d in cur.description], cur.fetchone()))
        detail["facts"].append([name, [str(at)], hashlib.sha256(json.dumps(
            row, default=str, sort_keys=True).encode()).hexdigest(), {}])
    detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    payload = json.dumps({"seq": seq + 1, "at": now.isoformat(), "actor": "w0",
                          "action": kind, "outcome": "ok", "resolution_id": rid,
                          "symbol": symbol, "detail": detail, "prev": prev},
                         ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(payload.encode()).hexdigest()
    q("SELECT resolutions_append(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
      (now, "w0", kind, "ok", rid, symbol, detail_text, payload, digest))
    conn.commit()
    click.echo(f"{kind} stored")


#: LOADER


main()
'''
FLOOR_PG = FLOOR_PG.replace("#: LOADER\n", LOADER)
#: the same floor without click (the arguments read from ``sys.argv``): the one the
#: PostgreSQL ratio is taken against, as on SQLite
FLOOR_PG_BARE = without_click(
    FLOOR_PG, ("import json\n\nimport click\nimport psycopg\n",
               "import json\nimport sys\n\nimport psycopg\n"),
    "def main(kind, url, rid, tag, number=1, source=None):",
    'main(ARGS[0], ARGS[1], int(ARGS[2]), ARGS[3], int(given("--number") or 1), '
    'given("--source"))')
