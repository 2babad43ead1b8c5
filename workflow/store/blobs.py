"""The files of a workspace on a shared deployment: in PostgreSQL, beside the rows.

On SQLite the workspace folder *is* the store. On PostgreSQL several machines attach their
own folder to one database, so every file the engine keeps must be reachable from each:

- ``blobs`` holds bytes named by their SHA-256: the content-addressed store (rendered and
  signed documents, evidence, statements) and the bytes of every named file;
- ``shared_files`` names the files that live at a path under ``.resolutions/`` — the outbox,
  submission folders, dossier export records, the trust store, the CA's certificate and CRL,
  the seal's certificate — and ``resolutions.toml``, each with the SHA-256 of its bytes.

The folder becomes a cache: a file written under it is shared as soon as it is in place
(:func:`workflow.store.files.write_atomic` tells this store), and a file a command needs is
fetched when it is missing or differs from the shared one, its bytes checked against the
SHA-256 they are named by before they are written. What never leaves a machine: private
keys (``*.p12``, the CA's key), the parsed-text and parity caches, kept edits, the SQLite
file — and files in hidden staging folders, which are shared once renamed into place.

Certificates fetched into the trust store, the CA folder or the seal folder must have a
fingerprint the audit chain registered (``keys-init-ca``, ``keys-import``, ``keys-trust``,
``keys-seal-issue``); any other is not written, so nobody who can write the shared tables
can slip a root into another machine's trust store.

The store talks to PostgreSQL on a connection of its own, outside the command's
transaction: a blob is committed before the row that names it, and a blob no row names
(a command that failed after writing it) is as harmless as an orphan file in the folder.
"""

from __future__ import annotations

import hashlib
import json
import secrets as _secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.errors import SecretWithheld, WorkflowError

__all__ = ["FileStore", "LOCAL_ONLY", "KEY_FILES"]

STATE = ".resolutions"
#: paths under .resolutions/ that stay on this machine (private keys, caches, the database)
LOCAL_ONLY = ("keys/ca/ca.key.pem", "binding.key", "resolutions.db")
_LOCAL_DIRS = ("parsed", "parity", "edits")
_LOCAL_SUFFIXES = (".p12", ".key", ".key.pem", ".db", ".db-wal", ".db-shm", ".tmp")
#: the public key files other machines need, each checked against the chain when fetched
KEY_FILES = (".resolutions/keys/trust/", ".resolutions/keys/ca/ca.pem",
             ".resolutions/keys/ca/crl.der", ".resolutions/keys/seal/seal.pem")
_REGISTERING = ("keys-init-ca", "keys-import", "keys-trust", "keys-seal-issue")
SECRETS = ("binding", "exports")


def _pg_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import TupleRow


class FileStore:
    """The workspace folder, and on PostgreSQL the shared tables behind it."""

    def __init__(self, root: Path, database_url: str) -> None:
        self.root = Path(root)
        self.url = database_url
        self.shared = database_url.startswith(("postgresql+psycopg://", "postgresql://"))
        self._conn: psycopg.Connection[TupleRow] | None = None
        self._known: set[str] = set()
        self._keys_synced = False
        self._login: Callable[[], str] | None = None
        if self.shared:
            from workflow.store.files import watch

            watch(self.root / STATE, self._written)

    # -- the connection ----------------------------------------------------------------
    def log_in_as(self, url: Callable[[], str]) -> None:
        """Connect with the login the command's database uses (``url()``, asked when the
        store first needs the server): the acting member's own role, so the database judges
        each blob, name and secret by who acts (:mod:`workflow.store.logins`)."""
        if self._login is not url:
            self.close()
            self._login = url

    def _db(self) -> psycopg.Connection[TupleRow]:
        if self._conn is None or self._conn.closed:
            import psycopg

            url = self._login() if self._login is not None else self.url
            try:
                self._conn = psycopg.connect(_pg_url(url), autocommit=True)
            except psycopg.OperationalError as exc:
                raise WorkflowError(f"the shared file store (PostgreSQL) cannot be reached: "
                                    f"{str(exc).strip().splitlines()[0]}; check "
                                    "RESOLUTIONS_DATABASE_URL and that the server runs") from None
        return self._conn

    def close(self) -> None:
        """Close the connection (before a fork: none crosses it; reopened on next use)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[TupleRow]:
        """Rows as psycopg returns them (``TupleRow``: its values are typed ``Any``)."""
        with self._db().cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall()) if cur.description else []

    # -- what is shared ----------------------------------------------------------------
    def _relative(self, path: Path) -> str | None:
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return None
        parts = rel.parts
        if len(parts) < 2 or parts[0] != STATE:
            return None
        inner = "/".join(parts[1:])
        if any(p.startswith(".") for p in parts[1:]) or parts[1] in _LOCAL_DIRS:
            return None  # a hidden staging folder or temp file, or a cache of this machine
        if inner in LOCAL_ONLY or inner.endswith(_LOCAL_SUFFIXES):
            return None
        return rel.as_posix()

    def _written(self, path: Path, data: bytes, mode: int) -> None:
        """A file was written under the folder: share it (a store file as a blob only)."""
        rel = self._relative(path)
        if rel is None:
            return
        digest = self.put(data)
        if rel.startswith(f"{STATE}/store/"):
            return
        self.name(rel, digest, mode)

    def put(self, data: bytes) -> str:
        """Share ``data`` as a blob; returns its SHA-256."""
        digest = hashlib.sha256(data).hexdigest()
        if self.shared and digest not in self._known:
            from workflow import clock

            self._rows("INSERT INTO blobs (sha256, size, data, stored_at) "
                       "VALUES (%s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
                       (digest, len(data), data, clock.now().replace(tzinfo=None)))
            self._known.add(digest)
        return digest

    def name(self, rel: str, digest: str, mode: int = 0o644) -> None:
        """Record that the file at ``rel`` holds the blob ``digest``."""
        if not self.shared:
            return
        from workflow import clock

        self._rows("INSERT INTO shared_files (path, sha256, mode, updated_at) "
                   "VALUES (%s, %s, %s, %s) ON CONFLICT (path) DO UPDATE SET "
                   "sha256 = EXCLUDED.sha256, mode = EXCLUDED.mode, "
                   "updated_at = EXCLUDED.updated_at",
                   (rel, digest, mode, clock.now().replace(tzinfo=None)))

    def publish(self, rel: str, data: bytes, mode: int = 0o644) -> None:
        """Share a file that lives outside ``.resolutions/`` (``resolutions.toml``)."""
        if self.shared:
            self.name(rel, self.put(data), mode)

    def share(self, path: Path) -> None:
        """Share a file written under the folder by other means than ``write_atomic``."""
        if self.shared:
            path = Path(path).absolute()
            self._written(path, path.read_bytes(), path.stat().st_mode & 0o777)

    def publish_tree(self, folder: Path) -> None:
        """Share every file under ``folder`` (a folder renamed into place whole)."""
        if not self.shared:
            return
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            rel = self._relative(path.absolute())
            if rel is not None:
                self.name(rel, self.put(path.read_bytes()), path.stat().st_mode & 0o777)

    # -- reading back ------------------------------------------------------------------
    def blob(self, digest: str) -> bytes | None:
        """The bytes named ``digest`` from the shared store, checked; None if not there."""
        if not self.shared:
            return None
        found = self._rows("SELECT data FROM blobs WHERE sha256 = %s", (digest,))
        if not found:
            return None
        data = bytes(found[0][0])
        if hashlib.sha256(data).hexdigest() != digest:
            raise WorkflowError(f"the shared store's blob {digest[:12]}… does not hash to its "
                                "name: it was changed in the database; restore it from a backup")
        self._known.add(digest)
        return data

    def store_path(self, digest: str) -> Path:
        """The content-addressed file ``digest`` in the folder, fetched from the shared
        store when this machine does not have it yet (missing everywhere: the path, absent)."""
        path = self.root / STATE / "store" / digest[:2] / digest
        if self.shared and not path.is_file() and len(digest) == 64:
            data = self.blob(digest)
            if data is not None:
                self._write(path, data, 0o444)
        return path

    def ensure(self, rel: str, digest: str | None = None) -> Path:
        """The named file ``rel`` in the folder. ``digest`` (the bytes a fact says it holds):
        fetched only when this folder lacks it — a local copy that differs is left for the
        caller to judge against the fact. Without one: fetched when missing or when it
        differs from the shared file of that name."""
        path = self.root / rel
        if not self.shared:
            return path
        found = self._rows("SELECT sha256, mode FROM shared_files WHERE path = %s", (rel,))
        mode = int(found[0][1]) if found else 0o600
        if digest is not None:
            if not path.is_file():
                data = self.blob(digest)
                if data is not None:
                    self._write(path, data, mode)
            return path
        if found:
            self._fetch(path, str(found[0][0]), mode)
        return path

    def ensure_tree(self, prefix: str) -> list[Path]:
        """Every shared file under the folder ``prefix`` (``.resolutions/outbox/``…)."""
        if not self.shared:
            return []
        rows = self._rows("SELECT path, sha256, mode FROM shared_files WHERE path LIKE %s "
                          "ORDER BY path", (prefix.rstrip("/") + "/%",))
        out = []
        for rel, digest, mode in rows:
            path = self.root / str(rel)
            self._fetch(path, str(digest), int(mode))
            out.append(path)
        return out

    def _fetch(self, path: Path, digest: str, mode: int) -> None:
        if path.is_file():
            from workflow.store.files import sha256_file

            if sha256_file(path) == digest:
                return
        data = self.blob(digest)
        if data is None:
            raise WorkflowError(f"{path.relative_to(self.root)} is named in the shared store "
                                f"but its bytes ({digest[:12]}…) are not there; restore the "
                                "database from a backup")
        self._write(path, data, mode)

    def _write(self, path: Path, data: bytes, mode: int) -> None:
        from workflow.store.files import watch, write_atomic

        watch(self.root / STATE, None)  # a fetched file is not shared again
        try:
            write_atomic(path, data, mode)
        finally:
            watch(self.root / STATE, self._written)

    # -- the key files -----------------------------------------------------------------
    def sync_keys(self) -> None:
        """Bring the public key files (trust store, CA certificate and CRL, the seal's
        certificate) up to date from the shared store, once per process; a certificate the
        chain never registered is not written."""
        if not self.shared or self._keys_synced:
            return
        self._keys_synced = True
        rows = self._rows("SELECT path, sha256, mode FROM shared_files WHERE path LIKE %s "
                          "ORDER BY path", (f"{STATE}/keys/%",))
        wanted = [(str(r), str(d), int(m)) for r, d, m in rows
                  if any(str(r) == k or (k.endswith("/") and str(r).startswith(k))
                         for k in KEY_FILES)]
        stale = [w for w in wanted if not self._same(self.root / w[0], w[1])]
        if not stale:
            return
        registered = self._registered()
        for rel, digest, mode in stale:
            data = self.blob(digest)
            if data is None:
                continue
            if rel.endswith(".pem") and not _certificates_registered(data, registered):
                continue  # not one the chain registered: never trusted on this machine
            if rel.endswith("index.json") and not _index_registered(data, registered):
                continue
            self._write(self.root / rel, data, mode)

    def _same(self, path: Path, digest: str) -> bool:
        from workflow.store.files import sha256_file

        return path.is_file() and sha256_file(path) == digest

    def _registered(self) -> set[str]:
        found: set[str] = set()
        for (detail,) in self._rows(
                "SELECT detail FROM audit_events WHERE outcome = 'ok' AND action IN "
                "(%s, %s, %s, %s)", _REGISTERING):
            try:
                d = json.loads(detail)
            except ValueError:
                continue
            found.update(str(f) for f in [d.get("fingerprint"), *d.get("trust_added", [])]
                         if f)
        return found

    # -- the secretariat's secrets --------------------------------------------------------
    def secret(self, name: str, local: Path | None = None) -> bytes:
        """A secret of the secretariat, made on first use (from ``local``, the folder's own
        key, when there is one: what this machine used before the secret was shared)."""
        assert name in SECRETS
        import psycopg

        try:
            found = self._rows("SELECT value FROM workspace_secrets WHERE name = %s", (name,))
            if not found:
                value = (local.read_bytes() if local is not None and local.is_file()
                         else _secrets.token_bytes(32))
                self._rows("INSERT INTO workspace_secrets (name, value) VALUES (%s, %s) "
                           "ON CONFLICT (name) DO NOTHING", (name, value))
                found = self._rows("SELECT value FROM workspace_secrets WHERE name = %s",
                                   (name,))
        except psycopg.errors.InsufficientPrivilege:
            found = []
        if not found:
            raise SecretWithheld(f"the working group's {name} secret is kept for the "
                                "secretariat; this member's database role cannot read it "
                                "(ask the secretary to take this step)")
        return bytes(found[0][0])

    def shared_paths(self, prefix: str = STATE) -> Iterator[str]:
        if self.shared:
            for (rel,) in self._rows("SELECT path FROM shared_files WHERE path LIKE %s "
                                     "ORDER BY path", (prefix.rstrip("/") + "/%",)):
                yield str(rel)


def _fingerprints(data: bytes) -> list[str] | None:
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        return [c.fingerprint(hashes.SHA256()).hex() for c in x509.load_pem_x509_certificates(data)]
    except ValueError:
        return None


def _certificates_registered(data: bytes, registered: set[str]) -> bool:
    found = _fingerprints(data)
    return bool(found) and all(f in registered for f in found or [])


def _index_registered(data: bytes, registered: set[str]) -> bool:
    try:
        index = json.loads(data)
    except ValueError:
        return False
    return isinstance(index, dict) and all(str(k) in registered for k in index)


def shared_store_statements(group: Callable[[str], str], have: set[str]) -> list[str]:
    """The PostgreSQL privileges of the shared store, for the tables that exist
    (``group(role)`` names a workspace role's group; the blobs' append-only trigger is the
    audit log's, ``pgroles.APPEND_ONLY``): every member may add blobs, the secretary and the
    archivist may name shared files, and each secret is visible only to the roles that need
    it (row-level security)."""
    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    members, secretary, archivist = group("members"), group("secretary"), group("archivist")
    out = [f'GRANT INSERT ON "blobs" TO {q(members)}'] if "blobs" in have else []
    if "shared_files" in have:
        out += [f'GRANT INSERT, UPDATE ON "shared_files" TO {q(w)}' for w in (secretary, archivist)]
    if "workspace_secrets" in have:
        rule = (f"(name = 'binding' AND pg_has_role({_literal(secretary)}, 'MEMBER')) OR "
                f"(name = 'exports' AND (pg_has_role({_literal(secretary)}, 'MEMBER') OR "
                f"pg_has_role({_literal(archivist)}, 'MEMBER')))")
        out += [f'REVOKE SELECT ON "workspace_secrets" FROM {q(members)}',
                *[f'GRANT SELECT, INSERT ON "workspace_secrets" TO {q(w)}'
                  for w in (secretary, archivist)],
                'ALTER TABLE "workspace_secrets" ENABLE ROW LEVEL SECURITY',
                'DROP POLICY IF EXISTS secretariat ON "workspace_secrets"',
                f'CREATE POLICY secretariat ON "workspace_secrets" USING ({rule}) '
                f"WITH CHECK ({rule})"]
    return out


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
