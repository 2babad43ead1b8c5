"""The read path on the bare driver (``workflow.store.reads``, ``workflow.reading``) against
the schema the ORM models create, on SQLite and on PostgreSQL: every read statement runs,
and each read command's rows equal what the ORM services return for the same data —
including rows only the ORM wrote (comments, amendments, submissions, messages), so the
two cannot disagree about a table or a column."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.conftest import Cli, fixture_text
from workflow.app import App
from workflow.reading import Reader, open_reader
from workflow.store import parsed
from workflow.store.db import Database

T0 = dt.datetime(2024, 9, 26, 10, 0, tzinfo=dt.timezone.utc)


@contextlib.contextmanager
def _as_insider(app: App) -> Iterator[Session]:
    """Rows written as they are, not as any member may write them (made-up approvals and a
    signature with no certificate): on PostgreSQL the superuser's session with the
    database's rules switched off (tests/reliability/test_pg_attacks.py shows members
    cannot)."""
    if app.db.is_sqlite:
        with app.write() as session:
            yield session
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from tests import pg

    cluster = pg.current()
    assert cluster is not None
    insider = App(app.workspace, Database(cluster.url(str(make_url(app.db.url).database)),
                                          admin=True))
    with insider.write(admin=True) as session:
        session.execute(text("SET LOCAL session_replication_role = replica"))
        yield session
    insider.db.dispose()


def _seed(ws: Cli, tmp_path: Path) -> App:
    """One resolution with two versions, a round, comments (one orphaned), amendments, a
    submission with its message and a sent message — written through the models."""
    from workflow.store.models import (
        Amendment,
        Approval,
        Comment,
        MemberCertificate,
        Message,
        ReviewRound,
        SignatureRecord,
        Submission,
    )

    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws(["new", str(path)])
    source = ws(["source", "1"]).output
    path.write_text(source.replace("until 2030", "until 2035"), encoding="utf-8")
    ws(["edit", "1", str(path), "--note", "2035"])
    path.write_text(fixture_text("trilingual.yaml").replace("symbol:", "# symbol:"),
                    encoding="utf-8")
    ws(["new", str(path)])
    app = App.open(ws.root)
    with _as_insider(app) as session:
        row = app.resolution(session, "1")
        rnd = ReviewRound(resolution_id=row.id, number=1, version_number=1,
                          reviewers="rev-ru,rev-zh", due=dt.date(2024, 10, 15), opened_at=T0)
        session.add(rnd)
        session.flush()
        for number, (pid, ref, disposition) in enumerate(
                [("op-ventures", "OP 1", "accepted"), ("", "General", ""),
                 ("op-gone", "OP 9", "rejected")], start=1):
            session.add(Comment(resolution_id=row.id, number=number, round_id=rnd.id,
                                version_number=1, paragraph_id=pid, ref=ref, author="rev-ru",
                                type="te", text=f"комментарий {number}", proposal="…",
                                disposition=disposition, note="n", created_at=T0))
        session.add(Amendment(resolution_id=row.id, number=1, round_id=rnd.id,
                              version_number=1, author="rev-zh", target_id="op-ventures",
                              target_ref="OP 1", op="replace",
                              texts_json=json.dumps({"zh": "新", "en": "new"}), why="why",
                              status="applied", applied_version=2, created_at=T0))
        session.add(Amendment(resolution_id=row.id, number=2, round_id=rnd.id, version_number=1,
                              author="rev-ru", target_id="op-gone", target_ref="OP 9",
                              op="delete", created_at=T0))
        session.add(Message(message_id="<m1@wg.example>", resolution_id=row.id,
                            kind="submission", recipient="body@example", subject="Тема",
                            eml_path=".resolutions/outbox/m1.eml", status="queued",
                            created_at=T0))
        session.add(Message(message_id="<m2@wg.example>", kind="review-copy",
                            recipient="rev@example", subject="审阅", status="sent", attempts=2,
                            created_at=T0, sent_at=T0 + dt.timedelta(seconds=5, microseconds=7)))
        session.add(Submission(resolution_id=row.id, body="brics-higher-council",
                               version_number=2, package_path="p.zip", package_sha256="ab" * 32,
                               message_id="<m1@wg.example>", submitted_at=T0,
                               receipt_ref="HC/1", outcome="acknowledged",
                               received_at=T0 + dt.timedelta(days=1)))
        session.add(Submission(resolution_id=row.id, body="brics-higher-council",
                               version_number=2, message_id="<none@wg.example>",
                               submitted_at=T0 + dt.timedelta(hours=1)))
        for member, void in (("appr-ru", False), ("appr-ru2", True)):
            session.add(Approval(resolution_id=row.id, version_number=2, content_hash="c" * 64,
                                 member_id=member, decision="approved", void=void, at=T0))
        session.add(SignatureRecord(resolution_id=row.id, version_number=2, member_id="appr-zh",
                                    field_name="sig-appr-zh", cert_fingerprint="f" * 64,
                                    base_sha256="b" * 64, signed_sha256="s" * 64, at=T0))
        session.add(MemberCertificate(member_id="appr-ru", fingerprint="e" * 64))
    return app


@pytest.fixture
def seeded(ws: Cli, tmp_path: Path) -> tuple[App, Reader]:
    app = _seed(ws, tmp_path)
    reader = open_reader(ws.root)
    yield app, reader
    reader.close()
    app.db.dispose()


def test_every_read_answers_as_the_orm_services_do(seeded: tuple[App, Reader]) -> None:
    from workflow.delivery.outbox import list_messages
    from workflow.delivery.submission import list_submissions
    from workflow.drafting import resolutions
    from workflow.members import list_members
    from workflow.presenting.tables import events_json
    from workflow.review.amendments import list_amendments
    from workflow.review.rounds import comment_matrix

    app, reader = seeded
    for state, limit, offset in [(None, 50, 0), ("draft", 1, 1), ("archived", 5, 0),
                                 (None, 1, 5)]:
        assert reader.list_resolutions(state, limit, offset) == resolutions.list_resolutions(
            app, state, limit, offset)
    page = reader.list_resolutions()
    assert page.total == 2 and page.items[0].updated_at.endswith("+00:00")

    for ref, number in [("1", None), ("RCWG/RES/2024/1", 1), ("2", None)]:
        summary, version, model = reader.get_version(ref, number)
        o_summary, o_version, o_model = resolutions.get_version(app, ref, number)
        assert summary == o_summary and model == o_model
        assert (version.number, version.source, version.content_hash) == (
            o_version.number, o_version.source, o_version.content_hash)

    summary, events = reader.log("1")
    o_summary, o_events = resolutions.log(app, "1")
    assert summary == o_summary and events_json(events) == events_json(o_events)
    assert [e["action"] for e in events_json(events)] == ["new", "edit"]

    assert reader.comment_matrix("1") == comment_matrix(app, "1")
    assert [c.orphaned for c in reader.comment_matrix("1")[2]] == [False, False, True]
    assert reader.list_amendments("1") == list_amendments(app, "1")
    assert reader.list_members() == list_members(app)
    assert [m.roles for m in reader.list_members()][:1] == [["approver", "signatory"]]
    assert reader.list_submissions("1") == list_submissions(app, "1")
    assert [s.message_status for s in reader.list_submissions("1")[1]] == ["queued", ""]
    for status in (None, "sent", "failed"):
        assert reader.list_messages(status) == list_messages(app, status)
    assert reader.list_messages("sent")[0].sent_at == "2024-09-26T10:00:05.000007+00:00"


def test_refusals_are_the_services_own(seeded: tuple[App, Reader]) -> None:
    from workflow.drafting import resolutions
    from workflow.errors import InvalidInput, NotFound

    app, reader = seeded
    for call, orm in [(lambda: reader.get_version("99"), lambda: resolutions.get_version(app, "99")),
                      (lambda: reader.get_version("1", 7),
                       lambda: resolutions.get_version(app, "1", 7)),
                      (lambda: reader.log("RCWG/RES/1999/1"),
                       lambda: resolutions.log(app, "RCWG/RES/1999/1")),
                      (lambda: reader.list_resolutions("bogus"),
                       lambda: resolutions.list_resolutions(app, "bogus"))]:
        with pytest.raises((NotFound, InvalidInput)) as ours:
            call()
        with pytest.raises((NotFound, InvalidInput)) as theirs:
            orm()
        assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))


def test_the_parsed_cache_is_trusted_only_when_it_hashes_right(seeded: tuple[App, Reader]
                                                                 ) -> None:
    app, reader = seeded
    _summary, version, model = reader.get_version("1")
    state_dir = reader.workspace.state_dir
    entry = parsed._path(state_dir, version.source)
    assert entry.is_file()
    assert parsed.cached(state_dir, version.source, version.content_hash) == model
    # an attacker edits a paragraph in the cache: the content hash no longer matches
    forged = entry.read_text("utf-8").replace("2035", "2099")
    assert forged != entry.read_text("utf-8")
    entry.write_text(forged, "utf-8")
    assert parsed.cached(state_dir, version.source, version.content_hash) is None
    again = reader.get_version("1")[2]
    assert again == model and "2099" not in json.dumps(again.to_data(), ensure_ascii=False)
    # the miss parsed the text for real and put the true model back
    assert parsed.cached(state_dir, version.source, version.content_hash) == model
    entry.write_text("{not json", "utf-8")
    assert reader.get_version("1")[2] == model
    entry.unlink()
    assert reader.get_version("1")[2] == model and entry.is_file()
    # a model whose symbol was changed hashes the same (the symbol is assigned, not
    # hashed) but is not this resolution's: a miss too
    data = json.loads(entry.read_text("utf-8"))
    entry.write_text(json.dumps({**data, "symbol": "RCWG/RES/2024/2"}), "utf-8")
    assert reader.get_version("1")[2].symbol == "RCWG/RES/2024/1"


def test_status_in_every_state_answers_as_the_orm_does(seeded: tuple[App, Reader]) -> None:
    """The stored facts and the ORM's facts give the same status, state by state (the
    state is set directly so that every trigger and guard of the table is asked)."""
    from sqlalchemy import text

    from workflow.lifecycle import overview
    from workflow.lifecycle.status import status
    from workflow.states import State

    app, reader = seeded
    seen_guards: set[str] = set()
    for state in State:
        with _as_insider(app) as session:  # a state set behind the engine's back
            session.execute(text("UPDATE resolutions SET state = :s WHERE number = 1"),
                            {"s": state.value})
        fresh = open_reader(reader.workspace.root)  # a command reads one snapshot
        try:
            ours, theirs = overview.status(fresh, "1"), status(app, "1")
        finally:
            fresh.close()
        assert ours == theirs, state
        seen_guards |= {g for g in ("amendment", "comment", "approval", "signature",
                                    "certificate") if g in json.dumps(ours.to_json())}
    assert seen_guards == {"amendment", "comment", "approval", "signature", "certificate"}
    assert overview.status(reader, "2") == status(app, "2")
    # the edit changed a number in English only: parity errors, answered from the cache
    # after the first status, and the same as the rules' own answer
    assert any("parity error" in fact for fact in ours.facts)
    assert list((reader.workspace.state_dir / "parity").rglob("*.json"))
    for entry in (reader.workspace.state_dir / "parity").rglob("*.json"):
        entry.unlink()
    assert overview.status(reader, "1") == status(app, "1")
