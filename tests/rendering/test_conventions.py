"""Per-language conventions a UN/BRICS reader expects: Russian openers that continue the
body's opening line in lower case (chosen per body), justified Russian and English that
hyphenate, and no line break inside a range ("2026–2027") or a bracketed code list."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace

from templates.pdf.render import render_html
from templates.view import _lower_first, build_view
from tests.rendering.conftest import BODY, DATE, source_resolution

PADDING = "слово"


def _lines(path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return [line.strip() for line in out.splitlines()]


def _resolution(texts: list[str], lang: str = "ru"):
    items = "".join(f"  - {{{lang}: '*Просит* {t}'}}\n" for t in texts)
    return source_resolution(
        f"symbol: RCWG/RES/2024/9\nbody: brics-higher-council\nlanguages: [{lang}]\n"
        f"title: {{{lang}: 'План на 2026–2027 годы'}}\n"
        f"preamble:\n  - {{{lang}: '*Ссылаясь на* БРИКС,'}}\n"
        f"operative:\n{items}")


def test_openers_in_lower_case_for_a_un_style_body_as_written_otherwise(make_view, render):
    resolution = _resolution(["секретариат подготовить доклад;", "ООН оказать помощь."])
    text = render(make_view("final", ["ru"], of=resolution)).folded()
    assert "Высший совет БРИКС, ссылаясь на БРИКС," in text
    assert "1. просит секретариат" in text and "2. просит ООН" in text
    assert "Просит" not in text and "Ссылаясь" not in text
    as_written = build_view(resolution, stage="final", version=1, date=DATE, languages=["ru"],
                            body=replace(BODY, ru_lower_openers=False))
    assert [p.openers["ru"] for p in as_written.operative] == ["Просит", "Просит"]
    assert as_written.preamble[0].texts["ru"] == "Ссылаясь на БРИКС,"
    assert _lower_first("БРИКС") == "БРИКС" and _lower_first("Отмечая") == "отмечая"


def test_russian_and_english_paragraphs_hyphenate(make_view, render):
    long_words = " ".join(["высокотехнологичных микроэлектронных производств"] * 12)
    view = make_view("draft", ["ru"], of=_resolution([long_words]))
    html = render_html(view)
    assert 'lang="ru"' in html and "hyphens: auto" in html
    text = render(view).text()
    assert "\u2010" in text  # WeasyPrint's hyphen at a line end
    english = source_resolution(
        "symbol: RCWG/RES/2024/9\nbody: brics-higher-council\nlanguages: [en]\n"
        "title: {en: T}\noperative:\n  - {en: '*Requests* "
        + " ".join(["internationalisation of semiconductor manufacturing"] * 12) + "'}\n")
    assert "\u2010" in render(make_view("draft", ["en"], of=english)).text()


def test_no_line_breaks_inside_ranges_or_code_lists(make_view, render):
    # the same phrase at every offset: somewhere it falls at a line end
    texts = [f"{PADDING * k} {'а ' * k}мероприятия на 2026–2027 годы с кодами (ge/te/ed) "
             f"и (ru/zh/en)." for k in range(1, 16)]
    pdf = render(make_view("draft", ["ru"], of=_resolution(texts)))
    lines = _lines(pdf.path)
    joined = "\n".join(lines)
    assert joined.count("2026–2027") == 16  # the title and each paragraph, never split
    assert joined.count("(ge/te/ed)") == 15 and joined.count("(ru/zh/en)") == 15
    assert not any(re.search(r"2026–$|\(ge/$|\(ge/te/$|/ed$", line) for line in lines)
