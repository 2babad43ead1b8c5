"""The fixed words a rendered document or a message prints around the user's text, per
language.

Column headings, stage titles, the stale-translation marker, the words of the event table,
the cover letter and the e-mails: one catalogue per language, ``templates/words/<lang>.toml``
(sections ``labels``, ``words``, ``events``, ``small``, ``ops``, ``languages``,
``languages_in``, ``mail``), with the keys and placeholders of ``en.toml``. Every language
the engine renders has every key (a test checks it); a key a workspace catalogue lacks falls
back to English. Templates get the labels as ``t[lang].key`` (and ``tt(key)`` for the
"Русский / 中文 / English" form used in headings of multilingual tables).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources

__all__ = ["labels_for", "catalogue", "section", "joined", "quoted", "language_name",
           "SECTIONS"]

#: The sections of a catalogue.
SECTIONS = ("labels", "words", "events", "small", "ops", "languages", "languages_in", "mail")


@functools.cache
def _file(lang: str) -> Mapping[str, Mapping[str, str]]:
    node = resources.files("templates").joinpath("words", f"{lang}.toml")
    if not node.is_file():
        return {}
    data = tomllib.loads(node.read_text("utf-8"))
    return {name: {str(k): str(v) for k, v in data.get(name, {}).items()} for name in SECTIONS}


@functools.cache
def catalogue(lang: str) -> Mapping[str, Mapping[str, str]]:
    """Every section of a language's catalogue, English for any key it lacks."""
    english, own = _file("en"), _file(lang)
    return {name: {**english.get(name, {}), **own.get(name, {})} for name in SECTIONS}


def section(name: str, lang: str) -> Mapping[str, str]:
    """One section of a language's catalogue (``section("events", "ar")``)."""
    return catalogue(lang)[name]


def labels_for(lang: str) -> Mapping[str, str]:
    """The labels of one language, English for any word it lacks."""
    return section("labels", lang)


def language_name(code: str, lang: str, *, in_sentence: bool = False) -> str:
    """The name of language ``code`` written in ``lang`` ("арабский", "العربية", "Arabic");
    ``in_sentence``: the form the cover letter's sentence takes (Russian prepositional)."""
    if in_sentence and section("languages_in", lang).get(code):
        return section("languages_in", lang)[code]
    return section("languages", lang).get(code) or code


def joined(key: str, languages: Sequence[str]) -> str:
    """One label in every language shown, "Замечание / 意见" (repeats dropped).

    An unknown key is printed as it is (a disposition the labels do not know).
    """
    if not key:
        return ""
    words = list(dict.fromkeys(labels_for(lang).get(key, key) for lang in languages))
    return " / ".join(words)


def quoted(text: str, lang: str) -> str:
    """A title in quotation marks as the language nests them: «… „рынка“ …» in Russian,
    “… ‘market’ …” in English, 《…》 in Chinese, «… “السوق” …» in Arabic, Persian, Amharic
    and Spanish, « … » in French."""
    if lang == "ru":
        inner = text.replace("«", "„").replace("»", "“")
        return f"«{inner}»"
    if lang == "zh":
        return f"《{text}》"
    if lang in ("ar", "fa", "am", "es", "fr"):  # guillemets outside, “…” inside
        inner = _straight_pairs(text.replace("«", "“").replace("»", "”"), "“", "”")
        return f"«\u202f{inner}\u202f»" if lang == "fr" else f"«{inner}»"
    inner = text.replace("“", "‘").replace("”", "’")
    inner = _straight_pairs(inner, "‘", "’")
    return f"“{inner}”"


def _straight_pairs(text: str, opening: str, closing: str) -> str:
    """Straight double quotes of a source text as alternating curly inner quotes."""
    out, open_next = [], True
    for ch in text:
        if ch == '"':
            out.append(opening if open_next else closing)
            open_next = not open_next
        else:
            out.append(ch)
    return "".join(out)
