"""The command line's hot path, without click: the :class:`Context` every command gets, the
parameters of the commands that must start quickly (:data:`HOT`, declared once: ``cli``
hands the same declarations to click), a parser for them, and what those commands answer.

``cli_main`` (the console script) asks :func:`parse` first. A command line it reads in
full — a hot command, its options and arguments, nothing it does not know — is answered
here, in a process that never imports click nor builds the command table; anything else
(``--help``, ``--version``, ``-v``, an unknown option, a missing value, a value of the
wrong type, a usage error found by the command itself) goes to the full command line in
``cli``, which answers it as it always did. ``tests/cli/test_hot_path.py`` checks that the
two parse a corpus of command lines alike and answer alike.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import TextIO

    from workflow.app import App
    from workflow.writing import Writing

__all__ = ["ANSWERS", "Context", "HOT", "Param", "Usage", "answer", "error_line", "failure",
           "lang_texts", "parse"]


# -- the context ---------------------------------------------------------------------------
class Context:
    """What every command gets first: where, who, how to print; the App opened on demand.
    (A plain class: every command builds it, and defining a dataclass costs a read command
    a few milliseconds of its start.) What it opens is closed by :meth:`close`, which the
    command line calls when the command ends."""

    def __init__(self, workspace: str | None = None, actor: str | None = None,
                 json: bool = False, verbose: int = 0) -> None:
        # the environment is read here and nowhere below: everything is handed down
        env = os.environ
        self.workspace = workspace or env.get("RESOLUTIONS_WORKSPACE") or None
        self.actor = actor or env.get("RESOLUTIONS_USER") or None
        self.database_url = env.get("RESOLUTIONS_DATABASE_URL") or None
        self.smtp_password = env.get("RESOLUTIONS_SMTP_PASSWORD")
        self.prewarm = env.get("RESOLUTIONS_PREWARM", "1") != "0"
        self.json, self.verbose = json, verbose
        self._app: App | None = None
        self._reader: Any = None
        self._writer: Any = None
        self._closing: list[Any] = []
        self._commits = 0
        #: set by the hot path: the ORM (and the libraries it loads) log, so when the App is
        #: opened their records are sent where the full command line sends them
        self.configure_logging = False

    def app(self) -> App:
        if self._app is None:
            from workflow.app import App
            from workflow.presenting import terminal

            if self.configure_logging:
                terminal.configure_logging(self.verbose, None)
            with self._migrating():
                self._app = App.open(self.workspace, self.actor,
                                     database_url=self.database_url,
                                     smtp_password=self.smtp_password)
            if self._app.migrated:
                self.say(self._app.migrated)
            terminal.watch_commits()
            _debug("workspace %s", self._app.workspace.root)
        return self._app

    def reader(self) -> Any:  # Reader: its records are read as the rows they name
        """The read path on the bare database driver (no ORM), closed with the command."""
        from workflow.reading import open_reader

        with self._migrating():
            reader = self._reader = open_reader(self.workspace, self.actor,
                                                database_url=self.database_url)
        if reader.migrated:
            self.say(reader.migrated)
        self._closing.append(reader.close)
        _debug("workspace %s (read path)", reader.workspace.root)
        return reader

    def writer(self) -> Writing | None:
        """The write path on the bare driver (no ORM) for the frequent writes, closed with
        the command; None when the database cannot be written that way (the command then
        runs its service on :meth:`app`, which migrates an older schema)."""
        from workflow.writing import open_writing

        writing = open_writing(self.workspace, self.actor, database_url=self.database_url,
                               on_commit=self._committed)
        if writing is not None:
            self._writer = writing
            self._closing.append(writing.close)
            _debug("workspace %s (bare write path)", writing.workspace.root)
        return writing

    def _committed(self) -> None:
        self._commits += 1

    def database_after(self, before: int) -> str | None:
        """What an error leaves of the database: None when the command never opened it,
        "saved" when a transaction committed since ``before`` (a reading of
        ``terminal.commits()``), else "rolled back"."""
        if self._app is None and self._reader is None and self._writer is None:
            return None
        from workflow.presenting import terminal

        return "saved" if terminal.commits() > before or self._commits else "rolled back"

    def close(self) -> None:
        while self._closing:
            self._closing.pop()()

    def _migrating(self) -> Any:
        """While a workspace opens: how far a long migration step is (the search index
        built from every stored version), on stderr; nothing under --json."""
        from workflow.progress import reporting

        if self.json:
            return reporting(None)
        made: list[Any] = []

        def report(step: str, done: int, total: int) -> None:  # made at the first step
            if not made:
                from workflow.presenting import terminal

                made.append(terminal.counter(self.say))
            made[0](step, done, total)

        return reporting(report)

    def emit(self, data: dict[str, Any], text: str | None = None) -> None:
        """Print ``data`` (an object: its keys are the command's declared ones) as JSON
        with --json, else ``text``. A reader that stops early (``| head``) ends the
        output, not the command, so the exit code still tells."""
        try:
            if self.json:
                import json

                _line(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            elif text:
                _line(text)
        except BrokenPipeError:
            from workflow.presenting import terminal

            terminal.silence_stdout()

    def say(self, text: str) -> None:
        """A line for a person on stderr (a warning, a hint); nothing under --json."""
        if not self.json:
            _line(text, sys.stderr)

    def progress(self) -> Any:
        """Around a long step: a bar on a terminal, one line per finished step otherwise
        (stderr), nothing under --json."""
        from workflow.presenting import terminal

        return terminal.progress_bar(not self.json, say=self.say)


def _line(text: str, stream: TextIO | None = None) -> None:
    """``text`` and a newline on ``stream`` (standard output), flushed (as click.echo)."""
    out = stream if stream is not None else sys.stdout
    out.write(text + "\n")
    out.flush()


def _debug(message: str, *args: Any) -> None:
    """A debug record of the command line's logger, when logging is set up (the full
    command line sets it up; the hot path never imports it)."""
    logging = sys.modules.get("logging")
    if logging is not None:
        logging.getLogger("cli").debug(message, *args)


class Usage(Exception):
    """The command line is wrong in a way only the command sees (exit code 2, with the
    command's usage, as click tells it); ``param_hint`` names the option whose value is
    wrong."""

    def __init__(self, message: str, param_hint: str | None = None) -> None:
        super().__init__(message)
        self.param_hint = param_hint


def lang_texts(values: tuple[str, ...]) -> dict[str, str]:
    """``LANG=TEXT`` values (``--text``, ``--name-in``) by language."""
    out = {}
    for value in values:
        lang, sep, text = value.partition("=")
        if not sep or not lang.strip():
            raise Usage(f"{value!r}: write LANG=TEXT, e.g. en=\"…\"", param_hint="--text")
        out[lang.strip()] = text
    return out


# -- the hot commands' parameters, declared once -------------------------------------------
class Param:
    """One parameter as click declares it: ``kind`` "argument" or "option", the names
    (``"--body", "body_code"``), and click's keywords; ``choices`` becomes a
    ``click.Choice``. :func:`parse` reads the subset declared here."""

    __slots__ = ("kind", "decls", "attrs", "dest", "flags")
    #: the keywords :func:`parse` reads as click does; any other is refused here, so a hot
    #: command is never parsed differently from what click is told
    READ = frozenset({"required", "help", "metavar", "type", "default", "show_default",
                      "is_flag", "multiple", "choices", "file"})

    def __init__(self, kind: str, *decls: str, **attrs: Any) -> None:
        unread = set(attrs) - self.READ
        if unread or attrs.get("type", int) is not int:
            raise TypeError(f"{decls}: cli_hot parses none of {sorted(unread) or attrs['type']}; "
                            "declare the command in cli.py only, or teach cli_hot.parse")
        self.kind, self.decls, self.attrs = kind, decls, attrs
        names = [d for d in decls if d.isidentifier()]
        longs = [d for d in decls if d.startswith("--")]
        self.dest = names[0] if names else longs[0][2:].replace("-", "_").lower()
        self.flags = tuple(d for d in decls if d.startswith("-"))

    def convert(self, value: str) -> Any:
        """The value as the command gets it; ValueError when click would refuse it."""
        if self.attrs.get("file"):  # whether it exists is click's to tell
            raise ValueError(value)
        kind = self.attrs.get("type", type(self.attrs["default"]) if isinstance(
            self.attrs.get("default"), int) and not self.attrs.get("is_flag") else str)
        if kind is int:
            return int(value)
        choices = self.attrs.get("choices")
        if choices is not None and value not in choices:
            raise ValueError(value)
        return value

    def default(self) -> Any:
        if self.attrs.get("multiple"):
            return ()
        if self.attrs.get("is_flag"):
            return bool(self.attrs.get("default", False))
        return self.attrs.get("default")


def option(*decls: str, **attrs: Any) -> Param:
    return Param("option", *decls, **attrs)


def argument(*decls: str, **attrs: Any) -> Param:
    return Param("argument", *decls, **attrs)


EVIDENCE_HELP = ("The document that carries the member's decision (a letter, minutes); kept "
                 "content-addressed, its hash in the log.")
STATEMENT_HELP = ("The member's detached CMS signature (.p7s) over what 'resolutions statement "
                  "REF --by MEMBER --for …' prints.")

#: the parameters of the commands answered here, by their words on the command line
#: (``file=True``: an existing file, ``click.Path(exists=True, dir_okay=False)``)
HOT: dict[tuple[str, ...], tuple[Param, ...]] = {
    ("comment",): (
        argument("ref"),
        option("--by", help="The reviewer (default: who acts)."),
        option("--ref", "target", required=True,
               help='Paragraph: "OP 3(b)", "PP 2", or "general".'),
        option("--type", "type_", required=True, choices=("ge", "te", "ed"),
               help="ge general, te technical, ed editorial."),
        option("--text", required=True, help="The comment."),
        option("--proposal", default="", help="Proposed change."),
    ),
    ("dispose",): (
        argument("ref"),
        argument("number", type=int),
        option("--accept", is_flag=True, help="Accept the comment."),
        option("--reject", is_flag=True, help="Reject it."),
        option("--partial", is_flag=True, help="Accept in part."),
        option("--note", required=True, help="The secretariat's observation."),
    ),
    ("amend",): (
        argument("ref"),
        option("--by", help="Who proposes (default: who acts)."),
        option("--target", required=True, help='Paragraph: "OP 3", "OP 3(b)".'),
        option("--op", required=True, choices=("replace", "insert-after", "delete")),
        option("--text", "texts", multiple=True, metavar="LANG=TEXT",
               help="New text per language (repeatable)."),
        option("--why", default="", help="Reason for the amendment."),
    ),
    ("approve",): (
        argument("ref"),
        option("--by", help="The approver (default: who acts)."),
        option("--note", default="", help="A remark kept with the approval."),
        option("--p12", file=True, help="Sign the approval statement with this key (default: "
               "the member's key, if any)."),
        option("--passphrase-file", file=True),
        option("--evidence", file=True, help=EVIDENCE_HELP),
        option("--signed-statement", file=True, help=STATEMENT_HELP),
    ),
    ("search",): (
        argument("query", required=False),
        option("--lang", help="Only paragraphs in this language (the others still shown "
               "beside)."),
        option("--body", "body_code", metavar="CODE",
               help="Only resolutions addressed to this body."),
        option("--state", help="Only resolutions in this state."),
        option("--year", type=int, help="Only resolutions of this year (their date, else the "
               "version's)."),
        option("--current", is_flag=True, help="Only the current version of each resolution."),
        option("--limit", default=20, show_default=True, help="Hits per page."),
        option("--page", default=1, show_default=True, help="Page number."),
        option("--check", is_flag=True, help="Compare the index with the versions instead."),
        option("--rebuild", is_flag=True, help="Make the index again from the versions instead."),
    ),
}

#: flags of a hot command that take it to the full command line (the work they ask for
#: needs the ORM anyway)
HEAVY: dict[tuple[str, ...], tuple[str, ...]] = {("search",): ("check", "rebuild")}

#: the options taken before a command's name that the hot path reads (-v, --version and
#: --help are the full command line's); the full declarations are ``cli.shared_options``
_GLOBAL_VALUES = {"--workspace": "workspace", "-w": "workspace", "--as": "actor"}


class Parsed:
    """A command line read in full: the command's words, the global options, the
    command's keyword arguments."""

    __slots__ = ("words", "workspace", "actor", "json", "kwargs")

    def __init__(self, words: tuple[str, ...], workspace: str | None, actor: str | None,
                 json: bool, kwargs: dict[str, Any]) -> None:
        self.words, self.workspace, self.actor = words, workspace, actor
        self.json, self.kwargs = json, kwargs


def parse(argv: Sequence[str]) -> Parsed | None:
    """The command line as click would read it, or None when it is not a hot command line
    this parser reads in full (click then reads it, and says what is wrong)."""
    if os.environ.get("RESOLUTIONS_LOG"):  # the full command line sets the level it asks
        return None
    args = list(argv)
    found: dict[str, Any] = {"workspace": None, "actor": None, "json": False}
    while args and args[0].startswith("-"):
        word = args.pop(0)
        name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if word == "--json":
            found["json"] = True
        elif name in _GLOBAL_VALUES:
            if not eq:
                if not args:
                    return None
                value = args.pop(0)
            found[_GLOBAL_VALUES[name]] = value
        else:
            return None
    for words, params in HOT.items():
        if tuple(args[:len(words)]) == words:
            kwargs = _parse_command(params, args[len(words):])
            if kwargs is None:
                return None
            as_json = kwargs.pop("\0json")
            heavy = [kwargs.pop(flag) for flag in HEAVY.get(words, ())]
            if any(heavy):
                return None
            return Parsed(words, found["workspace"], found["actor"],
                          found["json"] or as_json, kwargs)
    return None


def _parse_command(params: tuple[Param, ...], args: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of one command (and "\\0json" for its --json), or None."""
    options = {flag: p for p in params if p.kind == "option" for flag in p.flags}
    positional = [p for p in params if p.kind == "argument"]
    values: dict[str, Any] = {p.dest: p.default() for p in params}
    given: set[str] = set()
    as_json = False
    rest: list[str] = []
    words = iter(args)
    for word in words:
        if word == "--":
            rest.extend(words)
            break
        if not word.startswith("-") or word == "-":
            rest.append(word)
            continue
        name, eq, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if word == "--json":
            as_json = True
            continue
        param = options.get(name)
        if param is None:
            return None
        if param.attrs.get("is_flag"):
            if eq:
                return None
            values[param.dest] = True
            continue
        if not eq:
            following = next(words, None)
            if following is None:
                return None
            value = following
        try:
            converted = param.convert(value)
        except ValueError:
            return None
        if param.attrs.get("multiple"):
            values[param.dest] = (*values[param.dest], converted)
        else:
            values[param.dest] = converted
        given.add(param.dest)
    for param in positional:
        if rest:
            try:
                values[param.dest] = param.convert(rest.pop(0))
            except ValueError:
                return None
        elif param.attrs.get("required", True):
            return None
    if rest:
        return None
    if any(p.attrs.get("required") and p.dest not in given for p in params if p.kind == "option"):
        return None
    values["\0json"] = as_json
    return values


# -- what the hot commands answer ----------------------------------------------------------
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
                    signed_statement: str | None, prompt: Callable[[str], bytes]) -> Any:
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


#: what each hot command runs, by its words
ANSWERS: dict[tuple[str, ...], Callable[..., None]] = {
    ("search",): search, ("comment",): comment, ("dispose",): dispose, ("amend",): amend,
    ("approve",): approve}


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
    except BrokenPipeError:
        from workflow.presenting import terminal

        terminal.silence_stdout()
        return 0
    except (KeyboardInterrupt, EOFError):
        _line(error_line("stopped before anything more was done", "aborted", True)
              if parsed.json else "\nAborted!", sys.stderr)
        return 1
    except Exception as exc:
        message, code, error = failure(exc, ctx, 0)
        _line(error_line(message, error, parsed.json), sys.stderr)
        return code
    finally:
        ctx.close()
    return 0
