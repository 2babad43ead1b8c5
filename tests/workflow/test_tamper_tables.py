"""The insider who knows the schema and the chain's format, on both backends.

One workspace lives a whole resolution's life (review, amendment, approvals, signatures,
submission, receipt) with a real timestamp authority over HTTP on loopback, so that
``circulate`` and ``submit`` anchor the chain. Each attack then works on a copy: one row of
every table that states a fact is edited (on PostgreSQL as the superuser, with the
append-only triggers switched off), ``resolutions.toml`` and a package on disk are changed,
and finally the whole chain is rewritten with recomputed hashes. ``audit verify`` must name
each: table, row and field; the rewrite is caught by the anchors and by a witness.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from signatures.tsa import LoopbackTsa
from tests.conftest import FROZEN_NOW, Cli, make_workspace
from tests.pg import Cluster
from tests.signatures.tsa_server import loopback_tsa  # noqa: F401 - fixture
from tests.workflow.test_dossier import _lifecycle
from workflow.store.chain import GENESIS, event_hash
from workflow.store.models import AuditEvent, AuditHead, MemberRole
from workflow.store.rowhash import field_digests, row_digest

pytestmark = pytest.mark.slow


@dataclasses.dataclass
class Lived:
    root: Path          # the workspace folder
    url: str            # its database
    backend: str
    witness: str        # SEQ:HASH kept out of band after the life


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def lived(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          loopback_tsa: LoopbackTsa) -> Iterator[Lived]:  # noqa: F811
    base = tmp_path_factory.mktemp(f"lived-{request.param}")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER"):
            mp.delenv(name, raising=False)
        mp.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
        url = f"sqlite:///{base / 'ws' / '.resolutions' / 'resolutions.db'}"
        if request.param == "postgresql":
            cluster: Cluster = request.getfixturevalue("pg_cluster")
            url = cluster.create_database()
            mp.setenv("RESOLUTIONS_DATABASE_URL", url)
        ws = make_workspace(base / "ws")
        toml = ws.root / "resolutions.toml"
        toml.write_text(toml.read_text("utf-8").replace(
            "[signatures]\n", f'[signatures]\ntimestamp_url = "{loopback_tsa.url}"\n'), "utf-8")
        changed = json.loads(ws(["audit", "config", "--json"]).output)["changed"]
        assert changed == ["signatures.timestamp_url"]
        (base / "tsa-root.pem").write_bytes(loopback_tsa.root_pem)
        ws(["keys", "trust", str(base / "tsa-root.pem"), "--for", "timestamps"])
        _lifecycle(ws, base)
        head = json.loads(ws(["audit", "head", "--json"]).output)
        verdict = json.loads(ws(["audit", "verify", "--json"]).output)
        assert verdict["ok"], verdict["problems"]
        yield Lived(ws.root, url, request.param, f"{head['seq']}:{head['hash']}")


@pytest.fixture
def copy(lived: Lived, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
         request: pytest.FixtureRequest) -> Iterator[tuple[Cli, str]]:
    """A copy of the lived workspace and database, and the insider's URL of the copy (on
    PostgreSQL the superuser's; the commands log in as the members, as always). The copy
    keeps the database's name — its members' roles are named after it — while the lived
    one waits under another name."""
    root = tmp_path / "ws"
    shutil.copytree(lived.root, root)
    monkeypatch.delenv("RESOLUTIONS_DATABASE_URL", raising=False)
    if lived.backend == "sqlite":
        yield Cli(root, CliRunner()), f"sqlite:///{root / '.resolutions' / 'resolutions.db'}"
        return
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    from sqlalchemy.engine import make_url

    name = str(make_url(lived.url).database)
    kept = f"{name}_lived"

    def terminate(conn, database: str) -> None:  # type: ignore[no-untyped-def]
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))

    with cluster.superuser() as conn:
        terminate(conn, name)
        conn.execute(f'ALTER DATABASE "{name}" RENAME TO "{kept}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{kept}" OWNER "{name}_admin"')
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", lived.url)
    try:
        yield Cli(root, CliRunner()), cluster.url(name)
    finally:
        with cluster.superuser() as conn:
            terminate(conn, name)
            conn.execute(f'DROP DATABASE "{name}"')
            conn.execute(f'ALTER DATABASE "{kept}" RENAME TO "{name}"')


def _as_insider(url: str, statements: list[str]) -> None:
    """Raw SQL as the insider: the SQLite file's owner, or PostgreSQL's superuser with the
    triggers switched off (what a member's own login cannot do: test_pg_attacks.py)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        if not url.startswith("sqlite"):
            conn.execute(text("SET session_replication_role = replica"))
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def _problems(ws: Cli, *args: str) -> list[str]:
    out = ws(["audit", "verify", "--json", *args], code=None)
    verdict = json.loads(out.stdout)
    assert "ok" in verdict, out.output
    assert out.exit_code == (0 if verdict["ok"] else 1)
    return list(verdict["problems"])


def _named(problems: list[str], *parts: str) -> None:
    assert any(all(p in line for p in parts) for line in problems), (parts, problems)


ATTACKS = [
    ("member e-mail", "UPDATE members SET email = 'evil@example.org' WHERE id = 'rev-ru'",
     ("member rev-ru", "field email")),
    ("role escalated", "INSERT INTO member_roles (member_id, role) VALUES ('rev-ru', 'secretary')",
     ("role secretary of member rev-ru", "behind the engine's back")),
    ("certificate swapped", "UPDATE member_certificates SET fingerprint = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "
                            "WHERE member_id = 'appr-ru'",
     ("certificate of member appr-ru", "field fingerprint")),
    ("title", "UPDATE resolutions SET title = 'Another title'",
     ("resolution RCWG/RES/2024/1", "field title")),
    ("version text", "UPDATE versions SET source = replace(source, '2030', '2040') "
                     "WHERE number = 1",
     ("version 1 of RCWG/RES/2024/1", "field source")),
    ("translation confirmations", "UPDATE translation_state SET records_json = '{}'",
     ("translation records of RCWG/RES/2024/1", "field records_json")),
    ("reviewers of a round", "UPDATE review_rounds SET reviewers = 'rev-zh' WHERE number = 2",
     ("review round 2 of RCWG/RES/2024/1", "field reviewers")),
    ("disposition", "UPDATE comments SET disposition = 'rejected'",
     ("comment 1 of RCWG/RES/2024/1", "field disposition")),
    ("amendment decided otherwise", "UPDATE amendments SET status = 'rejected'",
     ("amendment 1 of RCWG/RES/2024/1", "field status")),
    ("approval moved", "UPDATE approvals SET member_id = 'appr-ru2' WHERE member_id = 'appr-ru'",
     ("by appr-ru2 of RCWG/RES/2024/1", "field member_id")),
    ("signature moved", "UPDATE signatures SET member_id = 'appr-ru2' "
                        "WHERE member_id = 'appr-ru'",
     ("signature by appr-ru2 of RCWG/RES/2024/1", "field member_id")),
    ("message redirected", "UPDATE messages SET recipient = 'evil@example.org' WHERE id = 1",
     ("message 1", "field recipient")),
    ("receipt rewritten", "UPDATE submissions SET receipt_ref = 'HC/2024/8'",
     ("submission 1 of RCWG/RES/2024/1", "field receipt_ref")),
    ("receipt rewritten in its own table", "UPDATE receipts SET reference = 'HC/2024/8'",
     ("receipt 1 (acknowledged) of submission 1", "field reference")),
    ("waiver forged", "INSERT INTO waivers (resolution_id, version_number, finding, "
                      "paragraph_id, ref, rule, languages, severity, message, texts_hash, "
                      "reason, member_id, at) VALUES (1, 2, 'f-0badf00d', 'op-roadmap', "
                      "'OP 2', 'numbers', 'zh', 'error', 'forged', 'x', 'nobody objected', "
                      "'appr-zh', '2024-09-27 10:00:00')",
     ("waiver of f-0badf00d (OP 2 numbers) by appr-zh", "behind the engine's back")),
    ("anchor dropped", "DELETE FROM audit_anchors WHERE id = 1",
     ("table audit_anchors, row 1", "it was deleted")),
    ("comment deleted", "DELETE FROM comments",
     ("table comments, row 1", "it was deleted")),
]


@pytest.mark.parametrize("statement,named", [a[1:] for a in ATTACKS],
                         ids=[a[0] for a in ATTACKS])
def test_a_row_edited_behind_the_engines_back_is_named(copy: tuple[Cli, str], statement: str,
                                                       named: tuple[str, ...]) -> None:
    ws, url = copy
    _as_insider(url, [statement])
    _named(_problems(ws), *named)


def test_every_table_is_bound_or_says_why_not() -> None:
    from sqlmodel import SQLModel

    from workflow.store.facts import FACT_TABLES, NOT_FACTS

    tables = set(SQLModel.metadata.tables)
    assert tables - set(NOT_FACTS) == set(FACT_TABLES)
    covered = {a[1].split()[1 if a[1].startswith(("UPDATE", "DELETE")) else 2]
               for a in ATTACKS}
    covered.discard("FROM")
    covered |= {a[1].split()[2] for a in ATTACKS if a[1].startswith("DELETE")}
    assert set(FACT_TABLES) <= covered, set(FACT_TABLES) - covered


def test_the_rules_file_and_the_files_on_disk(copy: tuple[Cli, str]) -> None:
    ws, _ = copy
    toml = ws.root / "resolutions.toml"
    toml.write_text(toml.read_text("utf-8").replace("approval_rule = \"each-delegation\"",
                                                    "approval_rule = \"majority\""), "utf-8")
    package = next((ws.root / ".resolutions" / "submissions").rglob("*.zip"))
    package.write_bytes(package.read_bytes() + b"\0")
    problems = _problems(ws)
    _named(problems, "resolutions.toml", "approval_rule", "'resolutions audit config'")
    _named(problems, "submission package", "the file was changed")
    # the deliberate change is recorded, and named in the log
    ws(["audit", "config"])
    assert not [p for p in _problems(ws) if "resolutions.toml" in p]


def _rewrite(url: str, mutate: Callable[[Session, list[AuditEvent]], None]) -> None:
    """Rewrite the chain with the engine's own hash function, as an insider can."""
    engine = create_engine(url)
    with Session(engine) as session:
        if not url.startswith("sqlite"):
            session.exec(text("SET session_replication_role = replica"))  # type: ignore[call-overload]
        events = list(session.exec(select(AuditEvent).order_by(AuditEvent.seq)))
        mutate(session, events)
        prev = GENESIS
        for ev in events:
            ev.prev_hash = prev
            ev.hash = event_hash(ev.seq, ev.at, ev.actor, ev.action, ev.outcome,
                                 ev.resolution_id, ev.symbol, ev.detail, prev)
            prev = ev.hash
            session.add(ev)
        head = session.get(AuditHead, 1)
        assert head is not None
        head.seq, head.hash = events[-1].seq, prev
        session.add(head)
        session.commit()
    engine.dispose()


def _escalate(session: Session, events: list[AuditEvent]) -> None:
    """rev-ru becomes a secretary, and the event that added rev-ru says so."""
    session.add(MemberRole(member_id="rev-ru", role="secretary"))
    values = {"member_id": "rev-ru", "role": "secretary"}
    added = next(ev for ev in events if ev.action == "member-add"
                 and json.loads(ev.detail).get("member") == "rev-ru")
    detail = json.loads(added.detail)
    detail["roles"] = sorted([*detail["roles"], "secretary"])
    detail["facts"].append(["member_roles", ["rev-ru", "secretary"],
                            row_digest("member_roles", values), field_digests(values)])
    added.detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)


def test_a_rewritten_chain_is_caught_by_its_anchors_and_by_a_witness(
        copy: tuple[Cli, str], lived: Lived) -> None:
    ws, url = copy
    _rewrite(url, _escalate)
    problems = _problems(ws)
    # every hash recomputes, every row agrees with its rewritten event: only the anchors,
    # timestamped before the rewrite, still hold the old hashes
    assert all("audit anchor" in p for p in problems), problems
    _named(problems, "audit anchor", "the chain was rewritten after it was anchored")
    _named(_problems(ws, "--witness", lived.witness), "witness", "rewritten after this head")


def test_a_rewrite_that_also_drops_the_anchors_is_caught_by_a_witness(
        copy: tuple[Cli, str], lived: Lived) -> None:
    ws, url = copy

    def escalate_and_unanchor(session: Session, events: list[AuditEvent]) -> None:
        _escalate(session, events)
        session.flush()
        session.exec(text("DELETE FROM audit_anchors"))  # type: ignore[call-overload]
        # the events that recorded anchors go too, and every later event moves up
        rows = []
        for seq, ev in enumerate([e for e in events if e.action != "anchor"], start=1):
            data = ev.model_dump()
            detail = json.loads(data["detail"])
            if "facts" in detail:
                detail["facts"] = [f for f in detail["facts"] if f[0] != "audit_anchors"]
            data.update(seq=seq, detail=json.dumps(detail, ensure_ascii=False, sort_keys=True))
            rows.append(data)
        session.exec(text("DELETE FROM audit_events"))  # type: ignore[call-overload]
        session.expunge_all()
        events[:] = [AuditEvent(**data) for data in rows]

    _rewrite(url, escalate_and_unanchor)
    # the workspace alone cannot tell any more (docs/SECURITY.md): a kept head can
    assert _problems(ws) == []
    _named(_problems(ws, "--witness", lived.witness), "witness", "truncated or rewritten")
