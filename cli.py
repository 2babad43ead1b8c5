"""The `resolutions` command line, as a table of commands: each parses its options, makes
one call into `workflow`, and prints what `workflow.presenting` makes of the result (JSON
with --json).

The root group (:class:`Resolutions`) is the one error boundary: a refusal by the domain
prints one line and exits 1, a usage error exits 2, anything else is a bug: one line and
exit 1 (the traceback with --verbose). With --json the line is an object on stderr,
``{"error": CODE, "message": …}``, CODE one of :data:`terminal.ERROR_CODES`. Logging is
configured there: -v, -vv, RESOLUTIONS_LOG.

Every command takes --json (after its name, or before it as a global option) and prints
one object whose top-level keys are declared with the command (``json=`` below) and
listed in docs/CLI.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

import cli_hot
from cli_hot import Context
from workflow.presenting import reports, tables, terminal

if TYPE_CHECKING:
    from datetime import date

    from workflow.delivery.outbox import SendResult
    from workflow.drafting.versioning import EditResult

__all__ = ["main", "cli"]

logger = logging.getLogger(__name__)


# -- context, shared options ----------------------------------------------------------------
# :class:`Context` (what every command gets first) lives in :mod:`cli_hot`, which answers
# the hot commands without click; the commands here get the same object.


def _fields(result: object) -> dict[str, object]:
    """A service's result (a dataclass, or a named tuple) as a JSON object."""
    if isinstance(result, tuple) and hasattr(result, "_asdict"):
        return dict(getattr(result, "_asdict")())
    if is_dataclass(result) and not isinstance(result, type):
        return asdict(result)
    raise TypeError(f"not a result: {type(result).__name__}")


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--json after a command's name, as its last option (the root group takes it too)."""

    def set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        ctx.ensure_object(Context).json = ctx.ensure_object(Context).json or value

    fn.__dict__.setdefault("__click_params__", []).insert(0, click.Option(
        ["--json"], is_flag=True, expose_value=False, callback=set_json, is_eager=True,
        help="Print machine-readable JSON."))
    return fn


def command(group: click.Group, name: str | None = None, *, example: str | tuple[str, ...],
            json: str | Sequence[str] | bool = ()
            ) -> Callable[[Callable[..., Any]], click.Command]:
    """Declare a command of ``group``: its function takes the :class:`Context` first, its
    help is the docstring and then ``example`` (one command line per string). Every
    command takes --json; ``json`` names the top-level keys of the object it then prints
    (space-separated), which docs/CLI.md lists."""
    lines = (example,) if isinstance(example, str) else example
    keys = tuple(json.split()) if isinstance(json, str) else (
        () if isinstance(json, bool) else tuple(json))

    def decorate(fn: Callable[..., Any]) -> click.Command:
        help_text = inspect.cleandoc(fn.__doc__ or "") + "\n\n\b\nExample:\n" + "\n".join(
            f"  {line}" for line in lines)
        fn = pass_ctx(fn)
        cmd = group.command(name, help=help_text)(json_option(fn))
        cmd.json_keys = keys  # type: ignore[attr-defined]
        return cmd

    return decorate


def shared_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The options taken before any command's name."""
    for option in reversed([
        click.option("--workspace", "-w", metavar="DIR", help="Workspace folder (default: "
                     "RESOLUTIONS_WORKSPACE, then the nearest folder above with "
                     "resolutions.toml)."),
        click.option("--as", "actor", metavar="MEMBER", help="Who acts (default: "
                     "RESOLUTIONS_USER, then the workspace's secretary)."),
        click.option("--json", "as_json", is_flag=True, help="Machine-readable output."),
        click.option("--verbose", "-v", count=True, help="Show tracebacks and progress "
                     "(-vv: debug detail); or set RESOLUTIONS_LOG=debug|info|warning.")]):
        fn = option(fn)
    return fn


# the top-level keys of the objects that several commands print with --json
STATUS_KEYS = "symbol state version steps facts waivers"
ROUND_KEYS = "symbol round version state reviewers warnings new_version deliveries"
COMMENT_KEYS = ("number round version ref original_ref paragraph_id author type text proposal "
                "disposition note orphaned lang quote")
AMENDMENT_KEYS = ("number version author target_ref current_ref target_id op texts why status "
                  "applied_version")
DECISION_KEYS = "symbol member decision state progress signed_statement"
STEP_KEYS = "symbol state message"
KEY_KEYS = "member common_name subject issuer fingerprint not_after p12_path imported"
SIGN_KEYS = ("symbol member field_name state signed_sha256 p7s_sha256 certification missing "
             "certificate_sha256 level")
VERIFY_KEYS = ("schema file trust workspace ok level at size document_timestamps signature_count "
               "problems signatures | schema file sha256 size trust at workspace ok "
               "signature_count signatures problems")
EXPORT_KEYS = "path resolutions files octets rendered cached workers seconds reused anchor"
DOSSIER_VERIFY_KEYS = "schema path ok at archive_timestamp checked seal problems"

VERSION = click.option("--version", "version", type=int, help="Version number (default: current).")
OUT_DIR = click.option("-o", "--output", "out_dir", default=".", show_default=True,
                       type=click.Path(file_okay=False), help="Folder to write into.")
FILE_IN = click.Path(exists=True, dir_okay=False)


def group(parent: click.Group, name: str, help_text: str) -> click.Group:
    """A group that only holds its commands."""
    return parent.group(name, help=help_text)(lambda: None)


def hot_params(*words: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The parameters of a hot command, as :data:`cli_hot.HOT` declares them (its one
    source, which the hot path parses without click)."""
    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        for param in reversed(cli_hot.HOT[words]):
            attrs = dict(param.attrs)
            if "choices" in attrs:
                attrs["type"] = click.Choice(attrs.pop("choices"))
            if attrs.pop("file", False):
                attrs["type"] = FILE_IN
            declare = click.argument if param.kind == "argument" else click.option
            fn = declare(*param.decls, **attrs)(fn)
        return fn
    return apply


@contextlib.contextmanager
def hot_usage() -> Iterator[None]:
    """Around a hot command's answer: its usage errors as click's."""
    try:
        yield
    except cli_hot.Usage as exc:
        if exc.param_hint:
            raise click.BadParameter(str(exc), param_hint=exc.param_hint) from None
        raise click.UsageError(str(exc)) from None
    except cli_hot.Unreadable as exc:
        raise click.ClickException(str(exc)) from None


# -- the error boundary --------------------------------------------------------------------
class Resolutions(click.Group):
    """The root group: the one place where errors become sentences and exit codes."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        wanted = terminal.json_asked(args)
        try:
            ctx = super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.ClickException as exc:  # before the command's name
            if wanted:
                _fail(exc.format_message(), exc.exit_code, _click_code(exc), as_json=True)
            raise
        ctx.meta["resolutions.json"] = wanted
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        before = terminal.commits()
        try:
            return super().invoke(ctx)
        except click.exceptions.Exit:
            raise
        except click.exceptions.ClickException as exc:
            if _json_wanted(ctx):
                _fail(exc.format_message(), exc.exit_code, _click_code(exc), as_json=True)
            raise
        except (click.exceptions.Abort, KeyboardInterrupt, EOFError):
            if _json_wanted(ctx):
                _fail("stopped before anything more was done", 1, "aborted", as_json=True)
            raise
        except BrokenPipeError:
            logger.debug("the reader of the output went away; stopping quietly")
            terminal.silence_stdout()
            sys.exit(0)
        except Exception as exc:
            obj = ctx.find_object(Context) or Context()
            if obj.verbose:
                click.echo(traceback.format_exc().rstrip(), err=True)
            message, code, error = cli_hot.failure(exc, obj, before)
            if error == "bug":
                logger.debug("unexpected %s", type(exc).__name__, exc_info=True)
            else:
                logger.info("refused: %s", type(exc).__name__)
            _fail(message, code, error, as_json=_json_wanted(ctx))


def _json_wanted(ctx: click.Context) -> bool:
    obj = ctx.find_object(Context)
    return bool((obj is not None and obj.json) or ctx.find_root().meta.get("resolutions.json"))


def _click_code(exc: click.exceptions.ClickException) -> str:
    return "usage" if isinstance(exc, click.UsageError) or exc.exit_code == 2 else "refused"


def _fail(message: str, code: int, error: str = "refused", *,
          as_json: bool | None = None) -> NoReturn:
    """One line on stderr and the exit code (1 a refusal or a bug, 2 usage): with --json an
    object ``{"error": error, "message": message}``. (Not a ClickException, so a caller
    running commands in-process sees what a shell would.)"""
    if as_json is None:
        current = click.get_current_context(silent=True)
        as_json = current is not None and _json_wanted(current)
    click.echo(cli_hot.error_line(message, error, as_json), err=True)
    sys.exit(code)


@click.group(cls=Resolutions,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@shared_options
@click.version_option(package_name="brics-resolutions")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, actor: str | None, as_json: bool,
        verbose: int) -> None:
    """Draft, review, approve, sign, submit and archive trilingual resolutions.

    \b
    Example:
      resolutions init wg --name "Russian–Chinese working group" --prefix RCWG
      cd wg && resolutions member add ivanova --name "Иванова А. П." --role secretary
      resolutions new resolution.yaml
      resolutions show 1 --lang zh
    """
    try:
        level = terminal.configure_logging(verbose, os.environ.get("RESOLUTIONS_LOG"))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    logger.info("resolutions %s (log level %s)", ctx.invoked_subcommand or "",
                logging.getLevelName(level).lower())
    ctx.obj = Context(workspace=workspace, actor=actor, json=as_json, verbose=verbose)
    ctx.call_on_close(ctx.obj.close)
    if _has_terminal():  # a PostgreSQL login with no password found: ask the person
        from workflow.store.logins import use_prompt
        use_prompt(lambda label: click.prompt(label, hide_input=True, err=True))
        ctx.call_on_close(lambda: use_prompt(None))  # for this command only
    if verbose:  # libraries' own diagnostics (pyHanko's validation details) go to stderr
        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")


def main() -> None:
    cli(prog_name="resolutions")


# -- input helpers -------------------------------------------------------------------------
def _parse_date(value: str | None) -> date | None:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


def _texts(values: tuple[str, ...]) -> dict[str, str]:
    with hot_usage():
        return cli_hot.lang_texts(values)


class _OneLineUsage(click.ClickException):
    """A usage error told in one line (no usage text): exit code 2."""

    exit_code = 2


def _has_terminal() -> bool:
    """Whether a person can answer a prompt (stdin and stderr are a terminal)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _prompt(label: str, new: bool = False, option: str = "--passphrase-file") -> bytes:
    """Ask for a passphrase on the terminal; without one, say in one line what to pass
    (never a warning from getpass, never an echoed secret)."""
    if not _has_terminal():
        raise _OneLineUsage(f"no terminal to ask for the {label[0].lower()}{label[1:]}: "
                               f"give {option} FILE (its first line is the passphrase)")
    return click.prompt(label, hide_input=True, confirmation_prompt=new).encode("utf-8")


def _passphrase(passphrase_file: str | None, label: str, new: bool = False,
                option: str = "--passphrase-file") -> bytes:
    from workflow.signing.statements import read_passphrase
    return read_passphrase(passphrase_file, lambda text: _prompt(text, new, option), label)


# -- workspace and members ----------------------------------------------------------------
@command(cli, json="workspace database", example=(
    'resolutions init wg --name "Russian–Chinese working group on microelectronics" \\',
    '    --name-ru "Российско-китайская рабочая группа по микроэлектронике" --prefix RCWG'))
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@click.option("--name", required=True, help="The working group's name (English).")
@click.option("--name-ru", help="The name in Russian.")
@click.option("--name-zh", help="The name in Chinese.")
@click.option("--name-in", "names_in", multiple=True, metavar="LANG=NAME",
              help="The name in another language, e.g. ar=… or pt=… (repeatable).")
@click.option("--prefix", required=True, help="Symbol prefix, e.g. RCWG → RCWG/RES/2024/1.")
@click.option("--languages", default="ru,zh,en", show_default=True,
              help="Authentic languages, comma-separated, in column order.")
@click.option("--approval-rule", type=click.Choice(["all", "majority", "each-delegation"]),
              default="each-delegation", show_default=True)
@click.option("--require-signature", "required", multiple=True, metavar="MEMBER",
              help="A member whose signature every resolution needs (repeatable).")
@click.option("--timestamp-url", default="", metavar="URL",
              help="An RFC 3161 timestamp authority: signatures become B-T, then B-LTA.")
@click.option("--crl-url", default="", metavar="URL",
              help="Where the working group publishes its CA's CRL (http); certificates name it.")
def init(ctx: Context, directory: str, name: str, name_ru: str | None, name_zh: str | None,
         names_in: tuple[str, ...], prefix: str, languages: str, approval_rule: str,
         required: tuple[str, ...], timestamp_url: str, crl_url: str) -> None:
    """Create a workspace: resolutions.toml and .resolutions/ (SQLite database).

    The languages are those the engine renders: ru, zh, en, pt, ar, fa, hi, am, id, es, fr
    (any other is refused with that list).
    """
    from workflow.store import setup
    names = {k: v for k, v in (("ru", name_ru), ("zh", name_zh)) if v} | _texts(names_in)
    ws = setup.init_workspace(Path(directory), name=name, prefix=prefix,
                              languages=tuple(x.strip() for x in languages.split(",") if x.strip()),
                              approval_rule=approval_rule, names=names,
                              required_signatories=required, timestamp_url=timestamp_url,
                              crl_url=crl_url, database_url=ctx.database_url)
    database = setup.shown_url(ws.database_url)
    ctx.emit({"workspace": str(ws.root), "database": database},
             f"Initialised workspace {ws.root} ({name}, prefix {prefix})")

@command(cli, json="workspace database", example=(
    "export RESOLUTIONS_DATABASE_URL=postgresql+psycopg://rcwg_wang@db.example.org/rcwg",
    "resolutions attach wg-beijing"))
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
def attach(ctx: Context, directory: str) -> None:
    """Attach a folder on this machine to a working group whose database is shared
    (PostgreSQL, RESOLUTIONS_DATABASE_URL): resolutions.toml as the group recorded it, and
    .resolutions/ as a cache the shared store fills (docs/SHARED.md)."""
    import os

    from sqlalchemy.engine import make_url

    from workflow.store import setup
    ws = setup.attach_workspace(Path(directory), os.environ.get("RESOLUTIONS_DATABASE_URL", ""))
    database = make_url(ws.database_url).render_as_string(hide_password=True)
    ctx.emit({"workspace": str(ws.root), "database": database},
             f"Attached {ws.root} to the working group {ws.name} ({database})")

member = group(cli, "member", "Members of the working group (delegation, roles).")

@command(member, "add", json="id name names org delegation email lang roles db_role active",
         example=(
    'resolutions member add li-wei --name "李伟" --name-en "Li Wei" --org "TTF Electronic" \\',
    "    --delegation zh --email li.wei@ttf.example --role approver --role signatory"))
@hot_params("member", "add")
def member_add(ctx: Context, member_id: str, name: str, name_en: str | None, name_ru: str | None,
               name_zh: str | None, names_in: tuple[str, ...], org: str, delegation: str,
               email: str, lang: str | None, roles: tuple[str, ...],
               password_file: str | None) -> None:
    """Add a member. On PostgreSQL this is the administrator's work: it makes the member's
    own login role (see docs/SECURITY.md)."""
    with hot_usage():
        cli_hot.member_add(ctx, member_id, name, name_en, name_ru, name_zh, names_in, org,
                           delegation, email, lang, roles, password_file)

@command(member, "edit", json="id name names org delegation email lang roles db_role active "
         "changed", example=(
    "resolutions member edit wang --email wang.fang@wg.example",
    "resolutions member edit petrov --roles reviewer,approver"))
@click.argument("member_id")
@click.option("--name", help="Full name as written in the member's language.")
@click.option("--name-en", help="Name in English (Latin script).")
@click.option("--name-ru", help="Name in Russian.")
@click.option("--name-zh", help="Name in Chinese.")
@click.option("--org", help="Organisation.")
@click.option("--delegation", help="Delegation code, e.g. ru or zh.")
@click.option("--email", help="E-mail address for review copies.")
@click.option("--lang", help="Preferred language for documents sent to them.")
@click.option("--roles", metavar="R,R…",
              help="The member's roles from now on, comma-separated (replaces them; "
                   "'' for none).")
def member_edit(ctx: Context, member_id: str, name: str | None, name_en: str | None,
                name_ru: str | None, name_zh: str | None, org: str | None,
                delegation: str | None, email: str | None, lang: str | None,
                roles: str | None) -> None:
    """Change a member's name, organisation, delegation, e-mail, language or roles (audited)."""
    from workflow.member_changes import edit_member
    names = {k: v for k, v in (("en", name_en), ("ru", name_ru), ("zh", name_zh)) if v}
    info, changed = edit_member(
        ctx.app(), member_id, name=name, org=org, email=email, delegation=delegation,
        lang=lang, names=names or None,
        roles=None if roles is None else [r.strip() for r in roles.split(",") if r.strip()])
    ctx.emit({**info.to_json(), "changed": changed},
             f"Changed {info.id}: {', '.join(changed)} ({', '.join(info.roles) or 'no role'})"
             if changed else f"{info.id}: nothing to change")

@command(member, "remove", json="member outcome", example="resolutions member remove petrov")
@click.argument("member_id")
def member_remove(ctx: Context, member_id: str) -> None:
    """Remove a member (audited). A member with a history (events, comments, approvals,
    signatures) is deactivated and kept for the record; they can no longer act."""
    from workflow.member_changes import remove_member
    mid, outcome = remove_member(ctx.app(), member_id)
    ctx.emit({"member": mid, "outcome": outcome},
             f"Removed {mid}" + (" (deactivated: kept for the record of what they did)"
                                 if outcome == "deactivated" else ""))

@command(member, "password", json="member db_role", example=(
    "resolutions member password sokolov --password-file first.pass",
    "resolutions --as sokolov member password"))
@click.argument("member_id", required=False)
@click.option("--password-file", type=FILE_IN,
              help="File whose first line is the new password (default: prompt twice).")
def member_password(ctx: Context, member_id: str | None, password_file: str | None) -> None:
    """Set a member's PostgreSQL password: the administrator sets anyone's (a first one,
    or a new one for a member who lost theirs); a member, logged in as themselves, their
    own. The password is never taken from the command line, and only its SCRAM-SHA-256
    verifier is sent to the server."""
    from workflow.members import set_password
    password = _passphrase(password_file, "New database password", new=True,
                           option="--password-file").decode("utf-8")
    role = set_password(ctx.app(), member_id, password)
    ctx.emit({"member": member_id, "db_role": role}, f"Password of {role} set")

@command(member, "list", json="members", example="resolutions member list --json")
def member_list(ctx: Context) -> None:
    """List members."""
    members = ctx.reader().list_members()
    ctx.emit({"members": [m.to_json() for m in members]}, tables.members_table(members))

body = group(cli, "body", "BRICS bodies resolutions are submitted to.")

@command(body, "list", json="bodies", example="resolutions body list")
def body_list(ctx: Context) -> None:
    """List the BRICS bodies (shipped registry plus the workspace's own)."""
    from workflow.store.workspace import find
    bodies = find(ctx.workspace).bodies()
    ctx.emit({"bodies": tables.bodies_json(bodies)}, tables.bodies_table(bodies))

# -- drafting ---------------------------------------------------------------------------
@command(cli, json="number symbol title body state version updated_at unrecognised hints",
         example=(
    "resolutions new resolution.yaml",
    'resolutions new --title "On joint ventures" --body brics-higher-council --lang en',
    "resolutions new --from-docx draft.docx --lang ru --body brics-higher-council"))
@hot_params("new")
def new(ctx: Context, file: str | None, title: str | None, body_code: str | None,
        lang: str | None, from_docx: str | None) -> None:
    """Create a resolution from a YAML source, a title, or a Word draft; prints its symbol."""
    with hot_usage():
        cli_hot.new(ctx, file, title, body_code, lang, from_docx)

@command(cli, "list", json="total page limit items", example=(
    "resolutions list --state in_review", "resolutions list --json --limit 500"))
@click.option("--state", help="Only resolutions in this state.")
@click.option("--limit", default=50, show_default=True, help="Rows per page.")
@click.option("--page", default=1, show_default=True, help="Page number.")
def list_(ctx: Context, state: str | None, limit: int, page: int) -> None:
    """List resolutions."""
    if limit < 1 or page < 1:
        raise click.UsageError("--limit and --page start at 1")
    result = ctx.reader().list_resolutions(state, limit=limit, offset=(page - 1) * limit)
    ctx.emit({"total": result.total, "page": page, "limit": limit,
              "items": [s.to_json() for s in result.items]}, tables.resolutions_page(result, page))

@command(cli, json="number symbol title body state version updated_at content_hash text source",
         example=(
    "resolutions show RCWG/RES/2024/1 --lang zh", "resolutions show 1 --version 2"))
@click.argument("ref")
@VERSION
@click.option("--lang", help="Only this language (default: every authentic language).")
def show(ctx: Context, ref: str, version: int | None, lang: str | None) -> None:
    """Show the numbered text of a resolution."""
    from workflow.presenting.texts import numbered_lines, show_text
    summary, ver, model = ctx.reader().get_version(ref, version)
    langs = [lang] if lang else list(model.languages)
    if lang and lang not in model.languages:
        raise click.ClickException(f"{summary.symbol} has no {lang} text "
                                   f"(languages: {', '.join(model.languages)})")
    lines = numbered_lines(model, langs)
    ctx.emit({**summary.to_json(), "version": ver.number, "content_hash": ver.content_hash,
              "text": lines, "source": model.to_data()}, show_text(summary, ver, lines, langs))

@command(cli, json="query terms total page limit hits | ok versions problems", example=(
    "resolutions search микроэлектроники", 'resolutions search 电子 --lang zh --current',
    'resolutions search "joint ventures" --state adopted --year 2024 --json',
    "resolutions search --check"))
@hot_params("search")
def search(ctx: Context, query: str | None, lang: str | None, body_code: str | None,
           state: str | None, year: int | None, current: bool, limit: int, page: int,
           check: bool, rebuild: bool) -> None:
    """Find paragraphs in every version of every resolution, in any language.

    Each word (or "quoted phrase") must appear in the paragraph, in any case; a word needs
    3 characters, or 2 Chinese characters. Hits are ranked; each shows the paragraph with
    the words marked and, under it, the same paragraph in the other languages."""
    if check or rebuild:
        from workflow.search import upkeep

        report = (upkeep.rebuild_index if rebuild else upkeep.check_index)(ctx.app())
        ctx.emit(_fields(report), "\n".join([*report.problems, (
            f"search index {'rebuilt' if rebuild else 'matches'}: {report.versions} version(s)"
            if report.ok else f"search index: {len(report.problems)} problem(s)")]))
        if not report.ok:
            sys.exit(1)
        return
    with hot_usage():
        cli_hot.search(ctx, query, lang, body_code, state, year, current, limit, page)

@command(cli, json="symbol version content_hash source",
         example="resolutions source 1 > resolution.yaml")
@click.argument("ref")
@VERSION
def source(ctx: Context, ref: str, version: int | None) -> None:
    """Print the YAML source of a version (feed it back to 'edit'). Its first line names
    the version, so that 'edit' keeps what others changed meanwhile."""
    from workflow.drafting.resolutions import source_text
    summary, ver, text = source_text(ctx.app(), ref, version)
    if ctx.json:
        ctx.emit({"symbol": summary.symbol, "version": ver.number,
                  "content_hash": ver.content_hash, "source": text})
        return
    click.echo(text, nl=False)

@command(cli, json="symbol version changed state voided_approvals notes merged", example=(
    'resolutions edit 1 resolution.yaml --note "OP 3 reworded"', "EDITOR=nano resolutions edit 1",
    "resolutions edit 1 --from-docx zh-draft.docx --lang zh"))
@hot_params("edit")
def edit(ctx: Context, ref: str, file: str | None, note: str, from_docx: str | None,
         lang: str | None) -> None:
    """Store a new version from FILE, or from $EDITOR when FILE is omitted.

    Only a changed text makes a new version. A text taken from an older version (the first
    line 'source' writes says which) is merged by paragraph over what was stored since;
    changes to the same paragraph are refused, naming it.
    """
    if file or from_docx:
        with hot_usage():
            cli_hot.edit(ctx, ref, file, note, from_docx, lang)
        return
    result = _edit_in_editor(ctx, ref, note)
    if result is None:
        ctx.emit({"symbol": ref, "version": None, "changed": False, "state": None,
                  "voided_approvals": 0, "notes": ["editor closed without saving"]},
                 "No change (editor closed without saving).")
        return
    stored = (f"version {result.version} stored ({result.state})" if result.changed
              else "text unchanged; no new version")
    ctx.emit(_fields(result), "\n".join([*result.notes, f"{result.symbol}: {stored}"]))

def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _edit_in_editor(ctx: Context, ref: str, note: str) -> EditResult | None:
    """Edit in $EDITOR; a rejected text is never lost: reopened (on a terminal, at the
    error's line) or kept in a file the error names. On the bare driver when it can write
    the database (no lock held while the editor is open), else on the ORM's service."""
    import functools

    from workflow.drafting import editing
    from workflow.errors import ConcurrencyError, InvalidInput
    writing = ctx.writer()
    if writing is not None:
        from workflow import writing_versions as bare
        holder: Any = writing
        text, based_on = bare.editable_source(writing, ref)
        store = functools.partial(bare.edit_again, writing, ref, note=note, based_on=based_on)
    else:
        from workflow.drafting import resolutions
        holder = app = ctx.app()
        text, based_on = resolutions.editable_source(app, ref)
        store = functools.partial(resolutions.edit_resolution, app, ref, filename="<editor>",
                                  note=note, based_on=based_on)
    line: int | None = None
    reopened = False
    while True:
        edited = click.edit(text, editor=editing.editor_at_line(line, dict(os.environ)),
                            extension=".yaml",
                            require_save=not reopened)
        if edited is None:
            return None
        try:
            return store(edited)
        except ConcurrencyError as exc:
            kept = editing.keep_failed_edit(holder, ref, edited, based_on)
            _fail(f"{exc}; your text is kept in {kept}", 1, "conflict")
        except InvalidInput as exc:
            text, line, reopened = edited, exc.line, True
            where = f" at line {line}" if line else ""
            if _interactive() and click.confirm(f"{exc}\nReopen the editor{where}?",
                                                default=True, err=True):
                continue
            kept = editing.keep_failed_edit(holder, ref, edited, based_on)
            _fail(f"{exc}; {editing.resume_hint(ref, kept)}", 1)

@command(cli, json="symbol from to changes", example="resolutions diff 1 --from 1 --to 2")
@click.argument("ref")
@click.option("--from", "from_", type=int, help="Older version (default: previous).")
@click.option("--to", type=int, help="Newer version (default: current).")
@click.option("--lang", help="Only this language.")
def diff(ctx: Context, ref: str, from_: int | None, to: int | None, lang: str | None) -> None:
    """Word-level differences between two versions, per paragraph and language."""
    from workflow.drafting.diffing import version_diff
    from workflow.presenting.texts import diff_text
    result = version_diff(ctx.app(), ref, from_, to)
    ctx.emit(result.to_json(), diff_text(result, lang))

@command(cli, json="symbol events", example="resolutions log 1")
@click.argument("ref")
def log(ctx: Context, ref: str) -> None:
    """The audit events of a resolution."""
    summary, events = ctx.reader().log(ref)
    data = tables.events_json(events)
    ctx.emit({"symbol": summary.symbol, "events": data}, tables.events_table(summary.symbol, data))

audit = group(cli, "audit", "The hash-chained audit log.")

@command(audit, "verify", json="ok events witnesses problems", example=(
    "resolutions audit verify", "resolutions audit verify --witness 37:5f0c…e1"))
@click.option("--witness", "witnesses", multiple=True, metavar="SEQ:HASH",
              help="A head kept out of band ('audit head', or a message's "
                   "X-Resolutions-Audit-Head): the chain must still hold it. Repeatable.")
@click.option("--workers", type=click.IntRange(1, 64), metavar="N",
              help="Processes for the signature and file checks beside the chain "
                   "(default: one per core, at most 2).")
def audit_verify(ctx: Context, witnesses: tuple[str, ...], workers: int | None) -> None:
    """Check the audit chain and the tables it describes; exit 1 naming each problem.

    Signed PDFs, signed statements and stored files are checked in a second process while
    the chain is walked (--workers 1: all in this one); with nothing signed to check, all
    runs in this one."""
    from workflow.errors import InvalidInput
    from workflow.store.verify_reads import verify_bare
    from workflow.store.witness import parse_witness
    from workflow.store.workspace import find
    try:
        kept = [parse_witness(w) for w in witnesses]
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from None
    ws = find(ctx.workspace, database_url=ctx.database_url)
    # nothing signed or stored to check (and SQLite): the same checks without the ORM
    found = verify_bare(ws, kept)
    if found is None:
        from workflow.verification import verify_workspace
        found = verify_workspace(ctx.app(), kept, workers)
    problems, count = found
    text = reports.audit_text(problems, count)
    if kept and not problems:
        text = text + f" ({len(kept)} witness(es) held)"
    ctx.emit({"ok": not problems, "events": count, "witnesses": len(kept),
              "problems": [str(p) for p in problems]}, text)
    if problems:
        sys.exit(1)

@command(audit, "head", json="seq hash", example=("resolutions audit head",
                                            "resolutions audit head --json"))
def audit_head(ctx: Context) -> None:
    """The chain's last event as SEQ HASH: keep it out of band as a witness."""
    from workflow.verification import audit_head as head
    seq, digest = head(ctx.app())
    ctx.emit({"seq": seq, "hash": digest}, f"{seq} {digest}")

@command(audit, "anchor", json="seq hash at tsa_url token_sha256", example=("resolutions audit anchor",
                                              "resolutions audit anchor --json"))
def audit_anchor(ctx: Context) -> None:
    """Timestamp the chain's head at the configured timestamp authority (RFC 3161) and keep
    the token: a later rewrite of the chain is caught by 'audit verify'."""
    from workflow.signing.anchors import anchor
    made = anchor(ctx.app())
    ctx.emit(made.to_json(), f"anchored event {made.seq} {made.hash} at "
                             f"{made.at.isoformat()} ({made.tsa_url})")

@command(audit, "config", json="changed", example="resolutions audit config")
def audit_config(ctx: Context) -> None:
    """Record resolutions.toml as it is now (after a deliberate edit): the rules it holds
    are bound to the chain, and 'audit verify' names any later edit."""
    from workflow.verification import record_config
    changed = record_config(ctx.app())
    ctx.emit({"changed": changed}, "recorded resolutions.toml" + (
        f" (changed: {', '.join(changed)})" if changed else " (no key changed)"))

# -- review, approval, life cycle ---------------------------------------------------------
@command(cli, json=STATUS_KEYS, example="resolutions status 1")
@click.argument("ref")
def status(ctx: Context, ref: str) -> None:
    """State, the allowed next steps, and what blocks each."""
    from workflow.lifecycle.overview import status as get_status
    st = get_status(ctx.reader(), ref)
    ctx.emit(st.to_json(), reports.status_text(st))

@command(cli, json="symbol version schema ok summary findings waived accepted", example=(
    "resolutions check 1", "resolutions check 1 --json    # schema: docs/CHECK_JSON.md",
    'resolutions check 1 --accept f-3e9a1c07 --reason "the UN\'s own Russian for Affirms"'))
@click.argument("ref")
@VERSION
@click.option("--accept", "accept_ids", multiple=True, metavar="FINDING",
              help="Set a finding aside (its id from 'check', or 'OP 2:opener-mismatch'), "
                   "in the name of who acts; repeatable. Needs --reason.")
@click.option("--reason", default="", help="Why the finding is set aside (kept and shown).")
def check(ctx: Context, ref: str, version: int | None, accept_ids: tuple[str, ...],
          reason: str) -> None:
    """Language parity: missing and stale translations, structure, numbers, punctuation.

    Exits 1 when any error stands (warnings alone exit 0). A finding set aside with
    --accept blocks nothing while its paragraph stays as it is: approval and submission
    go on, and status, the comments matrix and the dossier show it with who and why.
    """
    from workflow.drafting.checks import check_resolution
    accepted: list[Any] = []
    if accept_ids:
        if version is not None:
            raise click.UsageError("--accept sets findings of the current version aside; "
                                   "drop --version")
        from workflow.drafting.waivers import accept
        accepted = accept(ctx.app(), ref, list(accept_ids), reason)
    elif reason:
        raise click.UsageError("--reason goes with --accept FINDING")
    symbol, report = check_resolution(ctx.app(), ref, version)
    lines = [a.line() for a in accepted]
    ctx.emit({"symbol": symbol, **report, "accepted": [a.to_json() for a in accepted]},
             "\n".join([*lines, reports.check_text(symbol, report)]))
    if not report["ok"]:
        sys.exit(1)

translations = group(cli, "translations", "Translation status of the authentic languages.")

@command(translations, "confirm", json="lang confirmed", example=(
    "resolutions translations confirm 1 --lang zh",
    "resolutions translations confirm 1 --lang ru --para op-roadmap"))
@click.argument("ref")
@click.option("--lang", required=True, help="The language whose text you confirm.")
@click.option("--para", "paras", multiple=True, metavar="ID",
              help="Paragraph id (repeatable; default: every stale paragraph).")
def translations_confirm(ctx: Context, ref: str, lang: str, paras: tuple[str, ...]) -> None:
    """Confirm that a language's text matches its siblings (clears 'stale')."""
    from workflow.drafting.translations import confirm
    done = confirm(ctx.app(), ref, lang, paras)
    ctx.emit({"lang": lang, "confirmed": list(done)}, f"confirmed {lang} for {len(done)} "
             "paragraph(s)" + (f": {', '.join(done)}" if done else ""))

@command(translations, "export", json="path symbol version from lang sent", example=(
    "resolutions translations export 1 --lang zh -o zh.xlf",
    "resolutions translations export 1 --lang zh --from ru --send translator@example.org"))
@click.argument("ref")
@click.option("--lang", required=True, help="The language to translate into.")
@click.option("--from", "source", metavar="LANG",
              help="The language to translate from (default: the one that last changed).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="The .xlf file to write (default: SYMBOL-vN-FROM-LANG.xlf here).")
@click.option("--send", "send_to", metavar="ADDRESS",
              help="Also mail the file (an e-mail address or a member id) via the outbox.")
def translations_export(ctx: Context, ref: str, lang: str, source: str | None,
                        output: str | None, send_to: str | None) -> None:
    """Write an XLIFF 1.2 file for a translator's tool: one unit per paragraph, stale and
    missing ones marked, the earlier source text given for the stale ones (docs/TRANSLATORS.md).
    """
    from workflow.drafting.xliff import default_name, export_xliff
    from workflow.store.files import write_atomic
    done = export_xliff(ctx.app(), ref, lang, source)
    path = Path(output or default_name(done.symbol, done.version, done.source, done.target))
    write_atomic(path, done.data)
    lines, sent = [done.line(str(path))], None
    if send_to:
        from workflow.delivery.translation_mail import send_xliff
        sent = send_xliff(ctx.app(), symbol=done.symbol, version=done.version,
                          source=done.source, target=done.target, data=done.data,
                          filename=path.name, to=send_to)
        lines.append(sent)
    ctx.emit({"path": str(path), "symbol": done.symbol, "version": done.version,
              "from": done.source, "lang": done.target, "sent": sent}, "\n".join(lines))

@command(translations, "import",
         json="symbol lang version changed stored confirmed untranslated notes",
         example="resolutions translations import 1 zh.xlf")
@click.argument("ref")
@click.argument("file", type=FILE_IN)
def translations_import(ctx: Context, ref: str, file: str) -> None:
    """Store the translated units of a returned XLIFF file as a new version and confirm
    exactly those units; lists the units the translator left untranslated.
    """
    from workflow.drafting.xliff import import_xliff
    done = import_xliff(ctx.app(), ref, Path(file))
    ctx.emit(done.to_json(), "\n".join(done.lines()))

@command(cli, json=ROUND_KEYS, example=(
    "resolutions circulate 1 --reviewer petrov --reviewer wang --due 2024-10-15",
    "resolutions circulate 1 --resume    # queue the copies an interrupted run left"))
@click.argument("ref")
@click.option("--reviewer", "reviewers", multiple=True, metavar="ID",
              help="A member with the reviewer role (repeatable).")
@click.option("--due", help="Comments due by (YYYY-MM-DD).")
@click.option("--resume", is_flag=True,
              help="Queue the review copies of the open round that an interrupted circulate "
                   "did not queue ('status' names them).")
def circulate(ctx: Context, ref: str, reviewers: tuple[str, ...], due: str | None,
              resume: bool) -> None:
    """Open a review round on the current version and send each reviewer their copy."""
    from workflow.delivery import circulation
    if resume == bool(reviewers) or (resume and due):
        raise click.UsageError("give --reviewer ID… (and --due) to open a round, or --resume "
                               "alone to finish the open one")
    with ctx.progress():
        result = (circulation.resume(ctx.app(), ref) if resume else
                  circulation.circulate_and_deliver(ctx.app(), ref, list(reviewers),
                                                    _parse_date(due)))
    for warning in result.warnings:
        ctx.say(f"warning: {warning}")
    ctx.emit(_fields(result), "\n".join([
        f"{result.symbol}: round {result.round} on version {result.version} "
        f"→ {', '.join(result.reviewers)} ({result.state})",
        *[f"  {line}" for line in result.deliveries]]))

@command(cli, json=COMMENT_KEYS, example=(
    'resolutions comment 1 --by petrov --ref "OP 3(b)" --type te \\',
    '    --text "Specify the year" --proposal "… by 2030;"'))
@hot_params("comment")
def comment(ctx: Context, ref: str, by: str | None, target: str, type_: str, text: str,
            proposal: str) -> None:
    """Record a reviewer's comment on the circulated version."""
    with hot_usage():
        cli_hot.comment(ctx, ref, by, target, type_, text, proposal)

@command(cli, json="symbol version comments | imported | imported already_imported problems",
         example=(
    "resolutions comments 1", "resolutions comments 1 --json",
    "resolutions comments import 1 reply-from-the-reviewer.eml",
    "resolutions comments import 1 returned-form.docx --signed-statement returned-form.docx.p7s",
    "resolutions comments import 1 annotated-review-copy.pdf"))
@click.argument("words", nargs=-1, required=True,
                metavar="REF | import REF FILE.eml|FILE.docx|FILE.pdf")
@click.option("--signed-statement", type=FILE_IN,
              help="With import: the reviewer's detached CMS signature over the file.")
def comments(ctx: Context, words: tuple[str, ...], signed_statement: str | None) -> None:
    """The comments-resolution matrix of REF; or import what a reviewer sent back: the reply
    message (.eml) with their filled comment form (DOCX) or the review copy they annotated
    in their PDF reader. A bare form or copy is imported for its reviewer only with their
    signature over it (--signed-statement), or on PostgreSQL by the reviewer's own login
    (docs/SECURITY.md)."""
    if words[0] == "import":
        if len(words) != 3:
            raise click.UsageError("write: resolutions comments import REF "
                                   "FILE.eml|FILE.docx|FILE.pdf")
        if not Path(words[2]).is_file():
            raise click.BadParameter(f"{words[2]}: no such file", param_hint="'FILE'")
        from workflow.review.imports import import_returned
        statement = Path(signed_statement).read_bytes() if signed_statement else None
        result = import_returned(ctx.app(), words[1], Path(words[2]), statement=statement)
        if isinstance(result, list):
            ctx.emit({"imported": [r.to_json() for r in result]},
                     tables.comments_imported(result))
            return
        if result.problems and not ctx.json:
            click.echo(f"warning: {len(result.problems)} annotation(s) not imported:\n"
                       + "\n".join(f"  {p}" for p in result.problems), err=True)
        ctx.emit(result.to_json(), tables.annotations_imported(result))
        return
    if signed_statement:
        raise click.UsageError("--signed-statement goes with 'comments import REF FILE'")
    if len(words) != 1:
        raise click.UsageError("write: resolutions comments REF")
    symbol, version, rows = ctx.reader().comment_matrix(words[0])
    ctx.emit({"symbol": symbol, "version": version, "comments": [r.to_json() for r in rows]},
             tables.comments_table(symbol, version, rows))

@command(cli, json=COMMENT_KEYS,
         example='resolutions dispose 1 2 --accept --note "Year added in OP 2"')
@hot_params("dispose")
def dispose(ctx: Context, ref: str, number: int, accept: bool, reject: bool, partial: bool,
            note: str) -> None:
    """Record the secretariat's decision on a comment."""
    with hot_usage():
        cli_hot.dispose(ctx, ref, number, accept, reject, partial, note)

@command(cli, json=AMENDMENT_KEYS, example=(
    'resolutions amend 1 --by wang --target "OP 2" --op replace \\',
    '    --text en="*Instructs* … until 2035;" --why "Align with the roadmap"'))
@hot_params("amend")
def amend(ctx: Context, ref: str, by: str | None, target: str, op: str, texts: tuple[str, ...],
          why: str) -> None:
    """Propose an amendment to the circulated version."""
    with hot_usage():
        cli_hot.amend(ctx, ref, by, target, op, texts, why)

@command(cli, json="symbol amendments", example="resolutions amendments 1 --json")
@click.argument("ref")
def amendments(ctx: Context, ref: str) -> None:
    """List the amendments of a resolution."""
    symbol, rows = ctx.reader().list_amendments(ref)
    ctx.emit({"symbol": symbol, "amendments": [r.to_json() for r in rows]},
             tables.amendments_table(symbol, rows))

amendment = group(cli, "amendment", "Decide amendments.")

@command(amendment, "accept", json=AMENDMENT_KEYS, example="resolutions amendment accept 1 2")
@hot_params("amendment", "accept")
def amendment_accept(ctx: Context, ref: str, number: int) -> None:
    """Accept an amendment (applied when the review closes with --changes)."""
    cli_hot.amendment_decide(ctx, ref, number, True)

@command(amendment, "reject", json=AMENDMENT_KEYS, example="resolutions amendment reject 1 3")
@hot_params("amendment", "reject")
def amendment_reject(ctx: Context, ref: str, number: int) -> None:
    """Reject an amendment."""
    cli_hot.amendment_decide(ctx, ref, number, False)


@command(cli, "close-review", json=ROUND_KEYS, example=(
    "resolutions close-review 1 --changes", "resolutions close-review 1 --no-objection",
    'resolutions close-review 1 --no-objection --force --reason "late comments: round 2"'))
@hot_params("close-review")
def close_review(ctx: Context, ref: str, changes: bool, no_objection: bool, force: bool,
                 reason: str) -> None:
    """Close the open review round (every comment needs a disposition first)."""
    with hot_usage():
        cli_hot.close_review(ctx, ref, changes, no_objection, force, reason)


@command(cli, json=DECISION_KEYS, example=(
    "resolutions approve 1 --by li-wei --p12 li-wei.p12 --passphrase-file li-wei.pass",
    "resolutions approve 1 --by sokolov --signed-statement statement.json.p7s",
    "resolutions approve 1 --by sokolov --evidence letter-2024-10-02.pdf"))
@hot_params("approve")
def approve(ctx: Context, ref: str, by: str | None, note: str, p12: str | None,
            passphrase_file: str | None, evidence: str | None,
            signed_statement: str | None) -> None:
    """Approve the current version; approved when the workspace rule is met.

    Recording another member's approval needs their word: their key (--p12), their signed
    statement, or the letter that carries it (--evidence)."""
    with hot_usage():
        cli_hot.approve(ctx, ref, by, note, p12, passphrase_file, evidence, signed_statement,
                        prompt=_prompt)

@command(cli, "object", json=DECISION_KEYS, example=(
    'resolutions object 1 --by smirnova --note "OP 4 needs the 2030 date" --evidence letter.pdf'))
@hot_params("object")
def object_cmd(ctx: Context, ref: str, by: str | None, note: str, evidence: str | None,
               signed_statement: str | None) -> None:
    """Object to the current version: back to revision, approvals voided."""
    cli_hot.object_(ctx, ref, by, note, evidence, signed_statement)

@command(cli, json="member for statement", example=(
    "resolutions statement 1 --by sokolov --for approve > statement.json",
    "openssl cms -sign -binary -in statement.json -signer sokolov.pem -outform DER "
    "-out statement.json.p7s"))
@click.argument("ref")
@click.option("--by", "member", required=True, help="The member who gives the decision.")
@click.option("--for", "what", required=True, type=click.Choice(["approve", "object"]),
              help="The decision.")
def statement(ctx: Context, ref: str, member: str, what: str) -> None:
    """The exact statement a member signs to give a decision on the current version.

    The member signs these bytes with their own key (a detached, DER-encoded CMS signature,
    any tool) and sends back the .p7s; the secretary records it with --signed-statement."""
    from workflow.signing.statements import statement_for
    data = statement_for(ctx.app(), ref, member, what)
    if ctx.json:
        ctx.emit({"member": member, "for": what, "statement": data.decode("utf-8")})
        return
    out = getattr(sys.stdout, "buffer", None)
    if out is not None:  # the exact bytes, whatever the terminal's encoding
        sys.stdout.flush()
        out.write(data)
        out.flush()
    else:
        sys.stdout.write(data.decode("utf-8"))

@command(cli, json=STEP_KEYS, example='resolutions withdraw 1 --reason "merged into RCWG/RES/2024/2"')
@hot_params("withdraw")
def withdraw(ctx: Context, ref: str, reason: str) -> None:
    """Withdraw a resolution (any state before submission)."""
    cli_hot.withdraw(ctx, ref, reason)

@command(cli, json=STEP_KEYS, example="resolutions archive 1")
@click.argument("ref")
def archive(ctx: Context, ref: str) -> None:
    """Archive an adopted, rejected or withdrawn resolution."""
    from workflow.delivery.outcomes import archive as do_archive
    result = do_archive(ctx.app(), ref)
    ctx.emit(_fields(result), f"{result.symbol}: {result.state}")

@command(cli, json=STEP_KEYS,
         example='resolutions receipt 1 --ref "HC-2024-117" --outcome acknowledged')
@click.argument("ref")
@click.option("--ref", "reference", required=True, help="The body's reference for its answer.")
@click.option("--outcome", required=True,
              type=click.Choice(["acknowledged", "adopted", "returned", "rejected"]))
@click.option("--note", default="", help="Anything else the answer said.")
def receipt(ctx: Context, ref: str, reference: str, outcome: str, note: str) -> None:
    """Record the body's answer to a submission."""
    from workflow.delivery.outcomes import receipt as do_receipt
    result = do_receipt(ctx.app(), ref, reference=reference, outcome=outcome, note=note)
    ctx.emit(_fields(result), f"{result.symbol}: {result.state} ({result.message})")

# -- interoperability ---------------------------------------------------------------------
@command(cli, "export-akn", json="path sha256", example=(
    "resolutions export-akn 1 -o resolution.akn.xml",
    "resolutions export-akn 1 --lang zh -o resolution.zh.akn.xml",
    "resolutions export-akn 1 --amendment 2 -o amendment-2.akn.xml"))
@click.argument("ref")
@VERSION
@click.option("--lang", help="One language expression (default: all, as a collection).")
@click.option("--amendment", type=int, help="Export this amendment record instead.")
@click.option("--country", metavar="CODE",
              help="FRBRcountry of the URIs instead of 'xb-brics' (e.g. a two-letter code "
                   "such as 'xb' for tools that expect a country, like cobalt or Indigo).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The XML file to write.")
def export_akn(ctx: Context, ref: str, version: int | None, lang: str | None,
               amendment: int | None, country: str | None, output: str) -> None:
    """Export a version (or an amendment) as Akoma Ntoso 3.0 XML, validated against the
    OASIS schema.
    """
    from workflow.drafting import interop
    from workflow.store.files import write_atomic
    xml = (interop.export_amendment(ctx.app(), ref, amendment, country) if amendment is not None
           else interop.export_akn(ctx.app(), ref, version, lang, country))
    write_atomic(Path(output), xml)
    raw = xml if isinstance(xml, bytes) else xml.encode("utf-8")
    ctx.emit({"path": output, "sha256": hashlib.sha256(raw).hexdigest()}, output)

# -- documents ---------------------------------------------------------------------------
@command(cli, json="files", example=(
    "resolutions render 1 --stage draft --format all --lang ru,zh -o out/",
    "resolutions render 1 --stage review --reviewer petrov -o out/",
    "resolutions render 1 --stage redline --from 2 --to 5 -o out/",
    "resolutions render 1 --stage final --lang en --layout single"))
@click.argument("ref")
@click.option("--stage", required=True, type=click.Choice(
    ["draft", "review", "comment-form", "matrix", "redline", "final", "approval",
     "cover-letter", "certificate", "audit-report", "index"]))
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "all"]),
              help="Default: pdf (docx for the comment form).")
@click.option("--lang", "langs", help="Languages, comma-separated (default: all authentic).")
@click.option("--layout", type=click.Choice(["parallel", "single"]),
              help="Parallel columns or one language (default: parallel for 2–3 languages).")
@VERSION
@click.option("--reviewer", "reviewers", multiple=True, metavar="ID",
              help="For review copies and comment forms (default: the round's reviewers).")
@click.option("--from", "since", type=int, metavar="N",
              help="Redline: the earlier version to compare (default: the one before).")
@click.option("--to", "to", type=int, metavar="M",
              help="Redline: the later version (default: the current one; same as --version).")
@OUT_DIR
def render(ctx: Context, ref: str, stage: str, fmt: str | None, langs: str | None,
           layout: str | None, version: int | None, reviewers: tuple[str, ...],
           since: int | None, to: int | None, out_dir: str) -> None:
    """Render a stage's documents (PDF via WeasyPrint, DOCX via docxtpl); prints the paths.

    A review copy for a reviewer of an earlier round marks the changes since the version
    they reviewed and ends with the disposition of each of their comments.
    """
    from workflow.documents import printer
    if (since is not None or to is not None) and stage != "redline":
        raise click.UsageError("--from and --to go with --stage redline")
    if to is not None and version is not None and to != version:
        raise click.UsageError("--to and --version name the same version: give one")
    version = to if to is not None else version
    fmt = fmt or ("docx" if stage == "comment-form" else "pdf")
    if fmt in ("pdf", "all") and stage != "comment-form":
        printer.start(ctx.prewarm)  # WeasyPrint's import overlaps the database's
    from workflow.documents.rendering import render as do_render
    languages = [x.strip() for x in langs.split(",") if x.strip()] if langs else None
    try:
        with ctx.progress():
            results = do_render(ctx.app(), ref, stage=stage, formats=["pdf", "docx"]
                                if fmt == "all" else [fmt], languages=languages,
                                layout=layout, out_dir=Path(out_dir), version=version,
                                reviewer_ids=list(reviewers) or None, since=since)
    finally:
        printer.stop()
    ctx.emit({"files": [{"path": str(p), "sha256": r.sha256, "cached": r.cached}
                        for p, r in results]},
             "\n".join(f"{p}{'  (cached)' if r.cached else ''}" for p, r in results))

# -- machine and templates ----------------------------------------------------------------
@command(cli, json="ok checks", example="resolutions doctor")
def doctor(ctx: Context) -> None:
    """Check this machine: pango, libharfbuzz-subset0, CJK and Cyrillic fonts, tools.

    Exits 1 when a required check fails; each failure prints its fix.
    """
    from workflow.doctor import run_checks
    checks = run_checks()
    ok = not any(c.required and not c.ok for c in checks)
    ctx.emit({"ok": ok, "checks": [c.to_json() for c in checks]}, reports.doctor_text(checks))
    if not ok:
        sys.exit(1)

templates = group(cli, "templates",
                  "Document templates: list them, check a workspace's overrides.")

@command(templates, "list", json="templates", example="resolutions templates list")
def templates_list(ctx: Context) -> None:
    """List the templates and which ones this workspace overrides (in ./templates/)."""
    from workflow.documents.templating import templates_of
    items = templates_of(ctx.workspace)
    ctx.emit({"templates": [t.__dict__ for t in items]}, tables.templates_table(items))

@command(templates, "check", json="ok problems", example="resolutions templates check ./templates")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def templates_check(ctx: Context, directory: str) -> None:
    """Check template overrides: syntax errors and unknown variables; exit 1 on problems."""
    from workflow.documents.templating import check
    problems = check(Path(directory))
    ctx.emit({"ok": not problems, "problems": problems},
             "\n".join(problems) if problems else "templates OK")
    if problems:
        sys.exit(1)

# -- keys and signatures --------------------------------------------------------------------
keys_group = group(cli, "keys", "The working group's CA, members' signing certificates and "
                   "the trust store.")

@command(keys_group, "init-ca", json="ca subject common_name organisation member_id email serial sha256 "
         "not_before not_after issuer", example=(
    "resolutions keys init-ca --passphrase-file ~/.rcwg-ca-passphrase"))
@click.option("--name", "common_name", help="The CA's common name (default: the group's name + CA).")
@click.option("--passphrase-file", type=FILE_IN,
              help="File whose first line is the CA key's passphrase (default: prompt).")
def keys_init_ca(ctx: Context, common_name: str | None, passphrase_file: str | None) -> None:
    """Create the working group's CA (.resolutions/keys/ca/, key encrypted) and trust it."""
    from workflow.signing.keys import init_ca
    from workflow.signing.precheck import may_init_ca
    may_init_ca(ctx.app())  # everything that can refuse, before the passphrase is asked
    info = init_ca(ctx.app(), _passphrase(passphrase_file, "New CA passphrase", new=True),
                   common_name=common_name)
    ctx.emit(info.to_json(), f"CA created: {info.file('ca')}\n  {info.certificate.subject}\n"
                             f"  SHA-256 {info.certificate.sha256}")

@command(keys_group, "issue", json=KEY_KEYS, example=(
    "resolutions keys issue li-wei --ca-passphrase-file ca.pass --passphrase-file li-wei.pass"))
@click.argument("member_id", metavar="MEMBER")
@click.option("--ca-passphrase-file", type=FILE_IN,
              help="File with the CA key's passphrase (default: prompt).")
@click.option("--passphrase-file", type=FILE_IN,
              help="File with the passphrase protecting the new .p12 (default: prompt).")
@click.option("--out", type=click.Path(dir_okay=False),
              help="Where to write the .p12 (default: .resolutions/keys/MEMBER.p12).")
def keys_issue(ctx: Context, member_id: str, ca_passphrase_file: str | None,
               passphrase_file: str | None, out: str | None) -> None:
    """Issue a member a signing certificate in a passphrase-protected PKCS#12 file (0600)."""
    from workflow.signing.keys import issue
    from workflow.signing.precheck import may_issue
    may_issue(ctx.app(), member_id, Path(out) if out else None)
    ca_pass = _passphrase(ca_passphrase_file, "CA passphrase", option="--ca-passphrase-file")
    p12_pass = _passphrase(passphrase_file, f"New passphrase for {member_id}'s key", new=True)
    info = issue(ctx.app(), member_id, ca_passphrase=ca_pass, p12_passphrase=p12_pass,
                 out=Path(out) if out else None)
    ctx.emit(info.to_json(), f"Issued {info.common_name} ({info.member}): {info.p12_path}\n"
                             f"  SHA-256 {info.fingerprint}")

@command(keys_group, "import", json=KEY_KEYS, example=(
    "resolutions keys import li-wei li-wei-cfca.p12 --passphrase-file li-wei.pass"))
@click.argument("member_id", metavar="MEMBER")
@click.argument("p12_file", metavar="FILE.p12", type=FILE_IN)
@click.option("--chain", type=FILE_IN,
              help="PEM file with the issuing CA's certificates, if the .p12 lacks them.")
@click.option("--passphrase-file", type=FILE_IN,
              help="File with the .p12's passphrase (default: prompt).")
def keys_import(ctx: Context, member_id: str, p12_file: str, chain: str | None,
                passphrase_file: str | None) -> None:
    """Register a member's certificate from another CA; its chain joins the trust store."""
    from workflow.signing.keys import import_p12
    from workflow.signing.precheck import may_import
    may_import(ctx.app(), member_id)
    info = import_p12(ctx.app(), member_id, Path(p12_file),
                      _passphrase(passphrase_file, f"Passphrase for {Path(p12_file).name}"),
                      Path(chain) if chain else None)
    ctx.emit(info.to_json(), f"Registered {info.common_name} for {info.member}\n"
                             f"  issuer {info.issuer}\n  SHA-256 {info.fingerprint}")

@command(keys_group, "seal-issue", json="p12 certificate subject common_name organisation "
         "member_id email serial sha256 not_before not_after issuer", example=(
    "resolutions keys seal-issue --ca-passphrase-file ca.pass --passphrase-file seal.pass"))
@click.option("--ca-passphrase-file", type=FILE_IN,
              help="File with the CA key's passphrase (default: prompt).")
@click.option("--passphrase-file", type=FILE_IN,
              help="File with the passphrase protecting the seal's key (default: prompt).")
@click.option("--replace", is_flag=True,
              help="Replace the existing seal (before it expires, or if its key is lost).")
def keys_seal_issue(ctx: Context, ca_passphrase_file: str | None,
                    passphrase_file: str | None, replace: bool) -> None:
    """Issue the secretariat's seal (a certificate from the CA) that seals every dossier."""
    from workflow.signing.seal import issue_seal
    info = issue_seal(ctx.app(), ca_passphrase=_passphrase(ca_passphrase_file, "CA passphrase"),
                      seal_passphrase=_passphrase(passphrase_file,
                                                  "New passphrase for the seal's key", new=True),
                      replace=replace)
    ctx.emit(info.to_json(), f"Seal issued: {info.file('p12')}\n  {info.certificate.subject}\n"
                             f"  SHA-256 {info.certificate.sha256}")

@command(keys_group, "list", json="ca trust certificates crl", example="resolutions keys list --json")
def keys_list(ctx: Context) -> None:
    """Registered certificates and the trust store."""
    from workflow.signing.keys import list_keys
    listing = list_keys(ctx.app())
    ctx.emit(listing.to_json(), tables.keys_text(listing))

@command(keys_group, "trust", json="added",
         example="resolutions keys trust tsa-root.pem --for timestamps")
@click.argument("pem_file", metavar="FILE.pem", type=FILE_IN)
@click.option("--for", "purposes", multiple=True, type=click.Choice(["signatures", "timestamps"]),
              help="What the root is trusted for: signatures (the default) or timestamps, "
                   "never both.")
def keys_trust(ctx: Context, pem_file: str, purposes: tuple[str, ...]) -> None:
    """Add a root certificate (e.g. a timestamp authority's) to the workspace trust store."""
    from workflow.signing.trust import trust_anchor
    done = trust_anchor(ctx.app(), Path(pem_file), list(purposes))
    ctx.emit(done.to_json(), "\n".join(f"Trusted for {', '.join(a['for'])}: {a['subject']}\n"
                                       f"  SHA-256 {a['sha256']}" for a in done.added))

@command(keys_group, "revoke", json="member fingerprint serial revoked_at reason",
         example=(
    "resolutions keys revoke li-wei --reason key-compromise --ca-passphrase-file ca.pass"))
@click.argument("member_id", metavar="MEMBER")
@click.option("--reason", default="unspecified", show_default=True,
              type=click.Choice(["unspecified", "key-compromise", "affiliation-changed",
                                 "superseded", "cessation-of-operation"]))
@click.option("--ca-passphrase-file", type=FILE_IN,
              help="File with the CA key's passphrase (default: prompt).")
def keys_revoke(ctx: Context, member_id: str, reason: str, ca_passphrase_file: str | None) -> None:
    """Revoke a member's certificate and publish a new CRL; they can no longer sign.

    Signatures timestamped before the revocation stay valid."""
    from workflow.signing.precheck import may_revoke
    from workflow.signing.trust import revoke
    may_revoke(ctx.app(), member_id)
    done = revoke(ctx.app(), member_id, reason=reason, ca_passphrase=_passphrase(
        ca_passphrase_file, "CA passphrase", option="--ca-passphrase-file"))
    ctx.emit(done.to_json(),
             f"Revoked {done.member}'s certificate {done.fingerprint[:16]}… "
             f"({done.reason}) at {done.when:%Y-%m-%d %H:%M:%S} UTC")

@command(keys_group, "crl", json="file format revoked next_update",
         example="resolutions keys crl -o rcwg.crl --pem --ca-passphrase-file ca.pass")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Where to write the CRL.")
@click.option("--pem", is_flag=True, help="PEM instead of DER.")
@click.option("--ca-passphrase-file", type=FILE_IN,
              help="Sign a fresh CRL with the CA key (default: the last one published).")
def keys_crl(ctx: Context, output: str, pem: bool, ca_passphrase_file: str | None) -> None:
    """Write the CA's certificate revocation list (readable by `openssl crl`)."""
    from workflow.signing.trust import publish_crl
    ca_pass = _passphrase(ca_passphrase_file, "CA passphrase") if ca_passphrase_file else None
    crl = publish_crl(ctx.app(), Path(output), pem=pem, ca_passphrase=ca_pass)
    ctx.emit(crl.to_json(), f"{crl.file}: {crl.format} CRL, {crl.revoked} revoked, next "
                            f"update {(crl.next_update or '')[:10]}")

@command(cli, "sign", json=SIGN_KEYS, example=(
    "resolutions sign 1 --by li-wei --passphrase-file li-wei.pass"))
@click.argument("ref")
@click.option("--by", help="The signatory (default: who acts).")
@click.option("--p12", type=FILE_IN,
              help="The signatory's key (default: the one registered for them).")
@click.option("--passphrase-file", type=FILE_IN,
              help="File with the key's passphrase (default: prompt).")
def sign_cmd(ctx: Context, ref: str, by: str | None, p12: str | None,
             passphrase_file: str | None) -> None:
    """Sign the approved text (PAdES, visible block in your slot; DOCX gets a .p7s)."""
    from workflow.signing.keys import KeyRequest
    from workflow.signing.sign import may_sign, sign
    may_sign(ctx.app(), ref, by)  # everything that can refuse, before the passphrase is asked
    key = KeyRequest(p12, _passphrase(passphrase_file, "Passphrase for your key"))
    with ctx.progress():
        result = sign(ctx.app(), ref, by, key)
    left = f"; still missing: {', '.join(result.missing)}" if result.missing else ""
    level = (f"\n  PAdES {result.level}" + (": no timestamp authority ([signatures] "
             "timestamp_url), so it cannot be verified after the certificate expires"
             if result.level == "B-B" else ""))
    ctx.emit(result.to_json(), f"{result.symbol}: signed by {result.member}"
             f"{' (certifying)' if result.certification else ''} → {result.state}{left}{level}")

signatures_group = group(cli, "signatures",
                         "Signatures made outside the workspace, and the signed files.")

@command(signatures_group, "import", json="signatures", example=(
    "resolutions signed-files 1 -o out/ && resolutions signatures import 1 signed.pdf"))
@click.argument("ref")
@click.argument("pdf_file", metavar="FILE.pdf", type=FILE_IN)
def signatures_import(ctx: Context, ref: str, pdf_file: str) -> None:
    """Record signatures added elsewhere (e.g. Acrobat) to our latest PDF."""
    from workflow.signing.sign import import_signed
    results = import_signed(ctx.app(), ref, Path(pdf_file).read_bytes())
    ctx.emit({"signatures": [r.to_json() for r in results]}, "\n".join(
        f"{r.symbol}: signature of {r.member} imported → {r.state}" for r in results))

@command(cli, "signed-files", json="files", example="resolutions signed-files 1 -o signed/")
@click.argument("ref")
@OUT_DIR
def signed_files(ctx: Context, ref: str, out_dir: str) -> None:
    """Write the latest signed PDF, the DOCX, its .p7s files and the certificate.

    Before the first signature this writes the approved PDF to be signed elsewhere.
    """
    from workflow.signing.files import export_signed_files
    written = export_signed_files(ctx.app(), ref, Path(out_dir))
    ctx.emit({"files": [{"path": str(p), "kind": k} for p, k in written]},
             "\n".join(str(p) for p, _ in written))

@command(cli, "verify", json=VERIFY_KEYS, example=(
    "resolutions verify RCWG-RES-2024-1_v2_signed.pdf --trust rcwg-ca.pem "
    "--trust-tsa tsa-root.pem --json"))
@click.argument("file", type=FILE_IN)
@click.option("--trust", multiple=True, type=FILE_IN,
              help="CA certificate(s) trusted for signatures, PEM (default: the workspace "
                   "trust store).")
@click.option("--trust-tsa", multiple=True, type=FILE_IN,
              help="Root certificate(s) of timestamp authorities, trusted for timestamps only.")
@click.option("--p7s", multiple=True, type=FILE_IN,
              help="Detached signature(s) of FILE (default: FILE.p7s and FILE.*.p7s).")
@click.option("--at", "at", metavar="DATE", help="Judge the file as on this date "
              "(YYYY-MM-DD or ISO 8601; default: now).")
@click.option("--crl", multiple=True, type=FILE_IN,
              help="Revocation list(s) to check against (besides the workspace's and the PDF's).")
def verify_cmd(ctx: Context, file: str, trust: tuple[str, ...], trust_tsa: tuple[str, ...],
               p7s: tuple[str, ...], at: str | None, crl: tuple[str, ...]) -> None:
    """Verify a signed PDF, or a file by its .p7s; exit 1 unless every signature holds
    and each field is signed by the member it names.

    Works outside a workspace with --trust; --at judges it as on a date. Reasons:
    docs/VERIFY_JSON.md."""
    from workflow.signing.verify import parse_at, verify_file
    report = verify_file(Path(file), trust=[Path(t) for t in trust], workspace=ctx.workspace,
                         database_url=ctx.database_url,
                         p7s=[Path(x) for x in p7s], at=parse_at(at),
                         crl=[Path(c) for c in crl], trust_tsa=[Path(t) for t in trust_tsa])
    ctx.emit(report, reports.signatures_text(file, report))
    if not report["ok"]:
        sys.exit(1)

# -- delivery and submission --------------------------------------------------------------
@cli.group(invoke_without_command=True)
@click.option("--status", "status_", type=click.Choice(["queued", "sending", "sent", "failed"]),
              help="Only messages in this state.")
@json_option
@click.pass_context
def outbox(click_ctx: click.Context, status_: str | None) -> None:
    """The outbox: every message as an .eml file, and whether it was sent.

    \b
    Example:
      resolutions outbox
      resolutions outbox --status failed --json
      resolutions outbox retry
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.ensure_object(Context)
    rows = ctx.reader().list_messages(status_)
    ctx.emit({"messages": [r.to_json() for r in rows]}, tables.outbox_table(rows))


outbox.json_keys = ("messages",)  # type: ignore[attr-defined]


def _print_sent(ctx: Context, results: Sequence[SendResult]) -> None:
    ctx.emit(reports.sent_json(results), reports.sent_text(results))
    if any(r.status != "sent" for r in results):
        sys.exit(1)

@command(outbox, "send", json="sent failed results", example="resolutions outbox send")
def outbox_send(ctx: Context) -> None:
    """Send the queued messages through the SMTP server of [delivery]."""
    from workflow.delivery.outbox import send
    _print_sent(ctx, send(ctx.app()))

@command(outbox, "retry", json="sent failed results", example=(
    "resolutions outbox retry", "resolutions outbox retry --id 3"))
@click.option("--id", "ids", multiple=True, type=int, help="Only this message (repeatable).")
def outbox_retry(ctx: Context, ids: tuple[int, ...]) -> None:
    """Send queued and failed messages again (a sent message is never sent twice)."""
    from workflow.delivery.outbox import send
    _print_sent(ctx, send(ctx.app(), retry=True, ids=list(ids) or None))

@command(cli, json="symbol body submission state folder zip package_sha256 files message "
         "message_status error", example=(
    "resolutions submit 1 --to brics-higher-council --meeting 2024-11-20",
    "resolutions submit 1 --to brics-higher-council --send"))
@click.argument("ref")
@click.option("--to", "body_code", required=True, help="The body's code; see 'body list'.")
@click.option("--meeting", help="Date of the body's meeting (YYYY-MM-DD): checks the lead time.")
@click.option("--send", "send_now", is_flag=True, help="Send the message now (needs SMTP).")
def submit(ctx: Context, ref: str, body_code: str, meeting: str | None, send_now: bool) -> None:
    """Check the body's requirements, build the package and queue it to the body."""
    from workflow.delivery.submission import submit as do_submit
    with ctx.progress():
        result = do_submit(ctx.app(), ref, body_code, meeting=_parse_date(meeting),
                           send_now=send_now)
    ctx.emit(reports.submission_json(result), reports.submission_text(result))

@command(cli, json="symbol submissions", example="resolutions submissions 1 --json")
@click.argument("ref")
def submissions(ctx: Context, ref: str) -> None:
    """The submissions of a resolution, with their packages and every answer of the body
    (each receipt, in the order received)."""
    reader = ctx.reader()
    symbol, rows = reader.list_submissions(ref)
    answers = reader.receipts(ref)
    kept = [answers[i] if i < len(answers) else [] for i in range(len(rows))]
    ctx.emit({"symbol": symbol, "submissions": [{**r.to_json(), "receipts": k}
                                                for r, k in zip(rows, kept)]},
             "\n".join(x for x in (tables.submissions_table(symbol, rows),
                                   tables.receipts_text(kept)) if x))

# -- the seed scenario --------------------------------------------------------------------
def _run_in_process(args: list[str]) -> str:
    """Run one `resolutions` command in this process; its output, or DemoError on failure."""
    import contextlib
    import io

    from workflow.demo import DemoError
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            cli.main(args=args, prog_name="resolutions", standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise DemoError(buffer.getvalue().strip() or f"exit code {exc.code}") from None
    except click.ClickException as exc:
        raise DemoError(f"{buffer.getvalue()}{exc.format_message()}".strip()) from None
    return buffer.getvalue()

@command(cli, json="root symbol steps artefacts verdict", example=(
    "resolutions demo                      # into ./demo-workspace",
    "resolutions demo /tmp/wg --force"))
@click.argument("directory", required=False, default="demo-workspace",
                type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Delete DIRECTORY first if it exists.")
def demo(ctx: Context, directory: str, force: bool) -> None:
    """Play the seed scenario end to end in a fresh workspace, then list the artefacts.

    The Russian–Chinese working group on microelectronics (round table of 26 September
    2024) drafts a trilingual resolution for the Higher Council of BRICS: draft →
    review by 2 reviewers → comment form + amendments → revision → translations confirmed
    → second round → approvals → 3 signatures → submission → receipt → dossier → verify.
    """
    from workflow.demo import play
    echo = (lambda _line: None) if ctx.json else click.echo
    echo(f"brics-resolutions demo → {Path(directory).resolve()}")
    result = play(Path(directory), _run_in_process, force=force, echo=echo)
    ctx.emit(_fields(result), f"{tables.artefacts_table(result)}\ndossier verify: {result.verdict}")

# -- dossier -----------------------------------------------------------------------------
dossier = group(cli, "dossier",
                "The archivist's dossier: one BagIt bag, verifiable with nothing but itself.")

@command(dossier, "export", json=EXPORT_KEYS, example=(
    "resolutions dossier export 1 -o dossier-2024-1 --seal-passphrase-file seal.pass",
    "resolutions dossier export --all --zip -o archive/rcwg-2024.zip --workers 2"))
@click.argument("refs", nargs=-1, metavar="REF...")
@click.option("--all", "everything", is_flag=True, help="Export every resolution.")
@click.option("-o", "--output", required=True, type=click.Path(),
              help="The bag folder to create (or the .zip file with --zip); must not exist.")
@click.option("--zip", "as_zip", is_flag=True, help="Write the bag as one ZIP file.")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Processes rendering missing documents (default: 2 or the core count).")
@click.option("--seal-passphrase-file", type=FILE_IN,
              help="File with the passphrase of the secretariat's seal (default: prompt).")
def dossier_export(ctx: Context, refs: tuple[str, ...], everything: bool, output: str,
                   as_zip: bool, workers: int | None, seal_passphrase_file: str | None) -> None:
    """Export resolutions as one BagIt bag sealed by the secretariat: versions, review,
    approvals, signatures, submissions, audit log, metadata and trust anchors, and
    VERIFY.txt (layout: docs/DOSSIER.md).

    When nothing changed since the last export of the same resolutions (the audit head,
    the rules file, the keys, the templates), its payload is copied from the store and
    checked byte for byte instead of being made again ("reused" in --json).
    """
    from workflow.dossier.export import export_dossier, may_export
    if bool(refs) == everything:
        raise click.UsageError("give REF... or --all (not both)")
    may_export(ctx.app())  # refused before the passphrase is asked
    seal_pass = _passphrase(seal_passphrase_file, "Passphrase of the secretariat's seal")
    with ctx.progress() as report:
        result = export_dossier(ctx.app(), list(refs), Path(output), everything=everything,
                                as_zip=as_zip, workers=workers, progress=report,
                                seal_passphrase=seal_pass)
    ctx.emit(result.to_json(), reports.export_text(result))

@command(dossier, "verify", json=DOSSIER_VERIFY_KEYS, example=(
    "resolutions dossier verify dossier-2024-1",
    "resolutions dossier verify archive/rcwg-2024.zip --json"))
@click.argument("path", type=click.Path(exists=True))
@click.option("--at", "at", metavar="DATE", help="Judge the signatures as on this date "
              "(YYYY-MM-DD or ISO 8601; default: now).")
@click.option("--expect-ca", metavar="SHA256",
              help="The working group's CA fingerprint you hold; any other CA fails.")
def dossier_verify(ctx: Context, path: str, at: str | None, expect_ca: str | None) -> None:
    """Verify a dossier with nothing but the bag: the seal, every checksum, the audit
    chain, every signature against the bag's trust anchors; exit 1 naming each problem and
    its file. Prints the CA and seal fingerprints and the audit head to compare.
    """
    from workflow.dossier.export import verify_dossier
    from workflow.signing.verify import parse_at
    report = verify_dossier(Path(path), at=parse_at(at), expect_ca=expect_ca)
    ctx.emit(report.to_json(), reports.dossier_text(report))
    if not report.ok:
        sys.exit(1)
