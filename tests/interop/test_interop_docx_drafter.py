"""Word import as a drafter expects it, on files made by python-docx and the same files
saved again by LibreOffice (libreoffice-writer-nogui).

A UN-style draft: the symbol, the title in plain type, the line saying who adopted it and
when, the enacting formula ("Совет Безопасности,"), then the text — the title, the body
line and the formula are recognised by their place and shape, not taken as preambular
paragraphs. Item levels follow the labels' style: items (i), (ii) right under a paragraph
are its items (kept as `label: roman`), (i) after (b) starts sub-items, (h), (i), (j) are
letters. A Chinese translation keeps its openers without an added space.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from drafts.numbering import ref, resolve
from drafts.parity.rules import check
from drafts.source import dump, load
from drafts.word.placing import import_docx, merge_language
from templates.view import BodyView, build_view
from tests.interop.interop_docx import add_multilevel_list, add_text, set_numbering, to_bytes

if shutil.which("soffice") is None:  # CI installs libreoffice-writer-nogui
    raise RuntimeError("LibreOffice (soffice) is needed: apt-get install libreoffice-writer-nogui")


def un_style_russian() -> bytes:
    d = docx.Document()
    d.add_paragraph("S/RES/1518/2003")
    d.add_paragraph("Резолюция 1518 (2003)")
    d.add_paragraph("принятая Советом Безопасности на его 4844-м заседании 24 ноября 2003 года")
    d.add_paragraph("Совет Безопасности,")
    add_text(d, " на свои предыдущие резолюции,", italic_opener="ссылаясь")
    add_text(d, " на основании главы VII Устава Организации Объединенных Наций,",
             italic_opener="действуя")
    add_text(d, " учредить Комитет, который:", italic_opener="постановляет", label="1.")
    add_text(d, "собирает сведения;", label="i)")
    add_text(d, "готовит перечни;", label="ii)")
    add_text(d, "представляет доклады;", label="iii)")
    add_text(d, " государства-члены:", italic_opener="призывает", label="2.")
    add_text(d, "сотрудничать с Комитетом;", label="а)")
    add_text(d, "представлять сведения, в том числе:", label="б)")
    add_text(d, "о финансовых активах;", label="i)")
    add_text(d, "о лицах;", label="ii)")
    add_text(d, "сообщать о принятых мерах;", label="в)")
    add_text(d, " продолжать заниматься этим вопросом.", italic_opener="постановляет",
             label="3.")
    return to_bytes(d)


def letters_past_h() -> bytes:
    d = docx.Document()
    title = d.add_paragraph(style="Title")
    title.add_run("On ten measures")
    d.add_paragraph("The Higher Council of BRICS,")
    add_text(d, " the following measures:", italic_opener="Recommends", label="1.")
    for n, letter in enumerate("abcdefghij"):
        add_text(d, f"measure {n + 1};" if letter != "j" else "measure 10.", label=f"({letter})")
    return to_bytes(d)


def word_numbered_roman_items() -> bytes:
    """Word's own numbering: a 1./(a)/(i) list, and a separate list numbered (i), (ii) at
    its first level placed right under a paragraph."""
    d = docx.Document()
    d.add_paragraph("On numbered lists").runs[0].bold = True
    d.add_paragraph("The Higher Council of BRICS,")
    num = add_multilevel_list(d)
    p = add_text(d, " that:", italic_opener="Decides")
    set_numbering(p, num, 0)
    for text in ("first;", "second;"):
        set_numbering(add_text(d, text), num, 2)  # level 3 of the list, styled (i), (ii)
    p = add_text(d, " to remain seized of the matter.", italic_opener="Decides")
    set_numbering(p, num, 0)
    return to_bytes(d)


def chinese_translation() -> bytes:
    d = docx.Document()
    d.add_paragraph("第1518（2003）号决议").runs[0].bold = True
    d.add_paragraph("安全理事会，")
    add_text(d, "其以往各项决议，", italic_opener="回顾")
    add_text(d, "《联合国宪章》第七章采取行动，", italic_opener="根据")
    add_text(d, "设立一个委员会，该委员会：", italic_opener="决定", label="1.")
    add_text(d, "收集资料；", label="(i)")
    add_text(d, "编制清单；", label="(ii)")
    add_text(d, "提出报告；", label="(iii)")
    add_text(d, "会员国：", italic_opener="呼吁", label="2.")
    add_text(d, "与委员会合作；", label="(a)")
    add_text(d, "提供资料，包括：", label="(b)")
    add_text(d, "金融资产；", label="㈠")
    add_text(d, "个人；", label="㈡")
    add_text(d, "报告所采取的措施；", label="(c)")
    add_text(d, "继续处理此案。", italic_opener="决定", label="3.")
    return to_bytes(d)


DRAFTS = {"un-russian": un_style_russian, "letters-past-h": letters_past_h,
          "word-numbered": word_numbered_roman_items, "chinese": chinese_translation}


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """Each draft as python-docx wrote it and as LibreOffice saved it (one batch)."""
    root = tmp_path_factory.mktemp("lo")
    (root / "in").mkdir()
    made = {name: build() for name, build in DRAFTS.items()}
    for name, data in made.items():
        (root / "in" / f"{name}.docx").write_bytes(data)
    subprocess.run(["soffice", f"-env:UserInstallation={(root / 'profile').as_uri()}",
                    "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir",
                    str(root / "out"), *sorted(str(p) for p in (root / "in").iterdir())],
                   check=True, capture_output=True, timeout=300)
    out = {}
    for name, data in made.items():
        resaved = (root / "out" / f"{name}.docx").read_bytes()
        assert resaved != data
        out[name] = {"python-docx": data, "libreoffice": resaved}
    return out


ORIGINS = ["python-docx", "libreoffice"]


def _shape(paragraphs):  # type: ignore[no-untyped-def]
    return [(p.label, p.texts, _shape(p.items)) if p.items else (p.label, p.texts)
            for p in paragraphs]


@pytest.mark.parametrize("origin", ORIGINS)
def test_title_body_line_and_enacting_formula_by_place_and_shape(saved, origin) -> None:
    result = import_docx(saved["un-russian"][origin], lang="ru")
    res = result.resolution
    assert res.symbol == "S/RES/1518/2003"
    assert res.title == {"ru": "Резолюция 1518 (2003)"}
    assert result.body_lines == [
        "принятая Советом Безопасности на его 4844-м заседании 24 ноября 2003 года"]
    assert result.enacting == "Совет Безопасности,"
    assert [p.text("ru") for p in res.preamble] == [
        "*ссылаясь* на свои предыдущие резолюции,",
        "*действуя* на основании главы VII Устава Организации Объединенных Наций,"]
    assert result.unrecognised == []
    # no punctuation error about a title taken for a paragraph
    assert [f for f in check(res) if f.rule == "punctuation"] == []


@pytest.mark.parametrize("origin", ORIGINS)
def test_item_levels_follow_the_label_style_not_the_order(saved, origin) -> None:
    res = import_docx(saved["un-russian"][origin], lang="ru").resolution
    first, second, _ = res.operative
    assert _shape(first.items) == [("roman", {"ru": "собирает сведения;"}),
                                   ("roman", {"ru": "готовит перечни;"}),
                                   ("roman", {"ru": "представляет доклады;"})]
    assert _shape(second.items) == [
        ("", {"ru": "сотрудничать с Комитетом;"}),
        ("", {"ru": "представлять сведения, в том числе:"},
         [("", {"ru": "о финансовых активах;"}), ("", {"ru": "о лицах;"})]),
        ("", {"ru": "сообщать о принятых мерах;"})]
    # the source keeps the style, and references follow what is printed
    source = dump(res)
    assert "label: roman" in source
    assert load(source, "<dump>")[0] == res
    located = resolve(res, "OP 1(ii)")
    assert located.paragraph.text("ru") == "готовит перечни;"
    assert ref(located, res) == "OP 1(ii)"
    assert resolve(res, "OP 2(b)(ii)").paragraph.text("ru") == "о лицах;"


@pytest.mark.parametrize("origin", ORIGINS)
def test_letters_past_h_stay_letters(saved, origin) -> None:
    result = import_docx(saved["letters-past-h"][origin], lang="en")
    (op,) = result.resolution.operative
    assert [i.text("en") for i in op.items][8] == "measure 9;"
    assert len(op.items) == 10 and all(not i.items and not i.label for i in op.items)
    assert result.resolution.title == {"en": "On ten measures"}
    assert result.enacting == "The Higher Council of BRICS,"


@pytest.mark.parametrize("origin", ORIGINS)
def test_word_numbering_by_its_label_style(saved, origin) -> None:
    res = import_docx(saved["word-numbered"][origin], lang="en").resolution
    first, second = res.operative
    assert _shape(first.items) == [("roman", {"en": "first;"}), ("roman", {"en": "second;"})]
    assert second.text("en") == "*Decides* to remain seized of the matter."


@pytest.mark.parametrize("origin", ORIGINS)
def test_a_chinese_translation_merges_without_spaces_after_openers(saved, origin) -> None:
    russian = import_docx(saved["un-russian"]["python-docx"], lang="ru").resolution
    imported = import_docx(saved["chinese"][origin], lang="zh")
    assert imported.enacting == "安全理事会，"
    assert imported.resolution.preamble[0].text("zh") == "*回顾*其以往各项决议，"
    merged = merge_language(russian, imported.resolution, "zh")
    assert merged.operative[0].text("zh") == "*决定*设立一个委员会，该委员会："
    assert [i.text("zh") for i in merged.operative[1].items[1].items] == ["金融资产；", "个人；"]
    assert all(" " not in loc.paragraph.text("zh") for loc in merged.walk())


def test_kept_label_styles_render_as_written_in_every_language() -> None:
    source = """body: brics-higher-council
languages: [ru, zh, en, ar, fr]
title: {ru: О мерах, zh: 关于措施, en: On measures, ar: بشأن التدابير, fr: Sur les mesures}
operative:
  - ru: "*Постановляет*, что Комитет:"
    zh: "*决定*委员会："
    en: "*Decides* that the Committee:"
    ar: "*يقرر* أن اللجنة:"
    fr: "*Décide* que le Comité :"
    items:
      - label: roman
        ru: собирает сведения;
        zh: 收集资料；
        en: gathers information;
        ar: تجمع المعلومات؛
        fr: rassemble des informations ;
      - ru: представляет доклады.
        zh: 提出报告。
        en: reports.
        ar: تقدم التقارير.
        fr: fait rapport.
"""
    res, _ = load(source, "<t>")
    body = BodyView("brics-higher-council", {}, {})
    import datetime as dt

    view = build_view(res, stage="draft", version=1, body=body, date=dt.date(2024, 9, 26))
    labels = [p.labels for p in view.operative[0:1]]
    items = [p for p in view.paragraphs() if p.depth == 1]
    assert [p.labels["en"] for p in items] == ["(i)", "(ii)"]
    assert [p.labels["ru"] for p in items] == ["i)", "ii)"]
    assert [p.labels["zh"] for p in items] == ["㈠", "㈡"]
    assert [p.labels["ar"] for p in items] == ["‘1’", "‘2’"]
    assert [p.labels["fr"] for p in items] == ["i)", "ii)"]
    assert [p.ref for p in items] == ["OP 1(i)", "OP 1(ii)"]
    assert labels and labels[0]["en"] == ""  # a lone operative paragraph is not numbered


def test_a_label_style_named_on_a_later_item_only_is_refused() -> None:
    from drafts.errors import SourceError

    text = """body: brics-higher-council
languages: [en]
title: {en: T}
operative:
  - en: "*Decides*:"
    items:
      - en: a;
      - label: roman
        en: b.
"""
    with pytest.raises(SourceError, match="not on the first"):
        load(text, "bad.yaml")
    with pytest.raises(SourceError, match="unknown label style 'greek'"):
        load(text.replace("      - en: a;\n      - label: roman", "      - label: greek\n"
                          "        en: a;\n      - label: greek"), "bad.yaml")


def test_new_from_docx_finds_the_body_by_its_enacting_formula(tmp_path: Path) -> None:
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path / "ws")
    d = docx.Document()
    d.add_paragraph("О сотрудничестве").runs[0].bold = True
    d.add_paragraph("Деловой совет БРИКС,")
    add_text(d, " растущий спрос,", italic_opener="Отмечая")
    add_text(d, " продолжать работу.", italic_opener="Постановляет")
    path = tmp_path / "draft.docx"
    path.write_bytes(to_bytes(d))
    symbol = ws(["new", "--from-docx", str(path), "--lang", "ru"]).output.split()[0]
    import json

    shown = json.loads(ws(["show", symbol, "--json"]).output)
    assert shown["body"] == "brics-business-council"
    assert "О сотрудничестве" in ws(["source", symbol]).output
