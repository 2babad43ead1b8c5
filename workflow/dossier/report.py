"""What a dossier check found: the report every check writes to, and the readers of the
bag's JSON files that record a problem instead of raising."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.store.chain import Problem

#: a JSON object of the bag (``dossier.json``, a resolution's record, a line of
#: ``audit/chain.jsonl`` or ``rows.jsonl``) as ``json`` reads it: its values are checked key
#: by key where they are used, so this is where ``Any`` meets the file
JSONObject = dict[str, Any]

__all__ = ["JSONObject", "VerifyReport", "read_json", "read_jsonl"]


@dataclass
class VerifyReport:
    path: Path
    problems: list[Problem] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)
    at: Any = None  # the date signatures are judged as on (None: now)
    proven_at: Any = None  # the time the bag's archive timestamp proves
    expect_ca: str | None = None  # the CA fingerprint the archivist holds (--expect-ca)
    seal: Any = None  # workflow.dossier.seal.SealFacts, once the seal was checked
    #: the bag's trust anchors the chain registered for timestamps (never the CA)
    ts_roots: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def count(self, what: str, n: int = 1) -> None:
        self.checked[what] = self.checked.get(what, 0) + n

    def to_json(self) -> dict[str, object]:
        return {"schema": "brics-resolutions/dossier-verify/1", "path": str(self.path),
                "ok": self.ok, "at": self.at.isoformat() if self.at else None,
                "archive_timestamp": self.proven_at.isoformat() if self.proven_at else None,
                "checked": dict(sorted(self.checked.items())),
                "seal": self.seal.to_json() if self.seal is not None else None,
                "problems": [{"file": p.where, "problem": p.message} for p in self.problems]}


def read_json(root: Path, rel: str, report: VerifyReport) -> Any:
    try:
        return json.loads((root / rel).read_text("utf-8"))
    except FileNotFoundError:
        report.add(rel, "missing")
    except ValueError as exc:
        report.add(rel, f"is not valid JSON ({exc})")
    return None


def read_jsonl(root: Path, rel: str, report: VerifyReport) -> list[JSONObject]:
    out: list[JSONObject] = []
    try:
        with (root / rel).open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    report.add(f"{rel} line {n}", "is not a JSON object: the line was edited")
    except FileNotFoundError:
        report.add(rel, "missing")
    return out
