"""The reading room writes a language that runs right to left (Arabic) with ``dir="rtl"``
on each of its cells and titles, beside Russian left to right — checked in the page as
headless Chromium builds it (the computed direction of each cell)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import html

from drafts.model import Paragraph, Resolution
from templates.room import ResolutionRoom, render_resolution
from templates.view import BodyView, build_view
from tests import chromium


def _room() -> ResolutionRoom:
    model = Resolution(
        body="brics-higher-council", languages=("ru", "ar"),
        title={"ru": "О сотрудничестве", "ar": "بشأن التعاون"},
        operative=(Paragraph("op-one", {"ru": "*Рекомендует* сотрудничать;",
                                        "ar": "*توصي* بالتعاون؛"}),))
    view = build_view(model, stage="draft", version=1,
                      body=BodyView(code="brics-higher-council", names={"ru": "Совет"},
                                    enacting={}),
                      date=dt.date(2024, 9, 26))
    return ResolutionRoom(
        symbol="RCWG/RES/2024/9", number=9, titles=dict(model.title), languages=("ru", "ar"),
        state="draft", body="Совет", current=view, versions=(), rounds=(), approvals=(),
        signatures=(), signatures_checked_at="", submissions=(), events=(), files=(),
        verify=())


def test_arabic_cells_run_right_to_left(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text(render_resolution(_room()), "utf-8")
    doc = html.fromstring(page.read_text("utf-8"))
    assert {td.get("dir") for td in doc.xpath("//td[@lang='ar']")} == {"rtl"}
    assert {td.get("dir") for td in doc.xpath("//td[@lang='ru']")} == {"ltr"}
    assert doc.xpath("//div[@lang='ar']/@dir") == ["rtl"]
    # as the browser lays it out: append a probe that prints each cell's direction
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text("utf-8").replace("</body>", (
        "<script>for (const td of document.querySelectorAll('td[lang]')) "
        "console.log('DIR ' + td.lang + ' ' + getComputedStyle(td).direction);"
        "</script></body>")), "utf-8")
    seen = {m.split('"')[1] for m in chromium.load(probe).console if m.startswith('"DIR ')}
    assert seen == {"DIR ar rtl", "DIR ru ltr"}
    assert "بالتعاون" in chromium.load(page).dom
