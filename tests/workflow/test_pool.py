"""Work spread over processes (workflow/pool.py): workers are recycled, and `audit verify`
checks signatures and files in them with the same findings as in one process."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import Cli, open_app
from tests.reliability.helpers import setup_keys, sign_all, sql, to_approved
from workflow import pool
from workflow.verification import verify_workspace


def _who(item: int) -> tuple[int, str, int]:
    """In a worker: its pid, the workspace it opened, and the item squared."""
    return os.getpid(), str(pool.worker_app().workspace.root), item * item


def test_workers_are_recycled_and_every_item_is_done_once(ws_sqlite: Cli) -> None:
    app = open_app(ws_sqlite.root, "sec")
    results = list(pool.run(app, _who, list(range(9)), 2, per_worker=2))
    assert sorted(item for item, _ in results) == list(range(9))
    assert all(square == item * item for item, (_, _, square) in results)
    assert {root for _, (_, root, _) in results} == {str(ws_sqlite.root)}
    per_pid: dict[int, int] = {}
    for _, (pid, _, _) in results:
        per_pid[pid] = per_pid.get(pid, 0) + 1
    assert os.getpid() not in per_pid
    # a pool of 2 ends after 2 × 2 tasks: 9 tasks take three pools, no worker outlives its own
    assert max(per_pid.values()) <= 4
    assert len(per_pid) >= 3
    # the caller's own database connection still works after the forks
    with app.read() as session:
        assert app.member(session, "sec").id == "sec"


def test_audit_verify_in_two_processes_finds_what_one_finds(ws_sqlite: Cli,
                                                           tmp_path: Path) -> None:
    ws = ws_sqlite
    secrets = tmp_path / "secrets"
    setup_keys(ws, secrets)
    symbol = to_approved(ws, tmp_path)
    sign_all(ws, symbol, secrets)
    app = open_app(ws.root, "sec")
    assert verify_workspace(app, workers=2) == ([], verify_workspace(app, workers=1)[1])
    # an insider edits the signed PDF in the store, another stored file and a member's name
    ((signed,),) = sql(ws.root, "SELECT signed_sha256 FROM signatures ORDER BY id DESC LIMIT 1")
    pdf = app.store_path(str(signed))
    pdf.write_bytes(pdf.read_bytes().replace(b"/Type /Catalog", b"/Type  /Catalog", 1))
    other = next(p for p in app.workspace.store_dir.glob("??/*") if p != pdf)
    other.write_bytes(other.read_bytes() + b"%")
    sql(ws.root, "UPDATE members SET name = 'Someone Else' WHERE id = 'rev-zh'")
    one, count_one = verify_workspace(app, workers=1)
    two, count_two = verify_workspace(app, workers=2)
    assert one == two and count_one == count_two
    text = "\n".join(map(str, two))
    assert f"signed PDF of {symbol}" in text
    assert f"stored artefact .resolutions/store/{other.parent.name}/{other.name}" in text
    assert "table members" in text and "field name differs" in text
