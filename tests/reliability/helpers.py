"""Shared helpers for the reliability suite: resolutions at a given stage, the CLI run as a
separate process, and snapshots of what a command may have written (rows, files)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import LETTER, Cli, env_for, fixture_text

BIN = Path(sys.executable).with_name("resolutions")
ROOT = Path(__file__).resolve().parents[2]
CA_PASS = "ca-Pass-Ωmega-7d1f-reliability"
KEY_PASS = {"appr-ru": "ru-Pass-c0ffee-9135", "appr-zh": "zh-Pass-beef42-2468"}
#: the tables a command may write to (row counts must not change on a refusal)
TABLES = ("members", "resolutions", "versions", "audit_events", "review_rounds", "comments",
          "amendments", "approvals", "artefacts", "signatures", "messages", "submissions")


def draft(ws: Cli, tmp_path: Path, text: str | None = None) -> str:
    path = tmp_path / "res.yaml"
    path.write_text(text or fixture_text("trilingual.yaml"), encoding="utf-8")
    return ws(["new", str(path)]).output.strip().splitlines()[0]


def passfile(folder: Path, name: str, value: str) -> Path:
    path = folder / f"{name}.pass"
    path.write_text(value + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def setup_keys(ws: Cli, secrets: Path) -> None:
    """A working-group CA and a signing key per signatory, passphrases from 0600 files."""
    secrets.mkdir(exist_ok=True)
    ca = passfile(secrets, "ca", CA_PASS)
    ws(["keys", "init-ca", "--passphrase-file", str(ca)])
    for member, secret in KEY_PASS.items():
        ws(["keys", "issue", member, "--ca-passphrase-file", str(ca),
            "--passphrase-file", str(passfile(secrets, member, secret))])
    # the secretariat's seal, for dossier exports: --seal-passphrase-file <secrets>/seal.pass
    ws(["keys", "seal-issue", "--ca-passphrase-file", str(ca), "--passphrase-file",
        str(passfile(secrets, "seal", "seal-Pass-5e41-secretariat"))])


def to_approved(ws: Cli, tmp_path: Path) -> str:
    symbol = draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["close-review", symbol, "--no-objection"])
    for member in ("appr-ru", "appr-zh"):
        ws(["approve", symbol, "--by", member, "--evidence", LETTER])
    assert state(ws, symbol) == "approved"
    return symbol


def sign_all(ws: Cli, symbol: str, secrets: Path) -> None:
    for member in KEY_PASS:
        ws(["sign", symbol, "--by", member, "--passphrase-file", str(secrets / f"{member}.pass")])


def state(ws: Cli, symbol: str) -> str:
    return str(json.loads(ws(["status", symbol, "--json"]).output)["state"])


def run(root: Path, args: list[str], *, extra_env: dict[str, str] | None = None,
        timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`resolutions` as its own process (what a user runs; SIGKILL only kills that), with
    the test hooks (frozen clock, crash points) taken from the environment."""
    env = env_for(root)
    env.update(extra_env or {})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "tests.launch", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=root)


def db_path(root: Path) -> Path:
    return root / ".resolutions" / "resolutions.db"


def sql(root: Path, statement: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run SQL straight on the workspace's SQLite file (what a tamperer does)."""
    conn = sqlite3.connect(db_path(root))
    try:
        with conn:
            return list(conn.execute(statement, params))
    finally:
        conn.close()


def row_counts(root: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path(root))
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in sorted(names) if t != "alembic_version"}
    finally:
        conn.close()


def files_under(*roots: Path) -> set[str]:
    """Every file under the roots (the database and its WAL excluded)."""
    found = set()
    for root in roots:
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if path.is_file() and not path.name.startswith("resolutions.db"):
                found.add(str(path))
    return found
