"""The shared store (workflow/store/blobs.py): on PostgreSQL a second folder attached to the
same database reaches every file the first one wrote — messages, signed files, packages,
the trust store — fetched with their hashes checked; and an insider who edits the shared
tables by hand does not get a changed byte or a foreign root onto another machine."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import Cli, make_workspace
from tests.pg import Cluster
from tests.reliability.helpers import setup_keys, sign_all, to_approved

pytestmark = pytest.mark.postgres


def _sql(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1),
                         autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


@pytest.fixture(scope="module")
def first(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[Cli, str, str, Path]]:
    """A PostgreSQL workspace with keys, a signed and submitted resolution."""
    from tests.conftest import FROZEN_NOW

    tmp = tmp_path_factory.mktemp("shared")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_USER"):
            mp.delenv(name, raising=False)
        url = pg_cluster.create_database()
        mp.setenv("RESOLUTIONS_DATABASE_URL", url)
        mp.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
        ws = make_workspace(tmp / "first")
        secrets = tmp / "secrets"
        setup_keys(ws, secrets)
        symbol = to_approved(ws, tmp)
        sign_all(ws, symbol, secrets)
        ws(["submit", symbol, "--to", "brics-higher-council"])
        yield ws, url, symbol, tmp


def _attach(url: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    from cli import cli

    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", url)
    done = CliRunner().invoke(cli, ["attach", str(folder)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return Cli(folder, CliRunner())


def test_a_second_folder_reaches_every_file_the_first_wrote(
        first: tuple[Cli, str, str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws, url, symbol, _ = first
    other = _attach(url, tmp_path / "second", monkeypatch)
    assert (other.root / "resolutions.toml").read_bytes() == (ws.root / "resolutions.toml").read_bytes()
    # the outbox: every message's file is there, byte for byte what the first machine queued
    messages = json.loads(other(["outbox", "--json"]).output)["messages"]
    assert {m["kind"] for m in messages} == {"review-copy", "submission"}
    for m in messages:
        here, there = other.root / m["eml_path"], ws.root / m["eml_path"]
        assert here.read_bytes() == there.read_bytes(), m["eml_path"]
    # the signed files, verified here against the trust store fetched from the shared store
    out = other(["signed-files", symbol, "-o", str(tmp_path / "signed")]).output
    signed = next(p for p in out.split() if p.endswith("_signed.pdf"))
    assert "OK" in other(["verify", signed]).output
    keys = json.loads(other(["keys", "list", "--json"]).output)
    assert len(keys["trust"]) == 1 and keys["ca"] is not None
    # what this folder holds is a cache: every stored file hashes to its name
    stored = [p for p in (other.root / ".resolutions" / "store").rglob("*") if p.is_file()]
    assert stored and all(hashlib.sha256(p.read_bytes()).hexdigest() == p.name for p in stored)
    # the dossier, exported here from the shared store, verifies with nothing but the bag
    bag = tmp_path / "bag"
    other(["dossier", "export", symbol, "-o", str(bag), "--seal-passphrase-file",
           str(first[3] / "secrets" / "seal.pass")], code=1)  # the seal's key is not here
    other(["audit", "verify"])
    # private keys stayed on the first machine, and never went into the database
    assert not list(other.root.rglob("*.p12")) and not list(other.root.rglob("ca.key.pem"))
    private = [p for p in ws.root.rglob("*") if p.is_file()
               and (p.suffix == ".p12" or p.name == "ca.key.pem")]
    assert len(private) >= 3
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in private}
    assert not digests & {r[0] for r in _sql(url, "SELECT sha256 FROM blobs")}


def test_a_blob_changed_in_the_database_is_refused_when_read(
        first: tuple[Cli, str, str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The owner switches the append-only trigger off and edits the signed PDF's blob: a
    machine that has no copy yet refuses the bytes, naming the blob."""
    ws, url, symbol, _ = first
    [(digest,)] = _sql(url, "SELECT signed_sha256 FROM signatures ORDER BY id DESC LIMIT 1")
    other = _attach(url, tmp_path / "third", monkeypatch)
    _sql(url, "ALTER TABLE blobs DISABLE TRIGGER append_only")
    try:
        _sql(url, "UPDATE blobs SET data = data || '\\x25'::bytea WHERE sha256 = %s", digest)
        out = other(["signed-files", symbol, "-o", str(tmp_path / "s")], code=1).output
        assert f"the shared store's blob {digest[:12]}… does not hash to its name" in out
        assert not (other.root / ".resolutions" / "store" / digest[:2] / digest).exists()
        assert "does not hash to its name" in other(["audit", "verify"], code=1).output
    finally:
        _sql(url, "UPDATE blobs SET data = substring(data from 1 for length(data) - 1) "
                  "WHERE sha256 = %s", digest)
        _sql(url, "ALTER TABLE blobs ENABLE TRIGGER append_only")
    other(["audit", "verify"])


def test_a_root_the_chain_never_registered_is_not_fetched(
        first: tuple[Cli, str, str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An insider adds their own CA to the shared trust store and replaces the CA
    certificate's entry with it: another machine fetches neither."""
    ws, url, _, _ = first
    evil = tmp_path / "evil"
    evil.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(evil / "k.pem"), "-out", str(evil / "ca.pem"), "-days", "30", "-subj",
                    "/CN=Evil CA"], check=True, capture_output=True)
    pem = (evil / "ca.pem").read_bytes()
    digest = hashlib.sha256(pem).hexdigest()
    before = _sql(url, "SELECT path, sha256 FROM shared_files WHERE path = "
                       "'.resolutions/keys/ca/ca.pem'")
    _sql(url, "INSERT INTO blobs (sha256, size, data, stored_at) VALUES (%s, %s, %s, now()) "
              "ON CONFLICT DO NOTHING", digest, len(pem), pem)
    _sql(url, "INSERT INTO shared_files (path, sha256, mode, updated_at) VALUES "
              "('.resolutions/keys/trust/evil.pem', %s, 420, now())", digest)
    _sql(url, "UPDATE shared_files SET sha256 = %s WHERE path = '.resolutions/keys/ca/ca.pem'",
         digest)
    try:
        other = _attach(url, tmp_path / "fourth", monkeypatch)
        trust = other.root / ".resolutions" / "keys" / "trust"
        assert not (trust / "evil.pem").exists()
        assert not (other.root / ".resolutions" / "keys" / "ca" / "ca.pem").exists()
        keys = json.loads(other(["keys", "list", "--json"]).output)
        assert [t["subject"] for t in keys["trust"]] == [
            json.loads(ws(["keys", "list", "--json"]).output)["trust"][0]["subject"]]
    finally:
        _sql(url, "DELETE FROM shared_files WHERE path = '.resolutions/keys/trust/evil.pem'")
        _sql(url, "UPDATE shared_files SET sha256 = %s WHERE path = %s", before[0][1], before[0][0])


def test_a_changed_local_copy_is_named_on_that_machine(
        first: tuple[Cli, str, str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The folder is a cache, but not a silent one: a message file changed in it is named by
    that machine's audit verify, and not repaired behind its back."""
    _, url, _, _ = first
    other = _attach(url, tmp_path / "fifth", monkeypatch)
    messages = json.loads(other(["outbox", "--json"]).output)["messages"]
    path = other.root / messages[0]["eml_path"]
    path.write_bytes(path.read_bytes().replace(b"Subject:", b"Subject: FW:", 1))
    out = other(["audit", "verify"], code=1).output
    assert f"message file {messages[0]['eml_path']}" in out and "the file was changed" in out
    assert b"FW:" in path.read_bytes()
    _attach(url, tmp_path / "sixth", monkeypatch)(["audit", "verify"])


def test_attach_refuses_what_is_not_a_shared_working_group(
        pg_cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli import cli

    def attach(folder: Path) -> str:
        done = CliRunner().invoke(cli, ["attach", str(folder)])
        assert done.exit_code == 1, done.output
        return done.output

    monkeypatch.delenv("RESOLUTIONS_DATABASE_URL", raising=False)
    assert "attach joins a shared PostgreSQL database" in attach(tmp_path / "a")
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", pg_cluster.create_database())
    assert "this database holds no working group yet" in attach(tmp_path / "b")
    assert not (tmp_path / "b").exists()
    ws = make_workspace(tmp_path / "c", members=False)
    assert "is already a workspace" in attach(ws.root)


def test_on_sqlite_the_folder_is_the_store(ws_sqlite: Cli, tmp_path: Path) -> None:
    from workflow.store.workspace import find

    workspace = find(ws_sqlite.root)
    assert workspace.files.shared is False
    to_approved(ws_sqlite, tmp_path)
    assert (ws_sqlite.root / ".resolutions" / "binding.key").is_file()
