"""A small trilingual lexicon of the standard openers of resolution paragraphs.

Preambular paragraphs open with a participle (*Recalling*, *Ссылаясь на*, *回顾*), operative
paragraphs with a verb (*Decides*, *Постановляет*, *决定*). The lexicon lives in
``drafts/data/openers.toml``; this module looks openers up, tells whether the openers of
one paragraph in several languages say the same thing, and suggests the usual rendering
of an opener in another language.

Lookup ignores case, ``ё``/``е``, spacing and trailing punctuation, a trailing
preposition (``Ссылаясь`` for ``Ссылаясь на``) and adverbs such as *also*, *further*,
*также*, *又*. A phrase may belong to several entries (zh 注意到 is "Noting" and "Taking
note"); openers correspond when they share an entry.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from drafts.markup import split_opener

__all__ = [
    "Entry",
    "entries",
    "lookup",
    "opener_entry",
    "openers_of",
    "leading_opener",
    "correspond",
    "suggest",
    "PREAMBULAR",
    "OPERATIVE",
]

PREAMBULAR, OPERATIVE = "preambular", "operative"

_TRAILING_WORDS = {
    "en": {"of", "to", "that", "by", "with", "on", "upon", "for"},
    "ru": {"на", "о", "об", "к", "с", "со", "в", "во", "что", "том", "за"},
}
_MODIFIERS = {
    "en": {"also", "further", "furthermore", "again", "once", "moreover", "hereby",
           "strongly", "deeply", "firmly", "fully", "warmly", "duly", "earnestly",
           "urgently", "therefore", "further,", "additionally", "and"},
    "ru": {"также", "далее", "вновь", "еще", "ещё", "раз", "кроме", "того", "настоятельно",
           "решительно", "твердо", "глубоко", "искренне", "тепло", "горячо", "и", "далее,",
           "впредь", "вместе", "тем"},
}
_ZH_MODIFIERS = ("进一步", "再次", "同时", "并且", "又", "还", "并", "也", "另", "兹", "大力",
                 "强烈", "热烈", "积极", "坚决")
_PUNCT = " \t,;:.，；：。、*"


@dataclass(frozen=True)
class Entry:
    """One opener: its key, section (``preambular``/``operative``) and variants per language."""

    key: str
    section: str
    variants: Mapping[str, tuple[str, ...]]

    def primary(self, lang: str) -> str | None:
        """The usual form in ``lang`` (None when the lexicon has none)."""
        forms = self.variants.get(lang, ())
        return forms[0] if forms else None

    @property
    def english(self) -> str:
        return self.primary("en") or self.key


def _normalise(text: str, lang: str) -> str:
    text = (text or "").strip(_PUNCT).casefold().replace("ё", "е")
    if lang in ("zh", "ja"):
        return re.sub(r"\s+", "", text)
    return re.sub(r"\s+", " ", text)


def _strip_modifiers(norm: str, lang: str) -> str:
    if lang == "zh":
        changed = True
        while changed:
            changed = False
            for mod in _ZH_MODIFIERS:
                if norm.startswith(mod) and len(norm) > len(mod):
                    norm, changed = norm[len(mod):], True
        return norm.rstrip("地")
    words = [w.strip(",") for w in norm.split(" ")]
    kept = [w for w in words if w not in _MODIFIERS.get(lang, set())]
    return " ".join(kept)


#: the package's data folder (read as files: ``importlib.resources`` would cost every check
#: the imports of its zip and temporary-file support, and the package is installed as files)
_DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """Every entry of the lexicon, preambular first, in file order."""
    raw = (_DATA / "openers.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    out = []
    for section in (PREAMBULAR, OPERATIVE):
        for item in data.get(section, []):
            variants = {lang: tuple(forms) for lang, forms in item.items() if lang != "key"}
            out.append(Entry(item["key"], section, variants))
    return tuple(out)


@lru_cache(maxsize=1)
def _index() -> dict[str, dict[str, list[Entry]]]:
    """lang → normalised phrase → entries (also each phrase without a trailing preposition)."""
    index: dict[str, dict[str, list[Entry]]] = {}
    for entry in entries():
        for lang, forms in entry.variants.items():
            table = index.setdefault(lang, {})
            for form in forms:
                keys = {_normalise(form, lang)}
                words = _normalise(form, lang).split(" ")
                while len(words) > 1 and words[-1] in _TRAILING_WORDS.get(lang, set()):
                    words = words[:-1]
                    keys.add(" ".join(words))
                for key in keys:
                    bucket = table.setdefault(key, [])
                    if entry not in bucket:
                        bucket.append(entry)
    return index


def _exact(opener: str, lang: str) -> list[Entry]:
    table = _index().get(lang, {})
    norm = _normalise(opener, lang)
    found = table.get(norm) or table.get(_strip_modifiers(norm, lang))
    return list(found or [])


def lookup(opener: str, lang: str) -> tuple[Entry, ...]:
    """Every entry the opener is a form of (normalised, adverbs ignored); () when none."""
    return tuple(_exact(opener, lang))


def _by_prefix(text: str, lang: str) -> tuple[str, list[Entry]] | None:
    """The longest start of ``text`` that is an opener in the lexicon."""
    text = (text or "").lstrip(" *")
    if lang in ("zh", "ja"):
        compact = re.sub(r"\s+", "", text)
        for size in range(min(len(compact), 10), 0, -1):
            found = _exact(compact[:size], lang)
            if found:
                return compact[:size], found
        return None
    words: list[str] = []
    for word in text.split()[:7]:
        words.append(word)
        if word[-1] in ",;:.，；：":
            break  # an opener does not run across punctuation
    for size in range(len(words), 0, -1):
        candidate = " ".join(words[:size]).rstrip(_PUNCT)
        found = _exact(candidate, lang)
        if found:
            return candidate, found
    return None


def _prefer(found: list[Entry], section: str | None) -> list[Entry]:
    if section is None:
        return found
    return sorted(found, key=lambda e: e.section != section)


def opener_entry(opener_text: str, lang: str, section: str | None = None) -> Entry | None:
    """The lexicon entry of an opener ("Noting", "Ссылаясь на", "又回顾"), or None.

    Exact (normalised) matches first, else the longest lexicon phrase the opener starts
    with. ``section`` breaks ties between a preambular and an operative reading.
    """
    found = _exact(opener_text, lang)
    if not found:
        hit = _by_prefix(opener_text, lang)
        found = hit[1] if hit else []
    found = _prefer(found, section)
    return found[0] if found else None


def leading_opener(text: str, lang: str) -> str | None:
    """The opener a paragraph text starts with: its ``*emphasis*``, else the longest
    lexicon phrase at its start; None when neither."""
    opener, _rest = split_opener(text)
    if opener:
        return opener.strip()
    hit = _by_prefix(text, lang)
    return hit[0] if hit else None


def openers_of(texts: Mapping[str, str]) -> dict[str, str]:
    """Language → leading opener, for the languages whose text has one."""
    out = {}
    for lang, text in texts.items():
        opener = leading_opener(text, lang)
        if opener:
            out[lang] = opener
    return out


def correspond(openers: Mapping[str, str]) -> bool | None:
    """Whether the openers (language → opener text) say the same thing.

    True when one lexicon entry holds them all; False when every opener is in the
    lexicon, exactly, and no entry holds them all; None when an opener is not in the
    lexicon (or only its first words are, so the comparison would be a guess).
    """
    sets = []
    loose = False
    for lang, opener in openers.items():
        found = _exact(opener, lang)
        if not found:
            hit = _by_prefix(opener, lang)
            if hit is None:
                return None
            found, loose = hit[1], True
        sets.append({entry.key for entry in found})
    if not sets:
        return None
    if set.intersection(*sets):
        return True
    return None if loose else False


def suggest(text: str, lang: str) -> list[str]:
    """Usual forms in ``lang`` of the opener that ``text`` starts with (in any language).

    ``suggest("*Noting* the report,", "ru")`` → ``["Отмечая"]``. Empty when the opener is
    not in the lexicon.
    """
    found: list[Entry] = []
    opener, _rest = split_opener(text)
    for source in _index():
        hits = _exact(opener, source) if opener else []
        if not hits:
            hit = _by_prefix(opener or text, source)
            hits = hit[1] if hit else []
        found.extend(e for e in hits if e not in found)
    out: list[str] = []
    for entry in found:
        form = entry.primary(lang)
        if form and form not in out:
            out.append(form)
    return out
