"""The resolution text model.

A resolution is a tree: preambular paragraphs, operative paragraphs with items and
sub-items, and annexes, each paragraph holding its text in every language side by side
and a stable id that survives renumbering. This package parses and validates the YAML
source, numbers paragraphs by each language's convention, and compares versions. It
imports nothing else of the project.
"""

from drafts.errors import DraftError, RefError, SourceError
from drafts.model import LANGUAGES, Annex, Paragraph, Resolution

__all__ = [
    "LANGUAGES",
    "Annex",
    "DraftError",
    "Paragraph",
    "RefError",
    "Resolution",
    "SourceError",
]
