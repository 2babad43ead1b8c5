"""docs/SOURCE.md's complete example is a valid source, and reads as the doc says."""

from __future__ import annotations

import re
from pathlib import Path

from drafts.numbering import ref, resolve
from drafts.source import load

DOC = Path(__file__).resolve().parents[2] / "docs" / "SOURCE.md"


def test_the_documented_example_loads() -> None:
    example = re.search(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert example is not None
    model, source = load(example.group(1), "SOURCE.md")
    assert model.languages == ("ru", "zh", "en")
    assert model.symbol == "RCWG/RES/2024/1" and model.date == "2024-10-13"
    assert ref(resolve(model, "OP 1(b)")) == "OP 1(b)"
    assert resolve(model, "OP 1").paragraph.id == "op-ventures"
    assert resolve(model, "Annex 1 OP 1").paragraph.texts["en"].startswith("First stage")
    # the second operative paragraph had no id: one was generated and written in
    assert re.search(r"id: op-[0-9a-f]{6}", source)
