"""`render`: documents for a stage, cached by what produced them.

An artefact's cache key is the SHA-256 of (version content hash, template hash, stage,
format, languages, layout, reviewer, extra facts); its bytes live in the content-addressed
store under their own SHA-256. Rendering unchanged input again is a cache hit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from drafts.model import Resolution
from workflow import clock, progress
from workflow.app import App
from workflow.crashpoints import crashpoint
from workflow.documents.views import document_view, signatory_facts
from workflow.drafting.translations import stale_map
from workflow.errors import InvalidInput
from workflow.lifecycle.records import last_round
from workflow.store.files import store_bytes, write_atomic
from workflow.store.models import Artefact, Comment, Member, ResolutionRow, Version
from workflow.store.texts import load_version

__all__ = ["render", "render_bytes", "Rendered", "STAGE_FORMATS", "safe_name",
           "record_artefacts", "prerender"]

#: which formats each stage exists in
STAGE_FORMATS = {
    "draft": ("pdf", "docx"), "review": ("pdf", "docx"), "comment-form": ("docx",),
    "matrix": ("pdf", "docx"), "redline": ("pdf", "docx"), "final": ("pdf", "docx"),
    "approval": ("pdf", "docx"), "cover-letter": ("pdf", "docx"), "certificate": ("pdf",),
    "audit-report": ("pdf",), "index": ("pdf",),
}
ARCHIVAL_STAGES = ("final", "approval", "certificate", "audit-report", "index")


@dataclass(frozen=True)
class Rendered:
    path: Path | None
    sha256: str
    stage: str
    format: str
    cached: bool
    data: bytes | None = None


def safe_name(symbol: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in symbol).strip("-.")


def _template_dir(app: App) -> Path | None:
    path = app.workspace.root / "templates"
    return path if path.is_dir() else None


def _template_hash(app: App, stage: str, layout: str, fmt: str) -> str:
    """The hash of the templates a document is made from; remembered per process while the
    workspace's override folder is unchanged (its files' names, sizes and times), since a
    dossier asks for it hundreds of times (the shipped templates change only with the
    package)."""
    tdir = _template_dir(app)
    key = (str(tdir), stage, layout, fmt, _signature(tdir))
    if key not in _HASHES:
        if fmt == "pdf":
            from templates.pdf.render import template_hash

            _HASHES[key] = template_hash(stage, layout, tdir)
        else:
            from templates.word.render import docx_template_hash

            _HASHES[key] = docx_template_hash(stage, tdir)
    return _HASHES[key]


_HASHES: dict[tuple[object, ...], str] = {}


def _signature(tdir: Path | None) -> tuple[tuple[str, int, int], ...]:
    if tdir is None:
        return ()
    out = []
    for path in sorted(tdir.rglob("*")):
        if path.is_file():
            st = path.stat()
            out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


#: stages whose content depends on more than the version text (approvals, events, …)
DYNAMIC_STAGES = ("matrix", "approval", "certificate", "audit-report", "index", "final")


def cache_key(app: App, session: Session, row: ResolutionRow, ver: Version, model: Resolution, *,
              stage: str, fmt: str, langs: list[str], layout: str, reviewer: Member | None,
              extra: dict[str, str] | None, variant: str | None,
              attachment_hashes: list[str], since: int | None = None,
              history: list[list[object]] | None = None) -> tuple[str, str]:
    """(cache key, template hash): every fact a rendered document depends on, hashed.

    Besides the text and the template: the translation status shown as stale markers, the
    body's and the working group's names, and the signatories' names on the signature page;
    documents listing approvals or events also key on the row version. ``since``: the
    version a redline compares against when it is not the one before; ``history``: what a
    review copy says of its reviewer's earlier comments."""

    template = _template_hash(app, stage, layout, fmt)
    body = app.workspace.body(model.body)
    facts: dict[str, object] = {
        "resolution": row.symbol, "version_hash": ver.content_hash, "stage": stage,
        "format": fmt, "langs": langs, "layout": layout,
        "reviewer": [reviewer.id, reviewer.name] if reviewer else "",
        "round": _round_number(session, row) if reviewer else None,  # binds a personal copy
        "extra": extra or {}, "variant": variant, "template": template,
        "attachments": attachment_hashes,
        "body": [body.names, body.enacting, body.options], "group": app.workspace.group_names}
    if stage in ("draft", "review") and ver.number == row.current_version:
        facts["stale"] = {pid: sorted(langs_) for pid, langs_ in
                          sorted(stale_map(session, row, model).items())}
    if stage in ("final", "certificate"):
        facts["signatories"] = signatory_facts(session)
    if stage in ("certificate", "audit-report", "index"):  # events name every member
        facts["members"] = [[m.id, m.name, m.names_json, m.org] for m in
                            session.exec(select(Member).order_by(Member.id))]
    if stage in DYNAMIC_STAGES:
        facts["state_marker"] = f"{row.row_version}"
    if stage in ("matrix", "index"):  # the findings set aside, and whether each holds
        from workflow.store.models import Waiver

        facts["waivers"] = [w.id for w in session.exec(
            select(Waiver).where(Waiver.resolution_id == row.id))]  # type: ignore[arg-type]
    if since is not None:
        facts["since"] = since
    if history:
        facts["history"] = history
    key = hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()
    return key, template


def render_bytes(app: App, session: Session, row: ResolutionRow, *, stage: str, fmt: str,
                 version: int | None = None, languages: list[str] | None = None,
                 layout: str | None = None, reviewer: Member | None = None,
                 extra: dict[str, str] | None = None,
                 attachments: list[tuple[str, bytes, str]] | None = None,
                 cache: list[dict[str, object]] | None = None,
                 archival: bool = False, since: int | None = None) -> Rendered:
    """Render (or fetch from the cache) one document; returns its bytes and hash.

    ``since``: the version a redline compares against (default: the one before). A review
    copy for a reviewer who saw an earlier version is a redline against it, followed by
    what became of their comments (:mod:`workflow.documents.history`).

    A new cache row is added to ``session`` (a write transaction), or — from a read session —
    appended to ``cache`` for :func:`record_artefacts` to write afterwards. ``archival``: a
    PDF of any stage as PDF/A-3b (a dossier holds nothing else)."""

    if stage not in STAGE_FORMATS:
        raise InvalidInput(f"unknown stage {stage!r}; stages are {', '.join(STAGE_FORMATS)}")
    if fmt not in STAGE_FORMATS[stage]:
        raise InvalidInput(f"the {stage} stage exists as {', '.join(STAGE_FORMATS[stage])} only")
    ver = app.version(session, row, version)
    model = load_version(session, ver)
    langs = list(languages or model.languages)
    unknown = [lang for lang in langs if lang not in model.languages]
    if unknown:
        raise InvalidInput(f"{row.symbol} has no {unknown[0]} text (languages: "
                           f"{', '.join(model.languages)})")
    chosen_layout = layout or ("parallel" if len(langs) > 1 else "single")
    if chosen_layout == "single" and len(langs) > 1:
        langs = langs[:1]
    if chosen_layout == "parallel" and len(langs) > 3:
        raise InvalidInput("a parallel layout takes two or three languages")
    previous, history, comments = None, None, None
    if stage == "redline":
        previous = _previous(app, session, row, ver, since)
    elif stage == "review" and reviewer is not None:
        previous, comments, seen_round = _reviewer_history(app, session, row, reviewer)
        since = previous[0] if previous else None
        if seen_round:
            extra = {**(extra or {}), "seen_round": str(seen_round)}
        history = [[n, c.number, c.ref, c.text, c.disposition, c.note] for n, c in comments]
    variant = "pdf/a-3b" if fmt == "pdf" and (archival or stage in ARCHIVAL_STAGES) else None
    key, template = cache_key(
        app, session, row, ver, model, stage=stage, fmt=fmt, langs=langs, layout=chosen_layout,
        reviewer=reviewer, extra=extra, variant=variant,
        attachment_hashes=[hashlib.sha256(d).hexdigest() for _, d, _ in attachments or []],
        since=since, history=history)
    hit = session.exec(select(Artefact).where(Artefact.cache_key == key)).first()
    if hit is not None:
        path = app.store_path(hit.sha256)
        if path.is_file():
            return Rendered(path, hit.sha256, stage, fmt, True)
    view = document_view(app, session, row, ver.number, model, stage=stage, languages=langs,
                         layout=chosen_layout, reviewer=reviewer, previous=previous, extra=extra,
                         reviewer_comments=comments)
    tdir = _template_dir(app)
    if fmt == "pdf":
        from templates.pdf.render import render_pdf

        sealer = None
        if stage == "review" and reviewer is not None:  # the position map of the copy
            from functools import partial

            from workflow.store.tokens import seal
            sealer = partial(seal, app.workspace)
        data = render_pdf(view, template_dir=tdir, pdf_variant=variant,
                          attachments=attachments or [], seal=sealer)
    else:
        from templates.word.render import render_docx

        data = render_docx(view, template_dir=tdir)
    digest, path = store_bytes(app.workspace.store_dir, data)
    if hit is None:
        fields: dict[str, object] = dict(
            cache_key=key, sha256=digest, resolution_id=row.id, version_number=ver.number,
            stage=stage, format=fmt, languages=",".join(langs), layout=chosen_layout,
            template_hash=template, size=len(data), created_at=clock.now())
        if cache is not None:
            cache.append(fields)
        else:
            session.add(Artefact(**fields))
    return Rendered(path, digest, stage, fmt, False, data)


def _previous(app: App, session: Session, row: ResolutionRow, ver: Version,
              since: int | None) -> tuple[int, Resolution]:
    """The version a redline of ``ver`` compares against (a missing one is named)."""
    if since is None:
        if ver.number < 2:
            raise InvalidInput(f"{row.symbol} has one version only: nothing to compare")
        since = ver.number - 1
    older = app.version(session, row, since)  # NotFound names the versions there are
    if older.number >= ver.number:
        raise InvalidInput(f"--from {older.number} is not before version {ver.number}: "
                           f"a redline compares an earlier version with a later one")
    return older.number, load_version(session, older)


def _reviewer_history(app: App, session: Session, row: ResolutionRow, reviewer: Member
                      ) -> tuple[tuple[int, Resolution] | None, list[tuple[int, Comment]],
                                 int | None]:
    """For a review copy: the version its reviewer last saw (to redline against), their
    comments of earlier rounds, and the round in which they saw it."""
    from workflow.documents.history import last_seen, their_comments

    rnd = last_round(session, row)
    if rnd is None:
        return None, [], None
    seen = last_seen(session, row, reviewer.id, rnd)
    if seen is None:
        return None, their_comments(session, row, reviewer.id, rnd), None
    previous = (seen.version, load_version(session, app.version(session, row, seen.version)))
    return previous, their_comments(session, row, reviewer.id, rnd), seen.round


def output_name(row: ResolutionRow, version: int, stage: str, fmt: str, langs: list[str],
                reviewer: Member | None = None) -> str:
    who = f"_{safe_name(reviewer.id)}" if reviewer else ""
    return f"{safe_name(row.symbol)}_v{version}_{stage}_{'-'.join(langs)}{who}.{fmt}"


def record_artefacts(app: App, rows: list[dict[str, object]]) -> None:
    """Record rendered artefacts in one short write transaction (duplicates skipped)."""
    if not rows:
        return
    with app.write() as session:
        seen: set[str] = set()
        for fields in rows:
            key = str(fields["cache_key"])
            if key in seen or session.exec(select(Artefact).where(
                    Artefact.cache_key == key)).first() is not None:
                continue
            seen.add(key)
            session.add(Artefact(**fields))


def prerender(app: App, symbol: str, jobs: list[dict[str, object]]) -> None:
    """Render documents into the store outside any write transaction, so that a later
    render of the same inputs inside one is a cache hit (WeasyPrint never holds the lock)."""
    cache: list[dict[str, object]] = []
    with app.read() as session:
        row = app.resolution(session, symbol)
        for job in jobs:
            render_bytes(app, session, row, cache=cache, **job)  # type: ignore[arg-type]
    record_artefacts(app, cache)


def render(app: App, ref: str, *, stage: str, formats: list[str], languages: list[str] | None,
           layout: str | None, out_dir: Path, version: int | None = None,
           reviewer_ids: list[str] | None = None,
           since: int | None = None) -> list[tuple[Path, Rendered]]:
    """Render and copy the documents into ``out_dir``; returns (path, rendered) pairs.
    ``since``: the earlier version of a redline (default: the one before ``version``).

    Rendering runs in a read session; only the cache rows are written, afterwards, in a
    short transaction, so other commands are never kept waiting for WeasyPrint."""
    out: list[tuple[Path, Rendered]] = []
    cache: list[dict[str, object]] = []
    with app.read() as session:
        row = app.resolution(session, ref)
        reviewers: list[Member | None] = [None]
        if stage in ("review", "comment-form"):
            ids = reviewer_ids or _round_reviewers(session, row)
            if not ids:
                raise InvalidInput(f"{stage} copies are made per reviewer: give --reviewer ID "
                                   "or circulate first")
            reviewers = [app.member(session, rid) for rid in ids]
        ver_no = version or row.current_version
        total = sum(len(reviewers) for f in formats if f in STAGE_FORMATS.get(stage, ()))
        progress.advance("render", 0, total)
        for fmt in formats:
            if fmt not in STAGE_FORMATS.get(stage, ()):
                continue
            for reviewer in reviewers:
                rendered = render_bytes(app, session, row, stage=stage, fmt=fmt, version=version,
                                        languages=languages, layout=layout, reviewer=reviewer,
                                        cache=cache, since=since)
                langs = languages or _langs(session, app, row, ver_no)
                if (layout or ("parallel" if len(langs) > 1 else "single")) == "single":
                    langs = langs[:1]
                name = output_name(row, ver_no, stage, fmt, langs, reviewer)
                if since is not None:  # a redline from an earlier version than the default
                    name = name.replace(f"_v{ver_no}_", f"_v{since}-{ver_no}_", 1)
                target = out_dir / name
                data = rendered.data if rendered.data is not None else rendered.path.read_bytes()  # type: ignore[union-attr]
                write_atomic(target, data)
                crashpoint("render.after-write")
                out.append((target, rendered))
                progress.advance("render", len(out), total)
    record_artefacts(app, cache)
    if not out:
        raise InvalidInput(f"the {stage} stage exists as {', '.join(STAGE_FORMATS.get(stage, ()))} only")
    return out


def _langs(session: Session, app: App, row: ResolutionRow, version: int) -> list[str]:
    return list(load_version(session, app.version(session, row, version)).languages)


def _round_reviewers(session: Session, row: ResolutionRow) -> list[str]:
    rnd = last_round(session, row)
    return [r for r in (rnd.reviewers.split(",") if rnd else []) if r]


def _round_number(session: Session, row: ResolutionRow) -> int | None:
    rnd = last_round(session, row)
    return rnd.number if rnd is not None else None
