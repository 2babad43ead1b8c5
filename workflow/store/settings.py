"""``resolutions.toml`` bound to the audit chain.

The file holds rules the engine enforces (the approval rule, the required signatories, the
languages, the bodies, the timestamp authority), so a change to it is a change to the rules.
``init`` records the rules (the parsed file without ``[delivery]``, which says how mail
leaves this machine; their SHA-256 and content) in a ``config`` event;
``resolutions audit config`` records a deliberate later change the same way; ``audit
verify`` compares the file on disk with the last recorded copy and names the keys that
differ. On a shared PostgreSQL database every machine's file must agree with the record.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from workflow.store.chain import Problem
from workflow.store.workspace import CONFIG_NAME

if TYPE_CHECKING:  # 'audit verify' checks the file without the ORM
    from sqlmodel import Session

__all__ = ["record_config", "config_problems", "changed_keys", "last_recorded", "rules_of",
           "Recorded"]

#: the rules as recorded: JSON (the parsed file), each value compared as it is
Rules = Mapping[str, object]
#: ``config`` events as read from the chain: (seq, action, detail parsed)
Details = Iterable[tuple[int, str, Mapping[str, object]]]


@dataclass(frozen=True)
class Recorded:
    """The last ``config`` event: its seq, the SHA-256 of the rules and the rules."""

    seq: int
    sha256: str
    rules: Rules


class Publishes(Protocol):
    """The workspace's file store (``workflow.store.blobs.FileStore``) as this module uses it."""

    def publish(self, rel: str, data: bytes, mode: int = 0o644) -> None: ...


def _flat(data: Rules, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            out.update(_flat(value, name))
        else:
            out[name] = value
    return out


#: sections that are this machine's, not the group's rules (how mail leaves this computer)
LOCAL = ("delivery",)


def _read(root: Path) -> tuple[str, dict[str, object]]:
    """(SHA-256 of the rules, the rules): the parsed file without its local sections, in
    one canonical JSON form — layout, comments and key order do not count."""
    return rules_of((root / CONFIG_NAME).read_bytes())


def rules_of(data: bytes) -> tuple[str, dict[str, object]]:
    """(SHA-256, rules) of the bytes of a ``resolutions.toml`` (see :func:`_read`)."""
    parsed: dict[str, object]
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        parsed = {"unreadable": str(exc)}
    rules: dict[str, object] = json.loads(json.dumps({k: v for k, v in parsed.items() if k not in LOCAL},
                                  default=str))
    canonical = json.dumps(rules, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest(), rules


def changed_keys(before: Rules, after: Rules) -> list[str]:
    old, new = _flat(before), _flat(after)
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def _last(details: Details) -> Recorded | None:
    last = None
    for seq, action, detail in details:
        if action == "config" and "config_sha256" in detail:
            rules = detail.get("config", {})
            last = Recorded(seq, str(detail["config_sha256"]),
                            rules if isinstance(rules, Mapping) else {})
    return last


def record_config(session: Session, root: Path, actor: str,
                  before: Rules | None = None, shared: Publishes | None = None) -> list[str]:
    """Record the file as it is now; returns the keys changed since ``before``. ``shared``:
    the workspace's file store, which keeps the file for other machines (PostgreSQL)."""
    from workflow.store import audit

    data = (root / CONFIG_NAME).read_bytes()
    digest, parsed = rules_of(data)
    changed = changed_keys(before, parsed) if before is not None else []
    audit.record(session, actor=actor, action="config",
                 detail={"config_sha256": digest, "config": parsed, "changed": changed})
    if shared is not None:  # the file every machine attaching to the group starts from
        shared.publish(CONFIG_NAME, data)
    return changed


def last_recorded(details: Details) -> Recorded | None:
    return _last(details)


def config_problems(root: Path, details: Details) -> list[Problem]:
    """The file on disk against the last recorded copy."""
    where = CONFIG_NAME
    last = _last(details)
    if not (root / CONFIG_NAME).is_file():
        return [Problem(where, "is missing")]
    if last is None:
        return [Problem(where, "was never recorded in the audit log; after checking it, "
                               "record it with 'resolutions audit config'")]
    digest, parsed = _read(root)
    if digest == last.sha256:
        return []
    keys = changed_keys(last.rules, parsed)
    what = f"keys changed: {', '.join(keys) or '?'}"
    return [Problem(where, f"differs from the copy audit event {last.seq} recorded ({what}): it was "
                           "edited outside the engine; if the change is deliberate, record it "
                           "with 'resolutions audit config'")]
