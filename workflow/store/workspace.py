"""The workspace: a folder with ``resolutions.toml`` and ``.resolutions/``.

Commands find it like git finds a repository: ``--workspace`` (or
``RESOLUTIONS_WORKSPACE``, which the command line reads), then the nearest parent folder of
the current directory that holds ``resolutions.toml``. A database URL given when it is
found (``RESOLUTIONS_DATABASE_URL`` on the command line) points the workspace at a shared
PostgreSQL database instead of its own SQLite file. The file itself is parsed once into
:class:`workflow.store.config.Settings`.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.errors import WorkspaceError
from workflow.store.config import APPROVAL_RULES, Body, Settings, Table, parse, read_toml
from workflow.store.keep import keep_json

if TYPE_CHECKING:
    from workflow.store.blobs import FileStore

__all__ = ["Workspace", "Body", "CONFIG_NAME", "STATE_DIR", "find", "create", "APPROVAL_RULES"]

CONFIG_NAME = "resolutions.toml"
STATE_DIR = ".resolutions"

#: the registry of BRICS bodies shipped with the package
SHIPPED_BODIES = Path(__file__).resolve().parents[1] / "bodies.toml"
#: the two TOML files as read, kept under the state folder (:func:`_settings`)
SETTINGS_KEPT = "settings.json"
_KEPT_FORMAT = "1"


@functools.cache
def _shipped_bodies() -> Table:
    """The registry shipped in workflow/bodies.toml, read once per process."""
    return read_toml(SHIPPED_BODIES, SHIPPED_BODIES.read_text("utf-8"))


class Workspace:
    """A workspace folder, its settings (parsed once) and the database it uses (its own
    SQLite file unless ``database_url`` names another). A plain class: every command
    opens one, and a dataclass costs its start the import of ``dataclasses``."""

    def __init__(self, root: Path, settings: Settings, database_url: str = "") -> None:
        self.root = root
        self.settings = settings
        self.database_url = database_url or f"sqlite:///{root / STATE_DIR / 'resolutions.db'}"

    def __repr__(self) -> str:
        return f"Workspace(root={self.root!r}, database_url={self.database_url!r})"

    @property
    def config(self) -> Table:
        """The file as parsed (for what binds it to the audit chain)."""
        return self.settings.raw

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def store_dir(self) -> Path:
        return self.state_dir / "store"

    @property
    def outbox_dir(self) -> Path:
        return self.state_dir / "outbox"

    def private_dir(self, path: Path) -> Path:
        """``path`` (a folder under ``.resolutions``) made, and readable by the owner only,
        with ``.resolutions`` itself (0700)."""
        path.mkdir(parents=True, exist_ok=True)
        for folder in (self.state_dir, path):
            if folder.stat().st_mode & 0o077:
                folder.chmod(0o700)
        return path

    @property
    def keys_dir(self) -> Path:
        """``.resolutions/keys``; on a shared deployment its public files (trust store, CA
        certificate and CRL, seal certificate) are first brought up to date."""
        self.files.sync_keys()
        return self.state_dir / "keys"

    @functools.cached_property
    def files(self) -> FileStore:
        """The workspace's files: this folder, and on PostgreSQL the shared store behind it
        (:mod:`workflow.store.blobs`)."""
        from workflow.store.blobs import FileStore

        return FileStore(self.root, self.database_url)

    @property
    def name(self) -> str:
        return self.settings.group.name

    @property
    def prefix(self) -> str:
        return self.settings.group.prefix

    @property
    def languages(self) -> tuple[str, ...]:
        return self.settings.group.languages

    @property
    def approval_rule(self) -> str:
        return self.settings.group.approval_rule

    @property
    def group_names(self) -> dict[str, str]:
        return dict(self.settings.group.names)

    def symbol_for(self, number: int, year: int) -> str:
        return self.settings.symbol_for(number, year)

    def bodies(self) -> Mapping[str, Body]:
        """The shipped registry, extended or overridden by ``[bodies.CODE]`` here."""
        return self.settings.bodies

    def body(self, code: str) -> Body:
        bodies = self.bodies()
        if code not in bodies:
            raise WorkspaceError(f"unknown body {code!r}; known bodies: {', '.join(sorted(bodies))} "
                                 f"(add one under [bodies.{code}] in {CONFIG_NAME})")
        return bodies[code]


def _load(root: Path, database_url: str | None = None) -> Workspace:
    path = root / CONFIG_NAME
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path} cannot be read: {exc}") from None
    return Workspace(root, _settings(root / STATE_DIR, path, text), database_url or "")


def _settings(state_dir: Path, path: Path, text: str) -> Settings:
    """The settings of ``text`` (the file at ``path``), every value checked on every start.

    What ``tomllib`` reads from this file and from the shipped registry is kept in
    ``.resolutions/settings.json`` with both texts, and read back as JSON when they are
    the same texts: importing ``tomllib`` and reading the registry cost a command's start
    ≈ 5 ms, the JSON ≈ 0.2 ms (the texts are compared whole: a digest would cost the start
    the import of ``hashlib``). The kept copy is no authority: it is used only for the very
    texts it was read from (a changed file, a changed registry, an unreadable or foreign
    entry: read again), anyone who can write it can write ``resolutions.toml`` itself
    (whose ``[bodies.CODE]`` overrides the registry), and a file JSON cannot hold (a TOML
    date) is simply not kept."""
    texts = [_KEPT_FORMAT, text, SHIPPED_BODIES.read_text("utf-8")]
    kept_path = state_dir / SETTINGS_KEPT
    try:
        kept = json.loads(kept_path.read_text("utf-8"))
        if kept["texts"] == texts and isinstance(kept["file"], dict) and \
                isinstance(kept["bodies"], dict):
            return parse(path, text, kept["bodies"], data=kept["file"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # none kept, or not what this module writes: read the files
    settings = parse(path, text, _shipped_bodies())
    if state_dir.is_dir():  # (a folder being made, or one that is not a workspace yet: none)
        keep_json(kept_path, {"texts": texts, "file": dict(settings.raw),
                              "bodies": _shipped_bodies()})
    return settings


def find(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None, *,
         database_url: str | None = None) -> Workspace:
    """The workspace named explicitly, or the nearest one above the current folder; its
    database is ``database_url`` when given (a shared PostgreSQL), else its own SQLite
    file. (The command line fills both from the environment.)"""
    if explicit:
        root = Path(explicit).expanduser().resolve()
        if not (root / CONFIG_NAME).is_file():
            raise WorkspaceError(f"{root} is not a workspace (no {CONFIG_NAME}); "
                                 "create one with 'resolutions init DIR'")
        return _load(root, database_url)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return _load(folder, database_url)
    raise WorkspaceError(f"no workspace here or above ({here}); create one with "
                         "'resolutions init', or pass --workspace DIR")


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def create(root: Path, *, name: str, prefix: str, languages: tuple[str, ...] = ("ru", "zh", "en"),
           approval_rule: str = "each-delegation", names: dict[str, str] | None = None,
           required_signatories: tuple[str, ...] = (), timestamp_url: str = "",
           crl_url: str = "", database_url: str | None = None) -> Workspace:
    """Write ``resolutions.toml`` and ``.resolutions/``; refuse to overwrite a workspace."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9-]{0,15}$", prefix):
        raise WorkspaceError(f"invalid prefix {prefix!r}: use 1–16 letters, digits or '-', "
                             "starting with a letter (e.g. RCWG)")
    if approval_rule not in APPROVAL_RULES:
        raise WorkspaceError(f"approval rule {approval_rule!r} is not one of {', '.join(APPROVAL_RULES)}")
    for label, value in [("name", name), *((f"name-{k}", v) for k, v in (names or {}).items())]:
        if not value.strip() or any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in value):
            raise WorkspaceError(f"--{label} must be one line of visible text")
    if timestamp_url and not re.match(r"^https?://[^\s\"]+$", timestamp_url):
        raise WorkspaceError(f"--timestamp-url {timestamp_url!r} is not an http(s) address of "
                             "an RFC 3161 timestamp authority")
    if crl_url and not re.match(r"^https?://[^\s\"]+$", crl_url):
        raise WorkspaceError(f"--crl-url {crl_url!r} is not an http(s) address: it is where "
                             "everyone fetches the working group's CRL")
    for member in required_signatories:
        if not re.match(r"^[a-z0-9][a-z0-9_.-]{0,63}$", member):
            raise WorkspaceError(f"--require-signature {member!r} is not a member id")
    root = root.resolve()
    if (root / CONFIG_NAME).exists():
        raise WorkspaceError(f"{root} is already a workspace ({CONFIG_NAME} exists)")
    root.mkdir(parents=True, exist_ok=True)
    lines = ["# brics-resolutions workspace", "", "[working_group]",
             f"name = {_toml_str(name)}"]
    for lang, value in (names or {}).items():
        lines.append(f"name_{lang} = {_toml_str(value)}")
    lines += [f"prefix = {_toml_str(prefix)}",
              "languages = [" + ", ".join(_toml_str(x) for x in languages) + "]",
              f"approval_rule = {_toml_str(approval_rule)}", "",
              "[numbering]", 'pattern = "{prefix}/RES/{year}/{number}"', "",
              "[signatures]", "# member ids whose signatures every resolution needs",
              "required = [" + ", ".join(_toml_str(m) for m in required_signatories) + "]",
              *([f"timestamp_url = {_toml_str(timestamp_url)}"] if timestamp_url else []),
              *([f"crl_url = {_toml_str(crl_url)}"] if crl_url else []), "",
              "# [delivery]", "# smtp_host = \"smtp.example.org\"", "# smtp_port = 587",
              "# smtp_security = \"starttls\"   # starttls | ssl | none",
              "# smtp_user = \"secretary@example.org\"",
              "# password comes from the environment variable RESOLUTIONS_SMTP_PASSWORD",
              "# from = \"secretary@example.org\"", "",
              "# [bodies.my-body]   # add or override a BRICS body",
              "# name.en = \"…\"", ""]
    (root / CONFIG_NAME).write_text("\n".join(lines), encoding="utf-8")
    state = root / STATE_DIR
    for sub in ("", "store", "outbox", "keys"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    # the database, the outbox (every reviewer's personal copy and form), the store and the
    # keys are the workspace's owner's only: 0700 folders, 0600 files
    for sub in ("", "outbox", "keys"):
        (state / sub).chmod(0o700)
    (state / ".gitignore").write_text("*\n", encoding="utf-8")
    return _load(root, database_url)
