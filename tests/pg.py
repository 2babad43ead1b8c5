"""A throwaway PostgreSQL cluster for the test suite, set up as a deployment would be:
members connect over TLS on loopback and authenticate with ``scram-sha-256``.

- ``initdb`` + ``pg_ctl`` in a temp dir (as the ``postgres`` user when the tests run as
  root); the server certificate is issued by a test CA made here (EC P-256, so making it
  costs milliseconds), valid for ``127.0.0.1`` and ``localhost``;
- ``pg_hba.conf``: the superuser ``postgres`` on the private unix socket only (the harness,
  and the insider of the tamper tests); every other role over TLS with a password; a
  connection without TLS is refused;
- each database gets an administrator role ``<database>_admin`` that owns it and may create
  roles: :meth:`Cluster.create_database` returns its URL (TLS, ``verify-full`` against the
  test CA, the password from a libpq passfile named in the URL — never on a command line);
- one password for every role of this cluster (:attr:`Cluster.password`): the suite plays
  every member, and the passfile's one wildcard line serves them all; a member's role gets
  it when ``member add`` is run through the suite's runner (``tests.conftest.Cli``).
"""

from __future__ import annotations

import datetime as dt
import glob
import ipaddress
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

__all__ = ["Cluster", "current", "make_tls"]

#: the cluster this process started (one per test process), for the runner's ``member add``
_CURRENT: list[Cluster] = []


def current() -> Cluster | None:
    return _CURRENT[-1] if _CURRENT else None


def _bin(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} was not found: install the Debian package "
                           "'postgresql' (make test does it as root)")
    return found


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_tls(folder: Path, hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
             name: str = "server") -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for ``hosts``: (ca.pem, NAME.crt, NAME.key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"test CA {name}")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(now + dt.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, key_cert_sign=True, crl_sign=True,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    alt: list[x509.GeneralName] = []
    for host in hosts:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(host)))
        except ValueError:
            alt.append(x509.DNSName(host))
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    ca_pem, crt, pem_key = folder / "ca.pem", folder / f"{name}.crt", folder / f"{name}.key"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem_key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    pem_key.chmod(0o600)
    return ca_pem, crt, pem_key


_HBA = """\
# the harness's superuser, on the private socket only
local   all  postgres                 trust
local   all  all                      scram-sha-256
# everyone else: TLS on loopback and a SCRAM password; no TLS, no entry
hostssl all  all       127.0.0.1/32   scram-sha-256
hostnossl all all      127.0.0.1/32   reject
"""


class Cluster:
    def __init__(self, base: Path | None = None) -> None:
        """``base``: the folder to make the cluster's temp dir in (a small filesystem of a
        test's own, to fill the server's disk)."""
        self.tmp = Path(tempfile.mkdtemp(prefix="pgtest-", dir=base))
        self.data = self.tmp / "data"
        self.socket = self.tmp / "sock"
        self.tls = self.tmp / "tls"
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")
        self.host = "127.0.0.1"
        self.port = 0
        #: every role's password in this cluster (the suite plays every member)
        self.password = secrets.token_urlsafe(18)
        self.passfile = self.tmp / "pgpass"
        #: the password on a line of its own, for ``--password-file``
        self.password_file = self.tmp / "password"
        self.ca = self.tls / "ca.pem"

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_root:
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            cmd = [runuser, "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def start(self) -> Cluster:
        self.socket.mkdir(parents=True)
        ca, crt, key = make_tls(self.tls)
        if self.as_root:
            for path in (self.tmp, self.socket, self.tls, crt, key):
                shutil.chown(path, "postgres")
            os.chmod(self.tmp, 0o755)
        self._run(_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        hba = self.data / "pg_hba.conf"
        hba.write_text(_HBA, "utf-8")
        if self.as_root:
            shutil.chown(hba, "postgres")
        self.passfile.write_text(f"*:*:*:*:{self.password}\n", "utf-8")
        self.passfile.chmod(0o600)
        self.password_file.write_text(self.password + "\n", "utf-8")
        self.password_file.chmod(0o600)
        self.port = _free_port()
        options = (f"-k {self.socket} -c listen_addresses={self.host} -c port={self.port} "
                   f"-c ssl=on -c ssl_cert_file={crt} -c ssl_key_file={key} "
                   "-c password_encryption=scram-sha-256 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=100")
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60",
                  "-l", str(self.tmp / "log"), "start")
        _CURRENT.append(self)
        return self

    # -- addresses -----------------------------------------------------------------------
    def url(self, database: str = "postgres") -> str:
        """The superuser's URL on the private socket: the harness, and the insider."""
        return f"postgresql+psycopg://postgres@/{database}?host={self.socket}&port={self.port}"

    def tls_query(self, passfile: Path | None = None) -> str:
        return (f"sslmode=verify-full&sslrootcert={quote(str(self.ca))}"
                f"&passfile={quote(str(passfile or self.passfile))}")

    def role_url(self, database: str, role: str, passfile: Path | None = None) -> str:
        """``role``'s URL over TLS; the password comes from the passfile (the suite's, or
        ``passfile``: a member's machine holding only their own)."""
        return (f"postgresql+psycopg://{quote(role, safe='')}@{self.host}:{self.port}/"
                f"{database}?{self.tls_query(passfile)}")

    def admin_url(self, database: str) -> str:
        return self.role_url(database, f"{database}_admin")

    def conninfo(self, database: str, role: str, **extra: str) -> str:
        """A libpq connection string for ``psql`` as ``role`` (TLS, passfile)."""
        params = {"host": self.host, "port": str(self.port), "dbname": database, "user": role,
                  "sslmode": "verify-full", "sslrootcert": str(self.ca),
                  "passfile": str(self.passfile), **extra}
        return " ".join(f"{k}='{v}'" for k, v in params.items())

    def superuser(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(host=str(self.socket), port=self.port, user="postgres",
                               dbname="postgres", autocommit=True)

    # -- databases -----------------------------------------------------------------------
    def create_database(self) -> str:
        """A new database owned by its own administrator role; returns the admin's URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        with self.superuser() as conn:
            conn.execute(f'CREATE ROLE "{name}_admin" LOGIN CREATEROLE PASSWORD '
                         f"'{self.password}'")
            conn.execute(f'CREATE DATABASE "{name}" OWNER "{name}_admin"')
            conn.execute(f'REVOKE ALL ON DATABASE "{name}" FROM PUBLIC')
        return self.admin_url(name)

    def stop(self) -> None:
        if self in _CURRENT:
            _CURRENT.remove(self)
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass
        time.sleep(0.1)
        shutil.rmtree(self.tmp, ignore_errors=True)
