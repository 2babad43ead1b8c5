"""The dossier's history in the archivists' vocabulary: PREMIS 3.0 (``data/premis.xml``).

Derived from the audit chain the bag carries: one PREMIS *event* per event of the exported
resolutions — creation, modification, review (circulation, comments, amendments and the
decisions on them, the close of a round), approval, signing, submission, receipt, the
steps of state — each with its outcome and the agent who acted; and one *sealing* event,
the secretariat's seal on this bag, dated at the moment of sealing. The *agents* are the
members (people), the working group's secretariat (its seal), the bodies the resolutions
were submitted to, and this software. Each resolution is an *intellectual entity*
identified by its symbol; the signed PDFs are *file* objects with their SHA-256.

The event types are the Library of Congress preservation vocabulary's
(``id.loc.gov/vocabulary/preservation/eventType``) where it has the term (creation,
modification, digital signature generation, transfer); review, approval, receipt and
state are this workflow's own, under the authority ``brics-resolutions``. The file is
checked against the PREMIS 3.0 schema shipped in ``drafts/data/premis/`` before it is
written.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterable, Sequence
from importlib import metadata
from typing import TYPE_CHECKING, Any

from lxml import etree

from drafts import xsd

if TYPE_CHECKING:
    from sqlmodel import Session

    from workflow.app import App

__all__ = ["PREMIS_FILE", "NS", "EventFact", "premis_xml", "event_kind", "validate",
           "dossier_premis"]

PREMIS_FILE = "premis.xml"
NS = "http://www.loc.gov/premis/v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
LOC_EVENTS = "http://id.loc.gov/vocabulary/preservation/eventType"
LOC_AGENTS = "http://id.loc.gov/vocabulary/preservation/agentType"
OURS = "brics-resolutions"

#: audit action -> (event type, from the LoC vocabulary?)
_KINDS: dict[str, tuple[str, bool]] = {
    "new": ("creation", True),
    "edit": ("modification", True), "apply-amendments": ("modification", True),
    "translations-import": ("modification", True),
    "translations-confirm": ("review", False),
    "circulate": ("review", False), "comment": ("review", False), "amend": ("review", False),
    "dispose": ("review", False), "amendment-decide": ("review", False),
    "close_review_changes": ("review", False), "close_review_no_objection": ("review", False),
    "approve": ("approval", False), "object": ("approval", False),
    "signing-base": ("creation", True), "completion-certificate": ("creation", True),
    "sign": ("digital signature generation", True),
    "submit": ("transfer", True),
    "receipt": ("receipt", False), "acknowledge": ("receipt", False),
    "adopt": ("receipt", False), "return": ("receipt", False), "reject": ("receipt", False),
}


def event_kind(action: str) -> tuple[str, bool]:
    """The PREMIS event type of an audit action, and whether it is the LoC vocabulary's."""
    return _KINDS.get(action, ("state", False))


class EventFact:
    """One audit event as PREMIS needs it."""

    def __init__(self, seq: int, at: _dt.datetime, actor: str, action: str, outcome: str,
                 symbol: str, detail: str, hash_: str) -> None:
        self.seq, self.at, self.actor, self.action = seq, at, actor, action
        self.outcome, self.symbol, self.hash = outcome, symbol, hash_
        try:
            parsed = json.loads(detail or "{}")
        except ValueError:
            parsed = {}
        self.detail: dict[str, Any] = parsed if isinstance(parsed, dict) else {}


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NS}}}{tag}")
    for key, value in attrs.items():
        node.set(key, value)
    if text is not None:
        node.text = text
    return node


def _iso(at: _dt.datetime) -> str:
    moment = at if at.tzinfo else at.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).isoformat().replace("+00:00", "Z")


def _outcome(fact: EventFact) -> tuple[str, str]:
    """(outcome, detail note) of an event."""
    d = fact.detail
    if fact.outcome != "ok":
        return "refused", str(d.get("reason", ""))
    if fact.action in ("approve", "object"):
        return ("approved" if fact.action == "approve" else "objected"), str(d.get("note", ""))
    if fact.action == "receipt":
        return str(d.get("outcome", "recorded")), f"reference {d.get('reference', '')}".strip()
    if fact.action == "dispose":
        return str(d.get("disposition", "decided")), f"comment {d.get('comment', '')}"
    if fact.action == "amendment-decide":
        return str(d.get("status", "decided")), f"amendment {d.get('amendment', '')}"
    notes = [f"{k} {d[k]}" for k in ("version", "round", "body", "state", "content_hash",
                                     "package_sha256", "signed_sha256") if d.get(k)]
    return "success", "; ".join(notes)


def _agent_ref(event: etree._Element, kind: str, value: str, role: str) -> None:
    link = _el(event, "linkingAgentIdentifier")
    _el(link, "linkingAgentIdentifierType", kind)
    _el(link, "linkingAgentIdentifierValue", value)
    _el(link, "linkingAgentRole", role)


def _object_ref(event: etree._Element, kind: str, value: str, role: str) -> None:
    link = _el(event, "linkingObjectIdentifier")
    _el(link, "linkingObjectIdentifierType", kind)
    _el(link, "linkingObjectIdentifierValue", value)
    _el(link, "linkingObjectRole", role)


def _event(root: etree._Element, ident: str, kind: tuple[str, bool], at: str, detail: str,
           outcome: tuple[str, str]) -> etree._Element:
    event = _el(root, "event")
    identifier = _el(event, "eventIdentifier")
    _el(identifier, "eventIdentifierType", OURS)
    _el(identifier, "eventIdentifierValue", ident)
    name, loc = kind
    if loc:
        _el(event, "eventType", name, authority="eventType", authorityURI=LOC_EVENTS)
    else:
        _el(event, "eventType", name, authority=OURS)
    _el(event, "eventDateTime", at)
    if detail:
        _el(_el(event, "eventDetailInformation"), "eventDetail", detail)
    info = _el(event, "eventOutcomeInformation")
    _el(info, "eventOutcome", outcome[0])
    if outcome[1]:
        _el(_el(info, "eventOutcomeDetail"), "eventOutcomeDetailNote", outcome[1])
    return event


def premis_xml(*, resolutions: Sequence[tuple[str, str]], events: Iterable[EventFact],
               members: Sequence[tuple[str, str]], bodies: Sequence[tuple[str, str]],
               signed: Sequence[tuple[str, str, str]], seal: tuple[str, str],
               sealed_at: _dt.datetime, head: tuple[int, str]) -> bytes:
    """The PREMIS document. ``resolutions``: (symbol, title); ``members``/``bodies``: (id,
    name); ``signed``: (symbol, bag path, SHA-256) of each signed PDF; ``seal``: (common
    name, certificate SHA-256); ``head``: the audit head the bag holds."""
    root = etree.Element(f"{{{NS}}}premis", nsmap={"premis": NS, "xsi": XSI}, version="3.0")
    for symbol, title in resolutions:
        _entity(root, symbol, title)
    for symbol, path, sha256 in signed:
        _signed_file(root, symbol, path, sha256)
    signed_of = {symbol: path for symbol, path, _ in signed}
    for fact in events:
        _audit_event(root, fact, bodies, signed_of)
    _sealing(root, resolutions, seal, sealed_at, head)
    for ident, name in members:
        _agent(root, "member", ident, name, "person")
    for ident, name in bodies:
        _agent(root, "body", ident, name, "organization")
    _agent(root, "seal", seal[1], seal[0], "organization",
           "the working group's secretariat: its seal on the exported dossier")
    try:
        version = metadata.version(OURS)
    except metadata.PackageNotFoundError:
        version = ""
    _agent(root, "software", OURS, OURS, "software", version=version)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    problems = validate(out)
    if problems:  # a bug: the document is ours from end to end
        raise ValueError("PREMIS does not validate: " + "; ".join(problems[:3]))
    return out


def _entity(root: etree._Element, symbol: str, title: str) -> None:
    """A resolution: an intellectual entity named by its symbol."""
    entity = _el(root, "object")
    entity.set(f"{{{XSI}}}type", "premis:intellectualEntity")
    ident = _el(entity, "objectIdentifier")
    _el(ident, "objectIdentifierType", "symbol", authority=OURS)
    _el(ident, "objectIdentifierValue", symbol)
    if title:
        _el(entity, "originalName", title)


def _signed_file(root: etree._Element, symbol: str, path: str, sha256: str) -> None:
    """A signed PDF: a file of the bag with its fixity, part of its resolution."""
    obj = _el(root, "object")
    obj.set(f"{{{XSI}}}type", "premis:file")
    ident = _el(obj, "objectIdentifier")
    _el(ident, "objectIdentifierType", "bag path", authority=OURS)
    _el(ident, "objectIdentifierValue", path)
    chars = _el(obj, "objectCharacteristics")
    fixity = _el(chars, "fixity")
    _el(fixity, "messageDigestAlgorithm", "SHA-256", authority="cryptographicHashFunctions")
    _el(fixity, "messageDigest", sha256)
    fmt = _el(chars, "format")
    _el(_el(fmt, "formatDesignation"), "formatName", "application/pdf")
    rel = _el(obj, "relationship")
    _el(rel, "relationshipType", "structural")
    _el(rel, "relationshipSubType", "is part of")
    related = _el(rel, "relatedObjectIdentifier")
    _el(related, "relatedObjectIdentifierType", "symbol")
    _el(related, "relatedObjectIdentifierValue", symbol)


def _audit_event(root: etree._Element, fact: EventFact, bodies: Sequence[tuple[str, str]],
                 signed_of: dict[str, str]) -> None:
    """One audit event: who did it, to which resolution, and what it produced."""
    kind = event_kind(fact.action)
    detail = f"{fact.action} (audit event {fact.seq}, SHA-256 {fact.hash})"
    event = _event(root, f"audit-{fact.seq}", kind, _iso(fact.at), detail, _outcome(fact))
    _agent_ref(event, "member", fact.actor or "engine", "implementer")
    if fact.action == "submit" and fact.detail.get("body"):
        _agent_ref(event, "body", str(fact.detail["body"]), "recipient")
    if fact.action == "receipt":
        for ident, _name in bodies:
            _agent_ref(event, "body", ident, "issuer")
    if fact.symbol:
        _object_ref(event, "symbol", fact.symbol, "source")
    if fact.action == "sign" and fact.symbol in signed_of:
        _object_ref(event, "bag path", signed_of[fact.symbol], "outcome")


def _sealing(root: etree._Element, resolutions: Sequence[tuple[str, str]], seal: tuple[str, str],
             sealed_at: _dt.datetime, head: tuple[int, str]) -> None:
    """The seal over the bag: the last event, by the secretariat's seal and this program."""
    sealing = _event(root, f"seal-{head[0]}-{head[1][:16]}", ("digital signature generation", True),
                     _iso(sealed_at), "the secretariat's seal (seal.p7s, CMS) over "
                     f"tagmanifest-sha256.txt; audit head {head[0]} {head[1]}",
                     ("success", f"seal certificate SHA-256 {seal[1]}"))
    _agent_ref(sealing, "seal", seal[1], "implementer")
    _agent_ref(sealing, "software", OURS, "executing program")
    for symbol, _title in resolutions:
        _object_ref(sealing, "symbol", symbol, "source")


def _agent(root: etree._Element, kind: str, ident: str, name: str, agent_type: str, note: str = "",
           version: str = "") -> None:
    agent = _el(root, "agent")
    identifier = _el(agent, "agentIdentifier")
    _el(identifier, "agentIdentifierType", kind, authority=OURS)
    _el(identifier, "agentIdentifierValue", ident)
    if name:
        _el(agent, "agentName", name)
    _el(agent, "agentType", agent_type, authority="agentType", authorityURI=LOC_AGENTS)
    if version:
        _el(agent, "agentVersion", version)
    if note:
        _el(agent, "agentNote", note)


def validate(xml: bytes) -> list[str]:
    """Errors of ``xml`` against the PREMIS 3.0 schema ("line N: message"); [] if valid."""
    return xsd.validate(xml, "premis", "premis-v3-0.xsd")


def dossier_premis(app: App, session: Session, ids: Sequence[int], signed_pdfs: Sequence[str],
                   digests: dict[str, str], seal: tuple[str, str], sealed_at: _dt.datetime,
                   head: tuple[int, str]) -> bytes:
    """The PREMIS of the resolutions ``ids`` as the bag holds them: ``signed_pdfs`` are the
    signed PDFs' paths (``data/…``), ``digests`` the SHA-256 of each payload path (relative
    to ``data/``), ``sealed_at`` the moment of the export that seals it."""
    from sqlmodel import col, select

    from workflow.store.models import AuditEvent, Member, ResolutionRow, Submission

    found = [session.get(ResolutionRow, rid) for rid in ids]
    rows = [r for r in found if r is not None]
    by_folder = {}
    from workflow.dossier.plan import folder_of

    for row in rows:
        by_folder[folder_of(row)] = row.symbol
    signed = []
    for path in signed_pdfs:
        rel = path.removeprefix("data/")
        folder = rel.split("/", 1)[0]
        if folder in by_folder and rel in digests:
            signed.append((by_folder[folder], rel, digests[rel]))
    facts = [EventFact(e.seq, e.at, e.actor, e.action, e.outcome, e.symbol, e.detail, e.hash)
             for e in session.exec(select(AuditEvent).where(
                 col(AuditEvent.resolution_id).in_([r.id for r in rows]))
                 .order_by(col(AuditEvent.seq)))]
    members = [(m.id, m.name) for m in session.exec(select(Member).order_by(Member.id))]
    codes = sorted({s.body for s in session.exec(select(Submission).where(
        col(Submission.resolution_id).in_([r.id for r in rows])))})
    bodies = []
    for code in codes:
        try:
            body = app.workspace.body(code)
            bodies.append((code, body.names.get("en") or next(iter(body.names.values()), code)))
        except Exception:  # noqa: BLE001 - a body no longer in the registry keeps its code
            bodies.append((code, code))
    return premis_xml(resolutions=[(r.symbol, r.title) for r in rows], events=facts,
                      members=members, bodies=bodies, signed=signed, seal=seal,
                      sealed_at=sealed_at,
                      head=head)
