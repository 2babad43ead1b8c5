"""The seed scenario on three machines (workflow/demo_shared.py): one PostgreSQL database,
three workspace folders, every command a process of its own, every member connected with
their own database role. The Russian secretary drafts and circulates; the Chinese
co-secretary imports comments from the shared outbox, records the Chinese approval, and the
Chinese signatory signs there with a key that exists in that folder only; the Russian side
signs and submits; an archivist's folder exports and verifies the dossier; `audit verify`
is clean in every folder. Then: what each machine holds, checked with tools we did not
write (bagit, pdfsig, psql as a member's role), and what never left its machine."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FROZEN_NOW
from tests.pg import Cluster
from tests.reliability.helpers import ROOT
from workflow.demo_shared import MACHINES, play, process_runner, role_url

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scenario(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[Path, str, Any, list[str]]]:
    base = tmp_path_factory.mktemp("three-machines")
    owner = pg_cluster.create_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESOLUTIONS_")}
    env.update(RESOLUTIONS_NOW=FROZEN_NOW, PYTHONPATH=str(ROOT))
    run = process_runner(base, lambda member: role_url(owner, member),
                         [sys.executable, "-m", "tests.launch"], env,
                         keep=("RESOLUTIONS_NOW",))
    lines: list[str] = []
    result = play(base, run, echo=lines.append, password_file=pg_cluster.password_file)
    yield base, owner, result, lines


def _owner_rows(owner: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(owner.replace("postgresql+psycopg://", "postgresql://", 1)) as conn:
        return list(conn.execute(sql, params).fetchall())


def test_the_scenario_runs_on_three_machines_and_every_chain_verifies(
        scenario: tuple[Path, str, Any, list[str]]) -> None:
    base, _, result, lines = scenario
    for machine, what in [("xian", "folder attached"), ("xian", "read from the shared outbox) with "
                          "her filled comment form imported"),
                          ("xian", "the Chinese delegation's approval recorded"),
                          ("xian", "李伟 signs on this machine"), ("moscow", "kuznetsova signs"),
                          ("moscow", "submitted to the Higher Council"),
                          ("archive", "dossier exported from the shared store")]:
        assert any(f"[{machine}] " in line and what in line for line in lines), (machine, what)
    assert set(result.verdicts) == set(MACHINES)
    events = {v.split(": ")[1] for v in result.verdicts.values()}
    assert len(events) == 1 and all(v.startswith("audit log intact") for v in
                                    result.verdicts.values()), result.verdicts
    # each folder's own audit verify again, now as a separate run, and its status
    for machine, member in MACHINES.items():
        env = dict(os.environ, RESOLUTIONS_WORKSPACE=str(base / machine), PYTHONPATH=str(ROOT),
                   RESOLUTIONS_DATABASE_URL=role_url(scenario[1], member),
                   RESOLUTIONS_NOW=FROZEN_NOW)
        done = subprocess.run([sys.executable, "-m", "tests.launch", "--json", "status", "1"],
                              env=env, capture_output=True, text=True)
        assert json.loads(done.stdout)["state"] == "acknowledged", done.stderr


def test_the_comments_approvals_and_signatures_name_who_acted_where(
        scenario: tuple[Path, str, Any, list[str]]) -> None:
    _, owner, _, _ = scenario
    comments = _owner_rows(owner, "SELECT author, source FROM comments ORDER BY number")
    assert comments == [("wang-fang", "form"), ("wang-fang", "form"), ("orlov", "cli")]
    signers = [r[0] for r in _owner_rows(owner, "SELECT member_id FROM signatures ORDER BY id")]
    assert signers == ["li-wei", "sokolov", "kuznetsova"]
    # 李伟's signature was made on the connection of his own role; the Chinese approval was
    # recorded by the co-secretary's role with the delegation's letter
    events = _owner_rows(owner, "SELECT action, actor, detail FROM audit_events ORDER BY seq")
    by_action = {}
    for action, actor, detail in events:
        by_action.setdefault(action, []).append((actor, json.loads(detail)))
    assert by_action["sign"][0][0] == "li-wei"
    china = next((a, d) for a, d in by_action["approve"] if d["member"] == "li-wei")
    assert china[0] == "chen-jing" and china[1]["typed_by"] == "chen-jing"
    assert china[1]["on_behalf_of"] == "li-wei" and "document" in json.dumps(china[1])
    russia = next((a, d) for a, d in by_action["approve"] if d["member"] == "sokolov")
    assert russia[0] == "ivanova" and russia[1]["signed_statement"] is True
    imported = [a for a, d in by_action["comment"] if d.get("source") == "form"]
    assert imported == ["chen-jing", "chen-jing"]


def test_private_keys_never_left_their_machine(scenario: tuple[Path, str, Any, list[str]]
                                               ) -> None:
    base, owner, _, _ = scenario
    li_wei = base / "xian" / "delegation" / "li-wei.p12"
    assert li_wei.is_file() and oct(li_wei.stat().st_mode & 0o777) == "0o600"
    private = [li_wei, base / "moscow" / ".resolutions" / "keys" / "ca" / "ca.key.pem",
               base / "moscow" / ".resolutions" / "keys" / "sokolov.p12",
               base / "moscow" / ".resolutions" / "keys" / "kuznetsova.p12",
               base / "archive" / ".resolutions" / "keys" / "seal" / "seal.p12"]
    for path in private:
        assert path.is_file(), path
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in private}
    shared = {r[0] for r in _owner_rows(owner, "SELECT sha256 FROM blobs")}
    assert shared and not digests & shared, "a private key is in the shared store"
    assert _owner_rows(owner, "SELECT count(*) FROM blobs WHERE position("
                              "'PRIVATE KEY'::bytea in data) > 0") == [(0,)]
    names = [r[0] for r in _owner_rows(owner, "SELECT path FROM shared_files")]
    assert names and not [n for n in names if n.endswith((".p12", ".key.pem", ".key"))]
    # the key is nowhere but in the Chinese folder; the seal moved, it was not copied
    for machine in ("moscow", "archive"):
        assert not list((base / machine).rglob("li-wei.p12"))
    assert not (base / "moscow" / ".resolutions" / "keys" / "seal" / "seal.p12").exists()
    for machine in ("xian", "archive"):
        assert not list((base / machine).rglob("ca.key.pem"))
        assert not list((base / machine).rglob("sokolov.p12"))


def test_the_archivists_bag_holds_what_every_machine_did(
        scenario: tuple[Path, str, Any, list[str]]) -> None:
    base, _, _, _ = scenario
    bag = base / "archive" / "dossier"
    bagit = Path(sys.executable).parent / "bagit.py"
    done = subprocess.run([str(bagit), "--validate", str(bag)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [signed] = [p for p in bag.rglob("*.pdf") if "signed" in p.name and "submission" not in
                str(p.relative_to(bag))][:1] or [None]
    assert signed is not None
    listing = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True).stdout
    assert listing.count("Signature #") >= 3, listing
    for name in ("Li Wei", "Соколов", "Кузнецова"):
        assert name in listing, (name, listing)


def test_a_reviewer_role_cannot_read_the_secretariats_secrets(
        scenario: tuple[Path, str, Any, list[str]], pg_cluster: Cluster) -> None:
    from sqlalchemy.engine import make_url

    _, owner, _, _ = scenario
    database = str(make_url(owner).database)

    def psql(member: str, sql: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["psql", pg_cluster.conninfo(database, f"{database}_{member}"),
                               "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              capture_output=True, text=True)

    assert psql("ivanova", "SELECT name FROM workspace_secrets ORDER BY name").stdout.split() \
        == ["binding", "exports"]
    assert psql("zhukova", "SELECT name FROM workspace_secrets").stdout.split() == ["exports"]
    refused = psql("wang-fang", "SELECT value FROM workspace_secrets")
    assert refused.returncode != 0 and "permission denied" in refused.stderr
    # nobody rewrites a shared blob, and a reviewer names no shared file
    blob = _owner_rows(owner, "SELECT sha256 FROM blobs LIMIT 1")[0][0]
    changed = psql("ivanova", f"UPDATE blobs SET data = 'x'::bytea WHERE sha256 = '{blob}'")
    assert changed.returncode != 0
    named = psql("wang-fang", "INSERT INTO shared_files (path, sha256, mode, updated_at) "
                              "VALUES ('.resolutions/keys/trust/x.pem', 'x', 420, now())")
    assert named.returncode != 0 and "permission denied" in named.stderr
