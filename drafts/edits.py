"""Changing the paragraph tree: replace texts, insert after, delete — by stable id.

Used to apply accepted amendments. Each function returns a new Resolution; the input is
never modified. An id that names no paragraph raises :class:`RefError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drafts.errors import RefError
from drafts.model import Annex, Paragraph, Resolution

__all__ = ["replace_texts", "insert_after", "delete", "ancestors"]

_Edit = Callable[[tuple[Paragraph, ...]], tuple[tuple[Paragraph, ...], bool]]


def _edit_list(paragraphs: tuple[Paragraph, ...], target: str,
               change: Callable[[Paragraph], list[Paragraph]]) -> tuple[tuple[Paragraph, ...], bool]:
    out: list[Paragraph] = []
    done = False
    for paragraph in paragraphs:
        if not done and paragraph.id == target:
            out.extend(change(paragraph))
            done = True
            continue
        if not done and paragraph.items:
            items, done = _edit_list(paragraph.items, target, change)
            if done:
                paragraph = paragraph._replace(items=items)
        out.append(paragraph)
    return tuple(out), done


def _apply(resolution: Resolution, target: str,
           change: Callable[[Paragraph], list[Paragraph]]) -> Resolution:
    for name in ("preamble", "operative"):
        section, done = _edit_list(getattr(resolution, name), target, change)
        if done:
            fields: dict[str, Any] = {name: section}
            return resolution._replace(**fields)
    annexes: list[Annex] = []
    found = False
    for annex in resolution.annexes:
        if not found:
            for name in ("preamble", "operative"):
                section, done = _edit_list(getattr(annex, name), target, change)
                if done:
                    annex_fields: dict[str, Any] = {name: section}
                    annex = annex._replace(**annex_fields)
                    found = True
                    break
        annexes.append(annex)
    if not found:
        raise RefError(f"no paragraph with id {target!r} in this version")
    return resolution._replace(annexes=tuple(annexes))


def replace_texts(resolution: Resolution, target: str, texts: Mapping[str, str]) -> Resolution:
    """Replace the given languages' text of one paragraph (others unchanged)."""
    return _apply(resolution, target,
                  lambda p: [p.with_texts({**p.texts, **texts})])


def insert_after(resolution: Resolution, target: str, new: Paragraph) -> Resolution:
    """Insert ``new`` as the next sibling of ``target``."""
    if resolution.find(new.id) is not None:
        raise RefError(f"id {new.id!r} is already used in this version")
    return _apply(resolution, target, lambda p: [p, new])


def delete(resolution: Resolution, target: str) -> Resolution:
    """Remove one paragraph (with its items)."""
    return _apply(resolution, target, lambda p: [])


def ancestors(resolution: Resolution, target: str) -> list[str]:
    """Ids of the paragraphs that contain ``target``, innermost first."""
    parents = {loc.paragraph.id: loc.parent_id for loc in resolution.walk()}
    out: list[str] = []
    current = parents.get(target)
    while current:
        out.append(current)
        current = parents.get(current)
    return out
