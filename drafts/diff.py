"""Word-level comparison of two versions, paragraph by paragraph and language by language.

Paragraphs are matched by their stable id, so a renumbering is not a change. Chinese and
Japanese text is compared character by character (it has no spaces between words).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from drafts.model import Resolution
from drafts.numbering import ref

__all__ = ["Segment", "ParagraphChange", "tokens", "word_diff", "compare"]

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
_WORDS = re.compile(r"\s+|[\w’'-]+|[^\w\s]", re.UNICODE)
_CJK = {"zh", "ja"}


@dataclass(frozen=True)
class Segment:
    op: str  # "equal" | "insert" | "delete"
    text: str


@dataclass(frozen=True)
class ParagraphChange:
    """How one paragraph changed: ``status`` is added, removed, changed or moved."""

    id: str
    status: str
    old_ref: str | None
    new_ref: str | None
    segments: Mapping[str, tuple[Segment, ...]]  # lang -> segments (changed languages only)


def tokens(text: str, lang: str) -> list[str]:
    if lang in _CJK:
        return list(text)
    return _WORDS.findall(text)


def word_diff(old: str, new: str, lang: str) -> tuple[Segment, ...]:
    """Segments that turn ``old`` into ``new``; equal runs are merged."""
    a, b = tokens(old, lang), tokens(new, lang)
    out: list[Segment] = []

    def push(op: str, text: str) -> None:
        if not text:
            return
        if out and out[-1].op == op:
            out[-1] = Segment(op, out[-1].text + text)
        else:
            out.append(Segment(op, text))

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            push(EQUAL, "".join(a[i1:i2]))
        else:
            push(DELETE, "".join(a[i1:i2]))
            push(INSERT, "".join(b[j1:j2]))
    return tuple(out)


def compare(old: Resolution, new: Resolution) -> list[ParagraphChange]:
    """Every paragraph that was added, removed, changed or renumbered, in new-document order
    (removed paragraphs last)."""
    old_index = {loc.paragraph.id: loc for loc in old.walk()}
    seen: set[str] = set()
    changes: list[ParagraphChange] = []
    languages = list(dict.fromkeys(list(new.languages) + list(old.languages)))
    for loc in new.walk():
        pid = loc.paragraph.id
        seen.add(pid)
        before = old_index.get(pid)
        if before is None:
            added: dict[str, tuple[Segment, ...]] = {
                lang: (Segment(INSERT, loc.paragraph.text(lang)),)
                for lang in languages if loc.paragraph.text(lang)}
            changes.append(ParagraphChange(pid, "added", None, ref(loc, new), added))
            continue
        segs: dict[str, tuple[Segment, ...]] = {}
        for lang in languages:
            a, b = before.paragraph.text(lang), loc.paragraph.text(lang)
            if a != b:
                segs[lang] = word_diff(a, b, lang)
        if segs:
            changes.append(ParagraphChange(pid, "changed", ref(before, old), ref(loc, new), segs))
        elif ref(before, old) != ref(loc, new):
            changes.append(ParagraphChange(pid, "moved", ref(before, old), ref(loc, new), {}))
    for pid, loc in old_index.items():
        if pid not in seen:
            segs = {lang: (Segment(DELETE, loc.paragraph.text(lang)),)
                    for lang in languages if loc.paragraph.text(lang)}
            changes.append(ParagraphChange(pid, "removed", ref(loc, old), None, segs))
    return changes
