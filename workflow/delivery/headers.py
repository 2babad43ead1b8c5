"""Message headers folded so that every reader gets back exactly what was written.

The standard library's folder (Python 3.11) loses or adds spaces where it breaks a long
non-ASCII header between an encoded word and plain text: "Совещание министров" came back
as "Совещаниеминистров", a display name as "про мышленности". Here a header with text that
needs encoding is written entirely as RFC 2047 encoded words (``=?utf-8?b?…?=``), cut at
character boundaries, every space inside a word; the folds between words are whitespace
that RFC 2047 (section 6.2) tells a reader to drop. Each line stays within the 78
characters RFC 5322 (section 2.1.1) recommends. Plain ASCII text stays readable: it is
folded at its own single spaces.
"""

from __future__ import annotations

import base64
from email.headerregistry import Address
from email.message import EmailMessage

__all__ = ["set_text_header", "set_address_header", "encoded_words", "MAX_LINE"]

#: RFC 5322 2.1.1: lines SHOULD be no more than 78 characters, CRLF excluded.
MAX_LINE = 78
#: UTF-8 bytes per encoded word: 36 bytes are 48 base64 characters, a 60-character word.
_CHUNK_BYTES = 36
#: UTF-8 bytes per encoded word of a display name: 45 bytes make a 72-character word.
_PHRASE_BYTES = 45


def _needs_encoding(value: str) -> bool:
    if not value.isascii() or "=?" in value or value != value.strip() or "  " in value:
        return True
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return True
    return any(len(word) > MAX_LINE - 12 for word in value.split(" "))


def encoded_words(value: str) -> list[str]:
    """``value`` as B-encoded UTF-8 words of at most 36 bytes each (whole characters)."""
    words: list[str] = []
    chunk = b""
    for ch in value:
        data = ch.encode("utf-8")
        if chunk and len(chunk) + len(data) > _CHUNK_BYTES:
            words.append(chunk)  # type: ignore[arg-type]
            chunk = b""
        chunk += data
    if chunk or not words:
        words.append(chunk)  # type: ignore[arg-type]
    return [f"=?utf-8?b?{base64.b64encode(w).decode('ascii')}?="  # type: ignore[arg-type]
            for w in words]


def _fold(name: str, tokens: list[str]) -> str:
    """Tokens joined by spaces, a fold (newline + space) where a line would grow too long."""
    lines: list[str] = []
    current = ""
    width = len(name) + 2
    for token in tokens:
        if current and width + len(current) + 1 + len(token) > MAX_LINE:
            lines.append(current)
            current, width = token, 1
        else:
            current = f"{current} {token}" if current else token
    lines.append(current)
    return "\n ".join(lines)


def set_text_header(msg: EmailMessage, name: str, value: str) -> None:
    """Set an unstructured header (Subject) so that it parses back to ``value``."""
    if not _needs_encoding(value):
        # folded at its own single spaces (the library's folder adds a leading space)
        msg.set_raw(name, _fold(name, value.split(" ")))
        return
    msg.set_raw(name, _fold(name, encoded_words(value)))


def _phrase_words(display: str) -> list[str]:
    """A display name as encoded words that end where the name has a space.

    A reader joins the encoded words of a phrase (a display name) with the space between
    them (Python's parser does; RFC 2047 would drop it), so the name is cut only at its
    own spaces, each of which becomes the separator. A run without a space longer than one
    word holds (45 bytes, 15 Chinese characters) is cut anyway."""
    pieces: list[str] = []
    current: str | None = None
    for token in display.split(" "):
        candidate = token if current is None else f"{current} {token}"
        if len(candidate.encode("utf-8")) <= _PHRASE_BYTES:
            current = candidate
            continue
        if current is not None:
            pieces.append(current)
        while len(token.encode("utf-8")) > _PHRASE_BYTES:
            cut = len(token)
            while len(token[:cut].encode("utf-8")) > _PHRASE_BYTES:
                cut -= 1
            pieces.append(token[:cut])
            token = token[cut:]
        current = token
    if current is not None:
        pieces.append(current)
    return [f"=?utf-8?b?{base64.b64encode(p.encode('utf-8')).decode('ascii')}?="
            for p in pieces]


def set_address_header(msg: EmailMessage, name: str, address: Address) -> None:
    """Set ``To``/``From`` with a display name that parses back unchanged."""
    display = " ".join(address.display_name.split())
    if not display or display.isascii() and display.replace(" ", "").isalnum() \
            and len(display) < MAX_LINE - 30:
        msg[name] = Address(display_name=display, addr_spec=address.addr_spec)
        return
    tokens = [*_phrase_words(display), f"<{address.addr_spec}>"]
    msg.set_raw(name, _fold(name, tokens))
