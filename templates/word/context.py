"""What a DOCX template is filled with: the view, plus ready blocks computed from it.

Templates print ``view.*`` values directly (escaped) and insert the blocks built here
with docxtpl's ``{{p …}}`` (whole paragraphs) and ``{{r …}}`` (runs) tags. The blocks
carry what a template cannot express: per-language run properties, labels with a tab,
emphasised openers, tracked changes. No decision is left to the template beyond layout.

Context names (the contract for workspace templates):

``view``                the :class:`templates.view.DocumentView`
``d.lang``              the first language shown; ``d.languages`` all of them
``d.parallel``          True for the parallel (one column per language) layout
``d.masthead_left``     body names; ``d.masthead_right`` symbol, distribution, dates
``d.date``              the date in the first language (runs)
``d.title`` / ``d.enacting`` / ``d.body``   single layout: title, enacting formula,
                        the paragraphs (a list of paragraph blocks)
``d.column_heads`` / ``d.rows``             parallel layout: header cells, rows of cells
``d.signatures``        final: one block per signatory
``d.form_rows``         comment form: ``{ref}`` per paragraph, then empty rows
``d.hidden_ids``        comment form: the hidden identity paragraph
``d.comments``          matrix rows; ``d.approvals`` approval record rows
``d.letter`` / ``d.letter_rows``            cover letter (single / parallel); its
                        enclosures are ``view.extra`` (name → description; keys starting
                        with "_" are not listed, as in the PDF)
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Unpack

from drafts.comment_form import FORM_MARKER
from drafts.languages import REGISTRY
from templates.labels import labels_for, language_name, quoted, section
from templates.people import describe_enclosure, names_shown, role_words
from templates.view import DocumentView, ParagraphView
from templates.word.xml import (
    ChangeMarks,
    RunFormat,
    Xml,
    guess_lang,
    paragraph,
    paragraphs,
    redline_runs,
    run,
    text_runs,
)

__all__ = ["build_context", "FORM_MARKER", "EMPTY_FORM_ROWS", "STYLES"]

#: Empty rows appended to a comment form after the pre-filled ones.
EMPTY_FORM_ROWS = 5

#: Paragraph styles the blocks refer to (created by ``templates/docx/build_templates.py``).
STYLES = ("ResMasthead", "ResMastheadRight", "ResTitle", "ResEnacting", "ResPreamble",
          "ResOperative", "ResItem", "ResSubItem", "ResAnnexHeading", "ResAnnexTitle",
          "ResCell", "ResCellHead", "ResHidden", "ResLetter")

_STYLE_BY_DEPTH = ("ResOperative", "ResItem", "ResSubItem")


def word(key: str, lang: str) -> str:
    """A word of the ``[words]`` section of the language's catalogue."""
    return section("words", lang).get(key) or key


def _quote(text: str, lang: str) -> str:
    return quoted(text, lang)


def _style(p: ParagraphView, lang: str) -> str:
    if p.section == "preamble" or (p.depth == 0 and not p.labels.get(lang)):
        return "ResPreamble"
    return _STYLE_BY_DEPTH[min(p.depth, 2)]


#: Narrower indents (left, hanging) in parallel columns, by depth.
_COLUMN_INDENTS = ((397, 397), (737, 340), (1077, 340))


def _paragraph_block(p: ParagraphView, lang: str, marks: ChangeMarks | None,
                     column: bool = False) -> str:
    label = p.labels.get(lang, "")
    segments = p.changes.get(lang) if marks is not None else None
    if segments and marks is not None:
        content = redline_runs(label, segments, lang, marks)
    else:
        content = text_runs(label, p.openers.get(lang, ""), p.rests.get(lang, ""), lang)
    style = _style(p, lang)
    if not column:
        return paragraph(content, style, lang=lang)
    indent = None if style == "ResPreamble" else _COLUMN_INDENTS[min(p.depth, 2)]
    return paragraph(content, style, lang=lang, indent=indent,
                     align="both" if lang == "zh" else "left")


def _units(view: DocumentView, lang: str, marks: ChangeMarks | None,
           column: bool = False) -> list[str]:
    """The text in order as paragraph blocks of one language (title and formula excluded)."""
    out = [_paragraph_block(p, lang, marks, column) for p in view.preamble + view.operative]
    for annex in view.annexes:
        out.append(paragraph(run(annex.headings.get(lang, ""), lang, bold=True),
                             "ResAnnexHeading", lang=lang, keep_next=True))
        if annex.titles.get(lang):
            out.append(paragraph(run(annex.titles[lang], lang, bold=True),
                                 "ResAnnexTitle", lang=lang, keep_next=True))
        out.extend(_paragraph_block(p, lang, marks, column) for p in annex.paragraphs)
    return out


def _title(view: DocumentView, lang: str) -> str:
    return paragraph(run(view.title.get(lang, ""), lang, bold=True), "ResTitle", lang=lang)


def _enacting(view: DocumentView, lang: str) -> str:
    return paragraph(run(view.body.enacting.get(lang, ""), lang), "ResEnacting", lang=lang)


def _parallel_rows(view: DocumentView, marks: ChangeMarks | None) -> list[list[Xml]]:
    langs = view.languages
    columns = [[_title(view, lang), _enacting(view, lang)] + _units(view, lang, marks, True)
               for lang in langs]
    return [[Xml(col[i]) for col in columns] for i in range(len(columns[0]))]


def _masthead(view: DocumentView, langs: Sequence[str]) -> tuple[Xml, Xml]:
    left = [paragraph(run(view.body.names.get(lang, view.body.code), lang, bold=True),
                      "ResMasthead", lang=lang) for lang in langs]
    right = [paragraph(run(view.symbol, "en", bold=True), "ResMastheadRight")]
    # as in the PDF and in UN practice: the distribution line is the same in every language
    right.append(paragraph(run(f"Distr.: {view.distribution}", "en"), "ResMastheadRight"))
    right.extend(paragraph(run(view.dates.get(lang, ""), lang), "ResMastheadRight", lang=lang)
                 for lang in langs)
    return paragraphs(left), paragraphs(right)


def _signature(view: DocumentView, index: int, langs: Sequence[str]) -> Xml:
    """A signature slot: line, names in the languages shown, role, organisation, caption."""
    sig = view.signatories[index]
    first = langs[0]
    bookmark = (f'<w:bookmarkStart w:id="{900 + index}" w:name="{sig.anchor}"/>'
                f'<w:bookmarkEnd w:id="{900 + index}"/>')
    blocks = [paragraph(bookmark + run("_" * 28, "en"), "ResCell", lang=first)]
    for lang, name in names_shown(sig.names, langs, latin=view.body.latin_names):
        blocks.append(paragraph(run(name, guess_lang(name, lang), bold=True), "ResCell",
                                lang=lang))
    role = " / ".join(dict.fromkeys(role_words(sig.role, lang) for lang in langs)) \
        if sig.role else ""
    for text in (role, sig.organisation):
        if text:
            blocks.append(paragraph(run(text, guess_lang(text, first)), "ResCell", lang=first))
    caption = run(" / ", "en", size=16).join(
        run(f"{word('signature', lang)}、{word('date', lang)}" if lang == "zh"
            else f"{word('signature', lang)}, {word('date', lang).lower()}", lang, size=16)
        for lang in langs)
    blocks.append(paragraph(caption, "ResCell", lang=first))
    return paragraphs(blocks)


#: Labels a DOCX template prints around the text, in every language shown
#: (``{{r d.wr.KEY }}``; ``d.wh`` at header size, ``d.wt`` as a title).
LABEL_KEYS = ("watermark_draft", "review_copy", "version", "form_title", "resolution",
              "reviewer", "form_help", "form_instructions", "seq", "ref", "form_types",
              "comment", "proposal", "observations", "matrix", "author", "type",
              "disposition", "no_comments", "approval", "member", "delegation", "decision",
              "at", "note", "statement", "redline")


def _label_runs(view: DocumentView, key: str, langs: Sequence[str], **fmt: Unpack[RunFormat]) -> Xml:
    """One label in each language, " / " between them, each run in its own language."""
    pairs: dict[str, str] = {}
    for lang in langs:
        text = labels_for(lang).get(key, key).replace("{old}", str(view.previous_version or "?")) \
            .replace("{new}", str(view.version))
        if text not in pairs.values():
            pairs[lang] = text
    sep = run(" / ", "en", **fmt)
    return Xml(sep.join(run(text, lang, **fmt) for lang, text in pairs.items()))


def _labels(view: DocumentView, langs: Sequence[str],
            **fmt: Unpack[RunFormat]) -> dict[str, Xml]:
    return {key: _label_runs(view, key, langs, **fmt) for key in LABEL_KEYS}


def _cell(text: str, default: str = "en", **fmt: Unpack[RunFormat]) -> Xml:
    """A table cell's runs for free text (language guessed from the script)."""
    return Xml(run(text, guess_lang(text, default), **fmt))


def _waivers(view: DocumentView, langs: Sequence[str]) -> Xml:
    """The findings set aside: a heading, then one paragraph each (ref, rule, languages,
    reason, who, version, whether it holds). Nothing when there is none."""
    if not view.waivers:
        return Xml("")
    first = langs[0]
    blocks = [paragraph(_label_runs(view, "waivers", langs, bold=True).xml, "ResLetter",
                        lang=first, keep_next=True)]
    for w in view.waivers:
        state = _label_runs(view, "holds" if w.holds else "lapsed", langs).xml
        blocks.append(paragraph(
            run(f"{w.ref} · {w.rule} · {', '.join(w.languages)} · {w.finding}", "en",
                bold=True) + run(" — ", "en") + run(w.reason, guess_lang(w.reason, first))
            + run(f" — {w.by}, v{w.version}: ", "en") + state, "ResLetter", lang=first))
    return paragraphs(blocks)


def _form_ids_paragraph(view: DocumentView) -> Xml:
    blob = json.dumps(dict(view.form_ids), ensure_ascii=True, sort_keys=True)
    return Xml(paragraph(run(FORM_MARKER + blob, "en", vanish=True, size=2), "ResHidden"))


def _fill(template: str, facts: Mapping[str, str]) -> str:
    """A catalogue sentence with its ``{placeholders}`` filled (other braces left alone)."""
    out = template
    for key, value in facts.items():
        out = out.replace("{" + key + "}", value)
    return out


def _letter(view: DocumentView, lang: str, extra: Mapping[str, str]) -> list[str]:
    body = view.body.names.get(lang, view.body.code)
    to_body = view.body.to(lang)
    title = _quote(view.title.get(lang, ""), lang)
    wg = view.working_group.get(lang) or word("working_group", lang)
    separator = "、" if lang == "zh" else (REGISTRY[lang].list_separator if lang in REGISTRY
                                           else ", ")
    authentic = separator.join(language_name(code, lang, in_sentence=True)
                               for code in view.authentic)
    mail = section("mail", lang)
    facts = {"wg": wg, "body": to_body, "symbol": view.symbol, "title": title,
             "languages": authentic}
    text = _fill(mail["letter_text"], facts)
    subject = _fill(mail["letter_subject"], facts)
    colon = "：" if lang == "zh" else ": "
    out = [paragraph(run(f"{word('to', lang)}{colon}{body}", lang, bold=True), "ResLetter",
                     lang=lang)]
    if view.body.address:
        out.append(paragraph(run(view.body.address, "en"), "ResLetter", lang=lang))
    out.append(paragraph(run(view.dates.get(lang, ""), lang), "ResLetter", lang=lang))
    out.append(paragraph(run(f"{word('subject', lang)}{colon}{subject}", lang, bold=True),
                         "ResLetter", lang=lang))
    out.append(paragraph(run(text, lang), "ResLetter", lang=lang))
    latin = view.body.latin_names
    if view.enclosures:
        enclosures = [f"{e.name} — {describe_enclosure(e, lang, latin=latin)}"
                      for e in view.enclosures]
    else:
        enclosures = [f"{name} — {text}" if text else name for name, text in extra.items()
                      if not name.startswith("_")]
    if enclosures:
        out.append(paragraph(run(word("enclosures", lang) + colon.strip(), lang, bold=True),
                             "ResLetter", lang=lang, keep_next=True))
        for number, item in enumerate(enclosures, 1):
            out.append(paragraph(text_runs(f"{number}.", "", item, lang), "ResItem", lang=lang))
    return out


def build_context(view: DocumentView, *, author: str | None = None) -> dict[str, object]:
    """The template context of a view: ``{"view": view, "d": {...}}``."""
    langs: Sequence[str] = view.languages or ("en",)
    first = langs[0]
    parallel = view.layout == "parallel" and len(langs) > 1
    marks = None
    if view.stage == "redline" or (view.stage == "review" and view.previous_version):
        # a round-2 review copy is marked against the version its reviewer last saw
        who = author or view.extra.get("_redline_author") or view.working_group.get("en") \
            or "Secretariat"
        marks = ChangeMarks(who, f"{view.date.isoformat()}T00:00:00Z")
    left, right = _masthead(view, langs if parallel else langs[:1])
    d: dict[str, Any] = {
        "lang": first,
        "languages": tuple(langs),
        "parallel": parallel,
        "masthead_left": left,
        "masthead_right": right,
        "title": Xml(_title(view, first)),
        "enacting": Xml(_enacting(view, first)),
        "date": Xml(run(view.dates.get(first, ""), first)),
        "body": [],
        "column_heads": [Xml(paragraph(run(REGISTRY[lang].own if lang in REGISTRY else lang,
                                           lang, bold=True), "ResCellHead", lang=lang))
                         for lang in langs],
        "rows": [],
        "reviewer": Xml(run(view.reviewer, guess_lang(view.reviewer, first), bold=True)),
        "wr": _labels(view, langs),
        "wh": _labels(view, langs, size=18),
        "wt": _labels(view, langs, bold=True, size=28),
    }
    if view.stage in ("draft", "review", "redline", "final"):
        if parallel:
            d["rows"] = _parallel_rows(view, marks)
        else:
            d["body"] = [Xml(block) for block in _units(view, first, marks)]
    if view.stage == "final":
        shown = langs if parallel else langs[:1]
        d["signatures"] = [_signature(view, i, shown) for i in range(len(view.signatories))]
    if view.stage == "comment-form":
        rows = [{"ref": p.ref} for p in view.paragraphs()]
        d["form_rows"] = rows + [{"ref": ""} for _ in range(EMPTY_FORM_ROWS)]
        d["hidden_ids"] = _form_ids_paragraph(view)
    d.update(_stage_tables(view, langs, parallel))
    return {"view": view, "d": d}


def _stage_tables(view: DocumentView, langs: Sequence[str], parallel: bool) -> dict[str, object]:
    """The tables of the comments matrix, the approval record and the cover letter."""
    first = langs[0]
    d: dict[str, Any] = {}
    if view.stage == "matrix":
        d["comments"] = [{
            "no": str(n),
            "ref": c.ref + (f" ({c.original_ref})" if c.original_ref and
                            c.original_ref != c.ref else ""),
            "author": _cell(", ".join(x for x in (c.author, c.delegation) if x)),
            "type": c.type,
            "text": _cell(c.text, first),
            "proposal": _cell(c.proposal, first),
            "disposition": _label_runs(view, c.disposition or "pending", langs),
            "note": _cell(c.note + (" [orphaned]" if c.orphaned else ""), first),
        } for n, c in enumerate(view.comments, 1)]
        d["waivers"] = _waivers(view, langs)
    if view.stage == "approval":
        d["approvals"] = [{
            "name": _cell(a.name), "delegation": a.delegation,
            "decision": _label_runs(view, a.decision, langs),
            "at": a.at, "note": _cell(a.note, first),
            "statement": a.signed_statement[:16],
        } for a in view.approvals]
    if view.stage == "cover-letter":
        letters = {lang: _letter(view, lang, view.extra) for lang in langs}
        if parallel:
            d["letter_rows"] = [[Xml(letters[lang][i]) if i < len(letters[lang])
                                 else Xml("<w:p/>") for lang in langs]
                                for i in range(max(len(v) for v in letters.values()))]
        else:
            d["letter"] = [Xml(block) for block in letters[first]]
    return d
