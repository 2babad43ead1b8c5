"""Creating a workspace and its database."""

from __future__ import annotations

from pathlib import Path

from workflow.errors import WorkspaceError
from workflow.store.db import Database
from workflow.store.workspace import CONFIG_NAME, STATE_DIR, Workspace, create

__all__ = ["init_workspace", "shown_url"]


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
            record_config(session, ws.root, actor="init")
    except BaseException:
        # nothing half-made: a failed init leaves the folder as it found it
        db.dispose()
        (ws.root / CONFIG_NAME).unlink(missing_ok=True)
        if not had_state:
            shutil.rmtree(ws.root / STATE_DIR, ignore_errors=True)
        raise
    db.dispose()
    return ws
