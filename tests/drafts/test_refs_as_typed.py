"""References as people type them: Latin or Russian item letters (the Russian copy prints
а), б), в)…), Russian and Chinese words for OP/PP/Annex, full-width brackets — each names the
same paragraph as the canonical form, in every command that takes a paragraph."""

from __future__ import annotations

import pytest

from drafts.errors import RefError
from drafts.numbering import ref, resolve
from drafts.source import load
from tests.conftest import fixture_text, in_a_fresh_interpreter

MODEL, _ = load(fixture_text("trilingual.yaml"), "trilingual.yaml")


@pytest.mark.parametrize("typed, canonical", [
    ("OP 1(b)", "OP 1(b)"),
    ("OP 1(б)", "OP 1(b)"),       # Cyrillic б: the second item, as the Russian copy prints it
    ("ОП 1(б)", "OP 1(b)"),       # Cyrillic ОП
    ("оп 1 (а)", "OP 1(a)"),
    ("ОП 1(a)", "OP 1(a)"),
    ("执行段落 1（b）", "OP 1(b)"),
    ("执行段落第1段", "OP 1"),
    ("ПП 2", "PP 2"),
    ("序言段落 2", "PP 2"),
    ("OP 2", "OP 2"),
])
def test_typed_references_name_the_same_paragraph(typed: str, canonical: str) -> None:
    assert ref(resolve(MODEL, typed)) == ref(resolve(MODEL, canonical)) == canonical


@pytest.mark.parametrize("typed", ["ОП 99", "OP 1(я)", "执行段落", "ПП", "OP 1(ы)"])
def test_what_names_nothing_is_refused_with_the_forms_to_use(typed: str) -> None:
    with pytest.raises(RefError):
        resolve(MODEL, typed)


def test_the_reference_patterns_compile_at_the_first_reference_read() -> None:
    """Numbering and the parity rules read no typed reference, so a fresh interpreter that
    runs the errors-only check (what an approval reads) compiles none of the patterns; the
    first reference read compiles them, and reads it."""
    script = ("from drafts import numbering\n"
              "from drafts.parity.rules import check\n"
              "from drafts.source import load\n"
              "from tests.conftest import fixture_text\n"
              "model, _ = load(fixture_text('trilingual.yaml'), 'trilingual.yaml')\n"
              "check(model, errors_only=True)\n"
              "before = numbering._readers.cache_info().currsize\n"
              "print(before, numbering.ref(numbering.resolve(model, 'ОП 1(б)')),\n"
              "      numbering._readers.cache_info().currsize)\n")
    out = in_a_fresh_interpreter(script)
    assert out.split() == ["0", "OP", "1(b)", "1"], out
