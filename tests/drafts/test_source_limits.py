"""The size limit of a source: at most ``MAX_PARAGRAPHS`` paragraphs (items and annexes
included), refused with one line — a huge source before the YAML parser ever runs, a
flow-style one (no list entries to count) while the tree is read."""

from __future__ import annotations

from pathlib import Path

import pytest

import drafts.source as source
from drafts.errors import SourceError
from tests.conftest import Cli

HEAD = ["body: brics-higher-council", "languages: [ru, zh, en]", "title: {en: Big}"]


def _block(n: int, opener: str = "*Recommends* ") -> str:
    lines = [*HEAD, "operative:"]
    for i in range(n):
        lines += [f"  - en: \"{opener}item {i};\"", f"    ru: \"пункт {i};\"", f"    zh: \"第{i}项；\""]
    return "\n".join(lines) + "\n"


def test_the_exact_count_includes_items_and_annexes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_PARAGRAPHS", 5)
    text = "\n".join([*HEAD, "operative:", "  - en: a", "    items:", "      - en: b",
                      "      - en: c", "annexes:", "  - title: {en: A}", "    operative:",
                      "      - en: d", "      - en: e"]) + "\n"
    model, _ = source.load(text, "ok.yaml")
    assert sum(1 for _ in model.walk()) == 5
    with pytest.raises(SourceError) as refused:
        source.load(text.replace("      - en: e\n", "      - en: e\n      - en: f\n"), "big.yaml")
    assert "more than 5 paragraphs" in str(refused.value)
    assert refused.value.field == "annexes[0].operative[2]"
    assert "split it into several resolutions" in str(refused.value)


def test_flow_style_paragraphs_are_counted_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_PARAGRAPHS", 3)
    paragraphs = ", ".join(f"{{en: p{i}}}" for i in range(4))
    with pytest.raises(SourceError, match="more than 3 paragraphs"):
        source.load("\n".join([*HEAD, f"operative: [{paragraphs}]"]) + "\n", "flow.yaml")


def test_a_huge_source_is_refused_before_it_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _block(15_000)
    assert len(text.encode("utf-8")) < source.MAX_SOURCE_BYTES  # under the byte limit

    def parser_reached() -> None:
        raise AssertionError("the YAML parser ran on a source the count refuses")

    monkeypatch.setattr(source, "_yaml", parser_reached)
    with pytest.raises(SourceError) as refused:
        source.load(text, "huge.yaml")
    assert str(refused.value).count("\n") == 0
    assert f"more than {source.MAX_PARAGRAPHS:,} paragraphs (15,000 list entries)" in str(
        refused.value)


def test_new_refuses_it_in_one_line_and_caps_the_hints(ws_sqlite: Cli, tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    huge.write_text(_block(15_000), encoding="utf-8")
    refused = ws_sqlite(["new", str(huge)], code=1)
    assert refused.stdout == "" and len(refused.stderr.strip().splitlines()) == 1
    assert "more than 1,000 paragraphs" in refused.stderr
    assert "Resolution" not in ws_sqlite(["list"]).output  # nothing stored

    plain = tmp_path / "plain.yaml"
    plain.write_text(_block(30, opener=""), encoding="utf-8")
    made = ws_sqlite(["new", str(plain)])
    hints = [line for line in made.stderr.splitlines() if line.startswith("  hint: ")]
    assert len(hints) == 20
    assert made.stderr.splitlines()[-1] == "  … and 70 more hint(s) (all of them with --json)"
    assert made.stdout.strip() == "RCWG/RES/2024/1"


@pytest.mark.parametrize("text", ["? - :", "? [a, b]\n: c\n", "? {a: 1}\n: x\n",
                                  "ru:\n  ? - x\n  : y\n"])
def test_a_list_or_mapping_as_a_key_is_refused_as_malformed_yaml(text: str) -> None:
    """YAML allows a list or a mapping as a key ("? - a"); a source cannot use one: it is
    refused in one line naming the file, never a TypeError from deep in the loader."""
    with pytest.raises(SourceError) as caught:
        source.load(text, "key.yaml")
    assert str(caught.value).startswith("key.yaml:")
    assert "\n" not in str(caught.value)
    if text == "? - :":  # a key the loader cannot hash: named as such
        assert "a key is a list or a mapping" in str(caught.value)
