"""Creating a workspace and its database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.errors import WorkspaceError
from workflow.store.db import Database
from workflow.store.workspace import CONFIG_NAME, STATE_DIR, Workspace, create

if TYPE_CHECKING:
    from workflow.store.blobs import FileStore
    from workflow.store.settings import Recorded

__all__ = ["init_workspace", "attach_workspace", "shown_url"]


def shown_url(url: str) -> str:
    """A database URL as it may be printed (the password masked)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def init_workspace(root: Path, *, name: str, prefix: str, languages: tuple[str, ...],
                   approval_rule: str, names: dict[str, str] | None = None,
                   required_signatories: tuple[str, ...] = (),
                   timestamp_url: str = "", crl_url: str = "",
                   database_url: str | None = None) -> Workspace:
    """Write the workspace files and create (migrate) its database."""
    from drafts.languages import REGISTRY, supported

    unknown = [lang for lang in languages if lang not in REGISTRY]
    if unknown or not languages:
        raise WorkspaceError(f"cannot render language(s) {', '.join(unknown) or '(none given)'}"
                             f"; the supported languages are {supported()}")
    if len(set(languages)) != len(languages):
        raise WorkspaceError(f"--languages lists a language twice ({', '.join(languages)}); "
                             "list each once, in column order")
    import shutil

    had_state = (root / STATE_DIR).exists()
    ws = create(root, name=name, prefix=prefix, languages=languages,
                approval_rule=approval_rule, names=names,
                required_signatories=required_signatories, timestamp_url=timestamp_url,
                crl_url=crl_url, database_url=database_url)
    db = Database(ws.database_url, admin=True)
    try:
        db.migrate()  # creates the schema
        from workflow.store.settings import record_config

        with db.write() as session:  # the rules the workspace starts with
            record_config(session, ws.root, actor="init", shared=ws.files)
    except BaseException:
        # nothing half-made: a failed init leaves the folder as it found it
        db.dispose()
        (ws.root / CONFIG_NAME).unlink(missing_ok=True)
        if not had_state:
            shutil.rmtree(ws.root / STATE_DIR, ignore_errors=True)
        raise
    db.dispose()
    return ws


def attach_workspace(root: Path, database_url: str) -> Workspace:
    """A folder on this machine for a working group whose database is shared (PostgreSQL):
    ``resolutions.toml`` as the group last recorded it (checked against the chain's
    ``config`` event) and an empty ``.resolutions/`` that fills from the shared store as
    commands need its files. Private keys stay where they are: a signatory's key is
    imported on the signatory's own machine."""
    from workflow.store.blobs import FileStore
    from workflow.store.workspace import find

    root = Path(root).resolve()
    if not database_url.startswith(("postgresql+psycopg://", "postgresql://")):
        raise WorkspaceError("attach joins a shared PostgreSQL database: set "
                             "RESOLUTIONS_DATABASE_URL=postgresql+psycopg://… (a SQLite "
                             "workspace is one folder; copy it instead)")
    if (root / CONFIG_NAME).exists():
        raise WorkspaceError(f"{root} is already a workspace ({CONFIG_NAME} exists)")
    last = _last_rules(database_url)
    files = FileStore(root, database_url)
    try:
        data = _shared_rules(files, last)
        _make_folder(root, data, files.sync_keys)
    finally:
        files.close()
    return find(root)


def _last_rules(database_url: str) -> Recorded:
    """The chain's last ``config`` event: (seq, detail)."""
    import json

    from sqlalchemy.exc import ProgrammingError
    from sqlmodel import col, select

    from workflow.store.models import AuditEvent
    from workflow.store.settings import last_recorded

    db = Database(database_url)
    try:
        with db.read() as session:
            rows = session.exec(select(AuditEvent.seq, AuditEvent.action, AuditEvent.detail)
                                .where(AuditEvent.action == "config").order_by(col(AuditEvent.seq)))
            last = last_recorded([(seq, a, json.loads(d)) for seq, a, d in rows])
    except ProgrammingError:  # no tables: nobody ran 'init' on this database
        last = None
    finally:
        db.dispose()
    if last is None:
        raise WorkspaceError("this database holds no working group yet (no rules recorded); "
                             "create it with 'resolutions init' on the first machine")
    return last


def _shared_rules(files: FileStore, last: Recorded) -> bytes:
    """The shared ``resolutions.toml``, refused unless it is the copy the chain recorded."""
    from workflow.store.settings import rules_of

    found = files._rows("SELECT sha256 FROM shared_files WHERE path = %s", (CONFIG_NAME,))
    data: bytes | None = files.blob(str(found[0][0])) if found else None
    if data is None:
        raise WorkspaceError(f"the shared store holds no {CONFIG_NAME}; on the first "
                             "machine run 'resolutions audit config' to share it")
    if rules_of(data)[0] != last.sha256:
        raise WorkspaceError(f"the shared {CONFIG_NAME} is not the copy audit event "
                             f"{last.seq} recorded; on the first machine run 'resolutions "
                             "audit verify', then 'resolutions audit config'")
    return data


def _make_folder(root: Path, rules: bytes, fill: Callable[[], None]) -> None:
    """The folder with the rules and an empty state directory; nothing left on failure."""
    import shutil

    had = root.exists()
    root.mkdir(parents=True, exist_ok=True)
    try:
        (root / CONFIG_NAME).write_bytes(rules)
        state = root / STATE_DIR
        for sub in ("", "store", "outbox", "keys"):
            (state / sub).mkdir(parents=True, exist_ok=True)
        (state / "keys").chmod(0o700)
        (state / ".gitignore").write_text("*\n", encoding="utf-8")
        fill()
    except BaseException:
        (root / CONFIG_NAME).unlink(missing_ok=True)
        shutil.rmtree(root / STATE_DIR, ignore_errors=True)
        if not had:
            shutil.rmtree(root, ignore_errors=True)
        raise
