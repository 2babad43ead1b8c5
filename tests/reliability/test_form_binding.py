"""A returned comment form is the reviewer's own: its ids (resolution, version, round,
reviewer) are bound by a token only the workspace can make. Played as a reviewer who knows
the format: rewrite the reviewer in both places the form keeps it, or bring back last
round's form — each is refused with one line, and nothing is imported."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.reliability.helpers import draft, row_counts
from workflow.demo import _fill_comment_form

ROWS = [("OP 1", "te", "Name the components", "microcircuits")]


def _form(ws: Cli, symbol: str, reviewer: str, out: Path) -> Path:
    ws(["render", symbol, "--stage", "comment-form", "--reviewer", reviewer, "--format",
        "docx", "-o", str(out)])
    blank = next(out.glob(f"*comment-form*{reviewer}*.docx"), None) or next(out.glob("*.docx"))
    filled = out / f"{reviewer}-returned.docx"
    _fill_comment_form(blank, filled, ROWS)
    return filled


def _rewrite(path: Path, old: str, new: str) -> Path:
    """What an editor of the package does: change the text of every part that names ``old``."""
    source = zipfile.ZipFile(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".xml"):
                data = data.replace(old.encode(), new.encode())
            out.writestr(info, data)
    forged = path.with_name("forged-" + path.name)
    forged.write_bytes(buffer.getvalue())
    return forged


@pytest.fixture
def round_one(ws_sqlite: Cli, tmp_path: Path) -> tuple[Cli, str]:
    symbol = draft(ws_sqlite, tmp_path)
    ws_sqlite(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    return ws_sqlite, symbol


def test_the_reviewers_own_form_is_imported(round_one: tuple[Cli, str], tmp_path: Path) -> None:
    ws, symbol = round_one
    form = _form(ws, symbol, "rev-ru", tmp_path / "forms")
    ws(["comments", "import", symbol, str(form)])
    comments = json.loads(ws(["comments", symbol, "--json"]).output)["comments"]
    assert [(c["author"], c["text"]) for c in comments] == [("rev-ru", "Name the components")]


def test_a_form_whose_reviewer_was_edited_is_refused(round_one: tuple[Cli, str],
                                                     tmp_path: Path) -> None:
    ws, symbol = round_one
    form = _form(ws, symbol, "rev-ru", tmp_path / "forms")
    forged = _rewrite(form, "rev-ru", "rev-zh")
    ids = zipfile.ZipFile(forged).read("docProps/custom.xml").decode()
    assert "rev-zh" in ids and "rev-ru" not in ids  # both copies of the ids now agree
    before = row_counts(ws.root)
    out = ws(["comments", "import", symbol, str(forged)], code=1).output
    assert "was not issued to rev-zh for round 1" in out, out
    assert len(out.strip().splitlines()) == 1
    after = row_counts(ws.root)
    assert after["comments"] == before["comments"]


def test_last_rounds_form_is_refused_in_the_next_round(round_one: tuple[Cli, str],
                                                       tmp_path: Path) -> None:
    ws, symbol = round_one
    old = _form(ws, symbol, "rev-ru", tmp_path / "round1")
    ws(["close-review", symbol, "--changes"])
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    out = ws(["comments", "import", symbol, str(old)], code=1).output
    assert "was not issued to rev-ru for round 2" in out, out
    # the same reviewer's form of this round goes in
    ws(["comments", "import", symbol, str(_form(ws, symbol, "rev-ru", tmp_path / "round2"))])


def test_a_form_from_another_workspace_is_refused(round_one: tuple[Cli, str], tmp_path: Path,
                                                  ) -> None:
    ws, symbol = round_one
    form = _form(ws, symbol, "rev-ru", tmp_path / "forms")
    (ws.root / ".resolutions" / "binding.key").write_bytes(b"\x01" * 32)  # another secret
    out = ws(["comments", "import", symbol, str(form)], code=1).output
    assert "was not issued to rev-ru" in out
