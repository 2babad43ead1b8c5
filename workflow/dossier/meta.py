"""Descriptive metadata of a dossier: Dublin Core per resolution, Akoma Ntoso of the
current text, the bag-level record (``data/dossier.json``) and the ``bag-info.txt`` fields.

Every date comes from the data (version, event and row timestamps), never from the clock,
so that the same workspace always gives the same bytes.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from sqlmodel import Session

from workflow.app import App
from workflow.drafting.interop import build_akn
from workflow.store.chain import iso
from workflow.store.models import AuditEvent, ResolutionRow, Version
from workflow.store.texts import load_version

__all__ = ["dublin_core", "akn_xml", "forget_akn", "bag_info", "DossierStats"]

DC_NS = "http://purl.org/dc/elements/1.1/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"


def _el(name: str, text: str, lang: str | None = None) -> str:
    attr = f" xml:lang={quoteattr(lang)}" if lang else ""
    return f"  <dc:{name}{attr}>{escape(text)}</dc:{name}>\n"


def dublin_core(app: App, session: Session, row: ResolutionRow, versions: Sequence[Version],
                events: Sequence[AuditEvent]) -> bytes:
    """An ``oai_dc`` record: titles per language, the working group, dates, identifiers."""

    model = None
    if versions:
        try:
            model = load_version(session, versions[-1])
        except Exception:  # a text that no longer parses is reported by verify, not here
            model = None
    body = app.workspace.bodies().get(row.body)
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" '
           f'xmlns:dc="{DC_NS}">\n']
    titles = dict(model.title) if model is not None else {"en": row.title}
    for lang in (model.languages if model is not None else titles):
        if titles.get(lang):
            out.append(_el("title", titles[lang], lang))
    for lang, name in sorted(app.workspace.group_names.items()):
        out.append(_el("creator", name, lang))
    if body is not None:
        for lang, name in sorted(body.names.items()):
            out.append(_el("publisher", name, lang))
    out.append(_el("identifier", row.symbol))
    out.append(_el("type", "Text"))
    out.append(_el("type", "resolution"))
    out.append(_el("format", "application/pdf"))
    out.append(_el("date", row.created_at.date().isoformat()))
    if versions:
        out.append(_el("date", versions[-1].created_at.date().isoformat()))
    for lang in (model.languages if model is not None else ()):
        out.append(_el("language", lang))
    out.append(_el("description", f"state: {row.state}; versions: {len(versions)}; "
                   f"audit events: {len(events)}"))
    out.append(_el("rights", "Working-group document"))
    out.append("</oai_dc:dc>\n")
    return "".join(out).encode("utf-8")


def akn_xml(app: App, session: Session, row: ResolutionRow) -> tuple[bytes | None, str]:
    """Akoma Ntoso XML of the current version (all languages), or (None, why not).

    An export plans each resolution twice (to find the documents to render, then to write);
    the XML made the first time is kept for the second (:func:`forget_akn` after the
    export), keyed by the row's version counter, which any change to the row moves."""
    key = (row.id, row.row_version, row.current_version)
    if key in _AKN:
        return _AKN[key]
    try:  # the same document as `export-akn`: opening line, original wIds, person slugs
        made: tuple[bytes | None, str] = (
            build_akn(app, session, row, app.version(session, row)), "")
    except Exception as exc:  # the dossier is still written; record.json says why
        made = (None, f"Akoma Ntoso export failed: {exc}")
    _AKN[key] = made
    return made


_AKN: dict[tuple[object, ...], tuple[bytes | None, str]] = {}


def forget_akn() -> None:
    _AKN.clear()


class DossierStats:
    """Counts and the data's date range, gathered while writing (for bag-info.txt)."""

    def __init__(self) -> None:
        self.resolutions = 0
        self.versions = 0
        self.signatures = 0
        self.submissions = 0
        self.events = 0
        self.earliest: _dt.datetime | None = None
        self.latest: _dt.datetime | None = None

    def see(self, *moments: _dt.datetime | None) -> None:
        for at in moments:
            if at is None:
                continue
            if at.tzinfo is None:
                at = at.replace(tzinfo=_dt.timezone.utc)
            self.earliest = at if self.earliest is None else min(self.earliest, at)
            self.latest = at if self.latest is None else max(self.latest, at)

    def to_json(self) -> dict[str, object]:
        return {"resolutions": self.resolutions, "versions": self.versions,
                "signatures": self.signatures, "submissions": self.submissions,
                "audit_events": self.events,
                "earliest": iso(self.earliest) if self.earliest else None,
                "latest": iso(self.latest) if self.latest else None}


def bag_info(app: App, stats: DossierStats, files: int, octets: int,
             bagging_date: _dt.date, head: tuple[int, str]) -> list[tuple[str, str]]:
    """The ``bag-info.txt`` fields, in order (RFC 8493 §2.2.2 reserved names first)."""
    group = app.workspace.settings.group
    fields = [
        ("Source-Organization", app.workspace.name),
        ("Organization-Address", group.address or app.workspace.name),
        ("External-Description", f"Dossier of {stats.resolutions} resolution(s) of the "
         f"{app.workspace.name}: versions, review, approvals, signatures, submissions, "
         "audit log"),
        ("External-Identifier", f"{app.workspace.prefix}-dossier"),
        ("Bagging-Date", bagging_date.isoformat()),
        ("Payload-Oxum", f"{octets}.{files}"),
        ("Bag-Software-Agent", "brics-resolutions dossier export"),
        ("Working-Group", app.workspace.name),
        ("Working-Group-Prefix", app.workspace.prefix),
        ("Resolution-Count", str(stats.resolutions)),
        ("Version-Count", str(stats.versions)),
        ("Signature-Count", str(stats.signatures)),
        ("Submission-Count", str(stats.submissions)),
        ("Audit-Event-Count", str(stats.events)),
        ("Audit-Head", f"{head[0]} {head[1]}"),
    ]
    if stats.earliest and stats.latest:
        fields += [("Earliest-Date", iso(stats.earliest)), ("Latest-Date", iso(stats.latest))]
    return [(k, " ".join(v.split())) for k, v in fields]
