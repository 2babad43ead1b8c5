"""The write commands on the bare driver (``workflow.writing`` over
``workflow.store.writes.Writer``) against their services on the ORM, on SQLite and on
PostgreSQL: the same input gives the same rows (every column but the ids, numbers and
timestamps named below) and the same event detail; each row the bare path writes is bound
with the very digest the ORM computes for it; ``audit verify`` is clean after a mix of the
two and names a row edited behind the engine's back after a bare write; refusals give the
same message and write the same (nothing, or the ``refused`` event); on PostgreSQL a
member's own login still cannot write as another member; and the command line really runs
without SQLAlchemy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Cli, fixture_text, open_app
from workflow import writing, writing_decisions
from workflow.delivery import outcomes
from workflow.errors import WorkflowError
from workflow.review import amendments, approval, rounds
from workflow.store import facts
from workflow.store.writes import Writer

#: columns that differ between two rows written one after the other, by design
_OWN = {"id", "number", "created_at"}


def _url() -> str | None:
    return os.environ.get("RESOLUTIONS_DATABASE_URL")


def _database() -> str:
    return (_url() or "").split("?")[0].rsplit("/", 1)[-1]


def _bare(ws: Cli, actor: str | None = None) -> writing.Writing:
    found = writing.open_writing(ws.root, actor, database_url=_url())
    assert found is not None, "the bare write path did not open"
    return found


def _run_bare(ws: Cli, actor: str | None, fn: Callable[[writing.Writing], Any]) -> Any:
    w = _bare(ws, actor)
    try:
        return fn(w)
    finally:
        w.close()


def _run_orm(ws: Cli, actor: str | None, fn: Callable[[Any], Any]) -> Any:
    app = open_app(ws.root, actor)
    try:
        return fn(app)
    finally:
        app.db.dispose()


def _rows(ws: Cli, table: str) -> list[dict[str, Any]]:
    app = open_app(ws.root)
    try:
        with app.read() as session:
            return [dict(r) for r in session.connection().execute(
                text(f"SELECT * FROM {table} ORDER BY id")).mappings()]
    finally:
        app.db.dispose()


def _events(ws: Cli) -> list[dict[str, Any]]:
    app = open_app(ws.root)
    try:
        with app.read() as session:
            return [dict(r) for r in session.connection().execute(
                text("SELECT seq, actor, action, outcome, resolution_id, symbol, detail "
                     "FROM audit_events ORDER BY seq")).mappings()]
    finally:
        app.db.dispose()


def _bound_as_the_orm_binds(ws: Cli, event: dict[str, Any]) -> None:
    """Every fact the event carries is what the ORM's own fact_entry computes for that row
    now: the same digest and field digests."""
    app = open_app(ws.root)
    try:
        with app.read() as session:
            conn = session.connection()
            for name, key, digest, fields in json.loads(event["detail"])["facts"]:
                assert facts.fact_entry(conn, name, [int(k) if k.isdigit() else k
                                                     for k in key]) == [name, key, digest,
                                                                        fields]
    finally:
        app.db.dispose()


def _same_row(a: dict[str, Any], b: dict[str, Any], also: set[str] = frozenset()) -> None:
    skip = _OWN | also
    assert {k: v for k, v in a.items() if k not in skip} == \
        {k: v for k, v in b.items() if k not in skip}


def _detail(event: dict[str, Any], *drop: str) -> dict[str, Any]:
    found = json.loads(event["detail"])
    facts_ = found.pop("facts")
    found["facts"] = [(name, sorted(fields)) for name, _key, _digest, fields in facts_]
    return {k: v for k, v in found.items() if k not in drop}


def _verify(ws: Cli) -> list[str]:
    verdict = json.loads(ws(["audit", "verify", "--json"], code=None).stdout)
    return list(verdict["problems"])


@pytest.fixture
def review(ws: Cli, tmp_path: Path) -> Cli:
    """A resolution in review with both reviewers; a draft (number 2) not circulated."""
    source = tmp_path / "r.yaml"
    source.write_text(fixture_text("trilingual.yaml"), "utf-8")
    ws(["new", str(source)])
    ws(["new", str(source)])
    ws(["circulate", "1", "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    return ws


def test_comment_both_ways_same_row_same_event(review: Cli) -> None:
    args = dict(by=None, target="OP 1", type_="te", text=" Specify the year ",
                proposal=" … by 2030; ")
    bare = _run_bare(review, "rev-ru", lambda w: writing.add_comment(w, "1", **args))
    _bound_as_the_orm_binds(review, _events(review)[-1])
    orm = _run_orm(review, "rev-ru", lambda app: rounds.add_comment(app, "1", **args))
    assert bare._replace(number=0) == orm._replace(number=0)
    first, second = _rows(review, "comments")
    _same_row(first, second)
    assert first["author"] == "rev-ru" and first["text"] == "Specify the year"
    one, two = _events(review)[-2:]
    assert one["action"] == two["action"] == "comment" and one["actor"] == two["actor"]
    assert _detail(one, "comment") == _detail(two, "comment")
    assert [f[0] for f in json.loads(one["detail"])["facts"]] == ["comments", "resolutions"]
    assert _verify(review) == []


def test_dispose_and_amend_both_ways(review: Cli) -> None:
    for _ in range(2):
        review(["comment", "1", "--ref", "OP 2", "--type", "ed", "--text", "a word"],
               actor="rev-zh")
    bare = _run_bare(review, None, lambda w: writing.dispose(w, "1", 1, "partial", " In part "))
    _bound_as_the_orm_binds(review, _events(review)[-1])
    orm = _run_orm(review, None, lambda app: rounds.dispose(app, "1", 2, "partial", " In part "))
    assert bare._replace(number=0) == orm._replace(number=0)
    _same_row(*_rows(review, "comments"))
    one, two = _events(review)[-2:]
    assert _detail(one, "comment") == _detail(two, "comment")

    texts = {"en": "*Instructs* the group to report by 2031;"}
    args = dict(by=None, target="OP 1", op="replace", texts=texts, why=" roadmap ")
    bare_a = _run_bare(review, "rev-zh", lambda w: writing.amend(w, "1", **args))
    _bound_as_the_orm_binds(review, _events(review)[-1])
    orm_a = _run_orm(review, "rev-zh", lambda app: amendments.amend(app, "1", **args))
    assert bare_a._replace(number=0) == orm_a._replace(number=0)
    _same_row(*_rows(review, "amendments"))
    one, two = _events(review)[-2:]
    assert _detail(one, "amendment") == _detail(two, "amendment")
    assert _verify(review) == []


def test_member_add_both_ways(ws: Cli, backend: str) -> None:
    fields = dict(name="Li Wei", org="TTF", delegation="zh", email="li@wg.example",
                  roles=("approver", "signatory"), names={"en": "Li Wei"}, lang=None)
    w = writing.open_writing(ws.root, database_url=_url(), admin=True)
    assert w is not None, "the bare write path did not open"
    try:
        bare = writing.add_member(w, "li-a", **fields)
    finally:
        w.close()
    _bound_as_the_orm_binds(ws, _events(ws)[-1])
    from workflow.members import add_member

    orm = _run_orm(ws, None, lambda app: add_member(app, "li-b", **fields))
    assert bare is not None and bare._replace(id="", db_role="") == orm._replace(id="",
                                                                               db_role="")
    assert (bare.db_role, orm.db_role) == ((None, None) if backend == "sqlite" else
                                           (f"{_database()}_li-a", f"{_database()}_li-b"))
    members = {r["id"]: r for r in _rows_by(ws, "members", "id")}
    _same_row(members["li-a"], members["li-b"])
    assert sorted(r["role"] for r in _rows_by(ws, "member_roles", "member_id")
                  if r["member_id"] == "li-a") == ["approver", "signatory"]
    one, two = _events(ws)[-2:]
    assert _detail(one, "member", "db_role") == _detail(two, "member", "db_role")
    assert json.loads(one["detail"])["db_role"] == bare.db_role
    assert _verify(ws) == []


def _rows_by(ws: Cli, table: str, order: str) -> list[dict[str, Any]]:
    app = open_app(ws.root)
    try:
        with app.read() as session:
            return [dict(r) for r in session.connection().execute(
                text(f"SELECT * FROM {table} ORDER BY {order}")).mappings()]
    finally:
        app.db.dispose()


_REFUSALS = [
    # (actor, the bare call, the service call, writes a refused event)
    ("rev-ru", lambda w: writing.dispose(w, "1", 1, "accepted", "x"),
     lambda app: rounds.dispose(app, "1", 1, "accepted", "x"), True),
    ("appr-ru", lambda w: writing.add_comment(w, "1", by=None, target="OP 1", type_="ge",
                                              text="not a reviewer"),
     lambda app: rounds.add_comment(app, "1", by=None, target="OP 1", type_="ge",
                                    text="not a reviewer"), True),
    ("rev-ru", lambda w: writing.add_comment(w, "2", by=None, target="OP 1", type_="ge",
                                             text="a draft"),
     lambda app: rounds.add_comment(app, "2", by=None, target="OP 1", type_="ge",
                                    text="a draft"), False),
    ("rev-ru", lambda w: writing.add_comment(w, "1", by=None, target="OP 99", type_="ge",
                                             text="nowhere"),
     lambda app: rounds.add_comment(app, "1", by=None, target="OP 99", type_="ge",
                                    text="nowhere"), False),
    ("rev-ru", lambda w: writing.add_comment(w, "1", by=None, target="OP 1", type_="ge",
                                             text="  "),
     lambda app: rounds.add_comment(app, "1", by=None, target="OP 1", type_="ge",
                                    text="  "), False),
    ("rev-ru", lambda w: writing.amend(w, "1", by=None, target="PP 1", op="replace",
                                       texts={"xx": "text"}, why=""),
     lambda app: amendments.amend(app, "1", by=None, target="PP 1", op="replace",
                                  texts={"xx": "text"}, why=""), False),
    ("sec", lambda w: writing.dispose(w, "1", 7, "accepted", "x"),
     lambda app: rounds.dispose(app, "1", 7, "accepted", "x"), False),
    ("rev-ru", lambda w: writing_decisions.decide_amendment(w, "1", 1, True),
     lambda app: amendments.decide_amendment(app, "1", 1, True), True),
    ("sec", lambda w: writing_decisions.decide_amendment(w, "1", 9, False),
     lambda app: amendments.decide_amendment(app, "1", 9, False), False),
    ("sec", lambda w: writing_decisions.decide_amendment(w, "2", 1, True),
     lambda app: amendments.decide_amendment(app, "2", 1, True), False),
    ("sec", lambda w: writing_decisions.object_(w, "1", None, "not an approver"),
     lambda app: approval.object_(app, "1", None, "not an approver"), True),
    ("appr-ru", lambda w: writing_decisions.object_(w, "1", None, "not in approval"),
     lambda app: approval.object_(app, "1", None, "not in approval"), False),
    ("appr-ru", lambda w: writing_decisions.object_(w, "1", None, "  "),
     lambda app: approval.object_(app, "1", None, "  "), False),
    ("sec", lambda w: writing_decisions.object_(w, "1", "nobody", "who?"),
     lambda app: approval.object_(app, "1", "nobody", "who?"), False),
    ("rev-ru", lambda w: writing_decisions.withdraw(w, "2", "mine"),
     lambda app: outcomes.withdraw(app, "2", "mine"), True),
    ("sec", lambda w: writing_decisions.withdraw(w, "2", " "),
     lambda app: outcomes.withdraw(app, "2", " "), False),
    ("sec", lambda w: writing_decisions.withdraw(w, "RCWG/RES/2024/99", "gone"),
     lambda app: outcomes.withdraw(app, "RCWG/RES/2024/99", "gone"), False),
    ("rev-ru", lambda w: writing_decisions.close_review(w, "1", changes=False),
     lambda app: amendments.close_review(app, "1", changes=False), True),
    ("sec", lambda w: writing_decisions.close_review(w, "1", changes=False),
     lambda app: amendments.close_review(app, "1", changes=False), False),
    ("sec", lambda w: writing_decisions.close_review(w, "1", changes=True, force=True),
     lambda app: amendments.close_review(app, "1", changes=True, force=True), False),
    ("sec", lambda w: writing_decisions.close_review(w, "2", changes=True),
     lambda app: amendments.close_review(app, "2", changes=True), False),
]


@pytest.mark.parametrize("case", range(len(_REFUSALS)),
                         ids=["wrong-role", "not-a-reviewer", "wrong-state", "unknown-paragraph",
                              "empty-text", "unknown-language", "no-such-comment",
                              "amendment-by-a-reviewer", "no-such-amendment",
                              "amendment-on-a-draft", "object-by-a-non-approver", "object-in-review",
                              "object-without-note",
                              "object-for-nobody", "withdraw-by-a-reviewer",
                              "withdraw-without-reason", "withdraw-no-such-resolution",
                              "close-by-a-reviewer", "close-with-undisposed-comment",
                              "close-forced-without-reason", "close-a-draft"])
def test_refusals_are_the_same_and_write_the_same(review: Cli, case: int) -> None:
    review(["comment", "1", "--ref", "OP 1", "--type", "ge", "--text", "one"], actor="rev-ru")
    review(["amend", "1", "--target", "OP 1", "--op", "delete"], actor="rev-ru")
    actor, bare_call, orm_call, refused_event = _REFUSALS[case]
    before = _events(review)
    rows = {t: _rows(review, t) for t in ("comments", "amendments", "resolutions",
                                         "approvals")}
    with pytest.raises(WorkflowError) as bare:
        _run_bare(review, actor, bare_call)
    after_bare = _events(review)
    with pytest.raises(WorkflowError) as orm:
        _run_orm(review, actor, orm_call)
    after_orm = _events(review)
    assert str(bare.value) == str(orm.value) and type(bare.value) is type(orm.value)
    assert {t: _rows(review, t) for t in rows} == rows  # no row changed either way
    added_bare, added_orm = after_bare[len(before):], after_orm[len(after_bare):]
    assert len(added_bare) == len(added_orm) == (1 if refused_event else 0)
    for one, two in zip(added_bare, added_orm):
        assert one["action"] == two["action"] == "refused"
        assert (one["actor"], one["detail"]) == (two["actor"], two["detail"])
    assert _verify(review) == []


def test_a_row_edited_after_a_bare_write_is_named(review: Cli, backend: str) -> None:
    review(["comment", "1", "--ref", "OP 1", "--type", "ge", "--text", "mine"], actor="rev-ru")
    _run_bare(review, "rev-zh", lambda w: writing.add_comment(
        w, "1", by=None, target="OP 2", type_="te", text="theirs"))
    assert _verify(review) == []
    url = f"sqlite:///{review.root / '.resolutions' / 'resolutions.db'}"
    if backend == "postgresql":
        from sqlalchemy.engine import make_url

        from tests import pg

        cluster = pg.current()
        assert cluster is not None
        url = cluster.url(str(make_url(str(_url())).database))
    engine = create_engine(url)
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text("UPDATE comments SET text = 'forged' WHERE number = 2"))
    engine.dispose()
    problems = _verify(review)
    assert any("comments" in p and "text" in p for p in problems), problems


def test_the_command_line_writes_without_the_orm(review: Cli) -> None:
    """A cold ``resolutions comment`` (and amend, dispose, amendment accept|reject, withdraw,
    member add — on PostgreSQL on the administrator's login) in a fresh interpreter: the
    bare path answers, and SQLAlchemy, sqlmodel and pydantic are never imported."""
    script = ("import sys\nfrom tests.launch import install\ninstall()\nfrom cli import cli\n"
              "try:\n    cli.main(sys.argv[1:], prog_name='resolutions', standalone_mode=False)\n"
              "finally:\n    print('@@' + ','.join(sorted(m for m in ('sqlalchemy', 'sqlmodel', "
              "'pydantic', 'alembic') if m in sys.modules)))\n")
    env = {**os.environ, "RESOLUTIONS_WORKSPACE": str(review.root)}
    for args in (["--as", "rev-ru", "comment", "1", "--ref", "OP 1", "--type", "ge",
                  "--text", "cold"],
                 ["--as", "rev-ru", "amend", "1", "--target", "OP 1", "--op", "delete"],
                 ["dispose", "1", "1", "--reject", "--note", "no"],
                 ["amendment", "accept", "1", "1"], ["amendment", "reject", "1", "1"],
                 ["withdraw", "2", "--reason", "merged"],
                 ["member", "add", "new-one", "--name", "New One"]):
        done = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=Path(__file__).parents[2],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "@@\n" in done.stdout, done.stdout  # nothing of the ORM stack was imported
    matrix = json.loads(review(["comments", "1", "--json"]).stdout)["comments"]
    assert [(c["text"], c["disposition"]) for c in matrix] == [("cold", "rejected")]
    listed = json.loads(review(["amendments", "1", "--json"]).stdout)["amendments"]
    assert [a["status"] for a in listed] == ["rejected"]
    assert json.loads(review(["status", "2", "--json"]).stdout)["state"] == "withdrawn"
    assert _verify(review) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_cold_amend_checks_its_texts_without_the_yaml_parser(review: Cli) -> None:
    """``amend`` holds its texts to a source's rules (drafts/texts.py) and takes the circulated
    model from the parsed cache: a cold run loads no YAML parser, and a text with a control
    character is still refused as a source would refuse it."""
    script = ("import sys\nfrom tests.launch import install\ninstall()\nfrom cli import cli\n"
              "try:\n    cli.main(sys.argv[1:], prog_name='resolutions', standalone_mode=False)\n"
              "finally:\n    print('@@' + ','.join(sorted(m for m in ('ruamel.yaml', "
              "'sqlalchemy') if m in sys.modules)))\n")
    env = {**os.environ, "RESOLUTIONS_WORKSPACE": str(review.root)}
    review(["--as", "rev-ru", "amend", "1", "--target", "OP 1", "--op", "delete"])  # (cached)
    done = subprocess.run([sys.executable, "-c", script, "--as", "rev-ru", "amend", "1",
                           "--target", "OP 1", "--op", "replace", "--text", "en=New text"],
                          env=env, cwd=Path(__file__).parents[2], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("@@"), done.stdout
    refused = review(["--as", "rev-ru", "amend", "1", "--target", "OP 1", "--op", "replace",
                      "--text", "en=New\x1btext"], code=1)
    assert "--text en=…" in refused.output and "U+001B" in refused.output, refused.output


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_member_login_cannot_write_as_another(review: Cli) -> None:
    """PostgreSQL (SQLite authenticates nobody): the bare writer on rev-ru's own login,
    asked to store a comment credited to rev-zh, or an event naming rev-zh: the database
    refuses both, and nothing is kept."""
    import datetime as dt

    import psycopg

    before = _events(review)
    for author, actor in (("rev-zh", "rev-ru"), ("rev-ru", "rev-zh")):
        writer = Writer.open(str(_url()), "rev-ru")
        assert writer is not None
        try:
            with pytest.raises(psycopg.Error):
                row = writer.reads.one("SELECT id, symbol FROM resolutions WHERE number = 1")
                rnd = writer.reads.last_round(1)
                writer.insert("comments", {
                    "resolution_id": 1, "number": 9, "round_id": rnd.id, "version_number": 1,
                    "paragraph_id": "", "ref": "General", "author": author, "type": "ge",
                    "text": "forged", "proposal": "", "disposition": "", "note": "",
                    "disposed_by": "", "source": "cli",
                    "created_at": dt.datetime(2024, 10, 1, tzinfo=dt.timezone.utc),
                    "lang": "", "quote": "", "anchor": ""})
                writer.record(actor=actor, action="comment", resolution=row,
                              detail={"by": author, "comment": 9})
                writer.commit()
        finally:
            writer.rollback()
            writer.close()
    assert _events(review) == before
    assert [r for r in _rows(review, "comments") if r["text"] == "forged"] == []


def test_own_approval_both_ways(review: Cli) -> None:
    """The secretary, an approver too, approves two resolutions in approval: one on the
    bare path, one through the service; another member's approval stays the service's."""
    from workflow.review import approval

    review(["member", "edit", "sec", "--roles", "secretary,approver"])
    review(["circulate", "2", "--reviewer", "rev-ru"])
    for ref in ("1", "2"):
        review(["close-review", ref, "--no-objection"])
    bare = _run_bare(review, None, lambda w: writing.approve(w, "1", None, "agreed"))
    _bound_as_the_orm_binds(review, _events(review)[-1])
    orm = _run_orm(review, None, lambda app: approval.approve(app, "2", None, "agreed"))
    assert bare is not None and bare.state == "for_approval"
    assert bare._replace(symbol="") == orm._replace(symbol="")
    first, second = _rows(review, "approvals")
    _same_row(first, second, {"resolution_id", "content_hash", "at"})
    one, two = _events(review)[-2:]
    assert one["action"] == two["action"] == "approve"
    assert _detail(one, "content_hash") == _detail(two, "content_hash")
    assert [f[0] for f in json.loads(one["detail"])["facts"]] == ["approvals", "resolutions"]
    # typed for another member: their word is needed, which the service checks
    assert _run_bare(review, None, lambda w: writing.approve(w, "1", "appr-ru")) is None
    assert len(_rows(review, "approvals")) == 2
    assert _verify(review) == []


def test_amendment_decisions_both_ways(review: Cli) -> None:
    """``amendment accept`` and ``reject``, each once on the bare path and once through the
    service, on four amendments: the same rows, result and event; an amendment decided
    again may change its mind (until it is applied)."""
    for n in range(4):
        review(["amend", "1", "--target", "OP 1", "--op", "replace", "--text",
                f"en=*Instructs* the group {n};"], actor="rev-zh")
    for accept, (first, second) in ((True, (1, 2)), (False, (3, 4))):
        bare = _run_bare(review, None,
                         lambda w: writing_decisions.decide_amendment(w, "1", first, accept))
        _bound_as_the_orm_binds(review, _events(review)[-1])
        orm = _run_orm(review, None,
                       lambda app: amendments.decide_amendment(app, "1", second, accept))
        assert bare._replace(number=0, texts={}) == orm._replace(number=0, texts={})
        assert bare.status == ("accepted" if accept else "rejected")
        rows = {r["number"]: r for r in _rows(review, "amendments")}
        _same_row(rows[first], rows[second], {"texts_json"})
        assert rows[first]["decided_by"] == "sec"
        one, two = _events(review)[-2:]
        assert one["action"] == two["action"] == "amendment-decide"
        assert one["actor"] == two["actor"] == "sec"
        assert _detail(one, "amendment") == _detail(two, "amendment")
        assert json.loads(one["detail"])["amendment"] == first
        assert [f[0] for f in json.loads(one["detail"])["facts"]] == ["amendments",
                                                                      "resolutions"]
    again = _run_bare(review, None, lambda w: writing_decisions.decide_amendment(w, "1", 1,
                                                                                False))
    assert again.status == "rejected"
    assert _verify(review) == []


def test_own_objection_both_ways(review: Cli) -> None:
    """The secretary, an approver too, approves two resolutions in approval, then objects
    to each: one on the bare path, one through the service — the approval voided, the
    objection stored, both back to revision, the same events; an objection typed for
    another member stays the service's (their word is needed)."""
    review(["member", "edit", "sec", "--roles", "secretary,approver"])
    review(["circulate", "2", "--reviewer", "rev-ru"])
    for ref in ("1", "2"):
        review(["close-review", ref, "--no-objection"])
        review(["approve", ref])
    assert _run_bare(review, None, lambda w: writing_decisions.object_(w, "1", "appr-ru",
                                                                       "theirs")) is None
    bare = _run_bare(review, None, lambda w: writing_decisions.object_(w, "1", None,
                                                                       " OP 4: 2030 "))
    _bound_as_the_orm_binds(review, _events(review)[-1])
    orm = _run_orm(review, None, lambda app: approval.object_(app, "2", None, " OP 4: 2030 "))
    assert bare is not None and bare.state == "revision"
    assert bare._replace(symbol="") == orm._replace(symbol="")
    rows = _rows(review, "approvals")
    by_resolution: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_resolution.setdefault(r["resolution_id"], []).append(r)
    first, second = (by_resolution[k] for k in sorted(by_resolution))
    assert [(bool(r["void"]), r["decision"]) for r in first] == \
        [(True, "approved"), (False, "objected")]
    for a, b in zip(first, second):
        _same_row(a, b, {"resolution_id", "content_hash", "at"})
    assert first[1]["note"] == "OP 4: 2030"
    one, two = _events(review)[-2:]
    assert one["action"] == two["action"] == "object"
    assert _detail(one) == _detail(two)
    assert [f[0] for f in json.loads(one["detail"])["facts"]] == ["approvals", "approvals",
                                                                  "resolutions"]
    assert _verify(review) == []


def test_withdraw_both_ways(review: Cli, tmp_path: Path) -> None:
    """Two drafts withdrawn, one on the bare path, one through the service: the same
    state, row and event."""
    source = tmp_path / "r.yaml"
    review(["new", str(source)])  # 3, a draft like 2
    bare = _run_bare(review, None, lambda w: writing_decisions.withdraw(w, "2", " merged "))
    _bound_as_the_orm_binds(review, _events(review)[-1])
    orm = _run_orm(review, None, lambda app: outcomes.withdraw(app, "3", " merged "))
    assert bare._replace(symbol="") == orm._replace(symbol="")
    assert bare.state == "withdrawn"
    rows = {r["number"]: r for r in _rows(review, "resolutions")}
    _same_row(rows[2], rows[3], {"symbol", "updated_at"})
    one, two = _events(review)[-2:]
    assert one["action"] == two["action"] == "withdraw"
    assert _detail(one) == _detail(two) and json.loads(one["detail"])["reason"] == "merged"
    assert [f[0] for f in json.loads(one["detail"])["facts"]] == ["resolutions"]
    assert _verify(review) == []


def _per_resolution(ws: Cli, table: str, order: str = "id") -> list[list[dict[str, Any]]]:
    by: dict[int, list[dict[str, Any]]] = {}
    for r in _rows_by(ws, table, order):
        by.setdefault(r["resolution_id"], []).append(r)
    return [by[k] for k in sorted(by)]


def test_close_review_no_objection_both_ways(review: Cli) -> None:
    """Two rounds closed with no objection, one forced past an undisposed comment: one on
    the bare path, one through the service — the round closed, the state, the event."""
    review(["circulate", "2", "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    for ref in ("1", "2"):
        review(["comment", ref, "--ref", "OP 1", "--type", "ge", "--text", "late"],
               actor="rev-ru")
    bare = _run_bare(review, None, lambda w: writing_decisions.close_review(
        w, "1", changes=False, force=True, reason=" late comments "))
    _bound_as_the_orm_binds(review, _events(review)[-1])
    orm = _run_orm(review, None, lambda app: amendments.close_review(
        app, "2", changes=False, force=True, reason=" late comments "))
    assert bare.state == "for_approval" and bare.new_version is None
    assert bare._replace(symbol="")._asdict() == {**vars(orm), "symbol": ""}
    first, second = _per_resolution(review, "review_rounds")
    assert first[0]["outcome"] == "no-objection" and first[0]["closed_at"] is not None
    _same_row(first[0], second[0], {"resolution_id", "closed_at", "opened_at"})
    one, two = _events(review)[-2:]
    assert one["action"] == two["action"] == "close_review_no_objection"
    assert _detail(one) == _detail(two)
    assert json.loads(one["detail"])["reason"] == "late comments"
    assert [f[0] for f in json.loads(one["detail"])["facts"]] == ["resolutions",
                                                                  "review_rounds"]
    assert _verify(review) == []


def test_close_review_with_changes_both_ways(review: Cli) -> None:
    """Two rounds with the same accepted amendments closed with changes, one on the bare
    path, one through the service: the same new version (its text, hash and note), the
    amendments applied, the translation records, the events in their order; a conflict
    between accepted amendments is refused alike with nothing written."""
    review(["circulate", "2", "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    for ref in ("1", "2"):
        review(["amend", ref, "--target", "OP 1", "--op", "replace", "--text",
                "en=*Instructs* the group to report by 2030;"], actor="rev-ru")
        review(["amend", ref, "--target", "OP 2", "--op", "delete"], actor="rev-zh")
        review(["amendment", "accept", ref, "1"])
        review(["amendment", "accept", ref, "2"])
    bare = _run_bare(review, None, lambda w: writing_decisions.close_review(
        w, "1", changes=True))
    for event in _events(review)[-2:]:  # (the transition's row changed again after it)
        _bound_as_the_orm_binds(review, event)
    orm = _run_orm(review, None, lambda app: amendments.close_review(app, "2", changes=True))
    assert bare.state == "revision" and bare.new_version == 2
    assert bare._replace(symbol="")._asdict() == {**vars(orm), "symbol": ""}
    first, second = _per_resolution(review, "versions")
    assert first[1]["note"] == "accepted amendments 1, 2"
    assert "report by 2030" in first[1]["source"]
    _same_row(first[1], second[1], {"resolution_id", "source", "content_hash"})
    assert first[1]["source"].replace("/2024/1", "") == second[1]["source"].replace(
        "/2024/2", "")
    for table, order in (("amendments", "id"), ("review_rounds", "id"),
                         ("translation_state", "resolution_id")):
        for a, b in zip(*_per_resolution(review, table, order)):
            _same_row(a, b, {"resolution_id", "round_id", "closed_at", "opened_at",
                             "records_json", "texts_json"})
    assert [a["status"] for a in _per_resolution(review, "amendments")[0]] == ["applied"] * 2
    events = _events(review)
    bare_events, orm_events = events[-6:-3], events[-3:]
    assert [e["action"] for e in bare_events] == [e["action"] for e in orm_events] == [
        "close_review_changes", "apply-amendments", "facts"]
    for one, two in zip(bare_events, orm_events):
        assert _detail(one, "content_hash") == _detail(two, "content_hash")
    assert _verify(review) == []


def test_close_review_conflicting_amendments_refused_alike(review: Cli) -> None:
    review(["circulate", "2", "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    for ref in ("1", "2"):
        review(["amend", ref, "--target", "OP 1", "--op", "delete"], actor="rev-ru")
        review(["amend", ref, "--target", "OP 1", "--op", "replace", "--text", "en=x"],
               actor="rev-zh")
        review(["amendment", "accept", ref, "1"])
        review(["amendment", "accept", ref, "2"])
    before = _events(review)
    rows = {t: _rows(review, t) for t in ("amendments", "resolutions", "review_rounds",
                                         "versions")}
    with pytest.raises(WorkflowError) as bare:
        _run_bare(review, None, lambda w: writing_decisions.close_review(w, "1", changes=True))
    with pytest.raises(WorkflowError) as orm:
        _run_orm(review, None, lambda app: amendments.close_review(app, "2", changes=True))
    assert str(bare.value) == str(orm.value) and "conflicts with" in str(bare.value)
    assert _events(review) == before
    assert {t: _rows(review, t) for t in rows} == rows


def test_a_schema_not_at_the_head_is_left_to_the_orm(ws_sqlite: Cli) -> None:
    """The bare path opens only at the schema's head revision: otherwise it writes nothing
    and the command's service (which migrates) answers."""
    import sqlite3

    path = ws_sqlite.root / ".resolutions" / "resolutions.db"
    conn = sqlite3.connect(path)
    (head,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = 'older'")
    try:
        assert writing.open_writing(ws_sqlite.root) is None
    finally:
        with conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (head,))
        conn.close()
    again = writing.open_writing(ws_sqlite.root)
    assert again is not None
    again.close()


def test_member_add_refusals_are_the_same(ws_sqlite: Cli) -> None:
    """SQLite (on PostgreSQL ``member add`` is the service's): an existing id, a bad id,
    a reviewer adding members — the same message both ways; only the last writes, its
    ``refused`` event, the same both ways."""
    from workflow.members import add_member

    cases = [(None, "rev-ru", {}), (None, "Bad Id", {}), ("rev-ru", "new-one", {}),
             (None, "new-two", {"email": "not an address"})]
    for actor, member_id, extra in cases:
        fields: dict[str, Any] = {"name": "Someone", **extra}
        before = _events(ws_sqlite)
        with pytest.raises(WorkflowError) as bare:
            _run_bare(ws_sqlite, actor, lambda w: writing.add_member(w, member_id, **fields))
        middle = _events(ws_sqlite)
        with pytest.raises(WorkflowError) as orm:
            _run_orm(ws_sqlite, actor, lambda app: add_member(app, member_id, **fields))
        after = _events(ws_sqlite)
        assert str(bare.value) == str(orm.value), member_id
        assert [(e["action"], e["detail"]) for e in middle[len(before):]] == \
            [(e["action"], e["detail"]) for e in after[len(middle):]]
        assert len(middle) - len(before) == (1 if actor else 0)
    assert {r["id"] for r in _rows_by(ws_sqlite, "members", "id")}.isdisjoint(
        {"new-one", "new-two"})


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres@/t_ab12?host=/tmp/pg sock&port=5432",
    "postgresql+psycopg://t_ab_sec@127.0.0.1:5433/t_ab?sslmode=verify-full"
    "&sslrootcert=%2Ftmp%2Fca.pem&passfile=%2Ftmp%2Fpass",
    "postgresql+psycopg://u:p%40ss%2Fw@[::1]:5432/db",
    "postgresql://db_admin:secret@localhost/db",
    "postgresql+psycopg:///db?service=wg",
    "postgresql+psycopg://localhost",
])
def test_database_urls_read_without_sqlalchemy_as_sqlalchemy_reads_them(url: str) -> None:
    """The bare path logs in without importing SQLAlchemy: the URL's role, database and
    the member's URL made from it mean what SQLAlchemy's URL means."""
    from sqlalchemy.engine import make_url

    from workflow.store import logins

    parsed = make_url(url)
    assert logins.database_name(url) == str(parsed.database or "")
    assert logins.url_role(url) == str(parsed.username or "")
    ours, theirs = make_url(logins.with_role(url, "db_x")), parsed.set(username="db_x")
    assert (ours.drivername, ours.username, ours.password, ours.host, ours.port,
            ours.database, dict(ours.query)) == \
        (theirs.drivername, theirs.username, theirs.password, theirs.host, theirs.port,
         theirs.database, dict(theirs.query))
