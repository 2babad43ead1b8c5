"""Everything a key command can refuse, checked before anyone types a passphrase: the role,
the member, whether the CA exists (or must not yet), whether a file would be overwritten,
whether there is a certificate to revoke. Each function raises what the command itself
would raise later, so the order of questions is: refuse first, ask last.

(``sign`` has :func:`workflow.signing.sign.may_sign`; ``approve`` with a key has
:func:`workflow.review.approval.may_approve`.)
"""

from __future__ import annotations

from pathlib import Path

from signatures.errors import KeyFileError
from workflow.app import App
from workflow.errors import InvalidInput, WorkflowError
from workflow.lifecycle.steps import allow
from workflow.signing.keys import ca_dir

__all__ = ["may_init_ca", "may_issue", "may_import", "may_revoke"]


def _ca_needed(app: App, what: str) -> None:
    if not (ca_dir(app) / "ca.pem").is_file():
        raise WorkflowError(f"the working group has no CA yet, so it cannot {what}: run "
                            "'resolutions keys init-ca' first")


def may_init_ca(app: App) -> None:
    with app.write() as session:
        allow(app, session, "keys init-ca")
    for name in ("ca.pem", "ca.key.pem"):
        path = ca_dir(app) / name
        if path.exists():
            raise KeyFileError(path, "a CA already exists here",
                               "Keep using it ('resolutions keys list' shows it), or move "
                               "the directory away to start a new CA.")


def may_issue(app: App, member_id: str, out: Path | None) -> None:
    with app.write() as session:
        allow(app, session, "keys issue")
        app.member(session, member_id)
    _ca_needed(app, "issue certificates")
    target = Path(out) if out else app.workspace.keys_dir / f"{member_id}.p12"
    if target.exists():
        raise KeyFileError(target, "already exists",
                           "Choose another file name (--out) or move the old bundle away.")


def may_import(app: App, member_id: str) -> None:
    with app.write() as session:
        allow(app, session, "keys import")
        app.member(session, member_id)


def may_revoke(app: App, member_id: str) -> None:
    from workflow.signing.trust import revocable, revocations

    with app.write() as session:
        member, row = revocable(app, session, member_id)
        if any(r.fingerprint == row.fingerprint for r in revocations(session)):
            raise InvalidInput(f"{member.id}'s certificate is already revoked")
    _ca_needed(app, "revoke certificates")

