"""``audit verify`` on the bare driver gives the ORM path's verdict, word for word.

A workspace with nothing signed (a resolution reviewed, commented, disposed and approved;
its mail queued on disk) is checked by ``workflow.store.verify_reads`` without the ORM.
Each attack below edits the SQLite file behind the engine's back, as an insider who knows
the schema would, and both paths — the bare one and ``workflow.verification`` on the ORM
— must name the same problems in the same order, and name the thing edited.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LETTER, fixture_text, module_workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    base = tmp_path_factory.mktemp("bare-verify")
    with module_workspace(base / "ws") as ws:
        source = base / "res.yaml"
        source.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
        s = ws(["new", str(source)]).output.strip()
        ws(["circulate", s, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
        ws(["comment", s, "--by", "rev-ru", "--ref", "OP 1(b)", "--type", "te",
            "--text", "Name the components"])
        ws(["dispose", s, "1", "--accept", "--note", "Done in version 2"])
        ws(["close-review", s, "--no-objection"])
        ws(["approve", s, "--by", "appr-ru", "--evidence", LETTER])
        yield ws.root


@pytest.fixture
def copy(lived: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "ws"
    shutil.copytree(lived, root)
    return root


def _sql(root: Path, *statements: str) -> None:
    db = sqlite3.connect(root / ".resolutions" / "resolutions.db")
    with db:
        for statement in statements:
            db.execute(statement)
    db.close()


def _both(root: Path, witnesses: list[tuple[int, str]] | None = None
          ) -> tuple[list[str], list[str]]:
    from workflow.app import App
    from workflow.store.verify_reads import verify_bare
    from workflow.store.workspace import find
    from workflow.verification import verify_workspace

    bare = verify_bare(find(root), witnesses or [])
    assert bare is not None, "the bare path declined a workspace with nothing signed"
    orm = verify_workspace(App.open(root), witnesses or [], workers=1)
    assert bare[1] == orm[1]
    return [str(p) for p in bare[0]], [str(p) for p in orm[0]]


def test_an_untouched_workspace_passes_both_ways(copy: Path) -> None:
    bare, orm = _both(copy)
    assert bare == orm == []


ATTACKS = [
    (["UPDATE comments SET text = 'Nothing to add'"], "comment 1 of"),
    (["UPDATE comments SET disposition = 'rejected'"], "disposition"),
    (["UPDATE members SET active = 0 WHERE id = 'rev-zh'"], "member rev-zh"),
    (["UPDATE approvals SET void = 1"], "approval by appr-ru"),
    (["UPDATE versions SET created_at = '2020-01-01 00:00:00.000000'"], "created_at"),
    (["UPDATE review_rounds SET due = '2030-01-01'"], "review round 1"),
    (["UPDATE audit_events SET at = '2020-01-01 00:00:00.000000' WHERE seq = 3"],
     "audit event 3: was edited"),
    (["UPDATE audit_events SET detail = '{not json' WHERE seq = 4"], "audit event 4"),
    (["INSERT INTO member_roles (member_id, role) VALUES ('ghost', 'secretary')"],
     "member ghost"),
    (["DELETE FROM comments"], "is missing: it was deleted"),
    (["UPDATE resolutions SET state = 'adopted'"], "state is 'adopted'"),
    (["DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)"],
     "events at the end were deleted"),
]


@pytest.mark.parametrize(("statements", "named"), ATTACKS,
                         ids=[a[0][0].split(" WHERE")[0][:40] for a in ATTACKS])
def test_an_edited_row_is_named_the_same_both_ways(copy: Path, statements: list[str],
                                                   named: str) -> None:
    _sql(copy, *statements)
    bare, orm = _both(copy)
    assert bare == orm
    assert any(named in p for p in bare), bare


def test_files_on_disk_and_witnesses_the_same_both_ways(copy: Path) -> None:
    db = sqlite3.connect(copy / ".resolutions" / "resolutions.db")
    eml = db.execute("SELECT eml_path FROM messages ORDER BY id").fetchone()[0]
    seq, digest = db.execute("SELECT seq, hash FROM audit_head").fetchone()
    db.close()
    (copy / eml).write_bytes(b"Subject: something else\r\n\r\n")
    toml = copy / "resolutions.toml"
    toml.write_text(toml.read_text("utf-8").replace("each-delegation", "majority"), "utf-8")
    store = copy / ".resolutions" / "store" / "ab"
    store.mkdir(parents=True, exist_ok=True)
    (store / ("ab" + "0" * 62)).write_bytes(b"not what the name says")
    bare, orm = _both(copy, [(seq, digest), (seq, "f" * 64)])
    assert bare == orm
    for named in (f"message file {eml}", "resolutions.toml", "stored artefact",
                  f"witness {seq}:ffffffffffff"):
        assert any(named in p for p in bare), (named, bare)
    assert not any(f"witness {seq}:{digest[:12]}" in p for p in bare)


def test_a_signed_statement_sends_the_check_to_the_full_path(copy: Path) -> None:
    """What the bare path does not check (here a signed statement) it leaves to the ORM
    path, which names the forged statement."""
    from workflow.app import App
    from workflow.store.verify_reads import verify_bare
    from workflow.store.workspace import find
    from workflow.verification import verify_workspace

    _sql(copy, "UPDATE approvals SET statement = x'3082'")
    assert verify_bare(find(copy)) is None
    problems = [str(p) for p in verify_workspace(App.open(copy), workers=1)[0]]
    assert any("signed statement" in p or "approvals" in p for p in problems), problems


def test_the_command_imports_no_orm_on_the_bare_path(copy: Path) -> None:
    script = ("import sys\nfrom cli import main\n"
              f"sys.argv = ['resolutions', '--workspace', {str(copy)!r}, 'audit', 'verify']\n"
              "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
              "print('loaded', *[m for m in ('sqlalchemy', 'sqlmodel', 'pyhanko', "
              "'cryptography') if m in sys.modules])\nsys.exit(code)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "audit log intact: 17 events verified" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "loaded", done.stdout


def test_the_declared_column_types_are_the_models(copy: Path) -> None:
    """The bare path turns stored text back into the models' types by the schema's declared
    type; every column the checks read must declare the type its model has, and the
    primary key its columns in the models' order."""
    from sqlalchemy import Boolean, Date, DateTime, TypeDecorator
    from sqlmodel import SQLModel

    from workflow.store import models  # noqa: F401 - the tables
    from workflow.store.factcheck import FACT_TABLES
    from workflow.store.reads import Reads
    from workflow.store.verify_reads import _LOADS, column_types

    reads = Reads.open(f"sqlite:///{copy / '.resolutions' / 'resolutions.db'}")
    assert reads is not None
    kinds = {DateTime: "DATETIME", Date: "DATE", Boolean: "BOOLEAN"}
    try:
        for name in (*FACT_TABLES, "audit_events"):
            table = SQLModel.metadata.tables[name]
            declared = {c: (kind, pk) for c, kind, pk in column_types(reads, name)}
            assert set(declared) == {c.name for c in table.columns}, name
            for column in table.columns:
                kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) \
                    else column.type
                wanted = next((k for t, k in kinds.items() if isinstance(kind, t)), None)
                got = declared[column.name][0]
                assert (got if got in _LOADS else None) == wanted, (name, column.name, got)
            key = [c for c, (_, pk) in sorted(declared.items(), key=lambda kv: kv[1][1])
                   if pk]
            assert key == [c.name for c in table.primary_key.columns], name
    finally:
        reads.close()
