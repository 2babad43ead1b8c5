"""Akoma Ntoso 3.0 (OASIS LegalDocML) export of a resolution, and schema validation.

One language expression is one ``<akomaNtoso><statement name="resolution">`` document:
the title in ``preface``, preambular paragraphs as ``recital``s in ``preamble``, operative
paragraphs as numbered ``paragraph``s in ``mainBody`` (items and sub-items as nested
``point``s), signatories in ``conclusions`` and annexes as ``attachment``s. Without a
language the export is a ``documentCollection`` holding one such statement per language.
Every element of the text carries a positional ``eId`` (``para_3__point_b``: it changes
when paragraphs are renumbered), a ``wId`` that is the eId the element had in the version
that introduced it (the naming convention's "original" identifier, see
:func:`original_eids`), and a ``GUID`` that is the paragraph's stable id (in a collection
prefixed by the component like every id, as the schema wants GUIDs unique). The body's opening line is the preamble's ``formula``. The mapping and
identifiers are described in docs/AKOMA_NTOSO.md.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from drafts import xsd
from drafts.akn.meta import COUNTRY, LANGUAGE_CODES, XML_LANG, WorkId, element, meta, work_id
from drafts.akn.people import unique_slugs
from drafts.errors import DraftError
from drafts.markup import split_opener
from drafts.model import Located, Paragraph, Resolution
from drafts.numbering import annex_heading, label, letter, roman

__all__ = ["Signatory", "AknError", "export_akn", "validate", "eid", "text_block",
           "original_eids", "COUNTRY"]


class AknError(DraftError):
    """A resolution that cannot be exported (the message names what is missing)."""


@dataclass(frozen=True)
class Signatory:
    """One signature in ``conclusions``: who signed, in what capacity, when."""

    name: str
    role: str = ""
    organisation: str = ""
    date: str | None = None
    latin: str = ""  # the name in Latin letters as the person writes it (for the slug)


def eid(located: Located) -> str:
    """The positional eId of a paragraph: ``rec_2``, ``para_3``, ``para_3__point_b__point_ii``."""
    if located.section == "preamble":
        base = f"preamble__rec_{located.path[0] + 1}"
    else:
        base = f"para_{located.path[0] + 1}"
        if located.depth >= 1:
            base += f"__point_{letter(located.path[1])}"
        if located.depth >= 2:
            base += f"__point_{roman(located.path[2] + 1)}"
    if located.annex is not None:
        base = f"att_{located.annex + 1}__{base}"
    return base


def original_eids(versions: Sequence[Resolution]) -> dict[str, str]:
    """Paragraph id → the eId it had in the first of ``versions`` (oldest first) holding it:
    the ``wId`` of the naming convention, which renumbering does not change."""
    out: dict[str, str] = {}
    for version in versions:
        for located in version.walk():
            out.setdefault(located.paragraph.id, eid(located))
    return out


_SUFFIXES = "abcdefghijklmnopqrstuvwxyz"


def _wids(resolution: Resolution, original: Mapping[str, str]) -> dict[str, str]:
    """The wId of each paragraph: its original eId; a paragraph introduced later whose
    original eId an older one already holds gets a letter ("para_1a"), as an inserted
    provision does."""
    order = list(original)
    locs = list(resolution.walk())
    known = sorted((loc for loc in locs if loc.paragraph.id in original),
                   key=lambda loc: order.index(loc.paragraph.id))
    fresh = [loc for loc in locs if loc.paragraph.id not in original]
    used: set[str] = set()
    out: dict[str, str] = {}
    for loc in known + fresh:
        base = original.get(loc.paragraph.id) or eid(loc)
        wid, n = base, 0
        while wid in used:
            wid = base + _SUFFIXES[n % 26] * (n // 26 + 1)
            n += 1
        used.add(wid)
        out[loc.paragraph.id] = wid
    return out


def text_block(parent: etree._Element, tag: str, text: str) -> etree._Element:
    """``<tag><p>…</p></tag>`` with the opening phrase as ``<i>``."""
    holder = element(tag, parent) if tag != "p" else parent
    p = element("p", holder)
    opener, rest = split_opener(text)
    if opener:
        element("i", p, opener).tail = rest
    else:
        p.text = text
    return holder


class _Writer:
    def __init__(self, resolution: Resolution, lang: str, prefix: str,
                 wids: Mapping[str, str], enacting: str = "") -> None:
        self.resolution = resolution
        self.lang = lang
        self.prefix = prefix
        self.wids = wids
        self.enacting = enacting
        self.located = {(loc.annex, loc.section, loc.path): loc for loc in resolution.walk()}

    def ids(self, located: Located) -> dict[str, str]:
        pid = located.paragraph.id
        return {"eId": self.prefix + eid(located),
                "wId": self.prefix + self.wids.get(pid, eid(located)), "GUID": self.prefix + pid}

    def preamble(self, parent: etree._Element, paragraphs: tuple[Paragraph, ...], annex: int | None
                 ) -> None:
        formula = self.enacting if annex is None else ""
        if not paragraphs and not formula:
            return
        node = element("preamble", parent, **{XML_LANG: self.lang})
        if formula:  # the body's opening line: "Высший совет БРИКС,"
            box = element("formula", node, name="enactingFormula",
                          eId=self.prefix + "preamble__formula_1")
            element("p", box, formula)
        if not paragraphs:
            return
        recitals = element("recitals", node, eId=self.prefix + (
            "preamble__recs" if annex is None else f"att_{annex + 1}__preamble__recs"))
        for index, paragraph in enumerate(paragraphs):
            located = self.located[(annex, "preamble", (index,))]
            recital = element("recital", recitals, **self.ids(located))
            text_block(recital, "p", paragraph.text(self.lang))

    def body(self, parent: etree._Element, paragraphs: tuple[Paragraph, ...], annex: int | None) -> None:
        node = element("mainBody", parent, **{XML_LANG: self.lang})
        if not paragraphs:
            element("p", node)
        for index, paragraph in enumerate(paragraphs):
            self.hier(node, "paragraph", paragraph, (annex, "operative", (index,)))

    def hier(self, parent: etree._Element, tag: str, paragraph: Paragraph,
             key: tuple[int | None, str, tuple[int, ...]]) -> None:
        located = self.located[key]
        node = element(tag, parent, **self.ids(located))
        number = label(self.resolution, located, self.lang)
        if number:
            element("num", node, number)
        text = paragraph.text(self.lang)
        if not paragraph.items:
            text_block(node, "content", text)
            return
        if text:
            text_block(node, "intro", text)
        annex, section, path = key
        for index, item in enumerate(paragraph.items):
            self.hier(node, "point", item, (annex, section, path + (index,)))

    def statement(self, work: WorkId, version: int, date: str,
                  signatories: Sequence[Signatory]) -> etree._Element:
        res, lang = self.resolution, self.lang
        doc = element("statement", name="resolution")
        doc.append(meta(work, langs=(lang,), version=version, date=date, prefix=self.prefix,
                        body=res.body))
        if signatories:
            refs = doc[0].find(f"{{{doc.nsmap[None]}}}references")
            for signer, slug in zip(signatories, self.people(signatories)):
                element("TLCPerson", refs, eId=f"{self.prefix}{slug}",
                        href=f"/ontology/person/{work.country}/{slug}", showAs=signer.name)
        preface = element("preface", doc, **{XML_LANG: lang})
        title = element("longTitle", preface, eId=f"{self.prefix}longTitle")
        p = element("p", title)
        element("docTitle", p, res.title.get(lang, ""))
        p = element("p", preface, class_="symbol")
        element("docNumber", p, work.symbol)
        self.preamble(doc, res.preamble, None)
        self.body(doc, res.operative, None)
        if signatories:
            self.conclusions(doc, signatories)
        if res.annexes:
            attachments = element("attachments", doc)
            for index, annex in enumerate(res.annexes):
                att = element("attachment", attachments, eId=f"{self.prefix}att_{index + 1}",
                              wId=f"{self.prefix}att_{index + 1}",
                              GUID=self.prefix + annex.id)
                element("heading", att, annex_heading(index, len(res.annexes), lang))
                inner = element("doc", att, name="annex")
                inner.append(meta(work, langs=(lang,), version=version, date=date,
                                  prefix=self.prefix, component=f"annex_{index + 1}"))
                preface = element("preface", inner)
                p = element("p", preface, class_="title")
                element("docTitle", p, annex.title.get(lang, ""))
                self.preamble(inner, annex.preamble, index)
                self.body(inner, annex.operative, index)
        return doc

    @staticmethod
    def people(signatories: Sequence[Signatory]) -> list[str]:
        return unique_slugs((s.name, s.latin) for s in signatories)

    def conclusions(self, doc: etree._Element, signatories: Sequence[Signatory]) -> None:
        node = element("conclusions", doc)
        box = element("blockContainer", node, eId=f"{self.prefix}signatures")
        for signer, slug in zip(signatories, self.people(signatories)):
            p = element("p", box)
            sig = element("signature", p)
            element("person", sig, signer.name, refersTo=f"#{self.prefix}{slug}")
            for extra in (signer.role, signer.organisation):
                if extra:
                    sig[-1].tail = (sig[-1].tail or "") + ", "
                    element("span", sig, extra)
            if signer.date:
                sig[-1].tail = (sig[-1].tail or "") + ", "
                element("date", sig, signer.date, date=signer.date)


def _signatories(values: Iterable[Signatory | str]) -> list[Signatory]:
    return [v if isinstance(v, Signatory) else Signatory(str(v)) for v in values]


def export_akn(resolution: Resolution, *, version: int, lang: str | None = None,
               signatories: Iterable[Signatory | str] = (), country_scheme: str = COUNTRY,
               date: str | None = None, enacting: Mapping[str, str] | None = None,
               original: Mapping[str, str] | None = None) -> bytes:
    """Akoma Ntoso XML of one language expression, or of all of them as a collection.

    ``date`` is the version's date (defaults to the resolution's date, then today); it
    dates the expression and the manifestation. ``country_scheme`` is the FRBRcountry
    (two letters, e.g. a user-assigned ISO 3166 code, for tools that expect a country).
    ``enacting`` is the body's opening line per language; ``original`` the paragraphs'
    original eIds (:func:`original_eids` over the earlier versions; default: this one).
    """
    langs = resolution.languages if lang is None else (lang,)
    for code in langs:
        if code not in resolution.languages:
            raise AknError(f"the resolution has no {code!r} text (its languages are "
                           f"{', '.join(resolution.languages)}); export one of those")
    when = date or resolution.date or _dt.date.today().isoformat()
    work = work_id(resolution, date=resolution.date or when, country=country_scheme)
    signers = _signatories(signatories)
    wids = _wids(resolution, original or {})
    formulas = enacting or {}
    root = element("akomaNtoso")
    if lang is not None:
        root.append(_Writer(resolution, lang, "", wids, formulas.get(lang, "")).statement(
            work, version, when, signers))
    else:
        collection = element("documentCollection", root, name="resolution")
        collection.append(meta(work, langs=langs, version=version, date=when,
                               body=resolution.body))
        preface = element("preface", collection)
        p = element("p", preface)
        element("docTitle", p, resolution.title.get(langs[0], ""))
        body = element("collectionBody", collection)
        for code in langs:
            short = LANGUAGE_CODES.get(code, code)
            component = element("component", body, eId=f"cmp_{short}")
            component.append(_Writer(resolution, code, f"cmp_{short}__", wids,
                                     formulas.get(code, "")).statement(
                work, version, when, signers))
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out


def validate(xml: bytes) -> list[str]:
    """Errors of ``xml`` against the Akoma Ntoso 3.0 schema ("line N: message"); [] if valid."""
    return xsd.validate(xml, "akn", "akomantoso30.xsd")
