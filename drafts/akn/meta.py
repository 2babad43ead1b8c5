"""Akoma Ntoso identifiers and the ``<meta>`` block: the FRBR work, expression, manifestation.

The identifier scheme (see docs/AKOMA_NTOSO.md) follows the Akoma Ntoso naming
convention with ``xb-brics`` in the place of a country (``xb``, a code ISO 3166 leaves to its
users, with the locality ``brics``): a resolution of the working group whose symbol is
``RCWG/RES/2024/1`` is the work
``/akn/xb-brics/statement/resolution/rcwg/2024-09-26/rcwg-res-2024-1``; its Russian text of
version 2 is the expression ``…/rus@v2``; the XML file is the manifestation ``…/rus@v2.akn``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from lxml import etree

from drafts.model import Resolution

__all__ = ["AKN_NS", "COUNTRY", "LANGUAGE_CODES", "WorkId", "work_id", "element", "meta"]

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: The FRBRcountry of every document: BRICS bodies and working groups are not a country, so
#: the place is ``xb`` (ISO 3166-1 user-assigned) with the locality ``brics`` — a place code
#: as the naming convention writes it (``country-locality``), which tools that read Akoma
#: Ntoso URIs (cobalt, Indigo) parse.
COUNTRY = "xb-brics"
#: ISO 639-2 (alpha-3) codes, as the naming convention wants in expression URIs.
LANGUAGE_CODES = {"ru": "rus", "zh": "zho", "en": "eng", "pt": "por", "ar": "ara",
                  "fr": "fra", "es": "spa", "hi": "hin", "fa": "fas", "am": "amh", "id": "ind"}
_UNSAFE = re.compile(r"[^a-z0-9.-]+")


def element(tag: str, parent: etree._Element | None = None, text: str | None = None,
            **attrs: str) -> etree._Element:
    """An element in the AKN namespace (``parent``'s child when given)."""
    name = f"{{{AKN_NS}}}{tag}"
    node = etree.Element(name, nsmap={None: AKN_NS}) if parent is None else \
        etree.SubElement(parent, name)
    for key, value in attrs.items():
        node.set(key.rstrip("_"), value)
    if text is not None:
        node.text = text
    return node


@dataclass(frozen=True)
class WorkId:
    """The parts of a work URI: ``/akn/{country}/{doctype}/{subtype}/{actor}/{date}/{number}``."""

    country: str
    doctype: str
    subtype: str
    actor: str
    date: str
    number: str
    symbol: str

    @property
    def uri(self) -> str:
        parts = [self.country, self.doctype, self.subtype, self.actor, self.date, self.number]
        return "/akn/" + "/".join(part for part in parts if part)

    def expression(self, lang_code: str, version: int) -> str:
        return f"{self.uri}/{lang_code}@v{version}"


def slug(text: str) -> str:
    return _UNSAFE.sub("-", text.lower()).strip("-") or "x"


def work_id(resolution: Resolution, *, date: str, country: str = COUNTRY,
            doctype: str = "statement", subtype: str = "resolution") -> WorkId:
    """The work identifier: the symbol's first segment is the actor, the symbol the number."""
    symbol = resolution.symbol
    if symbol:
        actor, number = slug(symbol.split("/")[0]), slug(symbol.replace("/", "-"))
    else:
        digest = hashlib.sha256(resolution.content_hash().encode()).hexdigest()[:8]
        actor, number, symbol = "draft", f"draft-{digest}", f"draft-{digest}"
    return WorkId(slug(country), doctype, subtype, actor, date, number, symbol)


def meta(work: WorkId, *, langs: tuple[str, ...], version: int, date: str, prefix: str = "",
         component: str = "", body: str | None = None) -> etree._Element:
    """``<meta>``: identification (Work, Expression, Manifestation) and references.

    ``prefix`` is put before every eId (documents inside a collection); ``component``
    (``annex_1``) makes the identifiers those of an annex of the work.
    """
    codes = [LANGUAGE_CODES.get(lang, lang) for lang in langs]
    expression = work.expression(codes[0] if len(codes) == 1 else "mul", version)
    part = f"!{component}" if component else "!main"
    author = f"#{prefix}{work.actor}"
    node = element("meta")
    ident = element("identification", node, source=author)
    frbr = element("FRBRWork", ident)
    element("FRBRthis", frbr, value=f"{work.uri}/{part}")
    element("FRBRuri", frbr, value=work.uri)
    element("FRBRdate", frbr, date=work.date, name="work")
    element("FRBRauthor", frbr, href=author)
    element("FRBRcountry", frbr, value=work.country)
    if work.subtype:
        element("FRBRsubtype", frbr, value=work.subtype)
    element("FRBRnumber", frbr, value=work.number, showAs=work.symbol)
    frbr = element("FRBRExpression", ident)
    element("FRBRthis", frbr, value=f"{expression}/{part}")
    element("FRBRuri", frbr, value=expression)
    element("FRBRdate", frbr, date=date, name="version")
    element("FRBRauthor", frbr, href=author)
    element("FRBRversionNumber", frbr, value=str(version))
    for code in codes:
        element("FRBRlanguage", frbr, language=code)
    frbr = element("FRBRManifestation", ident)
    element("FRBRthis", frbr, value=f"{expression}/{part}.xml")
    element("FRBRuri", frbr, value=f"{expression}.akn")
    element("FRBRdate", frbr, date=date, name="generation")
    element("FRBRauthor", frbr, href=author)
    element("FRBRformat", frbr, value="application/akn+xml")
    if not component:
        refs = element("references", node, source=author)
        element("TLCOrganization", refs, eId=f"{prefix}{work.actor}",
                href=f"/ontology/organization/{work.country}/{work.actor}",
                showAs=work.symbol.split("/")[0])
        if body and slug(body) != work.actor:
            element("TLCOrganization", refs, eId=f"{prefix}{slug(body)}",
                    href=f"/ontology/organization/{work.country}/{slug(body)}", showAs=body)
    return node
