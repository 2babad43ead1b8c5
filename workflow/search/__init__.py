"""Finding a paragraph in any version of any resolution, in any language.

Every version's paragraphs (and titles) are indexed in the transaction that stores the
version (:mod:`workflow.store.search_index`); ``resolutions search`` reads the index on the bare
driver (:mod:`workflow.search.query`). Matching is the same on both backends: a term
matches a paragraph whose folded text (:mod:`workflow.store.search_terms`) holds it as a
substring — found by SQLite's FTS5 trigram index or PostgreSQL's ``pg_trgm``, and, for
two-character Chinese words, by an index of character pairs."""
