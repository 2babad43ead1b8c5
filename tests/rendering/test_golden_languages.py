"""Golden pages of the parallel layouts ar | en and pt | ru | en: the text as pdftotext
reads it, and the page as pdftoppm draws it, compared with the files in
``tests/rendering/golden/`` (``UPDATE_GOLDEN=1 pytest tests/rendering -k golden`` rewrites
them after a deliberate change).

Beyond the golden files, what a reader of each language needs: Arabic right to left with
its first column the rightmost, labels (1 -, (أ), ‘1’) at the right edge of the Arabic
column, Noto Naskh Arabic embedded for it and Noto Serif for the Latin columns; the
Portuguese body, formula, date and labels; no DejaVu fallback anywhere.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from drafts.source import load
from templates.view import BodyView, SignatoryView, build_view
from tests.rendering.conftest import FIXTURES, GOLDEN, fold
from workflow.store.workspace import _shipped_bodies

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
DATE = dt.date(2024, 9, 26)
#: the share of pixels that may differ from the golden picture (anti-aliasing of a
#: different FreeType build); a moved column or a missing glyph changes far more
TOLERANCE = 0.004


def _body() -> BodyView:
    raw = _shipped_bodies()["bodies"]["brics-higher-council"]
    return BodyView(code="brics-higher-council", names=raw["name"], enacting=raw["enacting"],
                    dative=raw["dative"], ru_lower_openers=True)


GROUP = {"en": "Russian–Chinese working group on microelectronics",
         "ar": "الفريق العامل الروسي الصيني المعني بالإلكترونيات الدقيقة",
         "pt": "Grupo de Trabalho Russo-Chinês sobre Microeletrônica",
         "ru": "Российско-китайская рабочая группа по микроэлектронике"}
SIGNERS = (
    SignatoryView("hassan", {"ar": "أحمد حسن", "en": "Ahmed Hassan"}, "وزارة الصناعة", "eg",
                  "signatory"),
    SignatoryView("silva", {"pt": "Ana Silva", "ru": "Ана Силва", "en": "Ana Silva"},
                  "Ministério da Indústria", "br", "signatory"),
)


def _view(name: str, stage: str = "final"):  # type: ignore[no-untyped-def]
    path = FIXTURES / name
    resolution, _ = load(path.read_text(encoding="utf-8"), str(path))
    return build_view(resolution, stage=stage, version=1, body=_body(), date=DATE,
                      working_group=GROUP, signatories=SIGNERS)


LAYOUTS = {"ar-en": "ar-en.yaml", "pt-ru-en": "pt-ru-en.yaml"}


@pytest.fixture(scope="module")
def pages(render) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {name: render(_view(source)) for name, source in LAYOUTS.items()}


def _text(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-enc",
                          "UTF-8", str(pdf), "-"], check=True, capture_output=True).stdout
    return out.decode("utf-8").rstrip() + "\n"


def _picture(pdf: Path, page: int, out: Path) -> Image.Image:
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(out.with_suffix(""))], check=True)
    return Image.open(out).convert("L")


@pytest.mark.parametrize("name", LAYOUTS)
@pytest.mark.parametrize("page", [1, 2])
def test_golden_text_and_picture(pages, name: str, page: int, tmp_path: Path) -> None:
    pdf = pages[name].path
    text = _text(pdf, page)
    golden_text = GOLDEN / f"parallel-{name}-p{page}.txt"
    golden_png = GOLDEN / f"parallel-{name}-p{page}.png"
    drawn = _picture(pdf, page, tmp_path / "page.png")
    if UPDATE:
        golden_text.write_text(text, encoding="utf-8")
        drawn.save(golden_png, optimize=True)
    assert golden_text.exists() and golden_png.exists(), "run with UPDATE_GOLDEN=1"
    assert fold(text) == fold(golden_text.read_text(encoding="utf-8"))
    golden = Image.open(golden_png).convert("L")
    assert golden.size == drawn.size
    diff = ImageChops.difference(golden, drawn).point(lambda v: 255 if v > 48 else 0)
    changed = sum(1 for v in diff.getdata() if v) / (diff.width * diff.height)
    assert changed <= TOLERANCE, f"{changed:.2%} of the pixels differ from {golden_png.name}"


def _is(word: str, wanted: str) -> bool:
    """pdftotext -bbox gives right-to-left words in the order they are drawn (reversed)."""
    return wanted in word or wanted[::-1] in word


def test_arabic_reads_from_the_right(pages) -> None:
    rendered = pages["ar-en"]
    words = [w for w in rendered.words() if w[0] == 1]  # type: ignore[attr-defined]
    ar_x = [x for _, x, _, word in words if _is(word, "يوصي") or _is(word, "الصناعة")]
    en_x = [x for _, x, _, word in words if word in ("Recommends", "industry")]
    assert ar_x and en_x and min(ar_x) > max(en_x)  # the first column is the rightmost
    # the Arabic labels stand at the right edge of the Arabic column, before its text
    line = next(y for _, _, y, word in words if _is(word, "يوصي"))
    label = max(x for _, x, y, word in words if abs(y - line) < 4 and "1" in word)
    recommends = next(x for _, x, _, word in words if _is(word, "يوصي"))
    assert label > recommends
    fonts = dict(rendered.fonts())  # type: ignore[attr-defined]
    assert fonts.get("Noto-Naskh-Arabic") and fonts.get("Noto-Naskh-Arabic-Bold")
    assert fonts.get("Noto-Serif") and not any(f.startswith("DejaVu") for f in fonts)
    text = fold(rendered.text())  # type: ignore[attr-defined]
    # extracted right-to-left text comes in drawn order: each word must be there
    assert "’1‘" in text or "‘1’" in text  # a sub-item of the Arabic column, drawn ’1‘
    assert "1 / 2" in text  # the page counter reads left to right
    for expected in ("إن المجلس الأعلى لمجموعة بريكس", "26 أيلول سبتمبر 2024", "أ",
                     "The Higher Council of BRICS,", "RCWG/RES/2023/4", "التوقيعات",
                     "أحمد حسن", "الموقِّع"):
        for word in expected.split():
            assert word in text, (expected, word)


def test_portuguese_russian_english_columns(pages) -> None:
    rendered = pages["pt-ru-en"]
    text = fold(rendered.text())  # type: ignore[attr-defined]
    for expected in ("Conselho Superior do BRICS", "O Conselho Superior do BRICS,",
                     "26 de setembro de 2024", "Высший совет БРИКС,", "a)", "а)", "(a)",
                     "recomenda", "рекомендует", "Assinaturas", "Подписи", "Signatures"):
        assert expected.lower() in text.lower(), expected
    words = [w for w in rendered.words() if w[0] == 1]  # type: ignore[attr-defined]
    pt_x = next(x for _, x, _, word in words if word.startswith("Recomenda"))
    en_x = next(x for _, x, _, word in words if word.startswith("Recommends"))
    assert pt_x < en_x  # left to right: the first language first
    fonts = dict(rendered.fonts())  # type: ignore[attr-defined]
    assert fonts.get("Noto-Serif") and fonts.get("Noto-Serif-Italic")
    assert not any(f.startswith("DejaVu") for f in fonts)


def _chars(pdf: Path, page: int = 1) -> list[tuple[str, str]]:
    """(font, character) of every character MuPDF draws on a page (mutool, mupdf-tools)."""
    import re

    xml = subprocess.run(["mutool", "draw", "-q", "-F", "stext", "-o", "-", str(pdf),
                          str(page)], check=True, capture_output=True, text=True).stdout
    out, font = [], ""
    for match in re.finditer(r'<font name="([^"]+)"|<char [^>]*c="([^"]*)"', xml):
        if match.group(1):
            font = match.group(1)
        else:
            import html

            out.append((font, html.unescape(match.group(2))))
    return out


def test_chinese_first_english_second_keeps_english_type(render, tmp_path: Path) -> None:
    """In a zh | en layout the English column is set in Noto Serif: its openers italic (not
    the Chinese bold), its line-end hyphens hyphens of that face (not the CJK face's wide
    dash), while the Chinese openers are the CJK face's bold."""
    long = " ".join(["internationalization of semiconductor manufacturing"] * 6)
    source = (f"body: brics-higher-council\nlanguages: [zh, en]\n"
              f"title: {{zh: 关于微电子, en: On microelectronics}}\n"
              f"preamble:\n  - zh: \"*注意到*工业需求日益增长，\"\n"
              f"    en: \"*Noting* the growing demand for the {long},\"\n"
              f"operative:\n  - zh: \"*决定*继续处理此事项。\"\n"
              f"    en: \"*Decides* to remain seized of the matter.\"\n")
    resolution, _ = load(source, "<zh-en>")
    view = build_view(resolution, stage="final", version=1, body=_body(), date=DATE)
    chars = _chars(render(view).path)
    fonts_of = {}
    for font, ch in chars:
        fonts_of.setdefault(ch, set()).add(font)
    noting = [f for (f, c), nxt in zip(chars, chars[1:]) if c == "N" and nxt[1] == "o"]
    assert noting == ["Noto-Serif-Italic"]
    assert fonts_of["决"] == {"Noto-Serif-CJK-SC-Bold"}  # 决定: the Chinese opener
    hyphens = [f for f, c in chars if c == "\u2010"]
    assert hyphens and set(hyphens) == {"Noto-Serif"}
