"""Ordinary failures of the database and the disk, told as what happened and what to do.

A wrong password, a connection without TLS that ``pg_hba.conf`` refuses, a certificate
that does not verify, a server that went away, a full disk: none is a bug, and each becomes
one refusal (exit code 1) naming the login, the server or the file. Connection errors of
every engine the workspace opens are translated where SQLAlchemy reports them
(:func:`watch`); a disk error raised by our own writes names the file (:func:`disk_error`);
the command line's error boundary asks :func:`explain` about anything else.

A step that fails this way has changed nothing: its transaction is rolled back and files
are only ever renamed into place once complete (``workflow.store.files``)."""

from __future__ import annotations

import errno
import os
import re
from typing import TYPE_CHECKING, TypeVar

from workflow.errors import WorkflowError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, ExceptionContext

    #: a database URL as text or as SQLAlchemy parsed it
    Url = str | URL

__all__ = ["DatabaseUnavailable", "DiskFull", "explain", "watch", "disk_error", "where"]

_NOTHING = "nothing was changed"
E = TypeVar("E")


class DatabaseUnavailable(WorkflowError):
    """The database could not be reached, or refused this login."""

    error_code = "database"


class DiskFull(WorkflowError):
    """A file or the database could not be written: the disk is full (or read-only)."""

    error_code = "disk-full"


def where(url: Url | None) -> str:
    """``role@host:port/database`` of a SQLAlchemy URL (no password), or ``""``."""
    if url is None:
        return ""
    try:
        from sqlalchemy.engine import make_url

        u = make_url(str(url)) if isinstance(url, str) else url
        query = dict(u.query)
        host = u.host or str(query.get("host", "")) or "the local socket"
        port = f":{u.port}" if u.port else ""
        return f"{u.username or '(no role)'}@{host}{port}/{u.database or ''}"
    except Exception:  # noqa: BLE001 - a description, never a second error
        return ""


def _role(url: Url | None) -> str:
    if url is None:
        return ""
    try:
        from sqlalchemy.engine import make_url

        return str((make_url(str(url)) if isinstance(url, str) else url).username or "")
    except Exception:  # noqa: BLE001
        return ""


_PASSWORD = re.compile(r'password authentication failed for user "([^"]+)"')
_HBA = re.compile(r'pg_hba\.conf rejects connection for host "[^"]*", user "([^"]+)"'
                  r'(?:, database "[^"]*")?(?:, (no encryption|SSL encryption))?'
                  r'|no pg_hba\.conf entry for host "[^"]*", user "([^"]+)"'
                  r'(?:, database "[^"]*")?(?:, (no encryption|SSL encryption))?')
_GONE = ("server closed the connection unexpectedly", "terminating connection due to",
         "SSL SYSCALL error", "consuming input failed", "the connection is closed",
         "connection is lost", "could not receive data from server",
         "could not send data to server", "server conn crashed", "connection was closed")


def _postgres(text: str, url: Url | None) -> WorkflowError | None:
    at = where(url)
    login = f" ({at})" if at else ""
    return _password(text, url, login) or _access(text, url, login) or _server(text, login)


def _password(text: str, url: Url | None, login: str) -> WorkflowError | None:
    """The login's password: refused, or none found."""
    found = _PASSWORD.search(text)
    if found:
        return DatabaseUnavailable(
            f"the database refused the password of role {found[1]}{login}: correct that "
            "role's line in your passfile (~/.pgpass, or passfile=… in "
            "RESOLUTIONS_DATABASE_URL), or ask the administrator for a new password "
            f"('resolutions member password'); {_NOTHING}")
    if "no password supplied" in text:
        role = _role(url) or "this role"
        return DatabaseUnavailable(
            f"the database asks {role} for a password and none was found{login}: put a "
            f"line HOST:PORT:DATABASE:{role}:PASSWORD in ~/.pgpass (mode 0600), or name a "
            f"passfile or service in RESOLUTIONS_DATABASE_URL; {_NOTHING}")
    return None


def _access(text: str, url: Url | None, login: str) -> WorkflowError | None:
    """pg_hba.conf, TLS and the role itself."""
    found = _HBA.search(text)
    if found:
        role = found[1] or found[3]
        plain = (found[2] or found[4]) == "no encryption"
        if plain:
            return DatabaseUnavailable(
                f"the server refused a connection without TLS for role {role}{login} "
                "(pg_hba.conf): add sslmode=verify-full&sslrootcert=CA.pem to "
                f"RESOLUTIONS_DATABASE_URL; {_NOTHING}")
        return DatabaseUnavailable(
            f"the server's pg_hba.conf has no entry that lets role {role} in{login}: ask the "
            f"administrator to allow it (docs/SECURITY.md); {_NOTHING}")
    if "certificate verify failed" in text or "server certificate for" in text:
        return DatabaseUnavailable(
            f"the database server's TLS certificate does not verify{login}: check "
            "sslrootcert= in RESOLUTIONS_DATABASE_URL names the CA that issued it and that "
            f"the host name matches the certificate; {_NOTHING}")
    if "server does not support SSL" in text:
        return DatabaseUnavailable(
            f"the database server does not offer TLS{login}: ask its administrator to turn "
            f"ssl on; connecting without it is refused; {_NOTHING}")
    if ('role "' in text and "does not exist" in text) or "is not permitted to log in" in text:
        role = _role(url) or "this role"
        return DatabaseUnavailable(
            f"the database has no login {role}{login}: a member's role is made by 'resolutions "
            "member add' (a removed member's login is taken away); check --as, "
            f"RESOLUTIONS_USER and RESOLUTIONS_DATABASE_URL; {_NOTHING}")
    return None


def _server(text: str, login: str) -> WorkflowError | None:
    """The server: unreachable, gone, full, busy, starting or stopping."""
    if "Connection refused" in text or "could not translate host name" in text \
            or "No such file or directory" in text and "socket" in text \
            or "timeout expired" in text or "No route to host" in text:
        return DatabaseUnavailable(
            f"cannot reach the database server{login}: is PostgreSQL running, and are host "
            f"and port in RESOLUTIONS_DATABASE_URL right? {_NOTHING}")
    if any(sign in text for sign in _GONE):
        return DatabaseUnavailable(
            f"the database server closed the connection{login} (it was stopped or "
            "restarted): this step was not saved; run it again once the server is back")
    if "No space left on device" in text or "could not extend file" in text \
            or "could not write" in text and "space" in text:
        return DiskFull(
            f"the database server's disk is full{login}: this step was not saved; ask the "
            "administrator to free space, then run it again")
    if "too many clients" in text or "remaining connection slots" in text:
        return DatabaseUnavailable(
            f"the database server accepts no more connections now{login}: wait a moment and "
            f"run the command again; {_NOTHING}")
    if "the database system is starting up" in text \
            or "the database system is shutting down" in text \
            or "not yet accepting connections" in text or "in recovery mode" in text:
        return DatabaseUnavailable(
            f"the database server is starting or stopping{login}: run the command again in a "
            f"moment; {_NOTHING}")
    return None


def _free(url: Url) -> int | None:
    """Bytes free on the disk of a SQLite URL's file (None: unknown)."""
    try:
        path = str(url).removeprefix("sqlite:///").removeprefix("file:").split("?")[0]
        found = os.statvfs(os.path.dirname(path) or ".")
        return int(found.f_bavail * found.f_frsize)
    except (OSError, ValueError):
        return None


def _sqlite(text: str, url: Url | None = None) -> WorkflowError | None:
    free = _free(url) if url is not None else None
    if free is not None and free < 256 * 1024 and (
            "disk I/O error" in text or "unable to open" in text or "disk is full" in text):
        return DiskFull(f"the disk holding the workspace's database is full ({free // 1024} KB "
                        "free): free some space and run the step again; it was not saved "
                        "(read-only commands still work)")
    if "database or disk is full" in text:
        return DiskFull("the disk holding the workspace's database is full: free some space "
                        "and run the step again; it was not saved")
    if "attempt to write a readonly database" in text:
        return DiskFull("the workspace's database cannot be written (read-only file or disk): "
                        "check its permissions; the step was not saved")
    if "unable to open database file" in text or "disk I/O error" in text:
        return DiskFull("the workspace's database cannot be opened or written (a full or "
                        "failing disk, or permissions): check the disk and "
                        "'.resolutions/resolutions.db'; the step was not saved")
    return None


def disk_error(exc: OSError, path: str | os.PathLike[str] | None = None) -> WorkflowError | None:
    """A full, read-only or forbidden disk, told with the file (None: another OSError)."""
    name = str(path or getattr(exc, "filename", "") or "") or "a file of the workspace"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(f"no space left on the disk to write {name}: free some space and run "
                        "the step again; nothing of it was saved")
    if exc.errno == errno.EROFS:
        return DiskFull(f"cannot write {name}: the disk is read-only; nothing was saved")
    if exc.errno in (errno.EACCES, errno.EPERM) and path is not None:
        return DiskFull(f"cannot write {name}: permission denied; check who owns the "
                        "workspace folder; nothing was saved")
    return None


def explain(exc: BaseException, url: Url | None = None) -> WorkflowError | None:
    """The refusal an ordinary failure is, or None (a bug, or not ours to explain)."""
    if isinstance(exc, WorkflowError):
        return None
    if isinstance(exc, OSError) and exc.errno is not None:
        return disk_error(exc)
    orig = getattr(exc, "orig", None) or exc
    module = type(orig).__module__
    text = str(orig)
    if module.startswith("psycopg"):
        return _postgres(text, url)
    if module.startswith("sqlite3"):
        return _sqlite(text, url)
    if isinstance(orig, OSError) and orig.errno is not None:
        return disk_error(orig)
    return None


def watch(engine: E) -> E:
    """Translate ``engine``'s connection and disk errors as they happen (with its URL)."""
    from sqlalchemy import event

    def translate(context: ExceptionContext) -> None:
        found = explain(context.original_exception, context.engine.url if context.engine
                        else None)
        if found is not None:
            raise found from None

    event.listen(engine, "handle_error", translate)
    return engine
