"""Parity rules about the wording itself: openers, brackets and quotes, and length."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from drafts.markup import plain, split_opener
from drafts.parity.core import (
    ERROR,
    WARNING,
    Finding,
    Thresholds,
    Unit,
    lang_name,
    names,
    the_texts,
)

__all__ = ["opener_emphasis", "opener_mismatch", "balance", "pairing", "length_ratio"]

_CJK = {"zh", "ja"}


def _present(unit: Unit, langs: Sequence[str]) -> list[str]:
    return [lang for lang in langs if unit.has_text(lang)]


# -- openers -------------------------------------------------------------------------------

def opener_emphasis(unit: Unit, langs: Sequence[str]) -> list[Finding]:
    """A preambular paragraph whose text does not start with an ``*emphasised*`` opener."""
    if unit.kind != "preamble" or unit.depth != 0:
        return []
    group = [lang for lang in _present(unit, langs) if not split_opener(unit.text(lang))[0]]
    if not group:
        return []
    from drafts import lexicon  # (only the rules that warn read it: a decision never does)

    hints = []
    for lang in group:
        opener = lexicon.leading_opener(unit.text(lang), lang)
        if opener:
            hints.append(f"'*{opener}*'")
    example = " and ".join(hints) if hints else "'*Noting* …'"
    return [Finding(
        unit.ref, unit.id, tuple(group), "opener-emphasis", WARNING,
        f"{unit.ref}: the opening phrase of {the_texts(group)} is not marked for emphasis "
        "(preambular openers are printed in italics).",
        f"put the opening phrase between asterisks, e.g. {example}.",
    )]


def opener_mismatch(unit: Unit, langs: Sequence[str]) -> list[Finding]:
    """Openers that the lexicon knows and that do not say the same thing across languages."""
    if unit.depth != 0 or unit.kind not in ("preamble", "operative"):
        return []
    from drafts import lexicon

    openers = lexicon.openers_of({lang: unit.text(lang) for lang in _present(unit, langs)})
    if len(openers) < 2 or lexicon.correspond(openers) is not False:
        return []
    keys = {lang: {e.key for e in lexicon.lookup(o, lang)} for lang, o in openers.items()}
    votes = Counter(key for found in keys.values() for key in found)
    best, count = votes.most_common(1)[0]
    odd = [lang for lang in openers if best not in keys[lang]] if count > 1 else list(openers)
    section = "preambular" if unit.kind == "preamble" else "operative"
    described = ", ".join(
        f"{lang_name(lang)} '{opener}' ({_gloss(opener, lang, section)})"
        for lang, opener in openers.items())
    if count > 1:
        entry = next(e for e in lexicon.entries() if e.key == best)
        usual = ", ".join(f"{lang_name(lang)} '{entry.primary(lang)}'" for lang in odd
                          if entry.primary(lang))
        fix = (f"check {the_texts(odd)} against the others; the usual rendering is {usual}."
               if usual else f"check {the_texts(odd)} against the others.")
    else:
        fix = "agree on one opener and render it the usual way in every language."
    return [Finding(
        unit.ref, unit.id, tuple(odd), "opener-mismatch", WARNING,
        f"{unit.ref}: the openers do not say the same thing: {described}.", fix,
    )]


def _gloss(opener: str, lang: str, section: str) -> str:
    from drafts import lexicon

    entry = lexicon.opener_entry(opener, lang, section)
    return entry.english if entry else "?"


# -- brackets and quotes -------------------------------------------------------------------

_BRACKETS = {")": "(", "]": "[", "}": "{", "）": "（", "】": "【", "〕": "〔"}
_QUOTES = {"»": "«", "”": "“", "“": "„", "」": "「", "』": "『", "》": "《", "〉": "〈"}
_CLOSERS = {**_BRACKETS, **_QUOTES}
_OPENERS = set(_BRACKETS.values()) | set(_QUOTES.values())
#: every character the pairing reads (the others it passes over)
_MARKS = frozenset(_CLOSERS) | _OPENERS


def pairing(text: str) -> list[tuple[str, str]]:
    """Unpaired brackets and quotes in one text: ``[(rule, description), …]``.

    ``rule`` is ``brackets`` or ``quotes``. Russian inner quotes „…“ and English “…”
    are both understood; straight double quotes must come in pairs.
    """
    problems: list[tuple[str, str]] = []
    stack: list[str] = []
    body = plain(text)

    def rule(char: str) -> str:
        return "brackets" if char in _BRACKETS or char in _BRACKETS.values() else "quotes"

    for char in filter(_MARKS.__contains__, body):
        if char in _CLOSERS and stack and stack[-1] == _CLOSERS[char]:
            stack.pop()
        elif char in _OPENERS:
            stack.append(char)
        elif char in _CLOSERS:
            opener = _CLOSERS[char]
            if opener in stack:  # something opened inside was never closed
                while stack[-1] != opener:
                    inner = stack.pop()
                    problems.append((rule(inner), f"'{inner}' is not closed before '{char}'"))
                stack.pop()
            else:
                problems.append((rule(char), f"'{char}' closes nothing"))
    for char in stack:
        problems.append((rule(char), f"'{char}' is never closed"))
    if body.count('"') % 2:
        problems.append(("quotes", "an odd number of straight quotes '\"'"))
    return problems


def balance(unit: Unit, langs: Sequence[str]) -> list[Finding]:
    """Unbalanced brackets (rule ``brackets``) and quotes (rule ``quotes``), per language."""
    out = []
    paired = {lang: pairing(unit.text(lang)) for lang in _present(unit, langs)}
    for code in ("brackets", "quotes"):
        per_lang = {}
        for lang, problems in paired.items():
            found = [d for r, d in problems if r == code]
            if found:
                per_lang[lang] = found
        if not per_lang:
            continue
        group = list(per_lang)
        detail = "; ".join(f"{lang_name(lang)}: {', '.join(found)}"
                           for lang, found in per_lang.items())
        what = "brackets" if code == "brackets" else "quotation marks"
        out.append(Finding(
            unit.ref, unit.id, tuple(group), code, ERROR,
            f"{unit.ref}: unbalanced {what} in {the_texts(group)} ({detail}).",
            f"add the missing {what[:-1] if code == 'brackets' else 'quotation mark'} or "
            f"remove the stray one in {the_texts(group)}.",
        ))
    return out


# -- length --------------------------------------------------------------------------------

#: What the length rule does not count: symbols of documents ("S/2024/690",
#: "RCWG/RES/2024/1"), figures, and every mark that is not a letter. They are the same in
#: every language, and in Chinese would weigh three times a Chinese character.
_SYMBOL = re.compile(r"[A-Za-z]+(?:/[A-Za-z0-9.-]+)+")
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _length(text: str, lang: str) -> int:
    """Letters (Chinese: characters) of a text, symbols and figures left out."""
    body = _SYMBOL.sub(" ", plain(text))
    letters = _NOT_LETTERS.sub("", body)
    # combining marks (Hindi vowel signs) are not \w; they belong to their letter
    return len(letters)


def length_ratio(unit: Unit, langs: Sequence[str], thresholds: Thresholds) -> list[Finding]:
    """Languages far longer or shorter than the others, for the expected ratio per pair.

    Titles are not measured: a title is a name ("Resolution 1518 (2003)", «Резолюция
    1518 (2003)», "第1518（2003）号决议"), short and made of symbols, not a sentence whose
    length follows the language."""
    if unit.kind == "title":
        return []
    present = _present(unit, langs)
    if len(present) < 2:
        return []
    size = {lang: _length(unit.text(lang), lang) for lang in present}
    if max(size[lang] / thresholds.ratios.get(lang, 1.0) for lang in present) \
            < thresholds.min_chars:
        return []  # too short to judge (a truncated translation of a long one still counts)
    if min(size.values()) == 0:
        return []

    def off(a: str, b: str) -> float | None:
        expected = thresholds.expected(a, b)
        actual = size[a] / size[b]
        bad = actual < expected / thresholds.tolerance or actual > expected * thresholds.tolerance
        return actual / expected if bad else None

    failing = {(a, b): r for i, a in enumerate(present) for b in present[i + 1:]
               if (r := off(a, b)) is not None}
    out: list[Finding] = []
    if len(present) >= 3:
        for lang in present:
            others = [o for o in present if o != lang]
            pairs = [(lang, o) if (lang, o) in failing else (o, lang) for o in others]
            if all(p in failing for p in pairs):
                factor = off(lang, others[0]) or 1.0
                out.append(_length_finding(unit, lang, others, factor, size))
                for p in pairs:
                    failing.pop(p, None)
    for (a, b), factor in failing.items():
        out.append(_length_finding(unit, a, [b], factor, size))
    return out


def _length_finding(unit: Unit, lang: str, others: list[str], factor: float,
                    size: dict[str, int]) -> Finding:
    longer = factor > 1
    how = f"about {factor:.1f} times longer" if longer else f"about {1 / factor:.1f} times shorter"
    counts = ", ".join(f"{lang_name(x)} {size[x]}" for x in [lang, *others])
    return Finding(
        unit.ref, unit.id, (lang, *others), "length-ratio", WARNING,
        f"{unit.ref}: {the_texts([lang])} is {how} than usual next to the {names(others)} "
        f"(characters: {counts}).",
        f"check that {the_texts([lang])} says all that the {names(others)} "
        f"{'say' if len(others) > 1 else 'says'}, and nothing more (a dropped or repeated "
        "clause).",
    )
