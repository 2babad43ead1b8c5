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
from dataclasses import dataclass, field, replace
from typing import Any

from drafts.errors import DraftError
from drafts.model import Annex, Paragraph, Resolution
from drafts.numbering import letter, roman
from drafts.source import dump, load
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
    """The imported resolution, its YAML source and what was not understood."""

    resolution: Resolution
    source: str
    unrecognised: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Section:
    title: str = ""
    preamble: list[dict[str, Any]] = field(default_factory=list)
    operative: list[dict[str, Any]] = field(default_factory=list)


class _Classifier:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.symbol: str | None = None
        self.main = _Section()
        self.annexes: list[_Section] = []
        self.unrecognised: list[tuple[int, str]] = []
        self.phase = "start"  # start → preamble → operative; annex-title → annex-*

    @property
    def section(self) -> _Section:
        return self.annexes[-1] if self.annexes else self.main

    def typed_label(self, text: str) -> tuple[int, str] | None:
        probe = text.translate(_FULLWIDTH)
        match = _NUM_OP.match(probe)
        if match:
            return 0, text[match.end():]
        sub, item = _NUM_SUB.match(probe), _NUM_ITEM.match(probe)
        if sub and (not item or self.prefers_roman(sub.group(1) or sub.group(2))):
            return 2, text[sub.end():]
        if item:
            return 1, text[item.end():]
        return None

    def prefers_roman(self, token: str) -> bool:
        """Whether "(i)", "(v)", "(x)" is a sub-item numeral rather than an item letter."""
        if token not in _ROMAN_WORDS:
            return False
        ops = self.section.operative
        items = ops[-1].get("items") if ops else None
        if not items:
            return len(token) > 1
        letters = "abcdefghijklmnopqrstuvwxyz"
        next_letter = letters[len(items)] if len(items) < len(letters) else ""
        if token != next_letter:
            return True
        subs = items[-1].get("items", [])
        return bool(subs) and _ROMAN_WORDS[len(subs)] == token if len(subs) < 12 else False

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
        if self.phase == "start":
            if self.symbol is None and _SYMBOL.match(block.text):
                self.symbol = block.text
                return
            if block.style == "Title" or block.bold or block.centred:
                self.main.title = block.text
                self.phase = "body-line"
                return
            self.phase = "body-line"
        if self.phase == "annex-title":
            if block.num_level is None and not self.typed_label(block.text):
                self.section.title = block.text
                self.phase = "annex-preamble"
                return
            self.phase = "annex-preamble"
        level, text = (block.num_level, block.text) if block.num_level is not None else \
            (self.typed_label(block.text) or (None, block.text))
        if level is None:
            self.unnumbered(block)
        else:
            self.numbered(block, level, _clean(text))

    def unnumbered(self, block: _Block) -> None:
        section = self.section
        if self.phase == "body-line":
            self.phase = "preamble"
            if (not block.opener and not _starts_with(block.text, _PREAMBLE_OPENERS)
                    and not _starts_with(block.text, _OPERATIVE_OPENERS)
                    and len(block.text) < 150 and block.text.endswith((",", ":", "，", "："))):
                self.unrecognised.append((block.index, block.text))  # "The Working Group,"
                return
        if self.phase in ("preamble", "annex-preamble"):
            if _starts_with(block.text, _OPERATIVE_OPENERS) and not section.operative:
                section.operative.append({self.lang: _marked(block)})
                self.phase = "operative-lone" if section is self.main else "annex-operative-lone"
                return
            section.preamble.append({self.lang: _marked(block)})
            return
        self.unrecognised.append((block.index, block.text))

    def numbered(self, block: _Block, level: int, text: str) -> None:
        section = self.section
        in_annex = section is not self.main
        if self.phase.endswith("operative-lone") and level == 0:
            self.unrecognised.append((block.index, block.text))
            return
        if level == 0:
            section.operative.append({self.lang: _marked(block, text)})
            self.phase = "annex-operative" if in_annex else "operative"
            return
        if not section.operative:
            self.unrecognised.append((block.index, block.text))
            return
        parent = section.operative[-1]
        if level == 2:
            if not parent.get("items"):
                self.unrecognised.append((block.index, block.text))
                return
            parent = parent["items"][-1]
        parent.setdefault("items", []).append({self.lang: _marked(block, text)})


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


def _paragraphs(nodes: list[dict[str, Any]], prefix: str, lang: str, ids: _Ids,
                where: str) -> tuple[Paragraph, ...]:
    out = []
    for index, node in enumerate(nodes):
        items = _paragraphs(node.get("items", []), "it", lang, ids, f"{where}[{index}].items")
        text = node.get(lang, "")
        out.append(Paragraph(ids.make(prefix, text or f"{where}{index}"),
                             {lang: text} if text else {}, items))
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
    for block in blocks:
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
    return ImportResult(resolution, source, reader.unrecognised)


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
        out.append(replace(old, texts=texts, items=items))
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
            annexes[i] = replace(
                old, title=title,
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
    return replace(resolution, languages=languages, title=title, preamble=preamble,
                   operative=operative, annexes=tuple(annexes))
