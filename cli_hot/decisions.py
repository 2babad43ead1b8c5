"""What the decision commands answer (``cli.py``'s commands call them too): ``amendment
accept|reject``, ``close-review``, ``object`` and ``withdraw``, on the bare driver when it can write the
database (:mod:`workflow.writing_decisions`), else through their services on the ORM."""

from __future__ import annotations

from cli_hot.context import Context

__all__ = ["amendment_decide", "close_review", "object_", "withdraw"]


def amendment_decide(ctx: Context, ref: str, number: int, accept: bool) -> None:
    """``resolutions amendment accept|reject REF N``: the secretariat's decision."""
    writing = ctx.writer()
    if writing is not None:
        from workflow.writing_decisions import decide_amendment as bare_decide
        row = bare_decide(writing, ref, number, accept)
    else:
        from workflow.review.amendments import decide_amendment
        row = decide_amendment(ctx.app(), ref, number, accept)
    ctx.emit(row.to_json(), f"amendment {row.number}: {row.status}")


def close_review(ctx: Context, ref: str, changes: bool, no_objection: bool, force: bool,
                 reason: str) -> None:
    """``resolutions close-review REF --changes|--no-objection``: the open round closed."""
    from cli_hot.answers import Usage  # (loaded with the package: no cycle at run time)

    if changes == no_objection:
        raise Usage("choose one of --changes or --no-objection")
    if reason and not force:
        raise Usage("--reason goes with --force")
    writing = ctx.writer()
    if writing is not None:
        from workflow.writing_decisions import close_review as bare_close
        fields = dict(bare_close(writing, ref, changes=changes, force=force,
                                 reason=reason)._asdict())
    else:
        from dataclasses import asdict

        from workflow.review.amendments import close_review as do_close
        fields = asdict(do_close(ctx.app(), ref, changes=changes, force=force, reason=reason))
    made = fields["new_version"]
    extra = f"; version {made} made from accepted amendments" if made else ""
    ctx.emit(fields, f"{fields['symbol']}: round {fields['round']} closed → "
                     f"{fields['state']}{extra}")


def object_(ctx: Context, ref: str, by: str | None, note: str, evidence: str | None,
            signed_statement: str | None) -> None:
    """``resolutions object``: a member's own objection on the bare driver; one typed for
    another member (their statement, their letter) through the approval service."""
    writing = ctx.writer() if not (evidence or signed_statement) else None
    result = None
    if writing is not None:
        from workflow.writing_decisions import object_ as bare_object
        result = bare_object(writing, ref, by, note)
        writing.close()  # (the service's transaction needs the write lock)
    if result is None:
        from pathlib import Path

        from workflow.review.approval import object_ as do_object
        result = do_object(ctx.app(), ref, by, note,
                           signed_statement=Path(signed_statement).read_bytes()
                           if signed_statement else None,
                           evidence=Path(evidence) if evidence else None)
    ctx.emit(dict(result._asdict()),
             f"{result.symbol}: objection by {result.member} → {result.state}")


def withdraw(ctx: Context, ref: str, reason: str) -> None:
    """``resolutions withdraw REF --reason``: any state before submission."""
    writing = ctx.writer()
    if writing is not None:
        from workflow.writing_decisions import withdraw as bare_withdraw
        result = bare_withdraw(writing, ref, reason)
    else:
        from workflow.delivery.outcomes import withdraw as do_withdraw
        result = do_withdraw(ctx.app(), ref, reason)
    ctx.emit(dict(result._asdict()), f"{result.symbol}: {result.state}")
