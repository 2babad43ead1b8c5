"""``resolutions.toml`` as one typed object: :class:`Settings`, parsed and validated once
when the workspace is opened (:func:`parse`). Every reader below takes its value from
here — the approval rule, the required signatories, the timestamp authority, the SMTP
server, the bodies — so each default is written once, in this module.

A value that cannot be used is refused with the file, the line and the key, and what to
write instead (:class:`ConfigError`). Secrets are never here: the SMTP password comes from
the environment, which only ``cli.py`` reads.

The settings are named tuples, not dataclasses: every command opens its workspace, and
defining a frozen dataclass (and importing the module) costs a command's start several
times as much.
"""

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from workflow.errors import WorkspaceError

__all__ = ["Settings", "Group", "Signatures", "Delivery", "SmtpSettings", "Body",
           "ConfigError", "parse", "APPROVAL_RULES", "SECURITY", "DEFAULT_PATTERN", "Table"]

#: a TOML table as ``tomllib`` reads it: each value is checked where it is read
Table = Mapping[str, object]

APPROVAL_RULES = ("all", "majority", "each-delegation")
SECURITY = ("starttls", "ssl", "none")
DEFAULT_PATTERN = "{prefix}/RES/{year}/{number}"
_MEMBER = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_URL = re.compile(r"^https?://[^\s\"]+$")


class ConfigError(WorkspaceError):
    """A value of resolutions.toml that cannot be used: the file, line and key say where."""

    def __init__(self, path: Path, line: int | None, key: str, problem: str) -> None:
        self.path, self.line, self.key = path, line, key
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {key}: {problem}")


class Body(NamedTuple):
    """A BRICS body resolutions are submitted to."""

    code: str
    names: dict[str, str]
    enacting: dict[str, str]
    address: str
    languages: tuple[str, ...]
    signatures: tuple[str, ...]
    lead_days: int
    #: the body's whole table: grammatical forms (``dative.ru``), conventions (``style``,
    #: ``ru_openers``, ``latin_names``) read by the documents addressed to it
    options: Table

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names.get("en") or self.code

    def forms(self, key: str) -> dict[str, str]:
        """A table of texts by language among the options (``dative``: the body after
        "transmit to"); an option that is no table counts as none."""
        value = self.options.get(key, {})
        return ({str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping)
                else {})

    def missing(self, languages: tuple[str, ...] | list[str]) -> list[str]:
        """The keys this body lacks for texts in ``languages`` (``name.ar``, ``enacting.ar``):
        a document would print an empty cell or the body's code in their place."""
        return [f"{key}.{lang}" for lang in languages
                for key, table in (("name", self.names), ("enacting", self.enacting))
                if not str(table.get(lang, "")).strip()]

    def must_cover(self, languages: tuple[str, ...] | list[str], where: str = "") -> None:
        """Refuse (``WorkspaceError``) when the body lacks its name or enacting formula in
        one of ``languages``; the message names the keys to add and where."""
        lacking = self.missing(languages)
        if lacking:
            prefix = f"{where}: " if where else ""
            raise WorkspaceError(
                f"{prefix}the body {self.code!r} has no {', '.join(lacking)}; a resolution in "
                f"{', '.join(languages)} prints its name and enacting formula in each — add "
                + ", ".join(f'{key} = "…"' for key in lacking)
                + f" under [bodies.{self.code}] in resolutions.toml")


class Group(NamedTuple):
    name: str
    names: Mapping[str, str]          # by language, English first
    prefix: str
    languages: tuple[str, ...]
    approval_rule: str
    address: str = ""                 # the working group's postal address (bag-info.txt)


class Signatures(NamedTuple):
    required: tuple[str, ...] = ()    # member ids whose signatures every resolution needs
    timestamp_url: str = ""           # RFC 3161 timestamp authority ('' : PAdES B-B)
    crl_url: str = ""                 # where issued certificates say the CRL is
    location: str = ""                # the signature's location field


class SmtpSettings(NamedTuple):
    host: str
    port: int
    security: str  # starttls | ssl | none
    user: str = ""
    timeout: float = 30.0


class Delivery(NamedTuple):
    smtp: SmtpSettings | None = None  # None: messages stay in the outbox
    sender: str = ""                  # [delivery] from ('' : the secretary's address)
    #: [delivery] authserv_id: the receiving server whose Authentication-Results a returned
    #: reply must carry ('' : not asked)
    authserv_id: str = ""


class Settings(NamedTuple):
    """The whole of resolutions.toml, typed."""

    path: Path
    group: Group
    numbering_pattern: str
    signatures: Signatures
    delivery: Delivery
    bodies: Mapping[str, Body]
    parity_thresholds: Table | None = None
    #: the parsed file as written (the audit chain binds it, :mod:`workflow.store.settings`)
    raw: Table = MappingProxyType({})

    def symbol_for(self, number: int, year: int) -> str:
        return self.numbering_pattern.format(prefix=self.group.prefix, year=year, number=number)


class _Source:
    """The file's text, to say on which line a key is."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.lines = path, text.splitlines()

    def line_of(self, table: str, key: str) -> int | None:
        current = ""
        head = key.split(".")[0]
        for number, raw in enumerate(self.lines, start=1):
            line = raw.split("#", 1)[0].strip()
            header = re.match(r"^\[\s*([^\]]+?)\s*\]$", line)
            if header:
                current = header.group(1).replace('"', "")
                if not key and current == table:
                    return number
                continue
            name = re.match(r"^([A-Za-z0-9_.\"-]+)\s*=", line)
            if name and current == table and name.group(1).replace('"', "").split(".")[0] == head:
                return number
        return None

    def error(self, table: str, key: str, problem: str) -> ConfigError:
        name = f"[{table}] {key}" if table and key else (f"[{table}]" if table else key)
        return ConfigError(self.path, self.line_of(table, key), name, problem)


def _table(source: _Source, data: Table, name: str) -> dict[str, object]:
    value = data.get(name, {})
    if not isinstance(value, Mapping):
        raise source.error("", name, f"is a value, not a table; write it as [{name}]")
    return dict(value)


def _text(source: _Source, table: str, data: Table, key: str, default: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise source.error(table, key, f"must be text in quotes, not {value!r}")
    return value


def _texts(source: _Source, table: str, data: Table, key: str,
           default: tuple[str, ...]) -> tuple[str, ...]:
    value = data.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise source.error(table, key, f"must be a list of text, e.g. {key} = [\"ru\", \"zh\"]")
    return tuple(value)


def _group(source: _Source, data: Table, root: Path) -> Group:
    table = _table(source, data, "working_group")
    name = _text(source, "working_group", table, "name", root.name)
    names = {"en": name}
    for key, value in table.items():
        if key.startswith("name_") and isinstance(value, str) and value:
            names[key.removeprefix("name_")] = value
    rule = _text(source, "working_group", table, "approval_rule", "each-delegation")
    if rule not in APPROVAL_RULES:
        raise source.error("working_group", "approval_rule",
                           f"{rule!r} is not one of {', '.join(APPROVAL_RULES)}")
    return Group(name, names, _text(source, "working_group", table, "prefix", "WG"),
                 _texts(source, "working_group", table, "languages", ("ru", "zh", "en")), rule,
                 _text(source, "working_group", table, "address", ""))


def _signatures(source: _Source, data: Table) -> Signatures:
    table = _table(source, data, "signatures")
    required = _texts(source, "signatures", table, "required", ())
    for member in required:
        if not _MEMBER.match(member):
            raise source.error("signatures", "required", f"{member!r} is not a member id")
    url = _text(source, "signatures", table, "timestamp_url", "")
    if url and not _URL.match(url):
        raise source.error("signatures", "timestamp_url",
                           f"{url!r} is not an http(s) address of an RFC 3161 timestamp authority")
    return Signatures(required, url, _text(source, "signatures", table, "crl_url", ""),
                      _text(source, "signatures", table, "location", ""))


def _smtp_value(table: Table, key: str, default: object) -> tuple[str, object]:
    """``smtp_host`` or ``host``: both spellings are accepted (the key as written)."""
    for name in (f"smtp_{key}", key):
        if name in table:
            return name, table[name]
    return f"smtp_{key}", default


def _delivery(source: _Source, data: Table) -> Delivery:
    table = _table(source, data, "delivery")
    secret = next((key for key in table if "password" in key.lower()), None)
    if secret:  # the file is shared and versioned; a password in it would leak
        raise source.error("delivery", secret, "a password is never kept in the workspace "
                           "file; delete the line and set RESOLUTIONS_SMTP_PASSWORD in the "
                           "environment")
    sender = _text(source, "delivery", table, "from", "")
    authserv = _text(source, "delivery", table, "authserv_id", "")
    _, host = _smtp_value(table, "host", "")
    if not isinstance(host, str) or not host.strip():
        return Delivery(None, sender, authserv)
    key, security = _smtp_value(table, "security", "starttls")
    security = str(security).lower()
    if security not in SECURITY:
        raise source.error("delivery", key, f"{security!r} is not one of {', '.join(SECURITY)}")
    key, port = _smtp_value(table, "port", 465 if security == "ssl" else 587)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise source.error("delivery", key, f"{port!r} is not a port number (e.g. 587)")
    key, timeout = _smtp_value(table, "timeout", 30)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise source.error("delivery", key, f"{timeout!r} is not a number of seconds")
    key, user = _smtp_value(table, "user", "")
    if not isinstance(user, str):
        raise source.error("delivery", key, f"must be text in quotes, not {user!r}")
    return Delivery(SmtpSettings(host.strip(), port, security, user, float(timeout)), sender,
                    authserv)


def _bodies(source: _Source, data: Table, shipped: Table) -> dict[str, Body]:
    """The shipped registry, extended or overridden by ``[bodies.CODE]`` here."""
    registry = shipped.get("bodies", {})
    merged: dict[str, dict[str, object]] = {
        str(k): dict(v) for k, v in registry.items() if isinstance(v, Mapping)
    } if isinstance(registry, Mapping) else {}
    for code, extra in _table(source, data, "bodies").items():
        if not isinstance(extra, Mapping):
            raise source.error("bodies", code, f"write the body as a table: [bodies.{code}]")
        merged.setdefault(code, {}).update(extra)
    out = {}
    for code, raw in merged.items():
        table = f"bodies.{code}"
        names = _by_language(source, table, raw, "name")
        if not names:
            raise source.error(table, "", f"body {code!r} has no name; add name.en = \"…\" "
                               f"under [bodies.{code}]")
        lead = raw.get("lead_days", 0)
        if not isinstance(lead, int) or isinstance(lead, bool) or lead < 0:
            raise source.error(table, "lead_days", f"{lead!r} is not a number of days")
        out[code] = Body(
            code=code, names=names,
            # an English formula can be made from the name; no other language's can
            enacting=({"en": f"The {names['en']},"} if names.get("en") else {})
            | _by_language(source, table, raw, "enacting"),
            address=_text(source, table, raw, "address", ""),
            languages=_texts(source, table, raw, "languages", ("en",)),
            signatures=_texts(source, table, raw, "signatures", ("any",)),
            lead_days=lead, options=raw)
    return out


def _by_language(source: _Source, table: str, data: Table, key: str) -> dict[str, str]:
    """A table of texts by language (``name.en = "…"``)."""
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise source.error(table, key, f"write it by language, e.g. {key}.en = \"…\"")
    return {str(lang): str(text) for lang, text in value.items()}


def read_toml(path: Path, text: str) -> Table:
    """``text`` (the file at ``path``) as ``tomllib`` reads it; a syntax error refused with
    its line."""
    import tomllib  # a command whose settings are kept parsed never imports it

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, getattr(exc, "lineno", None), "TOML",
                          f"{exc}; fix the file (it is TOML)") from None


def parse(path: Path, text: str, shipped_bodies: Table, data: Table | None = None
          ) -> Settings:
    """The settings of the workspace file at ``path`` holding ``text``; ``data``: the file
    as ``tomllib`` reads it, when it was read before (every value is checked here alike)."""
    source = _Source(path, text)
    if data is None:
        data = read_toml(path, text)
    numbering = _table(source, data, "numbering")
    pattern = _text(source, "numbering", numbering, "pattern", DEFAULT_PATTERN)
    try:
        pattern.format(prefix="WG", year=2024, number=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise source.error("numbering", "pattern", f"{pattern!r} cannot be filled ({exc}); "
                           "use {prefix}, {year} and {number}") from None
    parity = _table(source, data, "parity").get("length_ratio")
    if parity is not None and not isinstance(parity, Mapping):
        raise source.error("parity", "length_ratio", "write the thresholds as a table")
    return Settings(path, _group(source, data, path.parent), pattern, _signatures(source, data),
                    _delivery(source, data), _bodies(source, data, shipped_bodies),
                    dict(parity) if parity is not None else None, data)
