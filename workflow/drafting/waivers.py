"""`check --accept`: a parity finding set aside by the member who acts, with the reason.

A waiver is a row of ``waivers`` written with a ``waive`` audit event in one transaction
(the row bound to the chain like every fact). It names the finding by its id and the hash
of the paragraph's texts it was judged on: while the paragraph stays as it is, the
finding blocks nothing (not approval, not submission) and is listed as set aside by
``check``, ``status``, the comments matrix and the dossier; once any of its texts changes
it stands again. Who may: the secretary and the approving members (``ACTIONS``), in any
state before submission.
"""

from __future__ import annotations

from dataclasses import dataclass

from drafts.parity.waivers import resolve, unit_hashes
from workflow import clock
from workflow.app import App
from workflow.errors import InvalidInput
from workflow.lifecycle import parity
from workflow.lifecycle.steps import act, allow
from workflow.members import refuse_hostile
from workflow.store import audit
from workflow.store.models import Waiver, key_of
from workflow.store.texts import load_version

__all__ = ["Accepted", "accept", "MAX_REASON"]

MAX_REASON = 2000


@dataclass(frozen=True)
class Accepted:
    """One finding set aside."""

    finding: str
    ref: str
    rule: str
    languages: list[str]
    severity: str
    by: str
    reason: str
    version: int

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)

    def line(self) -> str:
        return (f"set aside {self.finding} {self.ref} {self.rule} "
                f"[{','.join(self.languages)}] ({self.severity}) by {self.by} on version "
                f"{self.version}: {self.reason}")


def accept(app: App, ref: str, names: list[str], reason: str) -> list[Accepted]:
    """Set aside the findings ``names`` (ids ``f-…`` or ``REF:RULE``) of the current
    version, for the reason given, in the name of the member who acts."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("say why the finding is set aside (--reason \"…\"): the reason is "
                           "kept with the waiver and shown wherever the finding was")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"--reason of {len(reason)} characters is longer than {MAX_REASON}")
    refuse_hostile("--reason", reason)
    if not names:
        raise InvalidInput("name the finding to set aside: --accept ID (the ids are in "
                           "'resolutions check REF')")
    with app.write() as session:
        row = app.resolution(session, ref)
        member = app.acting_member(session)
        decision = allow(app, session, "check --accept", row=row, actor=member)
        version = app.version(session, row)
        model = load_version(session, version)
        standing, waived = parity.split(session, row, model)
        hashes = unit_hashes(model)
        done: list[Accepted] = []
        act(session, decision, row)
        for name in dict.fromkeys(names):
            already = [w for w in waived if w.finding.id == name.strip().lower()]
            if already:
                raise InvalidInput(f"{name} ({already[0].finding.ref} {already[0].finding.rule}) "
                                   f"is already set aside by {already[0].waiver['member']}")
            finding = resolve(standing, name)
            waiver = Waiver(resolution_id=key_of(row), version_number=version.number,
                            finding=finding.id, paragraph_id=finding.paragraph_id,
                            ref=finding.ref, rule=finding.rule,
                            languages=",".join(finding.languages), severity=finding.severity,
                            message=finding.message,
                            texts_hash=hashes.get(finding.paragraph_id, ""), reason=reason,
                            member_id=member.id, at=clock.now())
            session.add(waiver)
            session.flush()
            audit.record(session, actor=member.id, action="waive", resolution=row, detail={
                "finding": finding.id, "ref": finding.ref, "rule": finding.rule,
                "languages": list(finding.languages), "severity": finding.severity,
                "version": version.number, "texts_hash": waiver.texts_hash,
                "reason": reason, "waiver": waiver.id})
            standing = [f for f in standing if f.id != finding.id]
            done.append(Accepted(finding.id, finding.ref, finding.rule,
                                 list(finding.languages), finding.severity, member.id, reason,
                                 version.number))
        return done
