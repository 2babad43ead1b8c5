"""The hits of ``resolutions search`` for a person: each paragraph found, its matched words
marked, and its aligned paragraphs in the other languages under it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.search.query import Hit, SearchPage

__all__ = ["marked", "search_text"]

#: how matched words are marked: on a terminal in bold and underlined, else with ** **
_TERMINAL = ("\x1b[1;4m", "\x1b[0m")
_PLAIN = ("**", "**")


def marked(text: str, spans: list[tuple[int, int]], marks: tuple[str, str] = _PLAIN) -> str:
    """``text`` with each (start, end) range between the two marks."""
    out: list[str] = []
    last = 0
    for start, end in spans:
        out += [text[last:start], marks[0], text[start:end], marks[1]]
        last = end
    out.append(text[last:])
    return "".join(out)


def _versions(hit: Hit) -> str:
    span = (f"version {hit.version}" if hit.first_version == hit.version
            else f"versions {hit.first_version}–{hit.version}")
    return span + (", current" if hit.current else "")


def search_text(page: SearchPage, page_number: int, terminal: bool = False) -> str:
    """The page as text: a heading per hit, the paragraph in its language, the others."""
    if not page.hits:
        return (f"nothing found for {page.query!r}" if page.total == 0 else
                f"no hits on page {page_number} (there are {page.total})")
    marks = _TERMINAL if terminal else _PLAIN
    lines: list[str] = []
    for n, hit in enumerate(page.hits, start=page.offset + 1):
        lines.append(f"{n}. {hit.symbol} {hit.ref} · {_versions(hit)} · {hit.state} · "
                     f"{hit.body}")
        lines.append(f"   {hit.lang}  {marked(hit.text, hit.matches, marks)}")
        for lang, text in hit.aligned.items():
            lines.append(f"   {lang}  {text}")
        lines.append("")
    shown = page.offset + len(page.hits)
    lines.append(f"{page.total} paragraph(s) found; showing {page.offset + 1}–{shown}"
                 + (f"; next: --page {page_number + 1}" if page.total > shown else ""))
    return "\n".join(lines)
