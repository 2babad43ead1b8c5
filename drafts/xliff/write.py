"""The XLIFF 1.2 file a translator receives, and its check against the OASIS schema.

- the ``<file>`` names the resolution (``original`` = its symbol), the version it was made
  from (``product-version``) and that version's content hash (``build-num``), so the file
  that comes back can be refused when it belongs to another text;
- each ``trans-unit`` has the paragraph id as ``id`` and its reference (``OP 3(b)``) as
  ``resname``; its ``target`` carries the state: ``needs-translation`` (no text yet),
  ``needs-review-translation`` (stale: the source changed since the translation was
  confirmed), ``translated`` (or ``final`` once the text is approved) — those confirmed
  units also say ``approved="yes"``, which is what translation tools read as "done";
- the header's ``phase`` (``phase-name="export"``) records the language pair the file
  was made for (``job-id``), so a file whose languages were changed is refused;
- a stale unit gets the source text its translation was made from as an ``alt-trans`` of
  type ``previous-version`` and as a note, so the translator sees what changed;
- the italic opener of a paragraph (``*Noting*``) is a ``<g ctype="italic">`` inline code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from drafts import xsd
from drafts.markup import plain, split_opener
from drafts.model import LANGUAGES, Resolution
from drafts.numbering import ref
from drafts.staleness import (
    MISSING,
    STALE,
    TITLE_ID,
    annex_title_id,
    stale_against,
    status,
    text_hash,
    units,
)

__all__ = ["NS", "TOOL_ID", "EXPORT_PHASE", "job_id", "Unit", "Header", "plan_units", "default_source", "build",
           "validate", "unit_refs"]

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_NS = "http://www.w3.org/XML/1998/namespace"
TOOL_ID = "brics-resolutions"
OPENER_ID = "1"
EXPORT_PHASE = "export"


@dataclass(frozen=True)
class Unit:
    """One trans-unit: ``status`` is the target language's (ok, stale, missing)."""

    id: str
    ref: str
    source: str
    target: str
    status: str
    previous_source: str | None = None
    changed_in: tuple[str, ...] = ()
    #: the current text of each changed language other than the source
    changed_texts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Header:
    symbol: str
    version: int
    content_hash: str
    source: str
    target: str
    date: str  # ISO 8601 with time zone
    final: bool = False
    tool_version: str = ""


def unit_refs(resolution: Resolution) -> dict[str, str]:
    """Unit id → how people name it: ``Title``, ``PP 2``, ``Annex 1 title``, ``Annex 1 OP 2``."""
    out = {TITLE_ID: "Title"}
    for index, annex in enumerate(resolution.annexes):
        out[annex_title_id(annex.id)] = f"Annex {index + 1} title"
    for located in resolution.walk():
        out[located.paragraph.id] = ref(located)
    return out


def _changed_languages(newer: Resolution, older: Resolution) -> set[str]:
    before = units(older)
    out = set()
    for unit_id, texts in units(newer).items():
        old = before.get(unit_id, {})
        for lang, text in texts.items():
            if text.strip() and text_hash(text) != text_hash(old.get(lang, "")):
                out.add(lang)
    return out


def default_source(resolution: Resolution, records: Mapping[str, Mapping[str, Mapping[str, str]]] | None,
                   target: str,
                   history: Sequence[Resolution] = ()) -> str:
    """The language that last changed (among those ``target`` is stale against, if any).

    ``history`` holds the earlier versions, newest first. Without a change to go by, the
    first other language of the resolution."""
    others = [lang for lang in resolution.languages if lang != target]
    behind = {lang for per in stale_against(resolution, records).values()
              for lang in per.get(target, ())}
    chain = [resolution, *history]
    for newer, older in zip(chain, chain[1:]):
        changed = _changed_languages(newer, older) - {target}
        if behind:
            changed &= behind
        for lang in others:
            if lang in changed:
                return lang
    for lang in others:
        if lang in behind:
            return lang
    return others[0] if others else target


def _previous(unit_id: str, lang: str, digest: str | None,
              history: Sequence[Resolution]) -> str | None:
    if digest is None:
        return None
    for older in history:
        text = units(older).get(unit_id, {}).get(lang, "")
        if text.strip() and text_hash(text) == digest:
            return text
    return None


def plan_units(resolution: Resolution, records: Mapping[str, Mapping[str, Mapping[str, str]]] | None,
               *, source: str,
               target: str, history: Sequence[Resolution] = ()) -> list[Unit]:
    """The units of the file, in document order, with what the translator needs to know."""
    records = records or {}
    states = status(resolution, records)
    stale = stale_against(resolution, records)
    names = unit_refs(resolution)
    out = []
    for unit_id, texts in units(resolution).items():
        state = states[unit_id].get(target, MISSING)
        previous, changed = None, tuple(stale.get(unit_id, {}).get(target, ()))
        if state == STALE and source in changed:
            digest = records.get(unit_id, {}).get(target, {}).get(source)
            previous = _previous(unit_id, source, digest, history)
        others = tuple((lang, texts.get(lang, "")) for lang in changed if lang != source)
        out.append(Unit(unit_id, names.get(unit_id, unit_id), texts.get(source, ""),
                        texts.get(target, ""), state, previous, changed, others))
    return out


def _el(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{NS}}}{name}",
                            {k.replace("_", "-"): v for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


def _inline(node: etree._Element, text: str) -> None:
    """``*Noting* the rest`` → ``<g id="1" ctype="italic">Noting</g> the rest``."""
    opener, rest = split_opener(text)
    if not opener:
        node.text = text
        return
    g = _el(node, "g", opener, id=OPENER_ID, ctype="italic")
    g.tail = rest


def job_id(symbol: str, version: int, source: str, target: str) -> str:
    """What the export's ``phase`` records of the file, read back on import: the
    resolution, the version and the language pair it was made for."""
    return f"{symbol} v{version} {source}>{target}"


def _name(lang: str) -> str:
    return LANGUAGES.get(lang, (lang, lang))[0]


def _target_state(unit: Unit, final: bool) -> str:
    if unit.status == MISSING or not unit.target.strip():
        return "needs-translation"
    if unit.status == STALE:
        return "needs-review-translation"
    return "final" if final else "translated"


def build(header: Header, plan: Sequence[Unit]) -> bytes:
    """The XLIFF 1.2 document (UTF-8) for ``plan``."""
    root = etree.Element(f"{{{NS}}}xliff", nsmap={None: NS}, version="1.2")
    file = _el(root, "file", original=header.symbol, source_language=header.source,
               target_language=header.target, datatype="plaintext", tool_id=TOOL_ID,
               date=header.date, product_name=header.symbol,
               product_version=str(header.version), build_num=header.content_hash)
    head = _el(file, "header")
    _el(head, "tool", tool_id=TOOL_ID, tool_name="brics-resolutions",
        **({"tool_version": header.tool_version} if header.tool_version else {}))
    phases = _el(head, "phase-group")
    head.insert(0, phases)  # the schema wants it before the tool
    _el(phases, "phase", phase_name=EXPORT_PHASE, process_name="translation", tool_id=TOOL_ID,
        date=header.date, job_id=job_id(header.symbol, header.version, header.source,
                                        header.target))
    todo = sum(1 for u in plan if u.source.strip() and u.status != "ok")
    _el(head, "note", f"Resolution {header.symbol}, version {header.version}: "
        f"{_name(header.source)} → {_name(header.target)}. {todo} unit(s) to translate or "
        "review (state needs-translation or needs-review-translation); the others are "
        "given for context. Keep the unit ids and the inline codes; return this file.",
        **{"from": TOOL_ID})
    body = _el(file, "body")
    for unit in plan:
        attrs = {"id": unit.id, "resname": unit.ref}
        if not unit.source.strip():
            attrs["translate"] = "no"
        elif _target_state(unit, header.final) in ("translated", "final"):
            attrs["approved"] = "yes"  # confirmed: tools show it as translated, not fuzzy
        tu = _el(body, "trans-unit", **attrs)
        tu.set(f"{{{XML_NS}}}space", "preserve")
        _inline(_el(tu, "source"), unit.source)
        target = _el(tu, "target", state=_target_state(unit, header.final))
        _inline(target, unit.target)
        if not unit.source.strip():
            _el(tu, "note", f"No {_name(header.source)} text yet: nothing to translate "
                "from.", **{"from": TOOL_ID})
        elif unit.status == STALE:
            langs = ", ".join(_name(lang) for lang in unit.changed_in)
            if unit.previous_source is not None:
                _el(tu, "note", f"The {_name(header.source)} text changed since this "
                    f"translation was confirmed. It was: {plain(unit.previous_source)}",
                    **{"from": TOOL_ID, "priority": "1"})
            else:
                _el(tu, "note", f"Changed since this translation was confirmed: {langs}.",
                    **{"from": TOOL_ID, "priority": "1"})
            for lang, text in unit.changed_texts:
                _el(tu, "note", f"The {_name(lang)} text now reads: {plain(text)}",
                    **{"from": TOOL_ID, "priority": "2"})
        if unit.previous_source is not None:
            alt = _el(tu, "alt-trans", alttranstype="previous-version")
            src = _el(alt, "source")
            src.set(f"{{{XML_NS}}}lang", header.source)
            _inline(src, unit.previous_source)
            tgt = _el(alt, "target")
            tgt.set(f"{{{XML_NS}}}lang", header.target)
            _inline(tgt, unit.target)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True)
    return out


def validate(xml: bytes) -> list[str]:
    """Errors of ``xml`` against the XLIFF 1.2 strict schema ("line N: message"); [] if valid."""
    return xsd.validate(xml, "xliff", "xliff-core-1.2-strict.xsd")
