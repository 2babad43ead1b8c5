"""A body's conventions come from bodies.toml and the workspace may override them: the
Higher Council follows UN style (Russian openers in lower case), a workspace that sets
``ru_openers = "as-written"`` gets them as the source writes them."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import Cli, fixture_text


def _russian_text(ws: Cli, symbol: str, out: Path) -> str:
    ws(["render", symbol, "--stage", "draft", "--lang", "ru", "--layout", "single",
        "-o", str(out)])
    [pdf] = out.glob("*.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return " ".join(text.replace("\u2010\n", "").split())


def test_un_style_body_lowers_russian_openers_unless_the_workspace_says_otherwise(
        ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    source = tmp_path / "res.yaml"
    source.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    symbol = ws(["new", str(source)]).output.strip()
    text = _russian_text(ws, symbol, tmp_path / "un")
    assert "Высший совет БРИКС, отмечая растущую потребность" in text
    assert "1. рекомендует создавать" in text and "Рекомендует" not in text
    config = ws.root / "resolutions.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[bodies.brics-higher-council]\n'
                      'ru_openers = "as-written"\n', encoding="utf-8")
    text = _russian_text(ws, symbol, tmp_path / "as-written")
    assert "1. Рекомендует создавать" in text and "Отмечая растущую" in text
