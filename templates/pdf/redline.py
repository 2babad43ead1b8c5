"""Redline runs: diff segments made printable.

The diff compares source texts, which still carry the ``*opener*`` emphasis markers. A
redline must not print the asterisks: this drops the marker characters (from the old text
for deletions, the new text for insertions and unchanged runs) and says which runs belong
to the emphasised opening phrase.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from drafts.diff import Segment
from drafts.markup import split_opener

__all__ = ["Run", "redline_runs"]


@dataclass(frozen=True)
class Run:
    op: str        # equal | insert | delete
    text: str
    opener: bool   # part of the emphasised opening phrase


def _markers(text: str) -> tuple[set[int], int]:
    """Positions of the two ``*`` of an opener and the end of the opener (exclusive)."""
    opener, _ = split_opener(text)
    if not opener:
        return set(), 0
    return {0, len(opener) + 1}, len(opener) + 1


def redline_runs(segments: Iterable[Segment]) -> list[Run]:
    segments = list(segments)
    old = "".join(s.text for s in segments if s.op != "insert")
    new = "".join(s.text for s in segments if s.op != "delete")
    old_marks, old_end = _markers(old)
    new_marks, new_end = _markers(new)
    runs: list[Run] = []
    i_old = i_new = 0
    for seg in segments:
        for ch in seg.text:
            if seg.op == "delete":
                drop, emph = i_old in old_marks, 0 < i_old < old_end
                i_old += 1
            elif seg.op == "insert":
                drop, emph = i_new in new_marks, 0 < i_new < new_end
                i_new += 1
            else:
                drop = i_new in new_marks or i_old in old_marks
                emph = 0 < i_new < new_end
                i_old += 1
                i_new += 1
            if drop:
                continue
            if runs and runs[-1].op == seg.op and runs[-1].opener == emph:
                runs[-1] = Run(seg.op, runs[-1].text + ch, emph)
            else:
                runs.append(Run(seg.op, ch, emph))
    return runs
