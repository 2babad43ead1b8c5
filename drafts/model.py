"""The frozen resolution tree: paragraphs with text in every language and stable ids.

``Resolution.to_data()`` gives the canonical plain-data form (the same shape as the
YAML source, ids included); ``content_hash()`` hashes that form, so two sources that
differ only in comments or key order are the same version.

The classes are named tuples, not frozen dataclasses: every command that reads a text
defines them, and a frozen dataclass costs about ten times as much to define. Change one
with ``_replace``; its fields are ``_fields``. Being tuples, they iterate over their values
and compare equal to a plain tuple of the same values: serialise them with ``to_data``.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from drafts.languages import REGISTRY

__all__ = [
    "LANGUAGES",
    "Paragraph",
    "Annex",
    "Resolution",
    "Located",
    "SECTION_PREAMBLE",
    "SECTION_OPERATIVE",
    "SOURCE_KEYS",
    "KEY_LANGUAGES",
    "source_key",
]

#: Languages the model knows, with their names (English, own): every language of
#: :mod:`drafts.languages` (the working group's three first, then BRICS members' and the
#: United Nations' other languages).
LANGUAGES: Mapping[str, tuple[str, str]] = {
    code: (lang.english, lang.own) for code, lang in REGISTRY.items()}

#: Languages whose texts a source writes under another key: ``id`` is a paragraph's id,
#: so Indonesian texts are written ``ind:`` (its ISO 639-3 code).
SOURCE_KEYS: Mapping[str, str] = {"id": "ind"}
#: The other way round: a source key → the language.
KEY_LANGUAGES: Mapping[str, str] = {key: lang for lang, key in SOURCE_KEYS.items()}


def source_key(lang: str) -> str:
    """The key a language's text has in a source (``ind`` for Indonesian)."""
    return SOURCE_KEYS.get(lang, lang)


SECTION_PREAMBLE = "preamble"
SECTION_OPERATIVE = "operative"


class Paragraph(NamedTuple):
    """One paragraph (or item, or sub-item): text per language and nested items.

    ``label`` is the label style an item keeps from its source (``letter``, ``roman``,
    ``number``; see :mod:`drafts.languages`); "" numbers it by its depth.
    """

    id: str
    texts: Mapping[str, str]
    items: "tuple[Paragraph, ...]" = ()
    label: str = ""

    def text(self, lang: str) -> str:
        return self.texts.get(lang, "")

    def to_data(self) -> dict[str, object]:
        data: dict[str, Any] = {"id": self.id}
        if self.label:
            data["label"] = self.label
        for lang in sorted(self.texts, key=_lang_order):
            data[source_key(lang)] = self.texts[lang]
        if self.items:
            data["items"] = [item.to_data() for item in self.items]
        return data

    def with_texts(self, texts: Mapping[str, str]) -> "Paragraph":
        return self._replace(texts=dict(texts))


class Annex(NamedTuple):
    """An annex: a title and its own preambular and operative paragraphs."""

    id: str
    title: Mapping[str, str]
    preamble: tuple[Paragraph, ...] = ()
    operative: tuple[Paragraph, ...] = ()

    def to_data(self) -> dict[str, object]:
        data: dict[str, Any] = {"id": self.id, "title": _ordered(self.title)}
        if self.preamble:
            data["preamble"] = [p.to_data() for p in self.preamble]
        if self.operative:
            data["operative"] = [p.to_data() for p in self.operative]
        return data


class Located(NamedTuple):
    """A paragraph with its place in the tree.

    ``path`` is the list of indexes from the section down (``(2, 1)`` is the second
    item of the third paragraph); ``annex`` is the annex index or ``None``.
    """

    paragraph: Paragraph
    section: str
    path: tuple[int, ...]
    annex: int | None = None
    parent_id: str | None = None

    @property
    def depth(self) -> int:
        return len(self.path) - 1


class Resolution(NamedTuple):
    """A whole resolution in all its languages."""

    body: str
    languages: tuple[str, ...]
    title: Mapping[str, str]
    preamble: tuple[Paragraph, ...] = ()
    operative: tuple[Paragraph, ...] = ()
    annexes: tuple[Annex, ...] = ()
    symbol: str | None = None
    date: str | None = None
    distribution: str | None = None
    #: (the default is one shared, read-only empty mapping)
    extra: Mapping[str, Any] = MappingProxyType({})

    def to_data(self) -> dict[str, object]:
        data: dict[str, Any] = {}
        if self.symbol:
            data["symbol"] = self.symbol
        data["body"] = self.body
        if self.date:
            data["date"] = self.date
        if self.distribution:
            data["distribution"] = self.distribution
        data["languages"] = list(self.languages)
        data["title"] = _ordered(self.title)
        data["preamble"] = [p.to_data() for p in self.preamble]
        data["operative"] = [p.to_data() for p in self.operative]
        if self.annexes:
            data["annexes"] = [a.to_data() for a in self.annexes]
        return data

    def content_hash(self) -> str:
        """SHA-256 of the canonical text (symbol excluded: it is assigned, not written)."""
        data = self.to_data()
        data.pop("symbol", None)
        blob = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def walk(self) -> Iterator[Located]:
        """Every paragraph, item and sub-item in document order."""
        yield from _walk_section(self.preamble, SECTION_PREAMBLE, None)
        yield from _walk_section(self.operative, SECTION_OPERATIVE, None)
        for index, annex in enumerate(self.annexes):
            yield from _walk_section(annex.preamble, SECTION_PREAMBLE, index)
            yield from _walk_section(annex.operative, SECTION_OPERATIVE, index)

    def find(self, paragraph_id: str) -> Located | None:
        for located in self.walk():
            if located.paragraph.id == paragraph_id:
                return located
        return None

    def with_symbol(self, symbol: str) -> "Resolution":
        return self._replace(symbol=symbol)


def _walk_section(
    paragraphs: tuple[Paragraph, ...], section: str, annex: int | None
) -> Iterator[Located]:
    def visit(
        items: tuple[Paragraph, ...], prefix: tuple[int, ...], parent: str | None
    ) -> Iterator[Located]:
        for index, paragraph in enumerate(items):
            path = prefix + (index,)
            yield Located(paragraph, section, path, annex, parent)
            yield from visit(paragraph.items, path, paragraph.id)

    yield from visit(paragraphs, (), None)


def _lang_order(lang: str) -> tuple[int, str]:
    keys = list(LANGUAGES)
    return (keys.index(lang) if lang in keys else len(keys), lang)


def _ordered(texts: Mapping[str, str]) -> dict[str, str]:
    return {source_key(lang): texts[lang] for lang in sorted(texts, key=_lang_order)}
