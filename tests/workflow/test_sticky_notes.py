"""A sticky note lands on the paragraph under it, whichever corner the reader anchors its
icon by.

Readers place a note's icon differently: hanging down from the point clicked (Acrobat,
Okular), centred on it, or rising from it (a tool that writes the /Rect upward from the
point, in PDF space). A note on a word of OP 2 must become a comment on OP 2, in that
language column, in every case — before, the top-left corner alone decided, and an icon
rising from the word pointed above the paragraph ("General"). A note put above the text
stays a general comment. The copy is a real render; the notes are pypdf's /Text
annotations on the box pdftotext gives for the word.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.annotations import Text

from tests.conftest import Cli, module_workspace
from tests.reliability.helpers import draft
from tests.workflow.test_pdf_annotations import import_json, word_box


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, str, Path]]:
    folder = tmp_path_factory.mktemp("sticky")
    with module_workspace(folder / "ws") as ws:
        symbol = draft(ws, folder)
        ws(["circulate", symbol, "--reviewer", "rev-ru"])
        out = folder / "copies"
        ws(["render", symbol, "--stage", "review", "--reviewer", "rev-ru", "--lang", "ru,zh",
            "--format", "pdf", "-o", str(out)])
        yield ws, symbol, next(out.glob("*rev-ru.pdf"))


def _icons(box: tuple[float, float, float, float]) -> dict[str, tuple[float, ...]]:
    x0, y0, x1, y1 = box  # the word, in PDF points (origin bottom left)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return {"hanging from the top-left": (x0, y1 - 20, x0 + 20, y1),
            "centred": (cx - 10, cy - 10, cx + 10, cy + 10),
            "rising from the bottom-left": (x0, y0, x0 + 20, y0 + 20)}


def test_a_note_on_a_word_lands_on_its_paragraph_however_the_icon_is_anchored(copy) -> None:
    ws, symbol, src = copy
    writer = PdfWriter(clone_from=src)
    ru = word_box(src, "поручает", column="ru")  # OP 2: "поручает рабочей группе …"
    zh = word_box(src, "责成工作组制定至2030年的路线图；", column="zh")
    notes = [(name, rect, "ru") for name, rect in _icons(ru).items()]
    notes += [(name, rect, "zh") for name, rect in _icons(zh).items()]
    for n, (name, rect, _) in enumerate(notes):
        writer.add_annotation(0, Text(rect=rect, text=f"te: note {n} ({name})"))
    writer.add_annotation(0, Text(rect=(300, 800, 320, 820), text="ge: on the whole text"))
    path = src.parent / "noted.pdf"
    writer.write(path)
    data = import_json(ws, symbol, path)  # as it comes back, attached to rev-ru's reply
    got = [(c["original_ref"], c["lang"], c["text"]) for c in data["imported"]]
    expected = [("OP 2", lang, f"note {n} ({name})") for n, (name, _, lang) in enumerate(notes)]
    expected.append(("General", "", "on the whole text"))
    assert got == expected, data
