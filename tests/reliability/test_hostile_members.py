"""Hostile member data: names, organisations and addresses that would forge a mail header,
reorder text on screen or hide a name are refused at `member add` with one line; and a bad
row that got into the database some other way never turns `circulate` into a half-done step
that lies about what happened."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.reliability.helpers import draft, row_counts, sql

HOSTILE = {
    "CR LF": "Orlov\r\nBcc: all@example.org",
    "LF": "Orlov\nX",
    "ESC": "Orlov\x1b[31m",
    "bidi override": "Orlov \u202eolleh",
    "bidi isolate": "Orlov \u2066x\u2069",
    "zero-width space": "Or\u200blov",
    "zero-width joiner": "Or\u200dlov",
    "byte-order mark": "\ufeffOrlov",
    "NUL": "Or\x00lov",
}


@pytest.mark.parametrize("field", ["--name", "--org", "--name-ru"])
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_member_add_refuses_hidden_and_control_characters(ws_sqlite: Cli, field: str,
                                                          kind: str) -> None:
    ws = ws_sqlite
    before = row_counts(ws.root)
    args = ["member", "add", "eve", "--name", "Eve", "--role", "reviewer"]
    if field == "--name":
        args[4] = HOSTILE[kind]
    else:
        args += [field, HOSTILE[kind]]
    out = ws(args, code=1).output
    assert "invisible or control character U+" in out and field in out, out
    assert len(out.strip().splitlines()) == 1, out
    assert row_counts(ws.root) == before


def test_member_add_refuses_a_header_in_the_address(ws_sqlite: Cli) -> None:
    out = ws_sqlite(["member", "add", "eve", "--name", "Eve", "--email",
                     "eve@example.org\r\nBcc: x@example.org"], code=1).output
    assert "U+000D" in out or "invalid e-mail" in out


def test_circulate_tells_the_truth_about_a_reviewer_it_could_not_reach(
        ws_sqlite: Cli, tmp_path: Path) -> None:
    """A name with CR/LF written behind the engine's back: the round opens, the other
    reviewer's copy is queued, and the output says which copy was not — nothing claims a
    rollback that did not happen."""
    ws = ws_sqlite
    symbol = draft(ws, tmp_path)
    sql(ws.root, "UPDATE members SET name = ? WHERE id = 'rev-ru'", ("Петров\r\nBcc: x@y.z",))
    result = ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"], code=None)
    assert result.exit_code == 0, result.output
    assert "rolled back" not in result.output
    assert "round 1 is open, but no copy was queued for rev-ru" in result.output
    state = json.loads(ws(["status", symbol, "--json"]).output)["state"]
    assert state == "in_review"
    messages = sql(ws.root, "SELECT recipient FROM messages")
    assert [m[0] for m in messages] == ["rev-zh@wg.example"]
