"""The `resolutions` command line: parse options, make one call into `workflow`, print.

Every domain refusal becomes a one-line error and exit code 1; usage errors exit 2;
tracebacks only with --verbose. Read commands print a table, or JSON with --json.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

__all__ = ["main", "cli"]


# -- context and error boundary ---------------------------------------------------------
@dataclass
class Context:
    workspace: str | None = None
    actor: str | None = None
    json: bool = False
    verbose: bool = False
    _app: Any = field(default=None, repr=False)

    def app(self) -> Any:
        if self._app is None:
            from workflow.app import App

            self._app = App.open(self.workspace, self.actor)
        return self._app


pass_ctx = click.make_pass_decorator(Context, ensure=True)


def json_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--json on a read command (also accepted before the command name)."""

    def set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        if value:
            ctx.ensure_object(Context).json = True
        return value

    return click.option("--json", "as_json", is_flag=True, expose_value=False, callback=set_json,
                        help="Print machine-readable JSON.")(fn)


def domain_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain refusals into a sentence and exit 1 (tracebacks with --verbose)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from drafts.errors import DraftError
        from workflow.errors import WorkflowError

        try:
            return fn(*args, **kwargs)
        except (WorkflowError, DraftError, _signature_errors()) as exc:
            ctx = click.get_current_context().find_object(Context)
            if ctx is not None and ctx.verbose:
                raise
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except (click.exceptions.ClickException, click.exceptions.Abort,
                click.exceptions.Exit, KeyboardInterrupt):
            raise
        except Exception as exc:
            ctx = click.get_current_context().find_object(Context)
            if ctx is not None and ctx.verbose:
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            click.echo(f"Error: unexpected {type(exc).__name__}: {first[:300]} (the step's "
                       "database changes were rolled back; re-run with --verbose to see "
                       "where it happened)", err=True)
            sys.exit(1)

    return wrapper


def _signature_errors() -> type[Exception]:
    if "signatures.errors" in sys.modules:
        return sys.modules["signatures.errors"].SignatureError  # type: ignore[no-any-return]
    return _Never


class _Never(Exception):
    pass


def emit(ctx: Context, data: Any, human: Callable[[], None]) -> None:
    if ctx.json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        human()


def table(columns: list[str], rows: list[list[Any]], title: str | None = None) -> None:
    """A plain aligned table (display width aware, so Chinese text lines up). Plain text
    costs nothing to import or lay out, which keeps read commands near the import floor."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    cells = [[" ".join(str(x).split()) for x in row] for row in rows]
    widths = [max([width(col)] + [width(row[i]) for row in cells])
              for i, col in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - width(v)) for v, w in zip(values, widths)).rstrip()

    if title:
        click.echo(title)
    click.echo(click.style(line(columns), bold=True))
    click.echo(line(["-" * w for w in widths]))
    for row in cells:
        click.echo(line(row))


# -- the group ---------------------------------------------------------------------------
@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--workspace", "-w", metavar="DIR", help="Workspace folder (default: "
              "RESOLUTIONS_WORKSPACE, then the nearest folder above with resolutions.toml).")
@click.option("--as", "actor", metavar="MEMBER", help="Who acts (default: RESOLUTIONS_USER, "
              "then the workspace's secretary).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--verbose", "-v", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="brics-resolutions")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, actor: str | None, as_json: bool,
        verbose: bool) -> None:
    """Draft, review, approve, sign, submit and archive trilingual resolutions.

    \b
    Example:
      resolutions init wg --name "Russian–Chinese working group" --prefix RCWG
      cd wg && resolutions member add ivanova --name "Иванова А. П." --role secretary
      resolutions new resolution.yaml
      resolutions show 1 --lang zh
    """
    ctx.obj = Context(workspace=workspace, actor=actor, json=as_json, verbose=verbose)


def main() -> None:
    cli(prog_name="resolutions")


# -- workspace and members ----------------------------------------------------------------
@cli.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False))
@click.option("--name", required=True, help="The working group's name (English).")
@click.option("--name-ru", help="The name in Russian.")
@click.option("--name-zh", help="The name in Chinese.")
@click.option("--prefix", required=True, help="Symbol prefix, e.g. RCWG → RCWG/RES/2024/1.")
@click.option("--languages", default="ru,zh,en", show_default=True,
              help="Authentic languages, comma-separated, in column order.")
@click.option("--approval-rule", type=click.Choice(["all", "majority", "each-delegation"]),
              default="each-delegation", show_default=True)
@pass_ctx
@domain_errors
def init(ctx: Context, directory: str, name: str, name_ru: str | None, name_zh: str | None,
         prefix: str, languages: str, approval_rule: str) -> None:
    """Create a workspace: resolutions.toml and .resolutions/ (SQLite database).

    \b
    Example:
      resolutions init wg --name "Russian–Chinese working group on microelectronics" \\
          --name-ru "Российско-китайская рабочая группа по микроэлектронике" --prefix RCWG
    """
    from workflow import setup

    names = {k: v for k, v in (("ru", name_ru), ("zh", name_zh)) if v}
    ws = setup.init_workspace(Path(directory), name=name, prefix=prefix,
                              languages=tuple(x.strip() for x in languages.split(",") if x.strip()),
                              approval_rule=approval_rule, names=names)
    from sqlalchemy.engine import make_url

    database = make_url(ws.database_url).render_as_string(hide_password=True)
    emit(ctx, {"workspace": str(ws.root), "database": database},
         lambda: click.echo(f"Initialised workspace {ws.root} ({name}, prefix {prefix})"))


@cli.group()
def member() -> None:
    """Members of the working group (delegation, roles)."""


@member.command("add")
@click.argument("member_id")
@click.option("--name", required=True, help="Full name as written in the member's language.")
@click.option("--name-en", help="Name in English (Latin script).")
@click.option("--name-ru", help="Name in Russian.")
@click.option("--name-zh", help="Name in Chinese.")
@click.option("--org", default="", help="Organisation.")
@click.option("--delegation", default="", help="Delegation code, e.g. ru or zh.")
@click.option("--email", default="", help="E-mail address for review copies.")
@click.option("--lang", default="en", help="Preferred language for documents sent to them.")
@click.option("--role", "roles", multiple=True, metavar="ROLE",
              help="secretary, reviewer, approver, signatory, archivist, drafter (repeatable).")
@pass_ctx
@domain_errors
def member_add(ctx: Context, member_id: str, name: str, name_en: str | None, name_ru: str | None,
               name_zh: str | None, org: str, delegation: str, email: str, lang: str,
               roles: tuple[str, ...]) -> None:
    """Add a member.

    \b
    Example:
      resolutions member add li-wei --name "李伟" --name-en "Li Wei" --org "TTF Electronic" \\
          --delegation zh --email li.wei@ttf.example --role approver --role signatory
    """
    from workflow.members import add_member

    names = {k: v for k, v in (("en", name_en), ("ru", name_ru), ("zh", name_zh)) if v}
    roles = tuple(r for value in roles for r in value.split(",") if r)
    info = add_member(ctx.app(), member_id, name=name, org=org, delegation=delegation,
                      email=email, roles=roles, names=names, lang=lang)
    emit(ctx, info.to_json(), lambda: click.echo(
        f"Added {info.id} ({info.name}; {', '.join(info.roles) or 'no role'})"))


@member.command("list")
@json_option
@pass_ctx
@domain_errors
def member_list(ctx: Context) -> None:
    """List members.

    \b
    Example:
      resolutions member list --json
    """
    from workflow.members import list_members

    members = list_members(ctx.app())
    emit(ctx, [m.to_json() for m in members], lambda: table(
        ["id", "name", "organisation", "delegation", "roles", "e-mail"],
        [[m.id, m.name, m.org, m.delegation, ", ".join(m.roles), m.email] for m in members]))


@cli.group()
def body() -> None:
    """BRICS bodies resolutions are submitted to."""


@body.command("list")
@json_option
@pass_ctx
@domain_errors
def body_list(ctx: Context) -> None:
    """List the BRICS bodies (shipped registry plus the workspace's own).

    \b
    Example:
      resolutions body list
    """
    from workflow.workspace import find

    bodies = find(ctx.workspace).bodies()
    data = [{"code": b.code, "names": b.names, "address": b.address, "languages": b.languages,
             "signatures": b.signatures, "lead_days": b.lead_days} for b in bodies.values()]
    emit(ctx, data, lambda: table(
        ["code", "name", "название", "名称", "languages", "signatures", "lead days"],
        [[b.code, b.name("en"), b.name("ru"), b.name("zh"), ",".join(b.languages),
          ",".join(b.signatures), b.lead_days] for b in bodies.values()]))


# -- drafting ---------------------------------------------------------------------------
def _read_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text; save the file as UTF-8") from None
    except OSError as exc:
        raise click.ClickException(f"{path}: {exc.strerror}") from None


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--title", help="Start an empty resolution with this title.")
@click.option("--body", "body_code", help="The BRICS body (with --title); see 'body list'.")
@click.option("--lang", help="Language of --title or of --from-docx (default: the first "
              "workspace language).")
@click.option("--from-docx", type=click.Path(exists=True, dir_okay=False),
              help="Import a Word draft.")
@json_option
@pass_ctx
@domain_errors
def new(ctx: Context, file: str | None, title: str | None, body_code: str | None,
        lang: str | None, from_docx: str | None) -> None:
    """Create a resolution from a YAML source, a title, or a Word draft; prints its symbol.

    \b
    Example:
      resolutions new resolution.yaml
      resolutions new --title "On joint ventures" --body brics-higher-council --lang en
      resolutions new --from-docx draft.docx --lang ru --body brics-higher-council
    """
    from workflow import resolutions

    chosen = [x for x in (file, title, from_docx) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of FILE, --title or --from-docx")
    app = ctx.app()
    notes: list[str] = []
    if file:
        summary = resolutions.new_resolution(app, _read_file(file), file)
    elif title:
        if not body_code:
            raise click.UsageError("--title needs --body (see 'resolutions body list')")
        summary = resolutions.new_from_title(app, title, body_code, lang)
    else:
        from workflow import interop

        summary, notes = interop.new_from_docx(app, Path(from_docx or ""), lang=lang,
                                               body=body_code)
    from workflow.checks import opener_hints

    hints = opener_hints(app, summary.symbol)
    emit(ctx, {**summary.to_json(), "unrecognised": notes, "hints": hints}, lambda: (
        click.echo(summary.symbol), [click.echo(f"  not understood: {n}", err=True) for n in notes],
        [click.echo(f"  hint: {h}", err=True) for h in hints]))


@cli.command("list")
@click.option("--state", help="Only resolutions in this state.")
@click.option("--limit", default=50, show_default=True, help="Rows per page.")
@click.option("--page", default=1, show_default=True, help="Page number.")
@json_option
@pass_ctx
@domain_errors
def list_(ctx: Context, state: str | None, limit: int, page: int) -> None:
    """List resolutions.

    \b
    Example:
      resolutions list --state in_review
      resolutions list --json --limit 500
    """
    from workflow.resolutions import list_resolutions

    if limit < 1 or page < 1:
        raise click.UsageError("--limit and --page start at 1")
    result = list_resolutions(ctx.app(), state, limit=limit, offset=(page - 1) * limit)

    def human() -> None:
        table(["no.", "symbol", "state", "ver.", "body", "title"],
              [[s.number, s.symbol, s.state, s.version, s.body, s.title] for s in result.items])
        if result.total > result.offset + len(result.items):
            click.echo(f"showing {result.offset + 1}–{result.offset + len(result.items)} of "
                       f"{result.total}; next: --page {page + 1}")

    emit(ctx, {"total": result.total, "page": page, "limit": limit,
               "items": [s.to_json() for s in result.items]}, human)


@cli.command()
@click.argument("ref")
@click.option("--version", "version", type=int, help="Version number (default: current).")
@click.option("--lang", help="Only this language (default: every authentic language).")
@json_option
@pass_ctx
@domain_errors
def show(ctx: Context, ref: str, version: int | None, lang: str | None) -> None:
    """Show the numbered text of a resolution.

    \b
    Example:
      resolutions show RCWG/RES/2024/1 --lang zh
      resolutions show 1 --version 2
    """
    from workflow.presenting import numbered_lines
    from workflow.resolutions import get_version

    summary, ver, model = get_version(ctx.app(), ref, version)
    langs = [lang] if lang else list(model.languages)
    for code in langs:
        if code not in model.languages:
            raise click.ClickException(f"{summary.symbol} has no {code} text "
                                       f"(languages: {', '.join(model.languages)})")
    lines = numbered_lines(model, langs)

    def human() -> None:
        click.echo(f"{summary.symbol} · version {ver.number} · {summary.state} · "
                   f"{ver.content_hash[:12]}")
        for code in langs:
            click.echo("")
            for line in lines[code]:
                click.echo(line)

    emit(ctx, {**summary.to_json(), "version": ver.number, "content_hash": ver.content_hash,
               "text": lines, "source": model.to_data()}, human)


@cli.command()
@click.argument("ref")
@click.option("--version", "version", type=int, help="Version number (default: current).")
@pass_ctx
@domain_errors
def source(ctx: Context, ref: str, version: int | None) -> None:
    """Print the YAML source of a version (feed it back to 'edit').

    \b
    Example:
      resolutions source 1 > resolution.yaml
    """
    from workflow.resolutions import get_version

    _summary, ver, _model = get_version(ctx.app(), ref, version)
    click.echo(ver.source, nl=False)


@cli.command()
@click.argument("ref")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--note", default="", help="What changed (kept with the version).")
@click.option("--from-docx", type=click.Path(exists=True, dir_okay=False),
              help="Bring in one language from a Word draft (with --lang).")
@click.option("--lang", help="The language of --from-docx.")
@pass_ctx
@domain_errors
def edit(ctx: Context, ref: str, file: str | None, note: str, from_docx: str | None,
         lang: str | None) -> None:
    """Store a new version from FILE, or from $EDITOR when FILE is omitted.

    Only a changed text makes a new version.

    \b
    Example:
      resolutions edit 1 resolution.yaml --note "OP 3 reworded"
      EDITOR=nano resolutions edit 1
      resolutions edit 1 --from-docx zh-draft.docx --lang zh
    """
    from workflow import resolutions

    app = ctx.app()
    if from_docx:
        from workflow import interop

        if not lang:
            raise click.UsageError("--from-docx needs --lang")
        result = interop.edit_from_docx(app, ref, Path(from_docx), lang=lang, note=note)
    elif file:
        result = resolutions.edit_resolution(app, ref, _read_file(file), file, note)
    else:
        from workflow.errors import ConcurrencyError

        current, based_on = resolutions.editable_source(app, ref)
        edited = click.edit(current, extension=".yaml", require_save=True)
        if edited is None:
            click.echo("No change (editor closed without saving).")
            return
        try:
            result = resolutions.edit_resolution(app, ref, edited, "<editor>", note,
                                                 based_on=based_on)
        except ConcurrencyError as exc:
            kept = resolutions.keep_unsaved_edit(app, ref, edited, based_on)
            click.echo(f"Error: {exc}: your text is kept in {kept} — compare it with "
                       f"'resolutions source {ref}' and run 'resolutions edit {ref} {kept}'",
                       err=True)
            sys.exit(1)
    for line in result.notes:
        click.echo(line)
    if result.changed:
        click.echo(f"{result.symbol}: version {result.version} stored ({result.state})")
    else:
        click.echo(f"{result.symbol}: text unchanged; no new version")


@cli.command()
@click.argument("ref")
@click.option("--from", "from_", type=int, help="Older version (default: previous).")
@click.option("--to", type=int, help="Newer version (default: current).")
@click.option("--lang", help="Only this language.")
@json_option
@pass_ctx
@domain_errors
def diff(ctx: Context, ref: str, from_: int | None, to: int | None, lang: str | None) -> None:
    """Word-level differences between two versions, per paragraph and language.

    \b
    Example:
      resolutions diff 1 --from 1 --to 2
    """
    from workflow.presenting import version_diff

    result = version_diff(ctx.app(), ref, from_, to)

    def human() -> None:
        click.echo(f"{result['symbol']}: version {result['from']} → {result['to']}")
        if not result["changes"]:
            click.echo("no differences")
        for change in result["changes"]:
            where = change["new_ref"] or change["old_ref"]
            moved = (f" (was {change['old_ref']})" if change["old_ref"] and change["new_ref"]
                     and change["old_ref"] != change["new_ref"] else "")
            click.echo(click.style(f"{where}{moved}: {change['status']}", bold=True))
            for code, segments in change["segments"].items():
                if lang and code != lang:
                    continue
                parts = []
                for op, text in segments:
                    if op == "insert":
                        parts.append(click.style(f"{{+{text}+}}", fg="green"))
                    elif op == "delete":
                        parts.append(click.style(f"[-{text}-]", fg="red"))
                    else:
                        parts.append(text)
                click.echo(f"  {code}: " + "".join(parts))

    emit(ctx, result, human)


@cli.command()
@click.argument("ref")
@json_option
@pass_ctx
@domain_errors
def log(ctx: Context, ref: str) -> None:
    """The audit events of a resolution.

    \b
    Example:
      resolutions log 1
    """
    from workflow.resolutions import event_detail
    from workflow.resolutions import log as get_log

    summary, events = get_log(ctx.app(), ref)
    data = [{"seq": e.seq, "at": e.at.isoformat(), "actor": e.actor, "action": e.action,
             "outcome": e.outcome, "detail": event_detail(e), "hash": e.hash} for e in events]
    emit(ctx, data, lambda: table(
        ["seq", "at", "actor", "action", "outcome", "detail"],
        [[d["seq"], d["at"][:19], d["actor"], d["action"], d["outcome"],
          ", ".join(f"{k}={v}" for k, v in d["detail"].items() if k != "content_hash")]
         for d in data], title=summary.symbol))


@cli.group()
def audit() -> None:
    """The hash-chained audit log."""


@audit.command("verify")
@json_option
@pass_ctx
@domain_errors
def audit_verify(ctx: Context) -> None:
    """Check the audit chain and the tables it describes; exit 1 naming each problem.

    \b
    Example:
      resolutions audit verify
    """
    from workflow.verification import verify_workspace

    problems, count = verify_workspace(ctx.app())
    emit(ctx, {"ok": not problems, "events": count, "problems": [str(p) for p in problems]},
         lambda: click.echo(f"audit log intact: {count} events verified" if not problems else
                            "\n".join(f"BROKEN: {p}" for p in problems)))
    if problems:
        sys.exit(1)


# -- review, approval, life cycle ---------------------------------------------------------
@cli.command()
@click.argument("ref")
@json_option
@pass_ctx
@domain_errors
def status(ctx: Context, ref: str) -> None:
    """State, the allowed next steps, and what blocks each.

    \b
    Example:
      resolutions status 1
    """
    from workflow.status import status as get_status

    st = get_status(ctx.app(), ref)

    def human() -> None:
        click.echo(f"{st.symbol}: {st.state} (version {st.version})")
        for fact in st.facts:
            click.echo(f"  · {fact}")
        for step in st.steps:
            mark = f"blocked: {step['blocked_by']}" if step["blocked_by"] else "ready"
            click.echo(f"  → {step['command']:<32} ({step['who']}) {mark}")

    emit(ctx, st.to_json(), human)


@cli.command()
@click.argument("ref")
@click.option("--version", "version", type=int, help="Version number (default: current).")
@json_option
@pass_ctx
@domain_errors
def check(ctx: Context, ref: str, version: int | None) -> None:
    """Language parity: missing and stale translations, structure, numbers, punctuation.

    Exits 1 when any error is found (warnings alone exit 0).

    \b
    Example:
      resolutions check 1
      resolutions check 1 --json    # schema: docs/CHECK_JSON.md
    """
    from workflow.checks import check_resolution

    symbol, report = check_resolution(ctx.app(), ref, version)

    def human() -> None:
        if not report["findings"]:
            click.echo(f"{symbol}: all authentic languages agree")
        for f in report["findings"]:
            click.echo(f"{f['severity']:<7} {f['ref']:<14} [{','.join(f['languages'])}] "
                       f"{f['rule']}: {f['message']}")
            click.echo(f"        fix: {f['fix']}")
        s = report["summary"]
        click.echo(f"{s.get('error', 0)} error(s), {s.get('warning', 0)} warning(s)")

    emit(ctx, {"symbol": symbol, **report}, human)
    if not report["ok"]:
        sys.exit(1)


@cli.group()
def translations() -> None:
    """Translation status of the authentic languages."""


@translations.command("confirm")
@click.argument("ref")
@click.option("--lang", required=True, help="The language whose text you confirm.")
@click.option("--para", "paras", multiple=True, metavar="ID",
              help="Paragraph id (repeatable; default: every stale paragraph).")
@pass_ctx
@domain_errors
def translations_confirm(ctx: Context, ref: str, lang: str, paras: tuple[str, ...]) -> None:
    """Confirm that a language's text matches its siblings (clears 'stale').

    \b
    Example:
      resolutions translations confirm 1 --lang zh
      resolutions translations confirm 1 --lang ru --para op-roadmap
    """
    from workflow.translations import confirm

    done = confirm(ctx.app(), ref, lang, paras)
    click.echo(f"confirmed {lang} for {len(done)} paragraph(s)"
               + (f": {', '.join(done)}" if done else ""))


def _parse_date(value: str | None) -> Any:
    import datetime as dt

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


@cli.command()
@click.argument("ref")
@click.option("--reviewer", "reviewers", multiple=True, required=True, metavar="ID",
              help="A member with the reviewer role (repeatable).")
@click.option("--due", help="Comments due by (YYYY-MM-DD).")
@pass_ctx
@domain_errors
def circulate(ctx: Context, ref: str, reviewers: tuple[str, ...], due: str | None) -> None:
    """Open a review round on the current version and send each reviewer their copy.

    \b
    Example:
      resolutions circulate 1 --reviewer petrov --reviewer wang --due 2024-10-15
    """
    from workflow.delivery_flow import circulate_and_deliver

    result = circulate_and_deliver(ctx.app(), ref, list(reviewers), _parse_date(due))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{result.symbol}: round {result.round} on version {result.version} → "
               f"{', '.join(result.reviewers)} ({result.state})")
    for line in result.deliveries:
        click.echo(f"  {line}")


@cli.command()
@click.argument("ref")
@click.option("--by", help="The reviewer (default: who acts).")
@click.option("--ref", "target", required=True, help='Paragraph: "OP 3(b)", "PP 2", or "general".')
@click.option("--type", "type_", required=True, type=click.Choice(["ge", "te", "ed"]),
              help="ge general, te technical, ed editorial.")
@click.option("--text", required=True, help="The comment.")
@click.option("--proposal", default="", help="Proposed change.")
@pass_ctx
@domain_errors
def comment(ctx: Context, ref: str, by: str | None, target: str, type_: str, text: str,
            proposal: str) -> None:
    """Record a reviewer's comment on the circulated version.

    \b
    Example:
      resolutions comment 1 --by petrov --ref "OP 3(b)" --type te \\
          --text "Specify the year" --proposal "… by 2030;"
    """
    from workflow.review import add_comment

    row = add_comment(ctx.app(), ref, by=by, target=target, type_=type_, text=text,
                      proposal=proposal)
    click.echo(f"comment {row.number} on {row.original_ref} by {row.author}")


@cli.command()
@click.argument("words", nargs=-1, required=True, metavar="REF | import REF FILE.docx")
@json_option
@pass_ctx
@domain_errors
def comments(ctx: Context, words: tuple[str, ...]) -> None:
    """The comments-resolution matrix of REF; or import a returned comment form.

    \b
    Example:
      resolutions comments 1
      resolutions comments 1 --json
      resolutions comments import 1 returned-form.docx
    """
    if words[0] == "import":
        if len(words) != 3:
            raise click.UsageError("write: resolutions comments import REF FILE.docx")
        from workflow.forms import import_comment_form

        rows = import_comment_form(ctx.app(), words[1], Path(words[2]))
        emit(ctx, {"imported": [r.to_json() for r in rows]}, lambda: click.echo(
            f"imported {len(rows)} comment(s): "
            + ", ".join(f"{r.number} ({r.original_ref})" for r in rows)))
        return
    if len(words) != 1:
        raise click.UsageError("write: resolutions comments REF")
    from workflow.review import comment_matrix

    symbol, version, rows = comment_matrix(ctx.app(), words[0])
    emit(ctx, {"symbol": symbol, "version": version, "comments": [r.to_json() for r in rows]},
         lambda: table(["no.", "ref (now)", "was", "by", "type", "comment", "proposal",
                        "disposition", "note"],
                       [[r.number, "ORPHANED" if r.orphaned else r.ref, r.original_ref, r.author,
                         r.type, r.text, r.proposal, r.disposition or "—", r.note] for r in rows],
                       title=f"{symbol} · comments (version {version})"))


@cli.command()
@click.argument("ref")
@click.argument("number", type=int)
@click.option("--accept", "decision", flag_value="accepted", help="Accept the comment.")
@click.option("--reject", "decision", flag_value="rejected", help="Reject it.")
@click.option("--partial", "decision", flag_value="partial", help="Accept in part.")
@click.option("--note", required=True, help="The secretariat's observation.")
@pass_ctx
@domain_errors
def dispose(ctx: Context, ref: str, number: int, decision: str | None, note: str) -> None:
    """Record the secretariat's decision on a comment.

    \b
    Example:
      resolutions dispose 1 2 --accept --note "Year added in OP 2"
    """
    from workflow.review import dispose as do_dispose

    if decision is None:
        raise click.UsageError("choose --accept, --reject or --partial")
    row = do_dispose(ctx.app(), ref, number, decision, note)
    click.echo(f"comment {row.number}: {row.disposition}")


def _texts(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        lang, sep, text = value.partition("=")
        if not sep or not lang.strip():
            raise click.BadParameter(f"{value!r}: write LANG=TEXT, e.g. en=\"…\"",
                                     param_hint="--text")
        out[lang.strip()] = text
    return out


@cli.command()
@click.argument("ref")
@click.option("--by", help="Who proposes (default: who acts).")
@click.option("--target", required=True, help='Paragraph: "OP 3", "OP 3(b)".')
@click.option("--op", required=True, type=click.Choice(["replace", "insert-after", "delete"]))
@click.option("--text", "texts", multiple=True, metavar="LANG=TEXT",
              help="New text per language (repeatable).")
@click.option("--why", default="", help="Reason for the amendment.")
@pass_ctx
@domain_errors
def amend(ctx: Context, ref: str, by: str | None, target: str, op: str, texts: tuple[str, ...],
          why: str) -> None:
    """Propose an amendment to the circulated version.

    \b
    Example:
      resolutions amend 1 --by wang --target "OP 2" --op replace \\
          --text en="*Instructs* … until 2035;" --why "Align with the roadmap"
    """
    from workflow.amendments import amend as do_amend

    row = do_amend(ctx.app(), ref, by=by, target=target, op=op, texts=_texts(texts), why=why)
    click.echo(f"amendment {row.number}: {row.op} {row.target_ref} by {row.author}")


@cli.command()
@click.argument("ref")
@json_option
@pass_ctx
@domain_errors
def amendments(ctx: Context, ref: str) -> None:
    """List the amendments of a resolution.

    \b
    Example:
      resolutions amendments 1 --json
    """
    from workflow.amendments import list_amendments

    symbol, rows = list_amendments(ctx.app(), ref)
    emit(ctx, {"symbol": symbol, "amendments": [r.to_json() for r in rows]},
         lambda: table(["no.", "target", "now", "op", "by", "texts", "why", "status"],
                       [[r.number, r.target_ref, r.current_ref or "—", r.op, r.author,
                         "; ".join(f"{k}: {v}" for k, v in r.texts.items()), r.why,
                         r.status + (f" (v{r.applied_version})" if r.applied_version else "")]
                        for r in rows], title=symbol))


@cli.group()
def amendment() -> None:
    """Decide amendments."""


@amendment.command("accept")
@click.argument("ref")
@click.argument("number", type=int)
@pass_ctx
@domain_errors
def amendment_accept(ctx: Context, ref: str, number: int) -> None:
    """Accept an amendment (applied when the review closes with --changes).

    \b
    Example:
      resolutions amendment accept 1 2
    """
    _decide_amendment(ctx, ref, number, accept=True)


@amendment.command("reject")
@click.argument("ref")
@click.argument("number", type=int)
@pass_ctx
@domain_errors
def amendment_reject(ctx: Context, ref: str, number: int) -> None:
    """Reject an amendment.

    \b
    Example:
      resolutions amendment reject 1 3
    """
    _decide_amendment(ctx, ref, number, accept=False)


def _decide_amendment(ctx: Context, ref: str, number: int, *, accept: bool) -> None:
    from workflow.amendments import decide_amendment

    row = decide_amendment(ctx.app(), ref, number, accept)
    click.echo(f"amendment {row.number}: {row.status}")


@cli.command("close-review")
@click.argument("ref")
@click.option("--changes", "outcome", flag_value="changes",
              help="Apply accepted amendments; the resolution goes to revision.")
@click.option("--no-objection", "outcome", flag_value="no-objection",
              help="No changes needed; the resolution goes for approval.")
@pass_ctx
@domain_errors
def close_review(ctx: Context, ref: str, outcome: str | None) -> None:
    """Close the open review round.

    \b
    Example:
      resolutions close-review 1 --changes
      resolutions close-review 1 --no-objection
    """
    from workflow.amendments import close_review as do_close

    if outcome is None:
        raise click.UsageError("choose --changes or --no-objection")
    result = do_close(ctx.app(), ref, changes=outcome == "changes")
    extra = f"; version {result.new_version} made from accepted amendments" if result.new_version else ""
    click.echo(f"{result.symbol}: round {result.round} closed → {result.state}{extra}")


@cli.command()
@click.argument("ref")
@click.option("--by", help="The approver (default: who acts).")
@click.option("--note", default="", help="A remark kept with the approval.")
@click.option("--p12", type=click.Path(exists=True, dir_okay=False),
              help="Sign the approval statement with this key (default: the member's key, if any).")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@pass_ctx
@domain_errors
def approve(ctx: Context, ref: str, by: str | None, note: str, p12: str | None,
            passphrase_file: str | None) -> None:
    """Approve the current version; approved when the workspace rule is met.

    \b
    Example:
      resolutions approve 1 --by li-wei
    """
    from workflow.approval import approve as do_approve
    from workflow.statements import statement_signer_for

    app = ctx.app()
    signer = statement_signer_for(app, by, p12, passphrase_file, _passphrase_prompt)
    result = do_approve(app, ref, by, note, statement_signer=signer)
    signed = " (signed statement)" if result.signed_statement else ""
    click.echo(f"{result.symbol}: approved by {result.member}{signed} → {result.state}; "
               f"{result.progress}")


@cli.command("object")
@click.argument("ref")
@click.option("--by", help="The approver (default: who acts).")
@click.option("--note", required=True, help="Why: the objection goes back to the drafters.")
@pass_ctx
@domain_errors
def object_cmd(ctx: Context, ref: str, by: str | None, note: str) -> None:
    """Object to the current version: back to revision, approvals voided.

    \b
    Example:
      resolutions object 1 --by smirnova --note "OP 4 needs the 2030 date"
    """
    from workflow.approval import object_

    result = object_(ctx.app(), ref, by, note)
    click.echo(f"{result.symbol}: objection by {result.member} → {result.state}")


@cli.command()
@click.argument("ref")
@click.option("--reason", required=True, help="Why the resolution is withdrawn.")
@pass_ctx
@domain_errors
def withdraw(ctx: Context, ref: str, reason: str) -> None:
    """Withdraw a resolution (any state before submission).

    \b
    Example:
      resolutions withdraw 1 --reason "merged into RCWG/RES/2024/2"
    """
    from workflow.lifecycle import withdraw as do_withdraw

    result = do_withdraw(ctx.app(), ref, reason)
    click.echo(f"{result.symbol}: {result.state}")


@cli.command()
@click.argument("ref")
@pass_ctx
@domain_errors
def archive(ctx: Context, ref: str) -> None:
    """Archive an adopted, rejected or withdrawn resolution.

    \b
    Example:
      resolutions archive 1
    """
    from workflow.lifecycle import archive as do_archive

    result = do_archive(ctx.app(), ref)
    click.echo(f"{result.symbol}: {result.state}")


@cli.command()
@click.argument("ref")
@click.option("--ref", "reference", required=True, help="The body's reference for its answer.")
@click.option("--outcome", required=True,
              type=click.Choice(["acknowledged", "adopted", "returned", "rejected"]))
@click.option("--note", default="", help="Anything else the answer said.")
@pass_ctx
@domain_errors
def receipt(ctx: Context, ref: str, reference: str, outcome: str, note: str) -> None:
    """Record the body's answer to a submission.

    \b
    Example:
      resolutions receipt 1 --ref "HC-2024-117" --outcome acknowledged
    """
    from workflow.lifecycle import receipt as do_receipt

    result = do_receipt(ctx.app(), ref, reference=reference, outcome=outcome, note=note)
    click.echo(f"{result.symbol}: {result.state} ({result.message})")


def _passphrase_prompt(label: str) -> bytes:
    return click.prompt(label, hide_input=True).encode("utf-8")


# -- interoperability ---------------------------------------------------------------------
@cli.command("export-akn")
@click.argument("ref")
@click.option("--version", "version", type=int, help="Version number (default: current).")
@click.option("--lang", help="One language expression (default: all, as a collection).")
@click.option("--amendment", type=int, help="Export this amendment record instead.")
@click.option("--country", metavar="CODE",
              help="FRBRcountry of the URIs instead of 'brics' (e.g. a two-letter code "
                   "such as 'xb' for tools that expect a country, like cobalt or Indigo).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The XML file to write.")
@pass_ctx
@domain_errors
def export_akn(ctx: Context, ref: str, version: int | None, lang: str | None,
               amendment: int | None, country: str | None, output: str) -> None:
    """Export a version (or an amendment) as Akoma Ntoso 3.0 XML, validated against the
    OASIS schema.

    \b
    Example:
      resolutions export-akn 1 -o resolution.akn.xml
      resolutions export-akn 1 --lang zh -o resolution.zh.akn.xml
      resolutions export-akn 1 --amendment 2 -o amendment-2.akn.xml
      resolutions export-akn 1 --country xb -o resolution.akn.xml
    """
    from workflow.files import write_atomic
    from workflow.interop import export_akn as build
    from workflow.interop import export_amendment

    if amendment is not None:
        xml = export_amendment(ctx.app(), ref, amendment, country)
    else:
        xml = build(ctx.app(), ref, version, lang, country)
    write_atomic(Path(output), xml)
    click.echo(output)


# -- documents ---------------------------------------------------------------------------
@cli.command()
@click.argument("ref")
@click.option("--stage", required=True, type=click.Choice(
    ["draft", "review", "comment-form", "matrix", "redline", "final", "approval",
     "cover-letter", "certificate", "audit-report", "index"]))
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "all"]),
              help="Default: pdf (docx for the comment form).")
@click.option("--lang", "langs", help="Languages, comma-separated (default: all authentic).")
@click.option("--layout", type=click.Choice(["parallel", "single"]),
              help="Parallel columns or one language (default: parallel for 2–3 languages).")
@click.option("--version", "version", type=int, help="Version number (default: current).")
@click.option("--reviewer", "reviewers", multiple=True, metavar="ID",
              help="For review copies and comment forms (default: the round's reviewers).")
@click.option("-o", "--output", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write into.")
@json_option
@pass_ctx
@domain_errors
def render(ctx: Context, ref: str, stage: str, fmt: str | None, langs: str | None, layout: str | None,
           version: int | None, reviewers: tuple[str, ...], out_dir: str) -> None:
    """Render a stage's documents (PDF via WeasyPrint, DOCX via docxtpl); prints the paths.

    \b
    Example:
      resolutions render 1 --stage draft --format all --lang ru,zh -o out/
      resolutions render 1 --stage review --reviewer petrov -o out/
      resolutions render 1 --stage final --lang en --layout single
    """
    from workflow.rendering import STAGE_FORMATS
    from workflow.rendering import render as do_render

    if fmt is None:
        fmt = STAGE_FORMATS[stage][0]
    formats = ["pdf", "docx"] if fmt == "all" else [fmt]
    lang_list = [x.strip() for x in langs.split(",") if x.strip()] if langs else None
    results = do_render(ctx.app(), ref, stage=stage, formats=formats, languages=lang_list,
                        layout=layout, out_dir=Path(out_dir), version=version,
                        reviewer_ids=list(reviewers) or None)
    emit(ctx, [{"path": str(p), "sha256": r.sha256, "cached": r.cached} for p, r in results],
         lambda: [click.echo(f"{p}{'  (cached)' if r.cached else ''}") for p, r in results])


# -- machine and templates ----------------------------------------------------------------
@cli.command()
@json_option
@pass_ctx
def doctor(ctx: Context) -> None:
    """Check this machine: pango, libharfbuzz-subset0, CJK and Cyrillic fonts, tools.

    Exits 1 when a required check fails; each failure prints its fix.

    \b
    Example:
      resolutions doctor
    """
    from workflow.doctor import run_checks

    checks = run_checks()

    def human() -> None:
        for c in checks:
            mark = "ok  " if c.ok else ("FAIL" if c.required else "warn")
            click.echo(f"{mark} {c.name:<24} {c.detail}")
            if not c.ok:
                click.echo(f"     fix: {c.fix}")

    emit(ctx, [c.to_json() for c in checks], human)
    if any(c.required and not c.ok for c in checks):
        sys.exit(1)


@cli.group()
def templates() -> None:
    """Document templates: list them, check a workspace's overrides."""


@templates.command("list")
@json_option
@pass_ctx
def templates_list(ctx: Context) -> None:
    """List the templates and which ones this workspace overrides (in ./templates/).

    \b
    Example:
      resolutions templates list
    """
    from workflow.template_admin import list_templates
    from workflow.workspace import find

    try:
        override = find(ctx.workspace).root / "templates"
    except Exception:
        override = None
    items = list_templates(override)
    emit(ctx, [t.__dict__ for t in items], lambda: table(
        ["template", "kind", "overridden"],
        [[t.name, t.kind, "yes" if t.overridden else ""] for t in items]))


@templates.command("check")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@json_option
@pass_ctx
def templates_check(ctx: Context, directory: str) -> None:
    """Check template overrides: syntax errors and unknown variables; exit 1 on problems.

    \b
    Example:
      resolutions templates check ./templates
    """
    from workflow.template_admin import check_templates

    problems = check_templates(Path(directory))
    emit(ctx, {"ok": not problems, "problems": problems},
         lambda: click.echo("\n".join(problems) if problems else "templates OK"))
    if problems:
        sys.exit(1)


# -- keys and signatures --------------------------------------------------------------------
def _new_passphrase_prompt(label: str) -> bytes:
    return click.prompt(label, hide_input=True, confirmation_prompt=True).encode("utf-8")


def _passphrase(passphrase_file: str | None, label: str, new: bool = False) -> bytes:
    from workflow.statements import read_passphrase

    return read_passphrase(passphrase_file, _new_passphrase_prompt if new else _passphrase_prompt,
                           label)


@cli.group("keys")
def keys_group() -> None:
    """The working group's CA, members' signing certificates and the trust store."""


@keys_group.command("init-ca")
@click.option("--name", "common_name", help="The CA's common name (default: the group's name + CA).")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help="File whose first line is the CA key's passphrase (default: prompt).")
@json_option
@pass_ctx
@domain_errors
def keys_init_ca(ctx: Context, common_name: str | None, passphrase_file: str | None) -> None:
    """Create the working group's CA (.resolutions/keys/ca/, key encrypted) and trust it.

    \b
    Example:
      resolutions keys init-ca --passphrase-file ~/.rcwg-ca-passphrase
    """
    from workflow.keys import init_ca

    info = init_ca(ctx.app(), _passphrase(passphrase_file, "New CA passphrase", new=True),
                   common_name=common_name)
    emit(ctx, info, lambda: click.echo(f"CA created: {info['ca']}\n"
                                       f"  {info['subject']}\n  SHA-256 {info['sha256']}"))


@keys_group.command("issue")
@click.argument("member_id", metavar="MEMBER")
@click.option("--ca-passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help="File with the CA key's passphrase (default: prompt).")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help="File with the passphrase protecting the new .p12 (default: prompt).")
@click.option("--out", type=click.Path(dir_okay=False),
              help="Where to write the .p12 (default: .resolutions/keys/MEMBER.p12).")
@json_option
@pass_ctx
@domain_errors
def keys_issue(ctx: Context, member_id: str, ca_passphrase_file: str | None,
               passphrase_file: str | None, out: str | None) -> None:
    """Issue a member a signing certificate in a passphrase-protected PKCS#12 file (0600).

    \b
    Example:
      resolutions keys issue li-wei --ca-passphrase-file ca.pass --passphrase-file li-wei.pass
    """
    from workflow.keys import issue

    ca_pass = _passphrase(ca_passphrase_file, "CA passphrase")
    p12_pass = _passphrase(passphrase_file, f"New passphrase for {member_id}'s key", new=True)
    info = issue(ctx.app(), member_id, ca_passphrase=ca_pass, p12_passphrase=p12_pass,
                 out=Path(out) if out else None)
    emit(ctx, info.to_json(), lambda: click.echo(
        f"Issued {info.common_name} ({info.member}): {info.p12_path}\n  SHA-256 {info.fingerprint}"))


@keys_group.command("import")
@click.argument("member_id", metavar="MEMBER")
@click.argument("p12_file", metavar="FILE.p12", type=click.Path(exists=True, dir_okay=False))
@click.option("--chain", type=click.Path(exists=True, dir_okay=False),
              help="PEM file with the issuing CA's certificates, if the .p12 lacks them.")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help="File with the .p12's passphrase (default: prompt).")
@json_option
@pass_ctx
@domain_errors
def keys_import(ctx: Context, member_id: str, p12_file: str, chain: str | None,
                passphrase_file: str | None) -> None:
    """Register a member's certificate from another CA; its chain joins the trust store.

    \b
    Example:
      resolutions keys import li-wei li-wei-cfca.p12 --passphrase-file li-wei.pass
    """
    from workflow.keys import import_p12

    info = import_p12(ctx.app(), member_id, Path(p12_file),
                      _passphrase(passphrase_file, f"Passphrase for {Path(p12_file).name}"),
                      Path(chain) if chain else None)
    emit(ctx, info.to_json(), lambda: click.echo(
        f"Registered {info.common_name} for {info.member}\n  issuer {info.issuer}\n"
        f"  SHA-256 {info.fingerprint}"))


@keys_group.command("list")
@json_option
@pass_ctx
@domain_errors
def keys_list(ctx: Context) -> None:
    """Registered certificates and the trust store.

    \b
    Example:
      resolutions keys list --json
    """
    from workflow.keys import list_keys

    data = list_keys(ctx.app())
    emit(ctx, data, lambda: (
        click.echo(f"CA: {data['ca'] or 'none (resolutions keys init-ca)'}; "
                   f"trust store: {len(data['trust'])} certificate(s)"),
        table(["member", "name", "issuer", "sha256", "expires", "key file"],
              [[k["member"], k["common_name"], k["issuer"], k["fingerprint"][:16] + "…",
                k["not_after"][:10], k["p12_path"]] for k in data["certificates"]])))


@cli.command("sign")
@click.argument("ref")
@click.option("--by", help="The signatory (default: who acts).")
@click.option("--p12", type=click.Path(exists=True, dir_okay=False),
              help="The signatory's key (default: the one registered for them).")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
              help="File with the key's passphrase (default: prompt).")
@json_option
@pass_ctx
@domain_errors
def sign_cmd(ctx: Context, ref: str, by: str | None, p12: str | None,
             passphrase_file: str | None) -> None:
    """Sign the approved text (PAdES, visible block in your slot; DOCX gets a .p7s).

    \b
    Example:
      resolutions sign 1 --by li-wei --passphrase-file li-wei.pass
    """
    from workflow.keys import KeyRequest
    from workflow.signing import sign

    key = KeyRequest(p12, _passphrase(passphrase_file, "Passphrase for your key"))
    result = sign(ctx.app(), ref, by, key)
    left = f"; still missing: {', '.join(result.missing)}" if result.missing else ""
    emit(ctx, result.to_json(), lambda: click.echo(
        f"{result.symbol}: signed by {result.member}"
        f"{' (certifying)' if result.certification else ''} → {result.state}{left}"))


@cli.group("signatures")
def signatures_group() -> None:
    """Signatures made outside the workspace, and the signed files."""


@signatures_group.command("import")
@click.argument("ref")
@click.argument("pdf_file", metavar="FILE.pdf", type=click.Path(exists=True, dir_okay=False))
@json_option
@pass_ctx
@domain_errors
def signatures_import(ctx: Context, ref: str, pdf_file: str) -> None:
    """Record signatures added elsewhere (e.g. Acrobat) to our latest PDF.

    \b
    Example:
      resolutions signed-files 1 -o out/ && resolutions signatures import 1 signed.pdf
    """
    from workflow.signing import import_signed

    results = import_signed(ctx.app(), ref, Path(pdf_file).read_bytes())
    emit(ctx, [r.to_json() for r in results], lambda: [click.echo(
        f"{r.symbol}: signature of {r.member} imported → {r.state}") for r in results])


@cli.command("signed-files")
@click.argument("ref")
@click.option("-o", "--output", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Folder to write into.")
@json_option
@pass_ctx
@domain_errors
def signed_files(ctx: Context, ref: str, out_dir: str) -> None:
    """Write the latest signed PDF, the DOCX, its .p7s files and the certificate.

    Before the first signature this writes the approved PDF to be signed elsewhere.

    \b
    Example:
      resolutions signed-files 1 -o signed/
    """
    from workflow.signing_files import export_signed_files

    written = export_signed_files(ctx.app(), ref, Path(out_dir))
    emit(ctx, [{"path": str(p), "kind": k} for p, k in written],
         lambda: [click.echo(str(p)) for p, _ in written])


@cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--trust", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Trusted CA certificate(s), PEM (default: the workspace trust store).")
@click.option("--p7s", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Detached signature(s) of FILE (default: FILE.p7s and FILE.*.p7s).")
@json_option
@pass_ctx
@domain_errors
def verify_cmd(ctx: Context, file: str, trust: tuple[str, ...], p7s: tuple[str, ...]) -> None:
    """Verify a signed PDF, or a file by its .p7s; exit 1 unless every signature holds.

    Works outside a workspace with --trust.

    \b
    Example:
      resolutions verify RCWG-RES-2024-1_v2_signed.pdf --trust rcwg-ca.pem --json
    """
    from workflow.signing_verify import verify_file

    report = verify_file(Path(file), trust=[Path(t) for t in trust], workspace=ctx.workspace,
                         p7s=[Path(x) for x in p7s])

    def human() -> None:
        for s in report["signatures"]:
            signer = s["signer"]
            extra = (f" {s['field_name']} modification={s['modification_level']}"
                     f"{' certification' if s['certification'] else ''}"
                     if "field_name" in s else f" {s['p7s']}")
            click.echo(f"{'OK  ' if s['ok'] else 'FAIL'} {signer['common_name']} "
                       f"({signer['member_id'] or '?'}) {s['signing_time'] or ''}"
                       f" intact={s['intact']} trusted={s['trusted']}{extra}")
            for problem in s["problems"]:
                click.echo(f"     {problem}")
        for problem in report.get("problems", []):
            click.echo(f"FAIL {problem}")
        click.echo(f"{file}: {'all ' + str(report['signature_count']) + ' signature(s) valid' if report['ok'] else 'NOT VALID'}")

    emit(ctx, report, human)
    if not report["ok"]:
        sys.exit(1)


# -- delivery and submission --------------------------------------------------------------
@cli.group(invoke_without_command=True)
@click.option("--status", "status_", type=click.Choice(["queued", "sending", "sent", "failed"]),
              help="Only messages in this state.")
@json_option
@pass_ctx
@click.pass_context
def outbox(click_ctx: click.Context, ctx: Context, status_: str | None) -> None:
    """The outbox: every message as an .eml file, and whether it was sent.

    \b
    Example:
      resolutions outbox
      resolutions outbox --status failed --json
      resolutions outbox retry
    """
    if click_ctx.invoked_subcommand is not None:
        return
    _outbox_list(ctx, status_)


@domain_errors
def _outbox_list(ctx: Context, status_: str | None) -> None:
    from workflow.outbox import list_messages

    rows = list_messages(ctx.app(), status_)
    emit(ctx, {"messages": [r.to_json() for r in rows]},
         lambda: table(["id", "kind", "to", "subject", "status", "tries", "error", "file"],
                       [[r.id, r.kind, r.recipient, r.subject, r.status, r.attempts,
                         r.error or "—", r.eml_path] for r in rows], title="outbox"))


def _print_sent(ctx: Context, results: list[Any]) -> None:
    sent = sum(1 for r in results if r.status == "sent")
    failed = [r for r in results if r.status != "sent"]
    data = {"sent": sent, "failed": len(failed), "results": [r.__dict__ for r in results]}

    def human() -> None:
        if not results:
            click.echo("nothing to send")
            return
        click.echo(f"{sent} sent, {len(failed)} failed")
        for r in failed:
            click.echo(f"  message {r.id} to {r.recipient}: {r.error}")

    emit(ctx, data, human)
    if failed:
        sys.exit(1)


@outbox.command("send")
@json_option
@pass_ctx
@domain_errors
def outbox_send(ctx: Context) -> None:
    """Send the queued messages through the SMTP server of [delivery].

    \b
    Example:
      resolutions outbox send
    """
    from workflow.outbox import send

    _print_sent(ctx, send(ctx.app()))


@outbox.command("retry")
@click.option("--id", "ids", multiple=True, type=int, help="Only this message (repeatable).")
@json_option
@pass_ctx
@domain_errors
def outbox_retry(ctx: Context, ids: tuple[int, ...]) -> None:
    """Send queued and failed messages again (a sent message is never sent twice).

    \b
    Example:
      resolutions outbox retry
      resolutions outbox retry --id 3
    """
    from workflow.outbox import send

    _print_sent(ctx, send(ctx.app(), retry=True, ids=list(ids) or None))


@cli.command()
@click.argument("ref")
@click.option("--to", "body_code", required=True, help="The body's code; see 'body list'.")
@click.option("--meeting", help="Date of the body's meeting (YYYY-MM-DD): checks the lead time.")
@click.option("--send", "send_now", is_flag=True, help="Send the message now (needs SMTP).")
@json_option
@pass_ctx
@domain_errors
def submit(ctx: Context, ref: str, body_code: str, meeting: str | None, send_now: bool) -> None:
    """Check the body's requirements, build the package and queue it to the body.

    \b
    Example:
      resolutions submit 1 --to brics-higher-council --meeting 2024-11-20
      resolutions submit 1 --to brics-higher-council --send
    """
    from workflow.submission import submit as do_submit

    result = do_submit(ctx.app(), ref, body_code, meeting=_parse_date(meeting), send_now=send_now)
    data = {"symbol": result.symbol, "body": result.body, "submission": result.number,
            "state": result.state, "folder": str(result.folder), "zip": str(result.zip_path),
            "package_sha256": result.package_sha256, "files": result.files,
            "message": result.message, "message_status": result.message_status,
            "error": result.error}

    def human() -> None:
        click.echo(f"{result.symbol}: submission {result.number} to {result.body} → "
                   f"{result.state}")
        click.echo(f"  package {result.zip_path} (sha256 {result.package_sha256[:16]}…)")
        for f in result.files:
            click.echo(f"    {f['name']}  {f['size']} bytes")
        extra = f": {result.error}" if result.error else ""
        click.echo(f"  message {result.message}: {result.message_status}{extra}")

    emit(ctx, data, human)


@cli.command()
@click.argument("ref")
@json_option
@pass_ctx
@domain_errors
def submissions(ctx: Context, ref: str) -> None:
    """The submissions of a resolution, with their packages and the bodies' receipts.

    \b
    Example:
      resolutions submissions 1 --json
    """
    from workflow.submission import list_submissions

    symbol, rows = list_submissions(ctx.app(), ref)
    emit(ctx, {"symbol": symbol, "submissions": [r.to_json() for r in rows]},
         lambda: table(["no.", "body", "version", "submitted", "package", "sha256", "message",
                        "receipt", "outcome"],
                       [[r.number, r.body, r.version, r.submitted_at, r.package_path,
                         r.package_sha256[:16], r.message_status, r.receipt_ref or "—",
                         r.outcome or "—"] for r in rows], title=symbol))


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


@cli.command()
@click.argument("directory", required=False, default="demo-workspace",
                type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Delete DIRECTORY first if it exists.")
@pass_ctx
@domain_errors
def demo(ctx: Context, directory: str, force: bool) -> None:
    """Play the seed scenario end to end in a fresh workspace, then list the artefacts.

    The Russian–Chinese working group on microelectronics (round table of 26 September
    2024) drafts a trilingual resolution for the Higher Council of BRICS: draft →
    review by 2 reviewers → comment form + amendments → revision → translations confirmed
    → second round → approvals → 3 signatures → submission → receipt → dossier → verify.

    \b
    Example:
      resolutions demo                      # into ./demo-workspace
      resolutions demo /tmp/wg --force
    """
    from workflow.demo import play

    click.echo(f"brics-resolutions demo → {Path(directory).resolve()}")
    result = play(Path(directory), _run_in_process, force=force, echo=click.echo)
    table(["path", "kind", "pages", "size", "sha256"],
          [[a.path, a.kind, a.pages or "", f"{a.size:,}", a.sha256] for a in result.artefacts],
          title=f"{result.symbol}: artefacts")
    click.echo(f"dossier verify: {result.verdict}")


# -- dossier -----------------------------------------------------------------------------
@cli.group()
def dossier() -> None:
    """The archivist's dossier: one BagIt bag, verifiable with nothing but itself."""


def _progress_bar(ctx: Context) -> Any:
    """A rich progress bar on a terminal (None with --json or when not a terminal)."""
    if ctx.json or not sys.stderr.isatty():
        return None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
                    transient=True, console=None)


@dossier.command("export")
@click.argument("refs", nargs=-1, metavar="REF...")
@click.option("--all", "everything", is_flag=True, help="Export every resolution.")
@click.option("-o", "--output", required=True, type=click.Path(),
              help="The bag folder to create (or the .zip file with --zip); must not exist.")
@click.option("--zip", "as_zip", is_flag=True, help="Write the bag as one ZIP file.")
@click.option("--workers", type=click.IntRange(1, 64),
              help="Processes rendering missing documents (default: 2 or the core count).")
@json_option
@pass_ctx
@domain_errors
def dossier_export(ctx: Context, refs: tuple[str, ...], everything: bool, output: str,
                   as_zip: bool, workers: int | None) -> None:
    """Export resolutions as one BagIt bag: versions, review, approvals, signatures,
    submissions, audit log, metadata and trust anchors (layout: docs/DOSSIER.md).

    \b
    Example:
      resolutions dossier export 1 -o dossier-2024-1
      resolutions dossier export --all --zip -o archive/rcwg-2024.zip --workers 2
    """
    from workflow.dossier import export_dossier

    if bool(refs) == everything:
        raise click.UsageError("give REF... or --all (not both)")
    bar = _progress_bar(ctx)
    tasks: dict[str, Any] = {}

    def progress(step: str, done: int, total: int) -> None:
        if bar is None:
            return
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=total)
        bar.update(tasks[step], completed=done, total=total)

    if bar is not None:
        with bar:
            result = export_dossier(ctx.app(), list(refs), Path(output), everything=everything,
                                    as_zip=as_zip, workers=workers, progress=progress)
    else:
        result = export_dossier(ctx.app(), list(refs), Path(output), everything=everything,
                                as_zip=as_zip, workers=workers)
    emit(ctx, result.to_json(), lambda: click.echo(
        f"{result.path}: {len(result.resolutions)} resolution(s), {result.files} files, "
        f"{result.octets:,} bytes; {result.rendered} rendered, {result.cached} from the "
        f"cache ({result.workers} worker(s), {result.seconds:.1f} s)"))


@dossier.command("verify")
@click.argument("path", type=click.Path(exists=True))
@json_option
@pass_ctx
@domain_errors
def dossier_verify(ctx: Context, path: str) -> None:
    """Verify a dossier with nothing but the bag: every checksum, the audit chain, every
    signature against the bag's trust anchors; exit 1 naming each problem and its file.

    \b
    Example:
      resolutions dossier verify dossier-2024-1
      resolutions dossier verify archive/rcwg-2024.zip --json
    """
    from workflow.dossier import verify_dossier

    report = verify_dossier(Path(path))

    def human() -> None:
        for problem in report.problems:
            click.echo(f"PROBLEM: {problem}")
        counts = ", ".join(f"{n} {what}" for what, n in sorted(report.checked.items()))
        click.echo(f"dossier intact: {counts}" if report.ok else
                   f"dossier NOT intact: {len(report.problems)} problem(s)")

    emit(ctx, report.to_json(), human)
    if not report.ok:
        sys.exit(1)
