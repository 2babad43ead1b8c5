"""Fixtures for the rendering tests: the trilingual fixture resolution, views built from it
with ``build_view()``, and helpers that read PDFs back (text per page, word boxes, fonts).

Rendered PDFs are cached per session by their view's parameters: several tests read the
same document.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drafts.model import Resolution
from drafts.source import load
from templates.view import BodyView, DocumentView, SignatoryView, build_view

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
DATE = dt.date(2024, 9, 26)

BODY = BodyView(
    code="brics-higher-council",
    names={"en": "Higher Council of BRICS", "ru": "Высший совет БРИКС",
           "zh": "金砖国家最高理事会"},
    enacting={"en": "The Higher Council of BRICS,", "ru": "Высший совет БРИКС,",
              "zh": "金砖国家最高理事会，"},
    address="secretariat@higher-council.brics.example",
    dative={"ru": "Высшему совету БРИКС", "en": "the Higher Council of BRICS"},
    latin_names=True, ru_lower_openers=True,
)
WORKING_GROUP = {
    "ru": "Российско-китайская рабочая группа по микроэлектронике",
    "zh": "俄中微电子工作组",
    "en": "Russian–Chinese Working Group on Microelectronics",
}
SIGNATORIES = (
    SignatoryView(member_id="ivanov", names={"ru": "Иванов И. И.", "zh": "伊万诺夫",
                                            "en": "I. I. Ivanov"},
                  organisation="Минпромторг России", delegation="ru", role="Co-Chair"),
    SignatoryView(member_id="li-wei", names={"ru": "Ли Вэй", "zh": "李伟", "en": "Li Wei"},
                  organisation="工业和信息化部", delegation="zh", role="Co-Chair"),
)


def load_resolution(name: str = "microelectronics.yaml") -> Resolution:
    path = FIXTURES / name
    resolution, _ = load(path.read_text(encoding="utf-8"), str(path))
    return resolution


def source_resolution(text: str) -> Resolution:
    resolution, _ = load(text, "<test>")
    return resolution


@pytest.fixture(scope="session")
def resolution() -> Resolution:
    return load_resolution()


ViewFactory = Callable[..., DocumentView]


@pytest.fixture(scope="session")
def make_view(resolution: Resolution) -> ViewFactory:
    """``make_view("draft", ["en"], reviewer=..., ...)``: a view of the fixture resolution."""

    def make(stage: str, languages: list[str] | None = None, *,
             of: Resolution | None = None, **kwargs: Any) -> DocumentView:
        kwargs.setdefault("version", 2)
        kwargs.setdefault("working_group", WORKING_GROUP)
        kwargs.setdefault("date", DATE)
        return build_view(of or resolution, stage=stage, body=BODY,
                          languages=languages, **kwargs)

    return make


@dataclass
class Rendered:
    """A rendered PDF and what the tests read back from it."""

    data: bytes
    path: Path

    @property
    def reader(self) -> Any:
        import pypdf

        return pypdf.PdfReader(io.BytesIO(self.data))

    def pages(self) -> list[str]:
        """Text of each page in content order (pypdf): the order the HTML was written in,
        so a label comes right before its paragraph and the watermark first."""
        return [page.extract_text() for page in self.reader.pages]

    def text(self) -> str:
        return "\n".join(self.pages())

    def folded(self) -> str:
        return fold(self.text())

    def words(self) -> list[tuple[int, float, float, str]]:
        """(page number from 1, x, y of the top edge, word) for every word."""
        xml = _run("pdftotext", "-bbox", "-enc", "UTF-8", str(self.path), "-")
        xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml)
        root = ET.fromstring(xml)
        out = []
        for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), 1):
            for word in page.iter("{http://www.w3.org/1999/xhtml}word"):
                out.append((number, float(word.get("xMin")), float(word.get("yMin")),
                            word.text or ""))
        return out

    def fonts(self) -> list[tuple[str, bool]]:
        """(font name without subset prefix, embedded?) as ``pdffonts`` lists them."""
        lines = _run("pdffonts", str(self.path)).splitlines()[2:]
        out = []
        for line in lines:
            parts = line.split()
            name = parts[0].split("+", 1)[-1]
            # columns from the right: emb sub uni object-id generation
            out.append((name, parts[-5] == "yes"))
        return out


def unhyphenate(text: str) -> str:
    """Words hyphenated at a line end joined again (WeasyPrint hyphenates with U+2010,
    which no source text here uses)."""
    return re.sub("\u2010\\s+", "", text)


def squeeze(text: str) -> str:
    """All whitespace removed: for Chinese, where a line break is not a space."""
    return "".join(unhyphenate(text).split())


def fold(text: str) -> str:
    """Whitespace folded to single spaces: the normal form golden files are compared in."""
    return " ".join(unhyphenate(text).split())


def _run(*args: str) -> str:
    if shutil.which(args[0]) is None:
        pytest.fail(f"{args[0]} not found: install poppler-utils (make system-packages)")
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def render(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Rendered]:
    """``render(view, **render_pdf_options)`` → :class:`Rendered` (cached per view)."""
    from templates.pdf.render import render_pdf

    cache: dict[Any, Rendered] = {}
    folder = tmp_path_factory.mktemp("pdf")

    def do(view: DocumentView, **options: Any) -> Rendered:
        key = (repr(view), repr(sorted(options.items())))
        if key not in cache:
            data = render_pdf(view, **options)
            path = Path(tempfile.mkstemp(suffix=".pdf", dir=folder)[1])
            path.write_bytes(data)
            cache[key] = Rendered(data, path)
        return cache[key]

    return do
