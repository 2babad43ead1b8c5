"""A source is parsed once when stored: the symbol goes into the text where the round-trip
dump puts it, everything else kept byte for byte, and the text parses back to the model."""

from __future__ import annotations

import io
from pathlib import Path

from drafts.source import Source, _yaml, load

DEMO = Path(__file__).resolve().parents[2] / "workflow" / "demo_data" / "resolution.yaml"
SYMBOL = "RCWG/RES/2024/7"


def _dumped(text: str, symbol: str) -> str:
    """What storing wrote before: the tree with the symbol, dumped again."""
    root = _yaml().load(text)
    root.insert(0, "symbol", symbol)
    out = io.StringIO()
    _yaml().dump(root, out)
    return out.getvalue()


def test_symbol_inserted_as_the_dump_would_and_the_rest_kept() -> None:
    text = DEMO.read_text("utf-8")
    model, stored = Source(text, "demo.yaml").stored(SYMBOL)
    assert stored == _dumped(text, SYMBOL)
    assert stored.replace(f"symbol: {SYMBOL}\n", "", 1) == text
    assert stored.index(f"symbol: {SYMBOL}") > stored.index("# authentic.")
    again, unchanged = load(stored, "stored.yaml")
    assert unchanged == stored
    assert again == model and again.symbol == SYMBOL
    assert again.content_hash() == model.content_hash()


def test_a_source_that_opens_otherwise_is_dumped() -> None:
    text = "---\n" + DEMO.read_text("utf-8")
    model, stored = Source(text, "demo.yaml").stored(SYMBOL)
    assert not stored.startswith("---")  # the dump, as before
    assert load(stored, "stored.yaml")[0] == model and model.symbol == SYMBOL


def test_assigned_ids_rewrite_the_text() -> None:
    text = DEMO.read_text("utf-8").replace("  - id: pp-ties\n", "  -\n", 1)
    source = Source(text, "demo.yaml")
    assert source.changed
    model, stored = source.stored(SYMBOL)
    assert "id: pp-ties" not in stored
    ids = [p.id for p in model.preamble]
    assert all(ids) and len(set(ids)) == len(ids)
    assert load(stored, "stored.yaml")[0] == model
