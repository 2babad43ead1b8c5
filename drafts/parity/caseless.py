"""Words compared as a pattern with ``re.IGNORECASE`` compares them, without the pattern.

A pattern of a few dozen word forms compiled with ``re.IGNORECASE`` costs a millisecond or
two to compile, which a command that checks parity once pays on every start; a lookup of the
word's folded form in a set of forms costs nothing to set up. :func:`fold` maps a word to
the form such a pattern would take it for: ``re.IGNORECASE`` matches a character when its
lower case is the letter's, or one of the few letters it also takes for it (the Cyrillic
ᲀ for в, the dotless ı for i, the long ſ for s …). A test holds the two equal over every
character for the letters the rules' forms are written with.
"""

__all__ = ["fold", "WORD"]

import re

#: the letters re.IGNORECASE takes for another beyond lower case, mapped to that one (and
#: İ, whose lower case str.lower writes as two characters, to the one it folds to)
_SAME = str.maketrans({
    "İ": "i", "ı": "i", "ſ": "s",
    "ᲀ": "в", "ᲁ": "д", "ᲂ": "о", "ᲃ": "с", "ᲄ": "т", "ᲅ": "т", "ᲆ": "ъ", "ᲇ": "ѣ",
    "ᲈ": "ꙋ",
})

#: a run of word characters: what ``\b`` … ``\b`` around a form of letters matches whole
WORD = re.compile(r"\w+")


def fold(word: str) -> str:
    """``word`` as a case-insensitive pattern reads it: two words fold to the same text
    exactly when ``re.fullmatch(one, other, re.IGNORECASE)`` matches (for words of the
    Latin and Cyrillic letters the parity rules' forms use)."""
    return word.translate(_SAME).lower()
