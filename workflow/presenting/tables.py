"""Aligned tables, bold and coloured spans, and the tables of the listing commands:
members, bodies, resolutions, audit events, comments, amendments, the outbox, submissions,
keys, templates and the demo's artefacts.

Spans are ANSI escapes, which the command line drops when its output is not a terminal. A
table is plain text laid out by display width, so Chinese text lines up and nothing heavy
is imported to draw it. Each ``*_table`` takes what the service returned; the ``*_json``
helpers give the same rows as plain data for ``--json`` where the service returns objects
without ``to_json()``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from templates.admin import TemplateFile
    from workflow.demo import DemoResult
    from workflow.review.annotations import PdfImport
    from workflow.rows import (
        AmendmentRow,
        CommentRow,
        MemberInfo,
        MessageInfo,
        Page,
        SubmissionInfo,
    )
    from workflow.signing.keys import KeysListing
    from workflow.store.chain import EventLike
    from workflow.store.config import Body

class EventJSON(TypedDict):
    """One audit event as ``history --json`` gives it."""

    seq: int
    at: str
    actor: str
    action: str
    outcome: str
    detail: dict[str, object]
    hash: str


__all__ = [
    "amendments_table", "artefacts_table", "bodies_json", "bodies_table", "bold",
    "comments_imported", "comments_table", "events_json", "events_table", "green", "keys_text",
    "members_table", "outbox_table", "red", "resolutions_page", "submissions_table", "table",
    "templates_table", "width",
]

_RESET = "\x1b[0m"


def bold(text: str) -> str:
    return f"\x1b[1m{text}{_RESET}"


def green(text: str) -> str:
    return f"\x1b[32m{text}{_RESET}"


def red(text: str) -> str:
    return f"\x1b[31m{text}{_RESET}"


def width(text: str) -> int:
    """Columns the text takes on a terminal (wide and full-width characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(columns: Sequence[str], rows: Iterable[Sequence[object]],
          title: str | None = None) -> str:
    """An aligned table: optional title, bold header, a rule, one line per row (cells with
    line breaks are folded onto one line)."""
    cells = [[" ".join(str(x).split()) for x in row] for row in rows]
    widths = [max([width(col)] + [width(row[i]) for row in cells])
              for i, col in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    out = [title] if title else []
    out += [bold(line(columns)), line(["-" * w for w in widths])]
    out += [line(row) for row in cells]
    return "\n".join(out)


def members_table(members: Sequence[MemberInfo]) -> str:
    return table(["id", "name", "organisation", "delegation", "roles", "e-mail"],
                 [[m.id, m.name, m.org, m.delegation,
                   ", ".join(m.roles) if getattr(m, "active", True) else "(removed)", m.email]
                  for m in members])


def bodies_json(bodies: Mapping[str, Body]) -> list[dict[str, object]]:
    return [{"code": b.code, "names": b.names, "address": b.address, "languages": b.languages,
             "signatures": b.signatures, "lead_days": b.lead_days} for b in bodies.values()]


def bodies_table(bodies: Mapping[str, Body]) -> str:
    return table(["code", "name", "название", "名称", "languages", "signatures", "lead days"],
                 [[b.code, b.name("en"), b.name("ru"), b.name("zh"), ",".join(b.languages),
                   ",".join(b.signatures), b.lead_days] for b in bodies.values()])


def resolutions_page(result: Page, page: int) -> str:
    """One page of `list`, and where the next page starts when there is one."""
    text = table(["no.", "symbol", "state", "ver.", "body", "title"],
                 [[s.number, s.symbol, s.state, s.version, s.body, s.title]
                  for s in result.items])
    shown = result.offset + len(result.items)
    if result.total > shown:
        text += (f"\nshowing {result.offset + 1}–{shown} of {result.total}; "
                 f"next: --page {page + 1}")
    return text


def events_json(events: Sequence[EventLike]) -> list[EventJSON]:
    from workflow.rows import event_detail

    return [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
             "outcome": e.outcome, "detail": event_detail(e), "hash": e.hash} for e in events]


def events_table(symbol: str, events: Sequence[EventJSON]) -> str:
    """The rows of :func:`events_json` (content hashes left out: they fill the line)."""
    return table(["seq", "at", "actor", "action", "outcome", "detail"],
                 [[d["seq"], d["at"][:19], d["actor"], d["action"], d["outcome"],
                   ", ".join(f"{k}={v}" for k, v in d["detail"].items() if k != "content_hash")]
                  for d in events], title=symbol)


def comments_table(symbol: str, version: int, rows: Sequence[CommentRow]) -> str:
    """The comments-resolution matrix; a comment whose paragraph is gone is ORPHANED."""
    return table(["no.", "ref (now)", "was", "by", "type", "comment", "proposal",
                  "disposition", "note"],
                 [[r.number, "ORPHANED" if r.orphaned else r.ref,
                   r.original_ref + (f", {r.lang}" if getattr(r, "lang", "") else ""), r.author,
                   r.type, r.text, r.proposal, r.disposition or "—", r.note] for r in rows],
                 title=f"{symbol} · comments (version {version})")


def comments_imported(rows: Sequence[CommentRow]) -> str:
    if not rows:
        return "already imported: every comment of this form is recorded; nothing new"
    return (f"imported {len(rows)} comment(s): "
            + ", ".join(f"{r.number} ({r.original_ref})" for r in rows))


def annotations_imported(result: PdfImport) -> str:
    """What an annotated PDF gave: one line per comment, "OP 3(b), zh"."""
    if not result.rows:
        return ("already imported: every annotation of this copy is recorded; nothing new"
                if result.already else "no comment imported")
    lines = [f"imported {len(result.rows)} comment(s)"
             + (f" ({result.already} already imported)" if result.already else "") + ":"]
    for r in result.rows:
        where = f"{r.original_ref}, {r.lang}" if r.lang else r.original_ref
        quote = f" “{r.quote[:40]}{'…' if len(r.quote) > 40 else ''}”" if r.quote else ""
        lines.append(f"  {r.number} [{r.type}] {where}{quote}: {r.text.splitlines()[0][:60]}")
    return "\n".join(lines)


def amendments_table(symbol: str, rows: Sequence[AmendmentRow]) -> str:
    return table(["no.", "target", "now", "op", "by", "texts", "why", "status"],
                 [[r.number, r.target_ref, r.current_ref or "—", r.op, r.author,
                   "; ".join(f"{k}: {v}" for k, v in r.texts.items()), r.why,
                   r.status + (f" (v{r.applied_version})" if r.applied_version else "")]
                  for r in rows], title=symbol)


def outbox_table(rows: Sequence[MessageInfo]) -> str:
    return table(["id", "kind", "to", "subject", "status", "tries", "error", "file"],
                 [[r.id, r.kind, r.recipient, r.subject, r.status, r.attempts, r.error or "—",
                   r.eml_path] for r in rows], title="outbox")


def submissions_table(symbol: str, rows: Sequence[SubmissionInfo]) -> str:
    return table(["no.", "body", "version", "submitted", "package", "sha256", "message",
                  "receipt", "outcome"],
                 [[r.number, r.body, r.version, r.submitted_at, r.package_path,
                   r.package_sha256[:16], r.message_status, r.receipt_ref or "—",
                   r.outcome or "—"] for r in rows], title=symbol)


def receipts_text(answers: Sequence[Sequence[Mapping[str, object]]]) -> str:
    """Each submission's answers in the order received (the table shows the latest)."""
    return "\n".join(f"submission {number}: " + "; ".join(
        f"{str(a['received_at'])[:10]} {a['outcome']} ({a['reference']})" for a in kept)
        for number, kept in enumerate(answers, start=1) if kept)


def keys_text(listing: KeysListing) -> str:
    """The CA and its CRL, the trusted roots (with what each is trusted for), and the
    registered certificates (with their revocation)."""
    head = (f"CA: {listing.ca or 'none (resolutions keys init-ca)'}; "
            f"CRL: {listing.crl or 'none'}")
    roots = table(["trusted root", "sha256", "trusted for", "expires"],
                  [[t["subject"], t["sha256"], ", ".join(t["for"]), t["not_after"][:10]]
                   for t in listing.trust])
    certs = table(["member", "name", "issuer", "sha256", "expires", "revoked", "key file"],
                  [[k["member"], k["common_name"], k["issuer"], k["fingerprint"][:16] + "…",
                    k["not_after"][:10], (k.get("revoked") or {}).get("at", "")[:10],
                    k["p12_path"]] for k in listing.certificates])
    return "\n".join([head, roots, certs])


def templates_table(items: Sequence[TemplateFile]) -> str:
    return table(["template", "kind", "overridden"],
                 [[t.name, t.kind, "yes" if t.overridden else ""] for t in items])


def artefacts_table(result: DemoResult) -> str:
    """The files the demo made, with their pages, sizes and digests."""
    return table(["path", "kind", "pages", "size", "sha256"],
                 [[a.path, a.kind, a.pages or "", f"{a.size:,}", a.sha256]
                  for a in result.artefacts], title=f"{result.symbol}: artefacts")
