"""An amendment record as an Akoma Ntoso ``<amendment>`` document.

The amendment names the affected resolution (``affectedDocument``, the expression URI of
the amended version), the target paragraph (in each language's block a ``ref`` to its eId
in that language's expression, ``…/rus@v2/~para_3__point_c``, which resolves in the
document ``export_akn(lang="ru")`` writes; the ref's ``class`` is the target's stable
paragraph id), the operation and the proposed text in each language (``mod`` with
``quotedText`` inside a ``blockContainer`` per language), and the justification. The
proposer is a ``TLCPerson`` with a transliterated slug (``/ontology/person/…/li-wei``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import replace

from lxml import etree

from drafts.akn.export import AknError, eid
from drafts.akn.meta import (
    COUNTRY,
    LANGUAGE_CODES,
    XML_LANG,
    WorkId,
    element,
    meta,
    slug,
    work_id,
)
from drafts.akn.people import person_slug
from drafts.model import Located, Resolution
from drafts.numbering import ref, resolve

__all__ = ["OPERATIONS", "export_amendment_akn"]

OPERATIONS = ("replace", "insert-after", "delete")

_PHRASES = {
    "en": {"replace": "{ref} is replaced by:", "insert-after": "After {ref} insert:",
           "delete": "{ref} is deleted."},
    "ru": {"replace": "{ref} заменить следующим текстом:",
           "insert-after": "После {ref} включить:", "delete": "{ref} исключить."},
    "zh": {"replace": "{ref}替换为：", "insert-after": "在{ref}之后插入：", "delete": "删除{ref}。"},
}
_HEADINGS = {"en": "Amendment {aid} to {ref} of {symbol}",
             "ru": "Поправка {aid} к {ref} документа {symbol}",
             "zh": "对{symbol}{ref}的第{aid}号修正"}


def export_amendment_akn(resolution: Resolution, *, version: int, amendment_id: str,
                         target: str, op: str, texts: Mapping[str, str], why: str = "",
                         by: str = "", date: str | None = None,
                         country_scheme: str = COUNTRY, by_latin: str = "") -> bytes:
    """Akoma Ntoso XML of one amendment to ``target`` ("OP 3(b)") of ``version``.

    ``texts`` holds the proposed text per language (none for ``delete``); ``by`` is the
    proposer's name (``by_latin`` its Latin form, for the person's slug). Raises :class:`AknError` for an unknown operation or missing text
    and :class:`drafts.errors.RefError` when the target names no paragraph.
    """
    if op not in OPERATIONS:
        raise AknError(f"unknown amendment operation {op!r}; use one of {', '.join(OPERATIONS)}")
    if op != "delete" and not any(texts.values()):
        raise AknError(f"an amendment that does {op} needs the proposed text in at least one "
                       "language (--text LANG=TEXT)")
    located = resolve(resolution, target)
    when = date or _dt.date.today().isoformat()
    affected = work_id(resolution, date=resolution.date or when, country=country_scheme)
    langs = tuple(lang for lang in resolution.languages if texts.get(lang)) or \
        resolution.languages
    work = replace(affected, doctype="amendment", subtype="", date=when,
                   number=f"{affected.number}-amd-{slug(amendment_id)}",
                   symbol=f"{affected.symbol} amendment {amendment_id}")
    root = element("akomaNtoso")
    doc = element("amendment", root, name="amendment")
    doc.append(meta(work, langs=langs, version=1, date=when, body=resolution.body))
    refs = doc[0][-1]
    if by:
        element("TLCPerson", refs, eId="proposer", href=f"/ontology/person/{work.country}/"
                f"{person_slug(by, by_latin)}", showAs=by)
    target_ref = ref(located)
    target_uri = affected.expression(
        "mul" if len(resolution.languages) > 1 else
        LANGUAGE_CODES.get(resolution.languages[0], resolution.languages[0]), version)
    preface = element("preface", doc)
    p = element("p", preface)
    element("affectedDocument", p, affected.symbol, href=target_uri)
    body = element("amendmentBody", doc)
    heading = element("amendmentHeading", body, eId="heading")
    for lang in langs:
        element("p", heading, _HEADINGS.get(lang, _HEADINGS["en"]).format(
            aid=amendment_id, ref=target_ref, symbol=affected.symbol), **{XML_LANG: lang})
    _content(element("amendmentContent", body, eId="content"), resolution, affected, version,
             langs, op, located, texts)
    if why:
        justification = element("amendmentJustification", body, eId="justification")
        element("p", justification, why)
    if by:
        conclusions = element("conclusions", doc)
        p = element("p", conclusions)
        element("person", p, by, refersTo="#proposer")
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out


def _content(content: etree._Element, resolution: Resolution, affected: WorkId, version: int,
             langs: tuple[str, ...], op: str, located: Located, texts: Mapping[str, str]) -> None:
    """Per language: the operation's words around a link to the target in that language's
    expression, and the proposed text quoted."""
    target_ref = ref(located)
    for lang in langs:
        code = LANGUAGE_CODES.get(lang, lang)
        box = element("blockContainer", content, eId=f"content__{code}", **{XML_LANG: lang})
        p = element("p", box)
        mod = element("mod", p, eId=f"content__{code}__mod_1")
        before, _, after = _PHRASES.get(lang, _PHRASES["en"])[op].partition("{ref}")
        mod.text = before
        # the target in this language's expression, where its eId carries no prefix
        first = resolution.languages[0]
        in_lang = affected.expression(code if lang in resolution.languages else
                                      LANGUAGE_CODES.get(first, first), version)
        link = element("ref", mod, target_ref, eId=f"content__{code}__mod_1__ref_1",
                       href=f"{in_lang}/~{eid(located)}", class_=located.paragraph.id)
        link.tail = after + (" " if op != "delete" and lang != "zh" else "")
        if op != "delete":
            element("quotedText", mod, texts.get(lang, ""), for_=f"#{link.get('eId')}")
