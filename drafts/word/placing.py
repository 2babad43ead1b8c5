"""Read a Word draft into the resolution tree, one language at a time.

A drafter's DOCX is read paragraph by paragraph and each paragraph is given a place:
the title (Title style, or the first bold or centred paragraph), preambular paragraphs
(everything unnumbered before the first operative paragraph; a leading italic phrase
becomes the ``*Opener*`` markup), operative paragraphs, items and sub-items (Word's
automatic numbering, whose level and number format tell paragraph from item from
sub-item, or typed labels "1.", "(a)", "а)", "(i)"), and annexes ("Annex",
"Приложение", "附件" headings). What fits nowhere is returned in ``unrecognised`` with
its position, never guessed into the text. ``merge_language`` brings one imported
language into an existing resolution, paragraph by paragraph, keeping its stable ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from drafts.errors import DraftError
from drafts.model import Annex, Paragraph, Resolution
from drafts.numbering import letter, roman
from drafts.source import dump, load
from drafts.word.labels import DEFAULT_STYLES, Lists, glyph_of, read_label
from drafts.word.reading import (  # noqa: F401
    _ANNEX,
    _FULLWIDTH,
    _NUM_ITEM,
    _NUM_OP,
    _NUM_SUB,
    _OPERATIVE_OPENERS,
    _PREAMBLE_OPENERS,
    _ROMAN_WORDS,
    _SYMBOL,
    MAX_DOCX_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    DocxImportError,
    _Block,
    _check_package,
    _clean,
    _marked,
    _read_blocks,
    _starts_with,
)

__all__ = ["ImportResult", "DocxImportError", "StructureMismatch", "import_docx",
           "merge_language", "MAX_DOCX_BYTES", "MAX_UNCOMPRESSED_BYTES"]

class StructureMismatch(DraftError):
    """The imported language does not have the paragraph structure of the resolution.

    ``mismatches`` lists each place (``OP 3: 2 items here, 3 in the file``).
    """

    def __init__(self, mismatches: list[str]) -> None:
        self.mismatches = mismatches
        super().__init__(
            "the imported text does not match the resolution's structure: "
            + "; ".join(mismatches)
            + " — make the file's paragraphs, items and annexes match, then import again")


@dataclass(frozen=True)
class ImportResult:
    """The imported resolution, its YAML source and what was not understood.

    ``enacting`` is the opening line that names the body ("Совет Безопасности,", "The
    Higher Council of BRICS,"), ``body_lines`` the lines between the title and it ("Adopted
    by the Security Council at its 4844th meeting, on 24 November 2003"): neither is a
    paragraph of the resolution (the workflow compares the formula with the bodies')."""

    resolution: Resolution
    source: str
    unrecognised: list[tuple[int, str]] = field(default_factory=list)
    enacting: str = ""
    body_lines: list[str] = field(default_factory=list)


@dataclass
class _Node:
    """One paragraph as read: its text in the document's language, the label style it was
    written with ("" for the default) and its items."""

    text: str
    label: str = ""
    items: list[_Node] = field(default_factory=list)


@dataclass
class _Section:
    title: str = ""
    preamble: list[_Node] = field(default_factory=list)
    operative: list[_Node] = field(default_factory=list)


#: a line that ends like an enacting formula ("The Working Group,", "工作组，", "إن المجلس،")
_FORMULA_END = (",", "，", "،", "፣")
_TITLE_STYLES = ("Title", "Heading", "Subtitle")


def _is_heading(block: _Block) -> bool:
    return block.style.startswith(_TITLE_STYLES) or block.bold or block.centred


def _looks_like_formula(block: _Block) -> bool:
    """An unnumbered short line ending with a comma, with no emphasised opener and not
    starting with a preambular or operative opener: the body's opening line."""
    return (not block.table and block.num_level is None and not block.opener
            and len(block.text) < 150 and block.text.endswith(_FORMULA_END)
            and not _starts_with(block.text, _PREAMBLE_OPENERS)
            and not _starts_with(block.text, _OPERATIVE_OPENERS))


class _Classifier:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.symbol: str | None = None
        self.main = _Section()
        self.annexes: list[_Section] = []
        self.unrecognised: list[tuple[int, str]] = []
        self.enacting = ""
        self.body_lines: list[str] = []
        self.phase = "preamble"  # → operative; annex-title → annex-*
        self.lists = Lists()  # the item lists under the current operative paragraph

    @property
    def section(self) -> _Section:
        return self.annexes[-1] if self.annexes else self.main

    # -- the head: symbol, title, body lines, enacting formula --------------------------
    def head(self, blocks: list[_Block]) -> list[_Block]:
        """Take the title, the body lines and the enacting formula off the front of the
        document, by position and style; return the blocks that follow them."""
        rest = list(blocks)
        while rest and (rest[0].table or (rest[0].num_level is None and self.symbol is None
                                          and _SYMBOL.match(rest[0].text))):
            block = rest.pop(0)
            if block.table:  # a masthead: reported, never guessed into the text
                self.unrecognised.append((block.index, block.text))
            else:
                self.symbol = block.text
        lead = []
        for block in rest[:8]:  # before the first paragraph of the text
            if block.table or block.num_level is not None or block.opener \
                    or self.typed_label(block.text) or _ANNEX.match(block.text):
                break
            lead.append(block)
        formula = next((i for i, b in enumerate(lead) if _looks_like_formula(b)), None)
        if formula is not None:
            before = lead[:formula]
            self.enacting = lead[formula].text
            titled = next((b for b in before if _is_heading(b)), before[0] if before else None)
            if titled is not None:
                self.main.title = titled.text
            self.body_lines = [b.text for b in before if b is not titled]
            return rest[formula + 1:]
        if lead and (_is_heading(lead[0]) or not lead[0].text.endswith(
                (".", ",", ";", ":", "。", "，", "；", "：", "،", "؛"))):
            self.main.title = lead[0].text
            return rest[1:]
        return rest

    # -- labels ----------------------------------------------------------------------
    def typed_label(self, text: str) -> tuple[int, str, str] | None:
        """(0, text after "1."), or (depth, text, glyph) of a typed item label."""
        probe = text.translate(_FULLWIDTH)
        match = _NUM_OP.match(probe)
        if match:
            return 0, text[match.end():], ""
        found = read_label(text)
        if found is not None:
            return 1, found[1], found[0]
        return None

    def add(self, block: _Block) -> None:
        if block.table:
            self.unrecognised.append((block.index, block.text))
            return
        annex = _ANNEX.match(block.text)
        if annex and (block.num_level is None) and len(block.text) < 200 and (
                not annex.group("title") or annex.group("num") or block.bold or block.centred
                or block.style.startswith(("Heading", "Title"))):
            self.annexes.append(_Section(title=_clean(annex.group("title"))))
            self.phase = "annex-preamble" if annex.group("title") else "annex-title"
            return
        if self.phase == "annex-title":
            if block.num_level is None and not self.typed_label(block.text):
                self.section.title = block.text
                self.phase = "annex-preamble"
                return
            self.phase = "annex-preamble"
        if block.num_level is not None:
            if block.num_level == 0:
                self.numbered(block, 0, block.text, "")
            else:
                depth, style = self.lists.place(glyph_of(block.num_style, block.num_index),
                                                block.num_style)
                self.numbered(block, depth, block.text, style)
            return
        typed = self.typed_label(block.text)
        if typed is None:
            self.unnumbered(block)
            return
        level, text, glyph = typed
        if level == 0:
            self.numbered(block, 0, _clean(text), "")
            return
        depth, style = self.lists.place(glyph)
        self.numbered(block, depth, _clean(text), style)

    def unnumbered(self, block: _Block) -> None:
        section = self.section
        if self.phase in ("preamble", "annex-preamble"):
            if _starts_with(block.text, _OPERATIVE_OPENERS) and not section.operative:
                section.operative.append(_Node(_marked(block)))
                self.phase = "operative-lone" if section is self.main else "annex-operative-lone"
                return
            section.preamble.append(_Node(_marked(block)))
            return
        self.unrecognised.append((block.index, block.text))

    def numbered(self, block: _Block, level: int, text: str, style: str) -> None:
        section = self.section
        in_annex = section is not self.main
        if self.phase.endswith("operative-lone") and level == 0:
            self.unrecognised.append((block.index, block.text))
            return
        if level == 0:
            section.operative.append(_Node(_marked(block, text)))
            self.phase = "annex-operative" if in_annex else "operative"
            self.lists = Lists()
            return
        if not section.operative:
            self.unrecognised.append((block.index, block.text))
            return
        parent = section.operative[-1]
        if level == 2:
            if not parent.items:
                self.unrecognised.append((block.index, block.text))
                return
            parent = parent.items[-1]
        node = _Node(_marked(block, text))
        siblings = parent.items
        if style != DEFAULT_STYLES[level - 1] and not siblings:
            node.label = style  # kept as written: items (i), (ii) right under a paragraph
        elif siblings and siblings[0].label:
            node.label = siblings[0].label
        siblings.append(node)


# -- building the result ----------------------------------------------------------------

class _Ids:
    """Ids made the way ``drafts.source`` makes them (prefix + hash of the text)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, prefix: str, seed: str) -> str:
        digest = hashlib.sha1(f"{prefix}\n{seed}".encode("utf-8")).hexdigest()
        candidate, n = f"{prefix}-{digest[:6]}", 2
        while candidate in self.taken:
            candidate, n = f"{prefix}-{digest[:6]}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


def _paragraphs(nodes: list[_Node], prefix: str, lang: str, ids: _Ids,
                where: str) -> tuple[Paragraph, ...]:
    out = []
    for index, node in enumerate(nodes):
        items = _paragraphs(node.items, "it", lang, ids, f"{where}[{index}].items")
        text = node.text
        out.append(Paragraph(ids.make(prefix, text or f"{where}{index}"),
                             {lang: text} if text else {}, items, node.label))
    return tuple(out)


def import_docx(data: bytes, *, lang: str, body: str = "brics-higher-council",
                filename: str = "draft.docx") -> ImportResult:
    """Read a Word draft written in ``lang``; see the module docstring for the rules."""
    _check_package(data, filename)
    try:
        blocks = _read_blocks(data)
    except DraftError:
        raise
    except Exception as exc:  # python-docx/lxml on a damaged part
        raise DocxImportError(f"{filename}: cannot read the document ({exc}); open it in "
                              "Word or LibreOffice and save it again as .docx") from None
    if not any(not b.table for b in blocks):
        raise DocxImportError(f"{filename}: the document has no paragraphs of text "
                              "(only tables or nothing); write the resolution as paragraphs")
    reader = _Classifier(lang)
    for block in reader.head(blocks):
        reader.add(block)
    ids = _Ids()
    annexes = tuple(
        Annex(ids.make("annex", section.title or str(i)),
              {lang: section.title} if section.title else {},
              _paragraphs(section.preamble, "pp", lang, ids, f"annexes[{i}].preamble"),
              _paragraphs(section.operative, "op", lang, ids, f"annexes[{i}].operative"))
        for i, section in enumerate(reader.annexes))
    draft = Resolution(
        body=body, languages=(lang,),
        title={lang: reader.main.title} if reader.main.title else {},
        preamble=_paragraphs(reader.main.preamble, "pp", lang, ids, "preamble"),
        operative=_paragraphs(reader.main.operative, "op", lang, ids, "operative"),
        annexes=annexes, symbol=reader.symbol)
    resolution, source = load(dump(draft), filename)
    return ImportResult(resolution, source, reader.unrecognised, reader.enacting,
                        reader.body_lines)


# -- merging one language into an existing resolution -----------------------------------

def _merge_list(have: tuple[Paragraph, ...], new: tuple[Paragraph, ...], lang: str,
                where: str, problems: list[str], kind: str) -> tuple[Paragraph, ...]:
    if len(have) != len(new):
        problems.append(f"{where}: {len(have)} {kind} in the resolution, {len(new)} in the file")
        return have
    out = []
    for index, (old, imported) in enumerate(zip(have, new)):
        if kind.endswith("paragraphs"):
            label = f"{where} {index + 1}"
        else:
            number = roman(index + 1) if where.endswith(")") else letter(index)
            label = f"{where}({number})"
        items = _merge_list(old.items, imported.items, lang, label, problems, "items")
        texts = dict(old.texts)
        if imported.text(lang):
            texts[lang] = imported.text(lang)
        out.append(old._replace(texts=texts, items=items))
    return tuple(out)


def merge_language(resolution: Resolution, imported: Resolution, lang: str) -> Resolution:
    """``resolution`` with its ``lang`` texts taken from ``imported``, matched by position.

    Ids, the other languages and metadata stay; raise :class:`StructureMismatch` listing
    every place where the paragraph, item or annex counts differ.
    """
    problems: list[str] = []
    preamble = _merge_list(resolution.preamble, imported.preamble, lang, "PP", problems,
                           "preambular paragraphs")
    operative = _merge_list(resolution.operative, imported.operative, lang, "OP", problems,
                            "operative paragraphs")
    annexes = list(resolution.annexes)
    if len(resolution.annexes) != len(imported.annexes):
        problems.append(f"annexes: {len(resolution.annexes)} in the resolution, "
                        f"{len(imported.annexes)} in the file")
    else:
        for i, (old, new) in enumerate(zip(resolution.annexes, imported.annexes)):
            title = dict(old.title)
            if new.title.get(lang):
                title[lang] = new.title[lang]
            annexes[i] = old._replace(
                title=title,
                preamble=_merge_list(old.preamble, new.preamble, lang, f"Annex {i + 1} PP",
                                     problems, "preambular paragraphs"),
                operative=_merge_list(old.operative, new.operative, lang, f"Annex {i + 1} OP",
                                      problems, "operative paragraphs"))
    if problems:
        raise StructureMismatch(problems)
    title = dict(resolution.title)
    if imported.title.get(lang):
        title[lang] = imported.title[lang]
    languages = resolution.languages + (() if lang in resolution.languages else (lang,))
    return resolution._replace(languages=languages, title=title, preamble=preamble,
                               operative=operative, annexes=tuple(annexes))
