"""The one piece of inline markup in a source: ``*emphasis*`` for the opening phrase.

``"*Noting* the demand,"`` → opener ``"Noting"``, rest ``" the demand,"``. Any other
asterisk is literal text.
"""

from __future__ import annotations

import re

__all__ = ["split_opener", "plain"]

_OPENER = re.compile(r"^\*(?P<opener>[^*\n]+)\*(?P<rest>.*)$", re.DOTALL)


def split_opener(text: str) -> tuple[str, str]:
    """(opener, rest); the opener is "" when the text does not start with ``*…*``."""
    match = _OPENER.match(text or "")
    if not match:
        return "", text or ""
    return match["opener"], match["rest"]


def plain(text: str) -> str:
    """The text as printed, without the emphasis markers."""
    opener, rest = split_opener(text)
    return opener + rest if opener else (text or "")
