"""The hot commands' parameters, declared once as data (:data:`HOT`: ``cli`` hands the same
declarations to click), and :func:`parse`, which reads a command line as click reads it or
declines it (click then reads it)."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from typing import Any

__all__ = ["EVIDENCE_HELP", "HEAVY", "HOT", "STATEMENT_HELP", "Param", "Parsed", "argument",
           "option", "parse"]


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
        if self.attrs.get("file"):  # click.Path(exists=True, dir_okay=False): click tells
            try:                      # what is wrong with it
                mode = os.stat(value).st_mode
            except (OSError, ValueError):
                raise ValueError(value) from None
            if stat.S_ISDIR(mode) or not os.access(value, os.R_OK):
                raise ValueError(value)
            return value
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
    ("amendment", "accept"): (argument("ref"), argument("number", type=int)),
    ("amendment", "reject"): (argument("ref"), argument("number", type=int)),
    ("close-review",): (
        argument("ref"),
        option("--changes", is_flag=True,
               help="Apply accepted amendments; the resolution goes to revision."),
        option("--no-objection", is_flag=True,
               help="No changes needed; the resolution goes for approval."),
        option("--force", is_flag=True,
               help="Close although some comments have no disposition (needs --reason)."),
        option("--reason", default="", help="Why the round closes with comments undecided."),
    ),
    ("object",): (
        argument("ref"),
        option("--by", help="The approver (default: who acts)."),
        option("--note", required=True, help="Why: the objection goes back to the drafters."),
        option("--evidence", file=True, help=EVIDENCE_HELP),
        option("--signed-statement", file=True, help=STATEMENT_HELP),
    ),
    ("withdraw",): (
        argument("ref"),
        option("--reason", required=True, help="Why the resolution is withdrawn."),
    ),
    ("member", "add"): (
        argument("member_id"),
        option("--name", required=True, help="Full name as written in the member's language."),
        option("--name-en", help="Name in English (Latin script)."),
        option("--name-ru", help="Name in Russian."),
        option("--name-zh", help="Name in Chinese."),
        option("--name-in", "names_in", multiple=True, metavar="LANG=NAME",
               help="Name in another language, e.g. ar=… (repeatable)."),
        option("--org", default="", help="Organisation."),
        option("--delegation", default="", help="Delegation code, e.g. ru or zh."),
        option("--email", default="", help="E-mail address for review copies."),
        option("--lang", help="Language of the documents sent to them (default: their "
               "delegation's language, e.g. ru for ru, pt for br; else en)."),
        option("--role", "roles", multiple=True, metavar="ROLE",
               help="secretary, reviewer, approver, signatory, archivist, drafter "
               "(repeatable)."),
        option("--password-file", file=True,
               help="PostgreSQL: the member's first database password, the file's first "
               "line (give it to them by a separate channel; they change it)."),
    ),
    ("new",): (
        argument("file", required=False, file=True),
        option("--title", help="Start an empty resolution with this title."),
        option("--body", "body_code", help="The BRICS body (with --title); see 'body list'."),
        option("--lang", help="Language of --title or of --from-docx (default: the first "
               "workspace language)."),
        option("--from-docx", file=True, help="Import a Word draft."),
    ),
    ("edit",): (
        argument("ref"),
        argument("file", required=False, file=True),
        option("--note", default="", help="What changed (kept with the version)."),
        option("--from-docx", file=True,
               help="Bring in one language from a Word draft (with --lang)."),
        option("--lang", help="The language of --from-docx."),
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
