"""Rendering a dossier's documents: the render cache first, a process pool for the rest.

``cached()`` looks a document up in the render cache without rendering (the cache key is
made exactly as ``workflow.documents.rendering.render_bytes`` makes it); only the misses go to the
workers (``workflow.pool``: forked, each with the workspace open, replaced by a fresh one
after :data:`RECYCLE_AFTER` documents). A worker renders into the
content-addressed store in a read transaction, and hands back the cache rows; the main
process records them in one short write transaction, so workers never hold the write
lock while WeasyPrint runs. A drift between ``cached()`` and ``render_bytes`` costs time,
never correctness: a worker asked for a cached document gets a cache hit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlmodel import Session, col, select

from drafts.model import Resolution
from workflow import pool
from workflow.app import App
from workflow.documents.rendering import (
    ARCHIVAL_STAGES,
    NewArtefact,
    cache_key,
    record_artefacts,
    render_bytes,
    safe_name,
)
from workflow.dossier.plan import Job, audit_json
from workflow.pool import default_workers, worker_app
from workflow.store.models import Artefact, AuditEvent, ResolutionRow, Version
from workflow.store.texts import load_version

__all__ = ["cached", "render_missing", "attachments_for", "default_workers", "reset_memo",
           "version_model"]

#: render every PDF of a dossier as PDF/A-3b, whatever its stage
DOSSIER_ARCHIVAL = True

#: documents a render worker prints before it is replaced by a fresh one (memory flat in N)
RECYCLE_AFTER = 24
#: per export: parsed version texts (languages, titles), so that a re-export of an
#: unchanged workspace reads each version once
_MEMO: dict[tuple[Any, ...], Any] = {}


def reset_memo() -> None:
    from workflow.dossier.meta import forget_akn

    _MEMO.clear()
    forget_akn()


def version_model(session: Session, ver: Version) -> Resolution:
    key = ("model", ver.id, ver.content_hash)
    if key not in _MEMO:
        models = [k for k in _MEMO if k[0] == "model"]
        for old in models[: max(0, len(models) - 63)]:  # bounded: a few resolutions' texts
            del _MEMO[old]
        _MEMO[key] = load_version(session, ver)
    return _MEMO[key]  # type: ignore[no-any-return]


Progress = Callable[[str, int, int], None]


def attachments_for(session: Session, row: ResolutionRow, version: int
                    ) -> list[tuple[str, bytes, str]]:
    """The files an archival copy embeds: the version's YAML source and the audit JSON."""

    ver = session.exec(select(Version).where(Version.resolution_id == row.id,
                                             Version.number == version)).one()
    events = list(session.exec(select(AuditEvent).where(AuditEvent.resolution_id == row.id)
                               .order_by(col(AuditEvent.seq))))
    stem = safe_name(row.symbol)
    return [(f"{stem}-v{version}.yaml", ver.source.encode("utf-8"), "application/yaml"),
            (f"{stem}-audit.json", audit_json(events), "application/json")]


def cached(app: App, session: Session, row: ResolutionRow, job: Job,
           attachment_hashes: list[str]) -> str | None:
    """The SHA-256 of the job's document when the render cache holds it, else None."""

    ver = app.version(session, row, job.version)
    model = version_model(session, ver)
    langs = list(model.languages)
    layout = "parallel" if len(langs) > 1 else "single"
    if layout == "parallel" and len(langs) > 3:
        return None
    # every PDF of a dossier is PDF/A-3b (the matrix and the redline too): DOSSIER_ARCHIVAL
    variant = "pdf/a-3b" if job.fmt == "pdf" and (DOSSIER_ARCHIVAL or
                                                   job.stage in ARCHIVAL_STAGES) else None
    key, _ = cache_key(app, session, row, ver, model, stage=job.stage, fmt=job.fmt, langs=langs,
                       layout=layout, reviewer=None, extra=dict(job.extra) or None,
                       variant=variant, attachment_hashes=attachment_hashes)
    hit = session.exec(select(Artefact).where(Artefact.cache_key == key)).first()
    if hit is not None and app.store_path(hit.sha256).is_file():
        return hit.sha256
    return None


def render_job(job: Job, app: App | None = None) -> tuple[Job, str, list[NewArtefact]]:
    """Render one document into the store; returns (job, sha256, new cache rows)."""

    app = app or worker_app()
    with app.read() as session:
        row = session.get(ResolutionRow, job.resolution_id)
        assert row is not None
        attachments = attachments_for(session, row, job.version) if job.attach else None
        cache: list[NewArtefact] = []
        rendered = render_bytes(app, session, row, stage=job.stage, fmt=job.fmt,
                                version=job.version, extra=dict(job.extra) or None,
                                attachments=attachments, cache=cache,
                                archival=DOSSIER_ARCHIVAL)
    return job, rendered.sha256, cache


def render_missing(app: App, jobs: Iterable[Job], workers: int,
                   progress: Progress | None = None) -> dict[Job, str]:
    """Render every job (in ``workers`` processes); returns job → SHA-256 in the store."""
    todo = sorted(set(jobs), key=lambda j: (j.resolution_id, j.version, j.stage, j.fmt,
                                            j.extra))
    done: dict[Job, str] = {}
    rows: list[NewArtefact] = []
    total = len(todo)
    if progress:
        progress("render", 0, total)
    if not todo:
        return done
    if workers <= 1:
        for job in todo:
            _, digest, new = render_job(job, app)
            done[job], rows = digest, rows + new
            if progress:
                progress("render", len(done), total)
    else:
        import weasyprint  # noqa: F401 -- imported once here, inherited by every worker

        for job, (_, digest, new) in pool.run(app, render_job, todo, workers,
                                              per_worker=RECYCLE_AFTER):
            done[job] = digest
            rows += new
            if progress:
                progress("render", len(done), total)
    record_artefacts(app, rows)
    return done
