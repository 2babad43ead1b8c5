"""XLIFF 1.2, the exchange format of translators' tools (Trados, memoQ, OmegaT, Weblate).

One ``trans-unit`` per translatable unit of a resolution (the title, each paragraph, item
and sub-item, each annex title), its id the paragraph's stable id. :mod:`drafts.xliff.write`
makes the file a translator receives; :mod:`drafts.xliff.read` reads the file that comes
back, with a parser that loads no DTD, resolves no entity and fetches nothing.
"""
