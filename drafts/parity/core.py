"""What the parity rules share: findings, the units they look at, thresholds, wording.

A *unit* is one thing that exists in every authentic language: the title, an annex title,
a paragraph, an item or a sub-item. Each rule looks at units and returns findings.

Findings, units and thresholds are named tuples, not frozen dataclasses (a command that
checks parity defines them on every start, and a frozen dataclass costs about ten times as
much to define): a finding goes out as JSON through ``to_dict``, never as it is.
"""

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple, TypedDict

from drafts.model import LANGUAGES, SECTION_OPERATIVE, SECTION_PREAMBLE, Paragraph, Resolution
from drafts.numbering import ref as paragraph_ref
from drafts.staleness import TITLE_ID, annex_title_id

__all__ = [
    "ERROR",
    "WARNING",
    "KIND_TITLE",
    "Finding",
    "FindingJSON",
    "Thresholds",
    "Unit",
    "units",
    "lang_name",
    "names",
    "the_texts",
]

ERROR, WARNING = "error", "warning"
KIND_TITLE = "title"


class FindingJSON(TypedDict):
    """A finding as the JSON of ``docs/CHECK_JSON.md``."""

    id: str
    ref: str
    paragraph_id: str
    languages: list[str]
    rule: str
    severity: str
    message: str
    fix: str


class Finding(NamedTuple):
    """One difference between the language versions, or one breach of a convention.

    ``ref`` is the reviewers' reference ("OP 3(b)", "PP 2", "Title", "Annex 1 OP 2");
    ``languages`` the languages concerned; ``rule`` a short code (``missing``, ``stale``,
    ``numbers`` …); ``severity`` ``"error"`` or ``"warning"``; ``message`` says what differs
    in plain words and ``fix`` what to do about it.
    """

    ref: str
    paragraph_id: str
    languages: tuple[str, ...]
    rule: str
    severity: str
    message: str
    fix: str

    @property
    def id(self) -> str:
        """``f-`` and 8 hex digits from paragraph, rule and languages: the same finding has
        the same id in every version (a waiver names it, see drafts.parity.waivers)."""
        key = "\0".join([self.paragraph_id, self.rule, ",".join(self.languages)])
        return "f-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]

    def to_dict(self) -> FindingJSON:
        return {
            "id": self.id,
            "ref": self.ref,
            "paragraph_id": self.paragraph_id,
            "languages": list(self.languages),
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
        }


#: Letters of text per letter of English, by language (for the length rule; figures,
#: symbols, spaces and marks are not counted). Measured on the aligned official-style
#: corpus (tests/drafts/corpus_official, docs/BENCHMARKS.md): ru 1.03, zh 0.26, ar 0.81,
#: fr 1.13, es 1.21, pt 1.07; Persian, Hindi, Amharic and Indonesian from their scripts
#: (Persian writes like Arabic; Hindi's vowel signs and Amharic's syllables are not
#: letters of their own).
DEFAULT_RATIOS: Mapping[str, float] = {
    "en": 1.0, "ru": 1.05, "zh": 0.27, "ja": 0.4, "fr": 1.12, "es": 1.2, "pt": 1.07,
    "ar": 0.8, "fa": 0.85, "hi": 0.75, "am": 0.55, "id": 1.15,
}


class Thresholds(NamedTuple):
    """Tuning of the heuristic rules.

    ``ratios``: letters per English letter, per language; the expected ratio of a pair is
    the quotient (ru/en ≈ 1.05, zh/en ≈ 0.27). ``pairs`` overrides a pair directly
    (``{"zh/ru": 0.25}``). A pair is reported when its ratio lies outside
    ``[expected / tolerance, expected × tolerance]``. Paragraphs shorter than
    ``min_chars`` English-equivalent letters in every language are not measured.
    """

    ratios: Mapping[str, float] = MappingProxyType(dict(DEFAULT_RATIOS))
    pairs: Mapping[str, float] = MappingProxyType({})
    tolerance: float = 2.2
    min_chars: int = 40

    @classmethod
    def of(cls, value: "Thresholds | Mapping[str, object] | None") -> "Thresholds":
        """Accept a Thresholds, a mapping of some of its fields, or None (defaults)."""
        if value is None:
            return cls()
        if isinstance(value, Thresholds):
            return value
        known = set(cls._fields)
        unknown = set(value) - known
        if unknown:
            raise ValueError(f"unknown threshold(s) {', '.join(sorted(unknown))}; "
                             f"the thresholds are {', '.join(sorted(known))}")
        base = cls()
        changes: dict[str, Any] = dict(value)
        if "ratios" in changes:
            changes["ratios"] = {**base.ratios, **changes["ratios"]}
        return base._replace(**changes)

    def expected(self, lang: str, other: str) -> float:
        """Expected len(lang) / len(other)."""
        if f"{lang}/{other}" in self.pairs:
            return float(self.pairs[f"{lang}/{other}"])
        if f"{other}/{lang}" in self.pairs:
            return 1.0 / float(self.pairs[f"{other}/{lang}"])
        return self.ratios.get(lang, 1.0) / self.ratios.get(other, 1.0)


class Unit(NamedTuple):
    """A title, paragraph, item or sub-item, with what the rules need to know about it.

    ``kind`` is ``title``, ``preamble`` or ``operative``; ``depth`` 0 for a paragraph, 1
    for an item, 2 for a sub-item; ``last`` is true for the last operative paragraph of
    its section and for the last (sub-)item of such a paragraph — what ends with a full
    stop; ``last_sibling`` for the last paragraph or item among its siblings.
    """

    id: str
    ref: str
    kind: str
    texts: Mapping[str, str]
    depth: int = 0
    items: tuple[Paragraph, ...] = ()
    last: bool = False
    last_sibling: bool = False

    def text(self, lang: str) -> str:
        return (self.texts.get(lang) or "").strip()

    def has_text(self, lang: str) -> bool:
        return bool(self.text(lang))


def units(resolution: Resolution) -> Iterator[Unit]:
    """Every unit in document order: title, main text, then each annex title and text."""
    yield Unit(TITLE_ID, "Title", KIND_TITLE, resolution.title)
    shown: set[int] = set()
    for located in resolution.walk():
        if located.annex is not None and located.annex not in shown:
            shown.add(located.annex)
            yield _annex_title(resolution, located.annex)
        holder = resolution if located.annex is None else resolution.annexes[located.annex]
        section = holder.preamble if located.section == SECTION_PREAMBLE else holder.operative
        chain: Sequence[Paragraph] = section
        last = located.section == SECTION_OPERATIVE
        last_sibling = False
        for index in located.path:
            last_sibling = index == len(chain) - 1
            last = last and last_sibling
            chain = chain[index].items
        paragraph = located.paragraph
        yield Unit(paragraph.id, paragraph_ref(located, resolution), located.section, paragraph.texts,
                   located.depth, paragraph.items, last, last_sibling)
    for index in range(len(resolution.annexes)):
        if index not in shown:
            yield _annex_title(resolution, index)


def _annex_title(resolution: Resolution, index: int) -> Unit:
    annex = resolution.annexes[index]
    return Unit(annex_title_id(annex.id), f"Annex {index + 1} Title", KIND_TITLE, annex.title)


def lang_name(lang: str) -> str:
    """English name of a language ("Chinese"); the code itself when unknown."""
    return LANGUAGES.get(lang, (lang, lang))[0]


def names(langs: Sequence[str]) -> str:
    """"Russian", "Russian and Chinese", "Russian, Chinese and English"."""
    words = [lang_name(lang) for lang in langs]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def the_texts(langs: Sequence[str]) -> str:
    """"the Russian text" / "the Russian and Chinese texts"."""
    return f"the {names(langs)} text" + ("s" if len(langs) > 1 else "")
