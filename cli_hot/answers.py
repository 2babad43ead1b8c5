"""What the hot commands answer (their bodies: ``cli.py``'s commands call them too), the error
boundary's words (shared with ``cli.py``'s root group) and :func:`answer`, the hot path's
own run of a parsed command line."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from cli_hot.context import Context, line
from cli_hot.decisions import amendment_decide, close_review, object_, withdraw
from cli_hot.params import Parsed

if TYPE_CHECKING:
    from workflow.rows import ApprovalResult

__all__ = ["ANSWERS", "HINTS_SHOWN", "Unreadable", "Usage", "amend", "amendment_decide",
           "answer", "approve", "close_review", "comment", "dispose", "edit", "error_line", "failure",
           "lang_texts", "member_add", "new", "object_", "read_source", "search", "withdraw"]

HINTS_SHOWN = 20  # after `new`; the rest are counted (all of them with --json)


class Usage(Exception):
    """The command line is wrong in a way only the command sees (exit code 2, with the
    command's usage, as click tells it); ``param_hint`` names the option whose value is
    wrong."""

    def __init__(self, message: str, param_hint: str | None = None) -> None:
        super().__init__(message)
        self.param_hint = param_hint


class Unreadable(Exception):
    """A file given on the command line cannot be read as text (exit code 1, told as
    click tells a ``ClickException``)."""


def read_source(path: str) -> str:
    """The UTF-8 text of a file given on the command line."""
    from pathlib import Path

    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise Unreadable(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    except OSError as exc:
        raise Unreadable(f"{path}: {exc.strerror}") from None


def lang_texts(values: tuple[str, ...]) -> dict[str, str]:
    """``LANG=TEXT`` values (``--text``, ``--name-in``) by language."""
    out = {}
    for value in values:
        lang, sep, text = value.partition("=")
        if not sep or not lang.strip():
            raise Usage(f"{value!r}: write LANG=TEXT, e.g. en=\"…\"", param_hint="--text")
        out[lang.strip()] = text
    return out


def search(ctx: Context, query: str | None, lang: str | None, body_code: str | None,
           state: str | None, year: int | None, current: bool, limit: int,
           page: int) -> None:
    """``resolutions search QUERY``: the hits of one page."""
    if not query:
        raise Usage("give a QUERY (or --check, --rebuild)")
    if limit < 1 or page < 1:
        raise Usage("--limit and --page start at 1")
    from workflow.presenting.hits import search_text
    from workflow.search.query import Filters

    result = ctx.reader().search(query, Filters(lang, body_code, state, year, current),
                                 limit=limit, offset=(page - 1) * limit)
    ctx.emit({"query": result.query, "terms": result.terms, "total": result.total,
              "page": page, "limit": limit, "hits": [h.to_json() for h in result.hits]},
             search_text(result, page, terminal=sys.stdout.isatty()))



def member_add(ctx: Context, member_id: str, name: str, name_en: str | None,
               name_ru: str | None, name_zh: str | None, names_in: tuple[str, ...], org: str,
               delegation: str, email: str, lang: str | None, roles: tuple[str, ...],
               password_file: str | None) -> None:
    """``resolutions member add``: on the bare driver (PostgreSQL: the administrator's
    login), else through the members service."""
    names = {k: v for k, v in (("en", name_en), ("ru", name_ru), ("zh", name_zh)) if v}
    names |= lang_texts(names_in)
    roles = tuple(r for value in roles for r in value.split(",") if r)
    from workflow.passphrases import read_passphrase  # (no ORM: the bare path reads it)
    password = read_passphrase(password_file, None, "First database password"
                               ).decode("utf-8") if password_file else None
    writing = ctx.writer(admin=True)
    info = None
    if writing is not None:
        from workflow.writing import add_member as bare_add
        info = bare_add(writing, member_id, name=name, org=org, delegation=delegation,
                        email=email, roles=roles, names=names, lang=lang, password=password)
        if info is None:
            writing.close()  # the service's transaction needs the write lock
    if info is None:
        from workflow.members import add_member
        info = add_member(ctx.app(), member_id, name=name, org=org, delegation=delegation,
                          email=email, roles=roles, names=names, lang=lang, password=password)
    ctx.emit(info.to_json(), f"Added {info.id} ({info.name}; {', '.join(info.roles) or 'no role'})")


def new(ctx: Context, file: str | None, title: str | None, body_code: str | None,
        lang: str | None, from_docx: str | None) -> None:
    """``resolutions new``: from a YAML source, a title or a Word draft; on the bare driver
    when it can write the database, else through the drafting service (which migrates an
    older one)."""
    if len([x for x in (file, title, from_docx) if x]) != 1:
        raise Usage("give exactly one of FILE, --title or --from-docx")
    if title and not body_code:
        raise Usage("--title needs --body (see 'resolutions body list')")
    from pathlib import Path

    from workflow import writing_versions

    notes: list[str] = []
    text = read_source(file) if file else ""
    prepared = writing_versions.prepare(text, file) if file else None  # parsed first
    writing = ctx.writer()
    if writing is not None:
        if from_docx:
            prepared, notes = writing_versions.from_docx(writing, Path(from_docx), lang=lang,
                                                         body=body_code)
        elif title:
            prepared = writing_versions.from_title(writing, title, body_code or "", lang)
        assert prepared is not None
        summary, hints = writing_versions.new_resolution(writing, prepared)
    else:
        from workflow.drafting import interop, resolutions
        from workflow.drafting.checks import opener_hints
        app = ctx.app()
        if file:
            summary = resolutions.new_resolution(app, text, file)
        elif title:
            summary = resolutions.new_from_title(app, title, body_code or "", lang)
        else:
            summary, notes = interop.new_from_docx(app, Path(from_docx or ""), lang=lang,
                                                   body=body_code)
        hints = opener_hints(app, summary.symbol)
    ctx.emit({**summary.to_json(), "unrecognised": notes, "hints": hints}, summary.symbol)
    shown = hints[:HINTS_SHOWN]
    more = ([f"  … and {len(hints) - len(shown)} more hint(s) (all of them with --json)"]
            if len(hints) > len(shown) else [])
    for said in [f"  not understood: {n}" for n in notes] + [f"  hint: {h}" for h in shown] + more:
        ctx.say(said)


def edit(ctx: Context, ref: str, file: str | None, note: str, from_docx: str | None,
         lang: str | None) -> None:
    """``resolutions edit REF FILE`` (or ``--from-docx``): a new version, on the bare driver
    when it can write the database, else through the drafting service. (Without either,
    the text is edited in $EDITOR: ``cli.py``'s, which has the terminal.)"""
    from pathlib import Path

    from workflow import writing_versions

    if from_docx:
        if not lang:
            raise Usage("--from-docx needs --lang")
        writing = ctx.writer()
        if writing is not None:
            result = writing_versions.edit_from_docx(writing, ref, Path(from_docx), lang=lang,
                                                     note=note)
        else:
            from workflow.drafting import interop
            result = interop.edit_from_docx(ctx.app(), ref, Path(from_docx), lang=lang,
                                            note=note)
    else:
        assert file is not None, "the editor is the full command line's"
        text = read_source(file)
        prepared = writing_versions.prepare(text, file)
        writing = ctx.writer()
        if writing is not None:
            result = writing_versions.edit_resolution(writing, ref, prepared, note)
        else:
            from workflow.drafting import resolutions
            result = resolutions.edit_resolution(ctx.app(), ref, text, file, note)
    stored = (f"version {result.version} stored ({result.state})" if result.changed
              else "text unchanged; no new version")
    from dataclasses import asdict

    ctx.emit(asdict(result), "\n".join([*result.notes, f"{result.symbol}: {stored}"]))


def comment(ctx: Context, ref: str, by: str | None, target: str, type_: str, text: str,
            proposal: str) -> None:
    """``resolutions comment``: on the bare driver, else through the review service."""
    writing = ctx.writer()
    if writing is not None:
        from workflow.writing import add_comment as bare_comment
        row = bare_comment(writing, ref, by=by, target=target, type_=type_, text=text,
                           proposal=proposal)
    else:
        from workflow.review.rounds import add_comment
        row = add_comment(ctx.app(), ref, by=by, target=target, type_=type_, text=text,
                          proposal=proposal)
    ctx.emit(row.to_json(), f"comment {row.number} on {row.original_ref} by {row.author}")


def dispose(ctx: Context, ref: str, number: int, accept: bool, reject: bool, partial: bool,
            note: str) -> None:
    """``resolutions dispose``: the secretariat's decision on a comment."""
    chosen = [d for d, on in (("accepted", accept), ("rejected", reject), ("partial", partial))
              if on]
    if len(chosen) != 1:
        raise Usage("choose exactly one of --accept, --reject or --partial")
    decision = chosen[0]
    writing = ctx.writer()
    if writing is not None:
        from workflow.writing import dispose as bare_dispose
        row = bare_dispose(writing, ref, number, decision, note)
    else:
        from workflow.review.rounds import dispose as do_dispose
        row = do_dispose(ctx.app(), ref, number, decision, note)
    ctx.emit(row.to_json(), f"comment {row.number}: {row.disposition}")


def amend(ctx: Context, ref: str, by: str | None, target: str, op: str, texts: tuple[str, ...],
          why: str) -> None:
    """``resolutions amend``: an amendment to the circulated version."""
    new_texts = lang_texts(texts)
    writing = ctx.writer()
    if writing is not None:
        from workflow.writing import amend as bare_amend
        row = bare_amend(writing, ref, by=by, target=target, op=op, texts=new_texts, why=why)
    else:
        from workflow.review.amendments import amend as do_amend
        row = do_amend(ctx.app(), ref, by=by, target=target, op=op, texts=new_texts, why=why)
    ctx.emit(row.to_json(), f"amendment {row.number}: {row.op} {row.target_ref} by {row.author}")


def _no_prompt(_label: str) -> bytes:
    """Here nobody is asked: the full command line asks (nothing is done before)."""
    raise _Handover


def approve(ctx: Context, ref: str, by: str | None, note: str, p12: str | None,
            passphrase_file: str | None, evidence: str | None, signed_statement: str | None,
            *, prompt: Callable[[str], bytes] = _no_prompt) -> None:
    """``resolutions approve``: a member's own approval with no key on the bare driver;
    the others (a key, a statement, a letter) through the approval service, which asks
    ``prompt`` for a key's passphrase."""
    writing = ctx.writer() if not (p12 or passphrase_file or evidence or signed_statement) \
        else None
    result = None
    if writing is not None:  # a member's own approval, no key: on the bare driver
        from workflow.writing import approve as bare_approve
        result = bare_approve(writing, ref, by, note)
        writing.close()
    if result is None:
        result = _approve_on_orm(ctx, ref, by, note, p12, passphrase_file, evidence,
                                 signed_statement, prompt)
    signed = " (signed statement)" if result.signed_statement else ""
    ctx.emit(dict(result._asdict()), f"{result.symbol}: approved by {result.member}{signed} → "
             f"{result.state}; {result.progress}")


def _approve_on_orm(ctx: Context, ref: str, by: str | None, note: str, p12: str | None,
                    passphrase_file: str | None, evidence: str | None,
                    signed_statement: str | None, prompt: Callable[[str], bytes]
                    ) -> ApprovalResult:
    from pathlib import Path

    from workflow.review.approval import approve as do_approve
    from workflow.review.approval import may_approve
    from workflow.signing.statements import statement_signer_for
    app = ctx.app()
    if p12 and not passphrase_file:
        may_approve(app, ref, by)  # everything that can refuse, before the passphrase is asked
    signer = statement_signer_for(app, by, p12, passphrase_file, prompt)
    return do_approve(app, ref, by, note, statement_signer=signer,
                      signed_statement=Path(signed_statement).read_bytes()
                      if signed_statement else None,
                      evidence=Path(evidence) if evidence else None)


def _edit_given(ctx: Context, ref: str, file: str | None, note: str, from_docx: str | None,
                lang: str | None) -> None:
    """``edit`` on the hot path: a FILE or a Word draft; $EDITOR is the full command
    line's (nothing is done before it takes over)."""
    if not file and not from_docx:
        raise _Handover
    edit(ctx, ref, file, note, from_docx, lang)


def _approve_own(ctx: Context, ref: str, by: str | None, note: str, p12: str | None,
                 passphrase_file: str | None, evidence: str | None,
                 signed_statement: str | None) -> None:
    """``approve`` on the hot path: an approval with no key, statement or letter (those
    are the approval service's, through the full command line)."""
    if p12 or passphrase_file or evidence or signed_statement:
        raise _Handover
    approve(ctx, ref, by, note, None, None, None, None)


def _object_own(ctx: Context, ref: str, by: str | None, note: str, evidence: str | None,
                signed_statement: str | None) -> None:
    """``object`` on the hot path: an objection with no statement or letter (those are
    the approval service's, through the full command line)."""
    if evidence or signed_statement:
        raise _Handover
    object_(ctx, ref, by, note, None, None)


def _accept(ctx: Context, ref: str, number: int) -> None:
    amendment_decide(ctx, ref, number, True)


def _reject(ctx: Context, ref: str, number: int) -> None:
    amendment_decide(ctx, ref, number, False)


#: what each hot command runs, by its words
ANSWERS: dict[tuple[str, ...], Callable[..., None]] = {
    ("search",): search, ("comment",): comment, ("dispose",): dispose, ("amend",): amend,
    ("approve",): _approve_own, ("member", "add"): member_add, ("new",): new,
    ("edit",): _edit_given, ("amendment", "accept"): _accept,
    ("amendment", "reject"): _reject, ("close-review",): close_review,
    ("object",): _object_own, ("withdraw",): withdraw}


# -- the error boundary's words, and the hot path's own run --------------------------------
def failure(exc: Exception, ctx: Context, before: int) -> tuple[str, int, str]:
    """What the error boundary says of an exception a command raised: the message, the
    exit code and the ``error`` word. A refusal by the domain (or an ordinary failure: a
    wrong password, a full disk) is shown as it is; anything else is a bug, told in one
    line that says what became of the database (``before``: ``terminal.commits()`` when
    the command started)."""
    from workflow.presenting import terminal

    exc = terminal.ordinary_failure(exc) or exc
    if isinstance(exc, terminal.refusal_classes()):
        return str(exc), getattr(exc, "exit_code", 1), getattr(exc, "error_code", "refused")
    return terminal.unexpected_text(exc, database=ctx.database_after(before)), 1, "bug"


def error_line(message: str, error: str, as_json: bool) -> str:
    """The one line on stderr: ``Error: …``, or with --json ``{"error": …, "message": …}``."""
    if as_json:
        import json

        return json.dumps({"error": error, "message": message}, ensure_ascii=False)
    return f"Error: {message}"


class _Handover(Exception):
    """The command needs what only the full command line has (a prompt on the terminal);
    raised before anything is done."""


def _handover(_label: str) -> str:
    raise _Handover


def answer(parsed: Parsed) -> int | None:
    """Run a hot command line (from :func:`parse`); its exit code, or None when the full
    command line must answer it instead (a usage error the command found, a password to
    ask on the terminal): nothing has been done then."""
    ctx = Context(parsed.workspace, parsed.actor, parsed.json)
    ctx.configure_logging = True
    if sys.stdin.isatty() and sys.stderr.isatty():  # a PostgreSQL password to ask: click asks
        from workflow.store.logins import use_prompt

        use_prompt(_handover)
    try:
        try:
            ANSWERS[parsed.words](ctx, **parsed.kwargs)
        except (Usage, _Handover) as exc:
            if ctx.database_after(0) != "saved":  # nothing written: click answers the line
                return None
            raise RuntimeError(f"{type(exc).__name__} after a commit") from exc
        except Unreadable as exc:
            line(error_line(str(exc), "refused", parsed.json), sys.stderr)
            return 1
    except BrokenPipeError:
        from workflow.presenting import terminal

        terminal.silence_stdout()
        return 0
    except (KeyboardInterrupt, EOFError):
        line(error_line("stopped before anything more was done", "aborted", True)
              if parsed.json else "\nAborted!", sys.stderr)
        return 1
    except Exception as exc:
        message, code, error = failure(exc, ctx, 0)
        line(error_line(message, error, parsed.json), sys.stderr)
        return code
    finally:
        ctx.close()
    return 0
