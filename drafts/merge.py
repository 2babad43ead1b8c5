"""Three-way merge of resolution texts by paragraph id.

Two people take the same version (the *base*), each changes it, and the second to store
their text would overwrite the first. :func:`merge` instead combines both: a paragraph
(its texts in every language) is a unit, and so is the order of the paragraphs in each
place that holds them (a section, an annex, a paragraph's items), the title, the body, the
languages, the date and each annex's title. A unit only one side changed takes that side's
value; a unit both changed the same way takes it once; a unit both changed differently is a
conflict, and so is a paragraph one side deleted while the other changed it. Paragraphs
both sides inserted at the same place are all kept, theirs first. Nothing is merged inside
a paragraph: two changes to the same paragraph, even in different languages, conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from drafts.errors import DraftError
from drafts.model import Annex, Paragraph, Resolution

_T = TypeVar("_T")

__all__ = ["Merged", "MergeConflict", "merge", "changed_units"]

#: fields of the resolution itself, each one unit
_FIELDS = ("body", "languages", "title", "date", "distribution", "extra")
_TOP = ("preamble", "operative")


class MergeConflict(DraftError):
    """Both sides changed the same units; ``units`` names them (paragraph ids, ``title``,
    an annex id, ``operative`` for the order of a section)."""

    error_code = "conflict"

    def __init__(self, units: Sequence[str]) -> None:
        self.units = tuple(units)
        super().__init__("both texts change " + ", ".join(self.units))


@dataclass(frozen=True)
class Merged:
    """The merged text; ``ours``: the units taken from our side, ``theirs``: from theirs."""

    model: Resolution
    ours: tuple[str, ...]
    theirs: tuple[str, ...]


#: Where an item's label style travels among its texts while merging (no language has it).
_LABEL_KEY = "\0label"


@dataclass
class _Index:
    """A text taken apart into units: paragraph texts, containers' child ids, fields."""

    texts: dict[str, dict[str, str]]
    children: dict[tuple[str, ...], list[str]]
    fields: dict[str, Any]
    annex_titles: dict[str, dict[str, str]]

    @classmethod
    def of(cls, model: Resolution) -> _Index:
        index = cls({}, {}, {}, {})
        for name in _FIELDS:
            value = getattr(model, name)
            index.fields[name] = dict(value) if isinstance(value, Mapping) else value
        for section in _TOP:
            index._section(("section", section), getattr(model, section))
        index.children[("annexes",)] = [a.id for a in model.annexes]
        for annex in model.annexes:
            index.annex_titles[annex.id] = dict(annex.title)
            for section in _TOP:
                index._section(("annex", annex.id, section), getattr(annex, section))
        return index

    def _section(self, key: tuple[str, ...], paragraphs: Iterable[Paragraph]) -> None:
        self.children[key] = []
        for paragraph in paragraphs:
            self.children[key].append(paragraph.id)
            # an item's label style (label: roman) merges with its texts, as one unit
            self.texts[paragraph.id] = dict(paragraph.texts) | (
                {_LABEL_KEY: paragraph.label} if paragraph.label else {})
            self._section(("items", paragraph.id), paragraph.items)

    def holder(self, pid: str) -> tuple[str, ...] | None:
        return next((k for k, ids in self.children.items() if pid in ids and k != ("annexes",)),
                    None)


def _label(key: tuple[str, ...]) -> str:
    """How a container is named in a conflict: its section, or the paragraph it belongs to."""
    if key[0] == "section":
        return key[1]
    if key[0] == "items":
        return f"{key[1]} (its items)"
    if key[0] == "annex":
        return f"{key[1]} {key[2]}"
    return "annexes"


class _Merger:
    def __init__(self, base: Resolution, ours: Resolution, theirs: Resolution) -> None:
        self.b, self.o, self.t = _Index.of(base), _Index.of(ours), _Index.of(theirs)
        self.conflicts: list[str] = []
        self.ours: list[str] = []
        self.theirs: list[str] = []

    def pick(self, unit: str, b: _T, o: _T, t: _T) -> _T:
        if o == t:
            if o != b:
                self.ours.append(unit)
            return o
        if o == b:
            self.theirs.append(unit)
            return t
        if t == b:
            self.ours.append(unit)
            return o
        self.conflicts.append(unit)
        return o

    def order(self, key: tuple[str, ...]) -> list[str]:
        """The merged child ids of one container."""
        b = self.b.children.get(key, [])
        o = self.o.children.get(key, [])
        t = self.t.children.get(key, [])
        if o == t or t == b:
            return list(o)
        if o == b:
            return list(t)
        gone = (set(b) - set(o)) | (set(b) - set(t))
        kept = [x for x in b if x not in gone]
        o_kept = [x for x in o if x in kept]
        t_kept = [x for x in t if x in kept]
        if o_kept != kept and t_kept != kept and o_kept != t_kept:
            self.conflicts.append(_label(key))  # both reordered the same paragraphs
            return list(o)
        result = t_kept if o_kept == kept else o_kept
        for side in (t, o):  # theirs first: they were stored first
            anchor = None
            for x in side:
                if x in b:
                    anchor = x if x in result else anchor
                    continue
                if x in result:
                    anchor = x
                    continue
                at = result.index(anchor) + 1 if anchor is not None else 0
                while at < len(result) and result[at] not in b and result[at] not in side:
                    at += 1  # after what the other side inserted at the same place
                result.insert(at, x)
                anchor = x
        return result

    def deletions(self) -> None:
        """A paragraph one side deleted that the other changed (texts or items) conflicts."""
        for pid, texts in self.b.texts.items():
            for gone, other in ((self.o, self.t), (self.t, self.o)):
                if pid in gone.texts or pid not in other.texts:
                    continue
                if other.texts[pid] != texts or other.children.get(("items", pid), []) != \
                        self.b.children.get(("items", pid), []):
                    self.conflicts.append(pid)

    def paragraphs(self, key: tuple[str, ...], placed: dict[str, tuple[str, ...]]
                   ) -> tuple[Paragraph, ...]:
        out = []
        for pid in self.order(key):
            if pid in placed:
                self.conflicts.append(pid)  # both moved it, to different places
                continue
            placed[pid] = key
            texts = self.pick(pid, self.b.texts.get(pid), self.o.texts.get(pid),
                              self.t.texts.get(pid))
            if texts is None:
                texts = self.o.texts.get(pid) or self.t.texts.get(pid) or {}
            texts = dict(texts)
            label = texts.pop(_LABEL_KEY, "")
            out.append(Paragraph(pid, texts, self.paragraphs(("items", pid), placed), label))
        return tuple(out)

    def run(self, base: Resolution, ours: Resolution) -> Resolution:
        fields = {name: self.pick(name, self.b.fields[name], self.o.fields[name],
                                  self.t.fields[name]) for name in _FIELDS}
        self.deletions()
        placed: dict[str, tuple[str, ...]] = {}
        sections = {s: self.paragraphs(("section", s), placed) for s in _TOP}
        annexes = []
        for aid in self.order(("annexes",)):
            title = self.pick(aid, self.b.annex_titles.get(aid), self.o.annex_titles.get(aid),
                              self.t.annex_titles.get(aid))
            if title is None:
                title = self.o.annex_titles.get(aid) or self.t.annex_titles.get(aid) or {}
            annexes.append(Annex(aid, title, *(self.paragraphs(("annex", aid, s), placed)
                                               for s in _TOP)))
        for side in (self.o, self.t):  # a paragraph kept by one side but placed nowhere
            for pid in side.texts:
                if pid not in placed and pid in self.b.texts and pid in self.o.texts \
                        and pid in self.t.texts:
                    self.conflicts.append(pid)
        fields["languages"] = tuple(fields["languages"])
        return ours._replace(**fields, preamble=sections["preamble"],
                             operative=sections["operative"], annexes=tuple(annexes))


def merge(base: Resolution, ours: Resolution, theirs: Resolution) -> Merged:
    """Our changes (``base`` → ``ours``) applied over theirs (``base`` → ``theirs``), by
    paragraph id; :class:`MergeConflict` names every unit both sides changed differently."""
    merger = _Merger(base, ours, theirs)
    model = merger.run(base, ours)
    if merger.conflicts:
        raise MergeConflict(list(dict.fromkeys(merger.conflicts)))
    return Merged(model, tuple(dict.fromkeys(merger.ours)),
                  tuple(dict.fromkeys(merger.theirs)))


def changed_units(before: Resolution, after: Resolution) -> list[str]:
    """The units ``after`` changes in ``before`` (paragraph ids, fields, containers)."""
    b, a = _Index.of(before), _Index.of(after)
    out = [name for name in _FIELDS if b.fields[name] != a.fields[name]]
    out += [pid for pid in dict.fromkeys([*b.texts, *a.texts])
            if b.texts.get(pid) != a.texts.get(pid)]
    out += [_label(k) for k in dict.fromkeys([*b.children, *a.children])
            if b.children.get(k, []) != a.children.get(k, [])
            and not (k[0] == "items" and (k[1] not in a.texts or k[1] not in b.texts))]
    return out
