"""Answering ``resolutions search`` on the bare driver (no ORM), the same on both backends.

Candidates come from the full-text indexes — SQLite: FTS5 ``MATCH`` on the trigram table
(and on the pairs table for a two-character Chinese term); PostgreSQL: ``LIKE`` on the
folded text through its ``pg_trgm`` index (and ``@@`` on the pairs vector). Both give
exactly the texts that hold every term as a substring of their folded form, so the score
and the order, computed by the same SQL expression, are the same too:

    score = 1000 × (characters matched) ÷ (length of the text + 20), doubled for a title

then the current version first, the newest resolution, the latest version, the paragraph's
place. A hit is a span: one paragraph of one language with that text, in the versions it
kept it; beside it stand the aligned paragraphs (same id, same version) of the other
languages.
"""

from typing import NamedTuple

from workflow.errors import InvalidInput
from workflow.states import State
from workflow.store.reads import Reads, Record
from workflow.store.search_terms import QueryError, Term, matches, parse_query

__all__ = ["Filters", "Hit", "SearchPage", "search"]

#: a value bound to a query's placeholder
_Param = str | int


class Filters(NamedTuple):
    lang: str | None = None
    body: str | None = None
    state: str | None = None
    year: int | None = None
    current: bool = False


class Hit:
    """One paragraph found: ``version`` is the latest version with this text (the aligned
    ones are of it), ``current`` whether the resolution's current version has it,
    ``matches`` the (start, end) ranges of the terms in ``text``, ``aligned`` the same
    paragraph in the other languages. (A plain class, as the other classes a search
    builds: a command that defines a dataclass pays for importing ``dataclasses``.)"""

    __slots__ = ("number", "symbol", "state", "body", "version", "first_version", "current",
                 "ref", "paragraph_id", "lang", "text", "matches", "score", "aligned")

    def __init__(self, number: int, symbol: str, state: str, body: str, version: int,
                 first_version: int, current: bool, ref: str, paragraph_id: str, lang: str,
                 text: str, matches: list[tuple[int, int]], score: int,
                 aligned: dict[str, str] | None = None) -> None:
        self.number, self.symbol, self.state, self.body = number, symbol, state, body
        self.version, self.first_version, self.current = version, first_version, current
        self.ref, self.paragraph_id, self.lang, self.text = ref, paragraph_id, lang, text
        self.matches, self.score = matches, score
        self.aligned: dict[str, str] = aligned if aligned is not None else {}

    def __repr__(self) -> str:
        return f"Hit({self.symbol} v{self.version} {self.ref} {self.lang}: {self.text!r})"

    def to_json(self) -> dict[str, object]:
        return {"number": self.number, "symbol": self.symbol, "state": self.state,
                "body": self.body, "version": self.version,
                "versions": [self.first_version, self.version], "current": self.current,
                "ref": self.ref, "paragraph_id": self.paragraph_id, "lang": self.lang,
                "text": self.text, "matches": [list(m) for m in self.matches],
                "score": self.score, "aligned": self.aligned}


class SearchPage(NamedTuple):
    query: str
    terms: list[str]
    total: int
    offset: int
    limit: int
    hits: list[Hit]


def _candidates(reads: Reads, terms: list[Term]) -> tuple[str, list[_Param]]:
    """SQL selecting the ids of the texts that hold every term, and its parameters."""
    parts: list[str] = []
    params: list[_Param] = []
    if reads.is_sqlite:
        trigram = [t for t in terms if not t.pair]
        if trigram:
            parts.append("SELECT rowid FROM search_trigrams WHERE search_trigrams MATCH ?")
            params.append(" AND ".join('"' + t.text.replace('"', '""') + '"' for t in trigram))
        for term in terms:
            if term.pair:
                parts.append("SELECT rowid FROM search_pairs WHERE search_pairs MATCH ?")
                params.append('"' + term.text + '"')
        return " INTERSECT ".join(parts), params
    where: list[str] = []
    for term in terms:
        if term.pair:
            where.append("to_tsvector('simple'::regconfig, grams) @@ "
                         "phraseto_tsquery('simple'::regconfig, ?)")
            params.append(term.text)
        where.append("folded LIKE ? ESCAPE '\\'")
        params.append("%" + term.text.replace("\\", "\\\\").replace("%", "\\%")
                      .replace("_", "\\_") + "%")
    return f"SELECT id FROM search_texts WHERE {' AND '.join(where)}", params


def _score(terms: list[Term]) -> tuple[str, list[_Param]]:
    counts = " + ".join("(length(t.folded) - length(replace(t.folded, ?, '')))" for _ in terms)
    sql = (f"(({counts}) * 1000 / (length(t.folded) + 20)) "
           f"* (CASE WHEN s.ref = 'title' THEN 2 ELSE 1 END)")
    return sql, [t.text for t in terms]


def _filters(filters: Filters) -> tuple[str, list[_Param]]:
    where: list[str] = []
    params: list[_Param] = []
    if filters.lang:
        where.append("s.lang = ?")
        params.append(filters.lang)
    if filters.body:
        where.append("r.body = ?")
        params.append(filters.body)
    if filters.state:
        where.append("r.state = ?")
        params.append(filters.state)
    if filters.year is not None:
        where.append("s.year = ?")
        params.append(filters.year)
    if filters.current:
        where.append("s.last_version = r.current_version")
    return "".join(f" AND {w}" for w in where), params


def _check(filters: Filters) -> None:
    if filters.state is not None and filters.state not in {s.value for s in State}:
        raise InvalidInput(f"unknown state {filters.state!r}; states are "
                           f"{', '.join(s.value for s in State)}")


def search(reads: Reads, query: str, filters: Filters = Filters(), limit: int = 20,
           offset: int = 0) -> SearchPage:
    """The page of hits for ``query``, best first."""
    _check(filters)
    try:
        terms = parse_query(query)
    except QueryError as exc:
        raise InvalidInput(str(exc)) from None
    candidates, cparams = _candidates(reads, terms)
    where, fparams = _filters(filters)
    score, sparams = _score(terms)
    base = (f"FROM search_texts t JOIN search_spans s ON s.text_id = t.id "
            f"JOIN resolutions r ON r.id = s.resolution_id "
            f"WHERE t.id IN ({candidates}){where}")
    total_row = reads.one(f"SELECT count(*) AS n {base}", [*cparams, *fparams])
    total = int(total_row["n"]) if total_row else 0
    rows = reads.all(
        f"SELECT r.number, r.symbol, r.state, r.body, r.current_version, s.resolution_id, "
        f"s.para_id, s.lang, s.ref, s.position, s.first_version, s.last_version, t.text, "
        f"{score} AS score {base} "
        f"ORDER BY score DESC, (CASE WHEN s.last_version = r.current_version THEN 0 ELSE 1 "
        f"END), r.number DESC, s.last_version DESC, s.position, s.lang LIMIT ? OFFSET ?",
        [*sparams, *cparams, *fparams, limit, offset])
    hits = [Hit(int(r["number"]), str(r["symbol"]), str(r["state"]), str(r["body"]),
                int(r["last_version"]), int(r["first_version"]),
                int(r["last_version"]) == int(r["current_version"]), str(r["ref"]),
                str(r["para_id"]), str(r["lang"]), str(r["text"]), matches(str(r["text"]), terms),
                int(r["score"])) for r in rows]
    places = sorted({(int(r["resolution_id"]), h.paragraph_id) for h, r in zip(hits, rows)})
    found: dict[tuple[int, str], list[Record]] = {}
    if places:  # the aligned paragraphs of the whole page, in one statement
        where = " OR ".join("(s.resolution_id = ? AND s.para_id = ?)" for _ in places)
        for a in reads.all("SELECT s.resolution_id, s.para_id, s.lang, s.first_version, "
                           "s.last_version, t.text FROM search_spans s JOIN search_texts t "
                           f"ON t.id = s.text_id WHERE {where} ORDER BY s.id",
                           [v for place in places for v in place]):
            found.setdefault((int(a["resolution_id"]), str(a["para_id"])), []).append(a)
    for hit, row in zip(hits, rows):
        hit.aligned = {str(a["lang"]): str(a["text"])
                       for a in found.get((int(row["resolution_id"]), hit.paragraph_id), [])
                       if a["lang"] != hit.lang
                       and int(a["first_version"]) <= hit.version <= int(a["last_version"])}
    return SearchPage(query, [t.text for t in terms], total, offset, limit, hits)
