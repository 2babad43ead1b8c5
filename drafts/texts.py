"""What one paragraph text is held to, in a source and wherever a text arrives without one
(an amendment's ``--text LANG=…``): a string, at most :data:`MAX_TEXT_CHARS` characters, no
invisible or control character. Imports no YAML parser, so a command that checks a text
without reading a source (``amend``) does not load one."""

from __future__ import annotations

import re

from drafts.errors import SourceError

__all__ = ["check_text", "MAX_TEXT_CHARS"]

MAX_TEXT_CHARS = 20_000
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)


def check_text(value: object, field: str, file: str = "<text>", line: int | None = None) -> str:
    """``value`` stripped, or :class:`SourceError` naming the file, line and field."""
    if not isinstance(value, str):
        raise SourceError(f"expected text, found {type(value).__name__}", file=file, line=line,
                          field=field,
                          fix="write the text as a string (quote it if it starts with a symbol)")
    if len(value) > MAX_TEXT_CHARS:
        raise SourceError(f"text of {len(value)} characters is longer than {MAX_TEXT_CHARS}",
                          file=file, line=line, field=field,
                          fix="split the paragraph or move the material to an annex")
    bad = FORBIDDEN.search(value)
    if bad:
        raise SourceError(f"contains the invisible or control character U+{ord(bad.group()):04X}",
                          file=file, line=line, field=field,
                          fix="delete it (retype the text around it)")
    return str(value).strip()
