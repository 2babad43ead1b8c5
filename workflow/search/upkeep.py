"""Keeping the search index honest: compare it with the versions, or make it again.

The index is derived (``workflow.store.facts.NOT_FACTS``): what it says can be recomputed
from the versions, which the audit chain binds. ``check`` names every span the versions do
not give (an index edited behind the engine's back, to hide or invent a paragraph) and
every one they give that is missing; ``rebuild`` replaces the whole index, recorded in the
audit log."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.app import App
from workflow.store import audit
from workflow.store import search_index as index

__all__ = ["IndexReport", "check_index", "rebuild_index"]


@dataclass
class IndexReport:
    ok: bool
    versions: int
    problems: list[str]


def check_index(app: App) -> IndexReport:
    with app.read() as session:
        conn = session.connection()
        problems = index.index_problems(conn)
        versions = len(list(index.stored_versions(conn)))
    return IndexReport(not problems, versions, problems)


def rebuild_index(app: App) -> IndexReport:
    with app.write() as session:
        count = index.rebuild(session.connection())
        audit.record(session, actor=app.actor(session), action="search-rebuild",
                     detail={"versions": count})
    return IndexReport(True, count, [])
