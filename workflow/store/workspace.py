"""The workspace: a folder with ``resolutions.toml`` and ``.resolutions/``.

Commands find it like git finds a repository: ``--workspace``, then
``RESOLUTIONS_WORKSPACE``, then the nearest parent folder of the current directory that
holds ``resolutions.toml``. ``RESOLUTIONS_DATABASE_URL`` points the workspace at a shared
PostgreSQL database instead of its own SQLite file.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.errors import WorkspaceError

if TYPE_CHECKING:
    from workflow.store.blobs import FileStore

__all__ = ["Workspace", "Body", "CONFIG_NAME", "STATE_DIR", "find", "create", "APPROVAL_RULES"]

CONFIG_NAME = "resolutions.toml"
STATE_DIR = ".resolutions"
APPROVAL_RULES = ("all", "majority", "each-delegation")


@dataclass(frozen=True)
class Body:
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
    options: dict[str, Any] = field(default_factory=dict)

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang) or self.names.get("en") or self.code

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
                + f" under [bodies.{self.code}] in {CONFIG_NAME}")


@functools.cache
def _shipped_bodies() -> dict[str, Any]:
    """The registry shipped in workflow/bodies.toml, read once per process."""
    shipped = Path(__file__).resolve().parents[1] / "bodies.toml"
    return tomllib.loads(shipped.read_text("utf-8"))


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: dict[str, Any] = field(default_factory=dict)

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
    def database_url(self) -> str:
        url = os.environ.get("RESOLUTIONS_DATABASE_URL")
        if url:
            return url
        return f"sqlite:///{self.state_dir / 'resolutions.db'}"

    @property
    def group(self) -> dict[str, Any]:
        return dict(self.config.get("working_group", {}))

    @property
    def name(self) -> str:
        return str(self.group.get("name", self.root.name))

    @property
    def prefix(self) -> str:
        return str(self.group.get("prefix", "WG"))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.group.get("languages", ["ru", "zh", "en"]))

    @property
    def approval_rule(self) -> str:
        return str(self.group.get("approval_rule", "each-delegation"))

    @property
    def group_names(self) -> dict[str, str]:
        from drafts.languages import SUPPORTED

        names = {"en": self.name}
        for lang in SUPPORTED:
            value = self.group.get(f"name_{lang}")
            if value:
                names[lang] = str(value)
        return names

    def symbol_for(self, number: int, year: int) -> str:
        pattern = str(self.config.get("numbering", {}).get("pattern", "{prefix}/RES/{year}/{number}"))
        return pattern.format(prefix=self.prefix, year=year, number=number)

    def bodies(self) -> dict[str, Body]:
        """The shipped registry, extended or overridden by ``[bodies.CODE]`` here."""
        data = _shipped_bodies()
        merged: dict[str, dict[str, Any]] = {k: dict(v) for k, v in data["bodies"].items()}
        for code, extra in self.config.get("bodies", {}).items():
            merged.setdefault(code, {}).update(extra)
        out = {}
        for code, raw in merged.items():
            names = dict(raw.get("name", {}))
            if not names:
                raise WorkspaceError(f"{self.root / CONFIG_NAME}: body {code!r} has no name; "
                                     f"add name.en = \"…\" under [bodies.{code}]")
            out[code] = Body(
                code=code, names=names,
                # an English formula can be made from the name; no other language's can
                enacting=({"en": f"The {names['en']},"} if names.get("en") else {})
                | dict(raw.get("enacting", {})),
                address=str(raw.get("address", "")),
                languages=tuple(raw.get("languages", ["en"])),
                signatures=tuple(raw.get("signatures", ["any"])),
                lead_days=int(raw.get("lead_days", 0)),
                options=raw,
            )
        return out

    def body(self, code: str) -> Body:
        bodies = self.bodies()
        if code not in bodies:
            raise WorkspaceError(f"unknown body {code!r}; known bodies: {', '.join(sorted(bodies))} "
                                 f"(add one under [bodies.{code}] in {CONFIG_NAME})")
        return bodies[code]


def _load(root: Path) -> Workspace:
    path = root / CONFIG_NAME
    try:
        config = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{path}: {exc}; fix the file (it is TOML)") from None
    rule = config.get("working_group", {}).get("approval_rule", "each-delegation")
    if rule not in APPROVAL_RULES:
        raise WorkspaceError(f"{path}: approval_rule {rule!r} is not one of "
                             f"{', '.join(APPROVAL_RULES)}")
    secret = next((key for key in config.get("delivery", {}) if "password" in key.lower()), None)
    if secret:  # the file is shared and versioned; a password in it would leak
        raise WorkspaceError(f"{path}: [delivery] {secret}: a password is never kept in the "
                             "workspace file; delete the line and set RESOLUTIONS_SMTP_PASSWORD "
                             "in the environment")
    return Workspace(root=root, config=config)


def find(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace named explicitly, by the environment, or above the current folder."""
    chosen = explicit or os.environ.get("RESOLUTIONS_WORKSPACE")
    if chosen:
        root = Path(chosen).expanduser().resolve()
        if not (root / CONFIG_NAME).is_file():
            raise WorkspaceError(f"{root} is not a workspace (no {CONFIG_NAME}); "
                                 "create one with 'resolutions init DIR'")
        return _load(root)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return _load(folder)
    raise WorkspaceError(f"no workspace here or above ({here}); create one with "
                         "'resolutions init', or pass --workspace DIR")


def _toml_str(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def create(root: Path, *, name: str, prefix: str, languages: tuple[str, ...] = ("ru", "zh", "en"),
           approval_rule: str = "each-delegation", names: dict[str, str] | None = None,
           required_signatories: tuple[str, ...] = (), timestamp_url: str = "") -> Workspace:
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
              *([f"timestamp_url = {_toml_str(timestamp_url)}"] if timestamp_url else []), "",
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
    return _load(root)
