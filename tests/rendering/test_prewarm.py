"""The printer process of a one-off `render` (templates/pdf/prewarm.py).

`resolutions render` forks a child that imports WeasyPrint while the command opens the
database. The tests run the real command in a fresh interpreter and look inside it
afterwards: the PDF is there and WeasyPrint was never imported by the command's own process
(so the child printed it); a review copy's position map, sealed across the pipe, verifies
with the workspace's key; the bytes are the ones the command prints without the child
(``RESOLUTIONS_PREWARM=0``); a child that dies leaves the command to print by itself.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import FROZEN_NOW, module_workspace
from tests.reliability.helpers import draft

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

#: runs `resolutions ARGS…` in this interpreter, then reports what it imported
SCRIPT = r"""
import json, os, sys
from tests.launch import install
install()
from cli import cli
from templates.pdf import prewarm
if os.environ.get("KILL_CHILD") == "1":  # the child dies before it is handed a page
    real_start = prewarm.start
    def start():
        real_start()
        if prewarm._child is not None:
            os.kill(prewarm._child.pid, 9)
    prewarm.start = start
try:
    cli.main(sys.argv[1:], prog_name="resolutions", standalone_mode=False)
finally:
    sys.stderr.write("\n" + json.dumps({"weasyprint_here": "weasyprint" in sys.modules,
                                        "child_left": prewarm.active()}) + "\n")
"""


@pytest.fixture(scope="module")
def circulated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A workspace whose resolution is out for review, never rendered by hand yet."""
    folder = tmp_path_factory.mktemp("prewarm")
    with module_workspace(folder / "ws") as ws:
        symbol = draft(ws, folder)
        ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    return ws.root, symbol


def _render(ws: Path, out: Path, *args: str, **env: str) -> tuple[Path, dict[str, bool]]:
    """Render in a fresh interpreter (on a copy of the workspace, so nothing is cached)."""
    copy = out / "ws"
    shutil.copytree(ws, copy)
    full = {k: v for k, v in os.environ.items()
            if k not in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER")}
    full.update(RESOLUTIONS_NOW=FROZEN_NOW, PYTHONPATH=str(ROOT), **env)
    proc = subprocess.run([sys.executable, "-c", SCRIPT, "--workspace", str(copy), "render",
                           *args, "-o", str(out / "pdf")], capture_output=True, text=True,
                          env=full, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return next((out / "pdf").glob("*.pdf")), report


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)


def test_the_child_prints_and_the_bytes_are_those_printed_in_one_process(circulated, tmp_path):
    ws, symbol = circulated
    args = [symbol, "--stage", "draft", "--lang", "ru,zh,en", "--format", "pdf"]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    forked, seen = _render(ws, tmp_path / "a", *args)
    alone, seen_alone = _render(ws, tmp_path / "b", *args, RESOLUTIONS_PREWARM="0")
    assert seen == {"weasyprint_here": False, "child_left": False}  # printed by the child
    assert seen_alone["weasyprint_here"] is True
    text = _text(forked)
    for words in ("Высший совет БРИКС", "金砖国家", "Higher Council of BRICS", symbol):
        assert words in text
    assert forked.read_bytes() == alone.read_bytes()


def test_a_review_copy_is_sealed_across_the_pipe(circulated, tmp_path):
    from templates.pdf.positions import MAP_NAME, read_map
    from workflow.store.tokens import seal_matches
    from workflow.store.workspace import find

    ws, symbol = circulated
    pdf, seen = _render(ws, tmp_path, symbol, "--stage", "review", "--reviewer", "rev-ru",
                        "--lang", "ru,zh", "--format", "pdf")
    assert seen["weasyprint_here"] is False
    files = PdfReader(io.BytesIO(pdf.read_bytes())).attachments
    positions, body, seal = read_map(files[MAP_NAME][0])
    assert positions["rects"], "the map records where the paragraphs landed"
    assert seal_matches(find(tmp_path / "ws"), body, seal)
    assert not seal_matches(find(tmp_path / "ws"), body.replace(b'"rects"', b'"rects" '), seal)


def test_a_child_that_dies_leaves_the_command_to_print(circulated, tmp_path):
    ws, symbol = circulated
    pdf, seen = _render(ws, tmp_path, symbol, "--stage", "draft", "--lang", "en",
                        "--format", "pdf", KILL_CHILD="1")
    assert seen == {"weasyprint_here": True, "child_left": False}
    assert "Higher Council of BRICS" in _text(pdf)
