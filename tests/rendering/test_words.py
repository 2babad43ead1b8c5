"""Every language the engine renders has all its words, its face in the stylesheet, and
forms a reviewer can fill in their language.

The catalogues (``templates/words/<lang>.toml``) must hold every key of English with the
same placeholders (a missing key would print English in a Hindi letter; a placeholder
spelt differently would print "{wg}" to the reader). ``css/languages.css`` names, for each
language, the face the registry names (and the PDF embeds it: see test_languages.py).
The headings of a comment form and the type words in each language are read back.
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from drafts.comment_form import TYPE_WORDS, column_kind
from drafts.languages import REGISTRY, SUPPORTED
from templates import jinja
from templates.labels import SECTIONS, catalogue, labels_for, language_name

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _raw(lang: str) -> dict[str, dict[str, str]]:
    node = resources.files("templates").joinpath("words", f"{lang}.toml")
    return tomllib.loads(node.read_text("utf-8"))


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_language_has_every_word_with_the_same_placeholders(lang: str) -> None:
    english, own = _raw("en"), _raw(lang)
    for section in SECTIONS:
        missing = set(english[section]) - set(own.get(section, {}))
        assert not missing, f"{lang}.toml [{section}] lacks {sorted(missing)}"
        extra = set(own[section]) - set(english[section])
        assert not extra, f"{lang}.toml [{section}] has unknown keys {sorted(extra)}"
        for key, text in own[section].items():
            assert text.strip(), f"{lang}.toml [{section}] {key} is empty"
            wanted = set(PLACEHOLDER.findall(english[section][key]))
            if (section, key) == ("small", "round"):
                wanted |= set(PLACEHOLDER.findall(text)) & {"n"}  # 第{n}轮: the number inside
            assert set(PLACEHOLDER.findall(text)) == wanted, \
                f"{lang}.toml [{section}] {key}: placeholders differ"


@pytest.mark.parametrize("lang", [code for code in SUPPORTED if code != "en"])
def test_no_language_borrows_english_labels(lang: str) -> None:
    """Words a reader sees are in their language: only codes, formats and the UN
    distribution line may be the same as in English."""
    same = {key for key, text in labels_for(lang).items() if text == labels_for("en")[key]}
    allowed = {"distr", "form_types", "hash", "ref", "document", "description", "action",
               "note", "type", "signatures", "version", "page", "organisation", "signatory",
               "seq", "signature_date", "event", "decision", "approved", "role_signatory",
               "form_help", "title", "certificate", "completion"}
    assert same <= allowed, f"{lang}: English words left in {sorted(same - allowed)}"
    assert catalogue(lang)["mail"]["review_text"] != catalogue("en")["mail"]["review_text"]


@pytest.mark.parametrize("lang", SUPPORTED)
def test_every_language_names_every_language(lang: str) -> None:
    for code in SUPPORTED:
        name = language_name(code, lang)
        assert name and name != code, (lang, code)
    assert language_name("ar", "ru", in_sentence=True) == "арабском"
    assert language_name("ar", "ar") == "العربية"


def test_the_stylesheet_names_each_languages_face() -> None:
    css = jinja.read_file("css/languages.css").decode("utf-8")
    rules = re.findall(r"([^{}]+)\{\s*font-family:\s*([^;]+);", css)
    face_of: dict[str, str] = {}
    for selectors, families in rules:
        first = families.split(",")[0].strip().strip('"')
        for lang in re.findall(r'\[lang\|="(\w+)"\]', selectors):
            face_of[lang] = first
    assert face_of == {code: lang.font for code, lang in REGISTRY.items()}


@pytest.mark.parametrize("lang", SUPPORTED)
def test_comment_form_headings_and_type_words_are_read_in_every_language(lang: str) -> None:
    words = labels_for(lang)
    for key, kind in (("ref", "ref"), ("form_types", "type"), ("comment", "comment"),
                      ("proposal", "proposal"), ("observations", "observations"),
                      ("seq", "number")):
        assert column_kind(words[key]) == kind, (lang, key, words[key])
    mail = catalogue(lang)["mail"]["review_text"]
    told = re.findall(r"[«“\"]\s*([^»”\"\s]{2,14})\s*[:：]\s*[»”\"]", mail)  # «عام:» «فني:»
    assert len(told) >= 3, (lang, told)
    assert sorted(TYPE_WORDS[word.lower()] for word in told[:3]) == ["ed", "ge", "te"], told
