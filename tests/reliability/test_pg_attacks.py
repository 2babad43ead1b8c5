"""The member who knows the chain's format, with their own database login and psql.

One workspace on the suite's cluster lives a review and a first approval, every step taken by
the member whose step it is, each logged in with their own role over TLS and their own
password. Then each member tries, with raw SQL through the real ``psql`` binary, what the
engine never lets them do: append an event in someone else's name (with the engine's own
hash), credit a comment to another reviewer together with a matching event, move the head
by hand, switch the triggers off, write a fact without its event, record a colleague's
approval, and more. PostgreSQL refuses each with its own sentence; nothing changes, and
``audit verify`` still finds the honest chain intact. What the administrator (the owner)
can still do, and how it is caught, is in test_tamper_tables.py and docs/SECURITY.md."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import FROZEN_NOW, Cli, make_workspace
from tests.pg import Cluster
from tests.reliability.helpers import draft
from workflow.store.chain import event_payload

pytestmark = pytest.mark.postgres


@dataclass
class Lived:
    ws: Cli
    cluster: Cluster
    database: str
    url: str

    def role(self, member: str) -> str:
        return f"{self.database}_{member}"

    def psql(self, member: str, sql: str) -> subprocess.CompletedProcess[str]:
        """``sql`` as ``member``'s own login (``admin``: the administrator, the owner)."""
        return subprocess.run(
            ["psql", self.cluster.conninfo(self.database, self.role(member)), "-v",
             "ON_ERROR_STOP=1", "-X", "-q", "-t", "-A", "-c", sql],
            capture_output=True, text=True, timeout=60)

    def _superuser(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(host=str(self.cluster.socket), port=self.cluster.port,
                               user="postgres", dbname=self.database)

    def value(self, sql: str) -> str:
        with self._superuser() as conn:
            return str(conn.execute(f"SELECT ({sql})").fetchone()[0])  # type: ignore[index]

    def snapshot(self) -> list[str]:
        """What an attack must not change: the chain's head and every table's row count."""
        with self._superuser() as conn:
            head = conn.execute("SELECT seq, hash FROM audit_head").fetchone()
            counts = [f"{t}={conn.execute(f'SELECT count(*) FROM {t}').fetchone()[0]}"  # type: ignore[index]
                      for t in ("audit_events", "comments", "approvals", "signatures",
                                "versions", "review_rounds", "resolutions")]
            states = conn.execute("SELECT state, row_version FROM resolutions").fetchall()
        return [str(head), *counts, str(states)]


@pytest.fixture(scope="module")
def lived(tmp_path_factory: pytest.TempPathFactory, pg_cluster: Cluster) -> Iterator[Lived]:
    base = tmp_path_factory.mktemp("pg-attacks")
    url = pg_cluster.create_database()
    database = url.split("?")[0].rsplit("/", 1)[-1]
    with pytest.MonkeyPatch.context() as mp:
        for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_USER"):
            mp.delenv(name, raising=False)
        mp.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
        mp.setenv("RESOLUTIONS_DATABASE_URL", url)
        ws = make_workspace(base / "ws")
        if True:
            symbol = draft(ws, base)
            ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"],
               actor="sec")
            ws(["comment", symbol, "--ref", "OP 1", "--type", "te", "--text", "Name them"],
               actor="rev-ru")
            ws(["comment", symbol, "--ref", "OP 2", "--type", "ed", "--text", "Typo"],
               actor="rev-zh")
            for number in ("1", "2"):
                ws(["dispose", symbol, number, "--accept", "--note", "done"], actor="sec")
            ws(["close-review", symbol, "--no-objection"], actor="sec")
            ws(["approve", symbol], actor="appr-ru")
            verdict = json.loads(ws(["audit", "verify", "--json"], actor="sec").output)
            assert verdict["ok"], verdict["problems"]
            yield Lived(ws, pg_cluster, database, url)


def _lit(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _append_sql(lived: Lived, *, actor: str, action: str, detail: dict[str, object],
                rid: int | None = 1, symbol: str = "RCWG/RES/2024/1",
                at: dt.datetime | None = None, seq: int | None = None, prev: str | None = None,
                tamper_hash: bool = False) -> str:
    """A call of the append function with a payload and hash made exactly as the engine
    makes them (the attacker knows the format)."""
    head_seq = int(lived.value("SELECT seq FROM audit_head"))
    head_hash = lived.value("SELECT hash FROM audit_head")
    when = at or dt.datetime(2024, 9, 26, 10, 0, tzinfo=dt.timezone.utc)
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    payload = event_payload(seq or head_seq + 1, when, actor, action, "ok", rid, symbol, text,
                            prev or head_hash)
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    if tamper_hash:
        digest = "f" * 64
    return (f"SELECT resolutions_append({_lit(when.isoformat())}, {_lit(actor)}, "
            f"{_lit(action)}, 'ok', {rid if rid is not None else 'NULL'}, {_lit(symbol)}, "
            f"{_lit(text)}, {_lit(payload)}, {_lit(digest)})")


def _comment_sql(author: str, number: int = 90) -> str:
    return ("INSERT INTO comments (resolution_id, number, round_id, version_number, "
            "paragraph_id, ref, author, type, text, proposal, disposition, note, disposed_by, "
            "source, created_at, lang, quote, anchor) SELECT resolution_id, "
            f"{number}, round_id, version_number, paragraph_id, ref, {_lit(author)}, type, "
            "'forged', '', '', '', '', 'cli', created_at, '', '', '' FROM comments "
            "WHERE number = 1")


def _facts(table: str, key: list[str]) -> list[list[object]]:
    return [[table, key, "0" * 64, {}]]


def _refused(lived: Lived, member: str, sql: str, *words: str) -> str:
    before = lived.snapshot()
    done = lived.psql(member, sql)
    assert done.returncode != 0, f"{member} was allowed: {sql}\n{done.stdout}"
    for word in words:
        assert word in done.stderr, (member, sql, done.stderr)
    assert lived.snapshot() == before, f"{member}'s refused attempt changed something"
    return done.stderr


def test_an_event_in_someone_elses_name_is_refused(lived: Lived) -> None:
    # rev-zh appends an objection as appr-ru, hashed and linked exactly as the engine does
    sql = _append_sql(lived, actor="appr-ru", action="object",
                      detail={"member": "appr-ru", "note": "no", "state": "revision",
                              "from": "for_approval", "typed_by": "appr-ru"})
    _refused(lived, "rev-zh", sql, "you are rev-zh", "not as appr-ru")
    # or in their own name but "typed by" the approver
    sql = _append_sql(lived, actor="rev-zh", action="object",
                      detail={"member": "appr-ru", "typed_by": "appr-ru"})
    _refused(lived, "rev-zh", sql, "it says appr-ru typed it, but you are rev-zh")


def test_the_chain_takes_nothing_but_the_append_function(lived: Lived) -> None:
    head = lived.value("SELECT seq FROM audit_head")
    row = lived.value("SELECT hash FROM audit_head")
    _refused(lived, "rev-zh", "INSERT INTO audit_events (seq, at, actor, action, outcome, "
             f"resolution_id, symbol, detail, prev_hash, hash) VALUES ({int(head) + 1}, now(), "
             f"'appr-ru', 'object', 'ok', 1, 'RCWG/RES/2024/1', '{{}}', '{row}', '{'a' * 64}')",
             "permission denied for table audit_events")
    # the head moved by hand: members hold no UPDATE on it, the owner is held to the chain
    _refused(lived, "rev-zh", f"UPDATE audit_head SET seq = seq + 1, hash = '{'a' * 64}'",
             "permission denied for table audit_head")
    _refused(lived, "admin", "UPDATE audit_head SET seq = seq - 1",
             "audit_head moves only by one, onto the event just appended")
    _refused(lived, "admin", "TRUNCATE audit_events", "append-only")
    _refused(lived, "admin", "DELETE FROM audit_head", "audit_head moves only by one")


def test_a_broken_event_is_refused_even_in_ones_own_name(lived: Lived) -> None:
    own = {"note": "mine"}
    _refused(lived, "appr-ru", _append_sql(lived, actor="appr-ru", action="note", detail=own,
                                           tamper_hash=True), "its hash is not over its own")
    _refused(lived, "appr-ru", _append_sql(lived, actor="appr-ru", action="note", detail=own,
                                           prev="b" * 64), "it does not follow the head")
    _refused(lived, "appr-ru", _append_sql(lived, actor="appr-ru", action="note", detail=own,
                                           at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)),
             "events are never dated back")


def test_a_comment_credited_to_another_reviewer_is_refused(lived: Lived) -> None:
    comment_id = int(lived.value("SELECT max(id) FROM comments")) + 1
    # the event first, in rev-zh's own name, saying the comment is rev-ru's …
    event = _append_sql(lived, actor="rev-zh", action="comment",
                        detail={"by": "rev-ru", "comment": 90, "source": "cli",
                                "facts": _facts("comments", [str(comment_id)])})
    sql = f"{event}; " + _comment_sql("rev-ru").replace(
        "(resolution_id,", "(id, resolution_id,").replace("SELECT resolution_id,",
                                                          f"SELECT {comment_id}, resolution_id,")
    _refused(lived, "rev-zh", sql, "comments.author = rev-ru refused",
             "you are logged in as rev-zh")
    # … or the event in rev-ru's name
    event = _append_sql(lived, actor="rev-ru", action="comment", detail={"comment": 90})
    _refused(lived, "rev-zh", f"{event}; {_comment_sql('rev-ru')}", "not as rev-ru")
    # switching to a group role gains nothing: the group holds no right to our functions
    round_id = lived.value("SELECT round_id FROM comments WHERE number = 1")
    _refused(lived, "rev-zh", f"SET ROLE \"{lived.database}_r_reviewer\"; "
             "INSERT INTO comments (id, resolution_id, number, round_id, version_number, author, "
             f"type, text, proposal, source, created_at, quote) VALUES (991, 1, 91, {round_id}, 1, "
             "'rev-ru', 'ge', 'forged', '', 'cli', now(), '')",
             "permission denied for function resolutions_caller")
    _refused(lived, "rev-zh", f"SET ROLE \"{lived.database}_r_secretary\"",
             "permission denied to set role")


def test_a_fact_without_its_event_is_refused(lived: Lived) -> None:
    # rev-zh's own comment, but no event records it: refused at commit
    _refused(lived, "rev-zh", _comment_sql("rev-zh"),
             "comments row", "without an audit event recording it")
    # the secretary changing a disposition behind the engine's back
    _refused(lived, "sec", "UPDATE comments SET disposition = 'rejected' WHERE number = 1",
             "without an audit event recording it")
    # identity columns never change, and a disposition is the secretary's own
    _refused(lived, "sec", "UPDATE comments SET author = 'rev-zh' WHERE number = 1",
             "comments.author never changes")
    _refused(lived, "sec", "UPDATE comments SET disposed_by = 'appr-ru' WHERE number = 1",
             "comments.disposed_by = appr-ru refused")


def test_a_colleagues_approval_is_refused(lived: Lived) -> None:
    approval_id = int(lived.value("SELECT max(id) FROM approvals")) + 1
    insert = ("INSERT INTO approvals (id, resolution_id, version_number, content_hash, "
              "member_id, decision, note, void, at) SELECT "
              f"{approval_id}, resolution_id, version_number, content_hash, 'appr-zh', "
              "'approved', '', false, at FROM approvals LIMIT 1")
    facts = _facts("approvals", [str(approval_id)])
    # without the colleague's word the event itself is refused
    event = _append_sql(lived, actor="appr-ru", action="approve",
                        detail={"member": "appr-zh", "typed_by": "appr-ru",
                                "on_behalf_of": "appr-zh", "facts": facts})
    _refused(lived, "appr-ru", f"{insert}; {event}", "acting for appr-zh needs their word")
    # with a made-up "letter": only a secretary records a decision for someone else
    event = _append_sql(lived, actor="appr-ru", action="approve",
                        detail={"member": "appr-zh", "typed_by": "appr-ru",
                                "on_behalf_of": "appr-zh", "evidence": "document",
                                "evidence_sha256": "c" * 64, "facts": facts})
    _refused(lived, "appr-ru", f"{insert}; {event}",
             "appr-ru may record only their own decision")
    # the row with no event naming it at all
    _refused(lived, "appr-ru", insert, "approvals row", "without an audit event")


def test_a_signature_must_name_the_signers_own_certificate(lived: Lived) -> None:
    _refused(lived, "appr-ru", "INSERT INTO signatures (resolution_id, version_number, "
             "member_id, field_name, cert_fingerprint, base_sha256, signed_sha256, "
             f"docx_p7s_sha256, source, at) VALUES (1, 1, 'appr-ru', 'sig-x', '{'d' * 64}', "
             f"'{'e' * 64}', '{'f' * 64}', '', 'local', now())",
             "must name the certificate registered for them")


def test_a_reviewer_cannot_move_the_state(lived: Lived) -> None:
    _refused(lived, "rev-ru", "UPDATE resolutions SET state = 'approved'",
             "permission denied for table resolutions")


def test_the_rules_cannot_be_switched_off_by_a_member(lived: Lived) -> None:
    for sql, words in [
        ("ALTER TABLE audit_events DISABLE TRIGGER ALL", ("must be owner of table",)),
        ("ALTER TABLE comments DISABLE TRIGGER bound_to_chain", ("must be owner of table",)),
        ("SET session_replication_role = replica",
         ("permission denied to set parameter",)),
        ("CREATE OR REPLACE FUNCTION resolutions_caller() RETURNS text LANGUAGE sql AS "
         "$$ SELECT 'sec' $$", ("permission denied for schema public",)),
        ("CREATE TABLE pg_temp.audit_head (id int)", ("permission denied",)),
        ("DROP TRIGGER identity_author ON comments", ("must be owner of",)),
    ]:
        _refused(lived, "sec", sql, *words)


def test_the_administrator_does_not_act_in_the_workflow(lived: Lived) -> None:
    sql = _append_sql(lived, actor="appr-zh", action="approve", detail={"member": "appr-zh"})
    _refused(lived, "admin", sql, "does not act in the workflow")
    _refused(lived, "admin", _comment_sql("rev-ru"), "not an active member")


def test_the_honest_chain_still_verifies(lived: Lived,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """After every refused attempt (the module's other tests, in any order) and with the
    work of each member's own login, the chain and every row hold."""
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", lived.url)
    verdict = json.loads(lived.ws(["audit", "verify", "--json"], actor="sec").output)
    assert verdict["ok"], verdict["problems"]
    log = json.loads(lived.ws(["log", "1", "--json"], actor="sec").output)["events"]
    actors = {(e["action"], e["actor"]) for e in log}
    assert {("comment", "rev-ru"), ("comment", "rev-zh"), ("approve", "appr-ru"),
            ("circulate", "sec")} <= actors
