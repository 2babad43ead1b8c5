"""Writing the search index: each version's paragraphs, in the transaction that stores it.

Two tables (created by migration 0011):

- ``search_texts`` — every distinct paragraph text of every language once: the text as
  printed (the opener's ``*…*`` marks removed), its folded form (what matching compares)
  and its Chinese character pairs. SQLite indexes them in the FTS5 tables
  ``search_trigrams`` (trigram tokenizer over ``folded``) and ``search_pairs`` (over
  ``grams``), filled by triggers; PostgreSQL in GIN indexes (``pg_trgm`` on ``folded``, a
  ``simple`` text search vector of ``grams``).
- ``search_spans`` — where each text stands: resolution, paragraph id, language, its
  reference (``OP 3(b)``, ``title``), and the versions ``first_version``–``last_version``
  in which the paragraph had that text under that reference. A new version extends the
  spans that did not change and opens new ones for what did, so an unchanged paragraph
  costs nothing per version.

The index holds nothing that is not in the versions: :func:`rebuild` makes it again from
them (the migration does so for a workspace made before it), and :func:`index_problems`
compares it with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from drafts.model import Resolution
from workflow.store import search_rows
from workflow.store.reads import Reads
from workflow.store.search_rows import TITLE, Entry, entries, year_of
from workflow.store.search_terms import fold, grams

__all__ = ["Entry", "entries", "record_version", "rebuild", "year_of", "TITLE",
           "index_problems", "bulk_build", "stored_versions"]


def record_version(conn: Connection, resolution_id: int, number: int, model: Resolution,
                   year: int) -> None:
    """:func:`workflow.store.search_rows.record_version` in ``conn``'s transaction (a
    SQLAlchemy connection: the migration, the rebuild, the benchmarks)."""
    dbapi = conn.connection.dbapi_connection
    search_rows.record_version(Reads(dbapi, conn.dialect.name == "sqlite"), resolution_id, number,
                        model, year)


def stored_versions(conn: Connection, resolution_ids: Iterable[int] | None = None
                     ) -> Iterator[tuple[int, int, str, int]]:
    """(resolution id, number, source, year created) of every version, in order."""
    rows = conn.execute(text(
        "SELECT resolution_id, number, source, created_at FROM versions "
        "ORDER BY resolution_id, number"))
    wanted = None if resolution_ids is None else set(resolution_ids)
    for row in rows:
        if wanted is None or int(row.resolution_id) in wanted:
            created = row.created_at
            year = int(str(created)[:4])
            yield int(row.resolution_id), int(row.number), str(row.source), year


def _parse(source: str, number: int) -> Resolution:
    from drafts.source import load

    model, _ = load(source, f"version {number}")
    return model


def rebuild(conn: Connection) -> int:
    """Index every stored version again from nothing; the number of versions indexed."""
    if conn.dialect.name == "sqlite":  # the FTS5 tables first (no trigger deletes from them)
        for table in ("search_trigrams", "search_pairs"):
            conn.execute(text(f"INSERT INTO {table}({table}) VALUES ('delete-all')"))
    conn.execute(text("DELETE FROM search_spans"))
    conn.execute(text("DELETE FROM search_texts"))
    from workflow import progress

    stored = list(stored_versions(conn))
    progress.advance("search index", 0, len(stored))
    for count, (resolution_id, number, source, created) in enumerate(stored, 1):
        model = _parse(source, number)
        record_version(conn, resolution_id, number, model, year_of(model, created))
        progress.advance("search index", count, len(stored))
    return len(stored)


#: a span as the index holds it: resolution id, paragraph id, language, reference, first and
#: last version, text
_Span = tuple[int, str, str, str, int, int, str]


def _spans(conn: Connection) -> set[_Span]:
    return {(int(r[0]), str(r[1]), str(r[2]), str(r[3]), int(r[4]), int(r[5]), str(r[6]))
            for r in conn.execute(text(
        "SELECT s.resolution_id, s.para_id, s.lang, s.ref, s.first_version, s.last_version, "
        "t.text FROM search_spans s JOIN search_texts t ON t.id = s.text_id"))}


def index_problems(conn: Connection) -> list[str]:
    """What the index says that the versions do not (and the reverse), one line each."""
    expected: dict[tuple[int, str, str], list[tuple[int, str, str]]] = {}
    for resolution_id, number, source, _ in stored_versions(conn):
        for entry in entries(_parse(source, number)):
            expected.setdefault((resolution_id, entry.para_id, entry.lang), []).append(
                (number, entry.ref, entry.text))
    want: set[_Span] = set()
    for (resolution_id, para_id, lang), seen in expected.items():
        run: list[tuple[int, str, str]] = []
        for number, reference, value in seen + [(-1, "", "")]:
            if run and (number != run[-1][0] + 1 or (reference, value) != run[-1][1:]):
                want.add((resolution_id, para_id, lang, run[0][1], run[0][0], run[-1][0],
                          run[0][2]))
                run = []
            run.append((number, reference, value))
    have = _spans(conn)
    problems = [f"search index: resolution {s[0]} {s[3]} ({s[2]}) versions {s[4]}–{s[5]} "
                f"is not in the versions: {s[6][:60]!r}" for s in sorted(have - want)]
    problems += [f"search index: resolution {s[0]} {s[3]} ({s[2]}) versions {s[4]}–{s[5]} "
                 f"is missing" for s in sorted(want - have)]
    return problems


def bulk_build(conn: Connection, versions: Iterable[tuple[int, int, Resolution, int]],
               chunk: int = 20000) -> dict[str, int]:
    """Index many versions at once into an empty index: ``versions`` gives (resolution
    id, number, model, year) with each resolution's versions in order. The spans and texts
    are what :func:`record_version` writes one version at a time; this only batches the
    statements (a workspace built in bulk, the benchmarks)."""
    bulk = _Bulk(conn, chunk, int(conn.execute(text(
        "SELECT coalesce(max(id), 0) FROM search_texts")).scalar() or 0) + 1)
    current = None
    for resolution_id, number, model, year in versions:
        if resolution_id != current:
            bulk.spans.extend(bulk.open_spans.values())
            bulk.open_spans, current = {}, resolution_id
        bulk.add(resolution_id, number, model, year)
        bulk.flush()
    bulk.spans.extend(bulk.open_spans.values())
    bulk.flush(final=True)
    return bulk.counts


class _Bulk:
    """The rows :func:`bulk_build` has still to write, and the spans still open (a
    paragraph's text that may go on into the next version)."""

    def __init__(self, conn: Connection, chunk: int, next_id: int) -> None:
        self.conn, self.chunk, self.next_id = conn, chunk, next_id
        self.ids: dict[str, int] = {}
        self.texts: list[dict[str, Any]] = []
        self.spans: list[dict[str, Any]] = []
        self.open_spans: dict[tuple[str, str], dict[str, Any]] = {}
        self.counts = {"versions": 0, "texts": 0, "spans": 0}

    def text_id(self, lang: str, digest: str, body: str) -> int:
        if digest not in self.ids:
            self.ids[digest] = self.next_id
            folded = fold(body)
            self.texts.append({"id": self.next_id, "lang": lang, "digest": digest,
                               "text": body, "folded": folded, "grams": grams(folded)})
            self.next_id += 1
        return self.ids[digest]

    def add(self, resolution_id: int, number: int, model: Resolution, year: int) -> None:
        """One version: each paragraph's span goes on, or closes and a new one opens."""
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for entry in entries(model):
            tid = self.text_id(entry.lang, entry.digest, entry.text)
            key = (entry.para_id, entry.lang)
            span = self.open_spans.get(key)
            if (span is not None and span["t"] == tid and span["ref"] == entry.ref
                    and span["last"] == number - 1):
                span.update(last=number, p=entry.position, y=year)
            else:
                if span is not None:
                    self.spans.append(span)
                span = {"r": resolution_id, "para": entry.para_id, "lang": entry.lang,
                        "ref": entry.ref, "p": entry.position, "t": tid,
                        "first": number, "last": number, "y": year}
            seen[key] = span
        self.spans.extend(s for k, s in self.open_spans.items() if k not in seen)  # closed
        self.open_spans = seen
        self.counts["versions"] += 1

    def flush(self, final: bool = False) -> None:
        if not (final or len(self.texts) >= self.chunk or len(self.spans) >= self.chunk):
            return
        if self.texts:  # spans name texts: those first
            self.conn.execute(text(
                "INSERT INTO search_texts (id, lang, digest, text, folded, grams) "
                "VALUES (:id, :lang, :digest, :text, :folded, :grams)"), self.texts)
            self.counts["texts"] += len(self.texts)
            self.texts.clear()
        if self.spans:
            self.conn.execute(text(
                "INSERT INTO search_spans (resolution_id, para_id, lang, ref, position, "
                "text_id, first_version, last_version, year) VALUES (:r, :para, :lang, :ref, "
                ":p, :t, :first, :last, :y)"), self.spans)
            self.counts["spans"] += len(self.spans)
            self.spans.clear()
