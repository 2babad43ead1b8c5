"""The three-way merge by paragraph id (drafts/merge.py): changes to different paragraphs
are all kept, changes to the same one conflict and name it, structure changes (inserted,
deleted, moved paragraphs) merge when they do not collide."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from drafts.merge import MergeConflict, changed_units, merge
from drafts.model import Resolution
from drafts.source import load
from tests.conftest import fixture_text

BASE, _ = load(fixture_text("trilingual.yaml"))
IDS = [loc.paragraph.id for loc in BASE.walk()]


def _load(data: dict[str, Any]) -> Resolution:
    out = io.StringIO()
    YAML().dump(data, out)
    return load(out.getvalue())[0]


def _edit(model: Resolution, change: Callable[[dict[str, Any]], None]) -> Resolution:
    data = model.to_data()
    change(data)
    return _load(data)


def _paragraphs(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            out.append(item)
            walk(item.get("items", []))

    walk(data["preamble"])
    walk(data["operative"])
    for annex in data.get("annexes", []):
        walk(annex.get("preamble", []))
        walk(annex.get("operative", []))
    return out


def _text(pid: str, lang: str, text: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        next(p for p in _paragraphs(data) if p["id"] == pid)[lang] = text
    return change


def _texts(model: Resolution, pid: str) -> dict[str, str]:
    found = model.find(pid)
    assert found is not None, pid
    return dict(found.paragraph.texts)


def test_changes_to_different_paragraphs_are_both_kept() -> None:
    ours = _edit(BASE, _text("pp-demand", "en", "*Noting* ours,"))
    theirs = _edit(BASE, _text("it-supply", "zh", "他们的；"))
    merged = merge(BASE, ours, theirs)
    assert _texts(merged.model, "pp-demand")["en"] == "*Noting* ours,"
    assert _texts(merged.model, "it-supply")["zh"] == "他们的；"
    assert _texts(merged.model, "it-supply")["en"] == _texts(BASE, "it-supply")["en"]
    assert merged.ours == ("pp-demand",) and merged.theirs == ("it-supply",)


def test_same_paragraph_in_different_languages_conflicts_and_is_named() -> None:
    ours = _edit(BASE, _text("op-roadmap", "en", "*Instructs* … until 2031;"))
    theirs = _edit(BASE, _text("op-roadmap", "ru", "*Поручает* … до 2031 года;"))
    with pytest.raises(MergeConflict) as caught:
        merge(BASE, ours, theirs)
    assert caught.value.units == ("op-roadmap",)


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    ours = _edit(BASE, _text("op-roadmap", "en", "same"))
    assert _texts(merge(BASE, ours, ours).model, "op-roadmap")["en"] == "same"


def test_title_is_a_unit() -> None:
    ours = _edit(BASE, lambda d: d["title"].__setitem__("en", "Ours"))
    theirs = _edit(BASE, lambda d: d["title"].__setitem__("zh", "他们"))
    with pytest.raises(MergeConflict) as caught:
        merge(BASE, ours, theirs)
    assert caught.value.units == ("title",)
    other = _edit(BASE, _text("op-seized", "en", "theirs"))
    merged = merge(BASE, ours, other).model
    assert merged.title["en"] == "Ours" and _texts(merged, "op-seized")["en"] == "theirs"


def test_deleting_a_paragraph_the_other_side_changed_conflicts() -> None:
    ours = _edit(BASE, lambda d: d["operative"].pop(1))  # op-roadmap
    theirs = _edit(BASE, _text("op-roadmap", "en", "changed"))
    with pytest.raises(MergeConflict) as caught:
        merge(BASE, ours, theirs)
    assert "op-roadmap" in caught.value.units
    # …and deleting the parent of an item the other side changed
    ours = _edit(BASE, lambda d: d["operative"].pop(0))  # op-ventures with its items
    theirs = _edit(BASE, _text("it-localise", "en", "changed"))
    with pytest.raises(MergeConflict) as caught:
        merge(BASE, ours, theirs)
    assert "it-localise" in caught.value.units


def test_a_deletion_and_a_change_elsewhere_merge() -> None:
    ours = _edit(BASE, lambda d: d["operative"].pop(1))
    theirs = _edit(BASE, _text("op-seized", "en", "changed"))
    merged = merge(BASE, ours, theirs).model
    assert [p.id for p in merged.operative] == ["op-ventures", "op-seized"]
    assert _texts(merged, "op-seized")["en"] == "changed"


def test_insertions_on_both_sides_are_all_kept_theirs_first() -> None:
    def add(pid: str, after: int) -> Callable[[dict[str, Any]], None]:
        return lambda d: d["operative"].insert(after, {"id": pid, "ru": "р", "zh": "中",
                                                       "en": pid})
    ours = _edit(BASE, add("op-ours", 3))
    theirs = _edit(BASE, add("op-theirs", 3))
    merged = merge(BASE, ours, theirs).model
    assert [p.id for p in merged.operative] == ["op-ventures", "op-roadmap", "op-seized",
                                                "op-theirs", "op-ours"]
    middle = merge(BASE, _edit(BASE, add("op-ours", 1)), theirs).model
    assert [p.id for p in middle.operative] == ["op-ventures", "op-ours", "op-roadmap",
                                                "op-seized", "op-theirs"]


def test_a_move_and_a_text_change_of_the_moved_paragraph_merge() -> None:
    def move(d: dict[str, Any]) -> None:
        d["operative"].insert(0, d["operative"].pop(2))  # op-seized first
    ours = _edit(BASE, move)
    theirs = _edit(BASE, _text("op-seized", "zh", "他们"))
    merged = merge(BASE, ours, theirs).model
    assert merged.operative[0].id == "op-seized"
    assert _texts(merged, "op-seized")["zh"] == "他们"


def test_two_different_reorders_conflict() -> None:
    ours = _edit(BASE, lambda d: d["operative"].reverse())
    theirs = _edit(BASE, lambda d: d["operative"].insert(0, d["operative"].pop(1)))
    with pytest.raises(MergeConflict) as caught:
        merge(BASE, ours, theirs)
    assert caught.value.units == ("operative",)


def test_moving_one_paragraph_to_two_places_conflicts() -> None:
    def to_annex(d: dict[str, Any]) -> None:
        d["annexes"][0]["operative"].append(d["operative"].pop(2))

    def to_preamble(d: dict[str, Any]) -> None:
        d["preamble"].append(d["operative"].pop(2))
    with pytest.raises(MergeConflict) as caught:
        merge(BASE, _edit(BASE, to_annex), _edit(BASE, to_preamble))
    assert "op-seized" in caught.value.units


def test_changed_units_lists_what_changed() -> None:
    after = _edit(BASE, _text("an-step2", "ru", "иначе"))
    assert changed_units(BASE, after) == ["an-step2"]
    assert changed_units(BASE, BASE) == []


_LANGS = ("ru", "zh", "en")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(_LANGS), st.text(
    alphabet="abcdefgh ", min_size=1, max_size=8).map(str.strip).filter(bool)),
    min_size=1, max_size=4), st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from(_LANGS),
                                                st.text(alphabet="ijklmnop ", min_size=1,
                                                        max_size=8).map(str.strip).filter(bool)),
                                      min_size=1, max_size=4))
def test_text_edits_either_merge_losing_nothing_or_conflict_on_a_shared_paragraph(
        ours_edits: list[tuple[str, str, str]], theirs_edits: list[tuple[str, str, str]]) -> None:
    ours, theirs = BASE, BASE
    for pid, lang, text in ours_edits:
        ours = _edit(ours, _text(pid, lang, text))
    for pid, lang, text in theirs_edits:
        theirs = _edit(theirs, _text(pid, lang, text))
    touched_ours = set(changed_units(BASE, ours))
    touched_theirs = set(changed_units(BASE, theirs))
    shared = {p for p in touched_ours & touched_theirs if _texts(ours, p) != _texts(theirs, p)}
    if shared:
        with pytest.raises(MergeConflict) as caught:
            merge(BASE, ours, theirs)
        assert set(caught.value.units) == shared
        return
    merged = merge(BASE, ours, theirs).model
    for pid in IDS:  # every paragraph holds whichever side changed it, else the base
        side = ours if pid in touched_ours else theirs if pid in touched_theirs else BASE
        assert _texts(merged, pid) == _texts(side, pid)
