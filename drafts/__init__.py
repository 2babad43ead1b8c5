"""The resolution text model.

A resolution is a tree: preambular paragraphs, operative paragraphs with items and
sub-items, and annexes, each paragraph holding its text in every language side by side
and a stable id that survives renumbering. This package parses and validates the YAML
source, numbers paragraphs by each language's convention, and compares versions. It
imports nothing else of the project.
"""

from typing import TYPE_CHECKING

from drafts.errors import DraftError, RefError, SourceError

if TYPE_CHECKING:
    from drafts.model import LANGUAGES, Annex, Paragraph, Resolution

_MODEL = {"LANGUAGES", "Annex", "Paragraph", "Resolution"}

__all__ = [
    "LANGUAGES",
    "Annex",
    "DraftError",
    "Paragraph",
    "RefError",
    "Resolution",
    "SourceError",
]


def __getattr__(name: str) -> object:
    """The model's names, imported with the model when first asked for (a search reads
    the language registry of :mod:`drafts.languages` without loading the model)."""
    if name in _MODEL:
        from drafts import model

        return getattr(model, name)
    raise AttributeError(f"module 'drafts' has no attribute {name!r}")
