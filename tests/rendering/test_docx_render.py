"""DOCX rendering: what each stage's document says, read back from word/document.xml."""

from __future__ import annotations

import hashlib
import io
import re

import docx
import pytest

from templates.view import STAGES
from templates.word.render import DOCX_STAGES, docx_template_hash, render_docx
from tests.rendering.docx_fixtures.helpers import (
    BODY,
    NS,
    SIGNATORIES,
    W,
    docx_view,
    find_paragraph,
    fixture_resolution,
    has,
    paragraph_text,
    part,
    part_names,
    parts_xml,
    runs_of,
    table_rows,
    tables,
    texts,
    xml,
)

LABELS = {  # ref -> label per language
    "OP 1": {"ru": "1.", "zh": "1.", "en": "1."},
    "OP 2(a)": {"ru": "а)", "zh": "(a)", "en": "(a)"},
    "OP 2(b)": {"ru": "б)", "zh": "(b)", "en": "(b)"},
    "OP 2(b)(ii)": {"ru": "ii)", "zh": "㈡", "en": "(ii)"},  # UN Chinese: ㈠, ㈡
    "OP 4": {"ru": "4.", "zh": "4.", "en": "4."},
}
OPENERS = {"ru": "отмечая", "zh": "注意到", "en": "Noting"}
SUB_ITEM = {"ru": "лицензирование технологических процессов;", "zh": "工艺流程许可；",
            "en": "licensing of process technology;"}
ANNEX = {"ru": ("Приложение", "Дорожная карта"), "zh": ("附件", "路线图"),
         "en": ("Annex", "Roadmap")}


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], bytes]:
    out = {}
    for stage in DOCX_STAGES:
        for layout in ("single", "parallel"):
            out[stage, layout] = render_docx(docx_view(stage, layout=layout))
    return out


def test_docx_stages_are_view_stages() -> None:
    assert set(DOCX_STAGES) <= set(STAGES)
    with pytest.raises(ValueError, match="no DOCX template"):
        render_docx(docx_view("certificate"))


@pytest.mark.parametrize("stage", DOCX_STAGES)
def test_every_stage_reopens_with_masthead_or_symbol(rendered, stage: str) -> None:
    data = rendered[stage, "parallel"]
    reopened = docx.Document(io.BytesIO(data))
    all_text = "\n".join(p.text for p in reopened.paragraphs)
    for table in reopened.tables:
        all_text += "\n".join(cell.text for row in table.rows for cell in row.cells)
    for section in reopened.sections:
        all_text += "\n".join(p.text for p in section.header.paragraphs + section.footer.paragraphs)
    assert "RCWG/RES/2024/1" in all_text
    assert "{{" not in all_text and "{%" not in all_text
    assert reopened.core_properties.subject == "RCWG/RES/2024/1"


@pytest.mark.parametrize("stage", ["draft", "final", "approval", "cover-letter"])
def test_masthead_names_body_symbol_distribution_and_date(rendered, stage: str) -> None:
    lines = texts(xml(rendered[stage, "single"]))
    for expected in ("Высший совет БРИКС", "RCWG/RES/2024/1", "Distr.: General",
                     "26 сентября 2024 г."):
        assert expected in lines
    assert "Higher Council of BRICS" not in lines  # single layout: the first language only
    parallel = texts(xml(rendered[stage, "parallel"]))
    for expected in ("金砖国家最高理事会", "Higher Council of BRICS", "2024年9月26日",
                     "26 September 2024"):
        assert expected in parallel


@pytest.mark.parametrize("lang", ["ru", "zh", "en"])
def test_single_layout_text_labels_openers(lang: str) -> None:
    view = docx_view("draft", layout="single", languages=(lang,))
    root = xml(render_docx(view))
    lines = texts(root)
    assert view.title[lang] in lines
    assert BODY.enacting[lang] in lines
    # preambular paragraphs: unnumbered, the opener first, emphasised the language's way
    pp = find_paragraph(root, OPENERS[lang])
    opener_run = runs_of(pp)[0]
    rpr = opener_run.find(W + "rPr")
    assert paragraph_text(opener_run) == OPENERS[lang]
    if lang == "zh":
        assert has(rpr, "b") and not has(rpr, "i")  # a real bold face, never a fake slant
    else:
        assert has(rpr, "i") and not has(rpr, "b")
    assert not has(runs_of(pp)[1].find(W + "rPr"), "i")
    pp_style = pp.find("w:pPr/w:pStyle", NS).get(W + "val")
    assert pp_style == "ResPreamble"
    # operative paragraphs: the label, a tab, the text
    by_ref = {p.ref: p for p in view.paragraphs()}
    for ref, labels in LABELS.items():
        paragraph = find_paragraph(root, labels[lang] + "\t")
        assert paragraph_text(paragraph) == labels[lang] + "\t" + by_ref[ref].texts[lang]
    first_sub = {"ru": "i)", "zh": "㈠", "en": "(i)"}[lang]
    sub = find_paragraph(root, first_sub + "\t")
    assert paragraph_text(sub).endswith(SUB_ITEM[lang])
    assert sub.find("w:pPr/w:pStyle", NS).get(W + "val") == "ResSubItem"
    heading, title = ANNEX[lang]
    assert heading in lines and title in lines
    assert lines.index(heading) < lines.index(title) < len(lines)
    assert "*" not in "".join(lines)


def test_text_as_written_in_order() -> None:
    view = docx_view("draft", layout="single", languages=("en",))
    lines = [line for line in texts(xml(render_docx(view))) if line]
    expected = [p.labels["en"] + "\t" + p.texts["en"] if p.labels["en"] else p.texts["en"]
                for p in view.preamble + view.operative]
    positions = [lines.index(text) for text in expected]
    assert positions == sorted(positions)


def test_every_run_carries_language_and_fonts(rendered) -> None:
    for (stage, layout), data in rendered.items():
        roots = [xml(data)] + parts_xml(data, "word/header") + parts_xml(data, "word/footer")
        count = 0
        for root in roots:
            for run in root.iter(W + "r"):
                count += 1
                rpr = run.find(W + "rPr")
                where = f"{stage}/{layout}: run {paragraph_text(run)!r}"
                assert rpr is not None, where
                lang = rpr.find(W + "lang")
                fonts = rpr.find(W + "rFonts")
                assert lang is not None and lang.get(W + "eastAsia") == "zh-CN", where
                assert fonts.get(W + "eastAsia") == "Noto Serif CJK SC", where
                assert fonts.get(W + "ascii") == fonts.get(W + "hAnsi") == "Noto Serif", where
                text = paragraph_text(run)
                if re.search(r"[\u4e00-\u9fff]", text):
                    assert lang.get(W + "val") == "zh-CN", where
                elif re.search(r"[\u0400-\u04ff]", text):
                    assert lang.get(W + "val") == "ru-RU", where
        assert count > 10


def test_styles_default_to_the_same_fonts_and_language(rendered) -> None:
    styles = xml(rendered["draft", "single"], "word/styles.xml")
    default = styles.find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert default.find("w:rFonts", NS).get(W + "eastAsia") == "Noto Serif CJK SC"
    assert default.find("w:lang", NS).get(W + "eastAsia") == "zh-CN"


def test_parallel_layout_is_a_row_per_paragraph_and_a_column_per_language(rendered) -> None:
    view = docx_view("draft")
    root = xml(rendered["draft", "parallel"])
    table = [t for t in tables(root) if "Русский" in table_rows(t)[0]][0]
    rows = table_rows(table)
    assert rows[0] == ["Русский", "中文", "English"]
    assert table.find("w:tr/w:trPr/w:tblHeader", NS) is not None
    assert len(table.findall("w:tblGrid/w:gridCol", NS)) == 3
    assert rows[1] == [view.title[lang] for lang in view.languages]
    assert rows[2] == [BODY.enacting[lang] for lang in view.languages]
    body = rows[3:]
    annex_rows = 2
    assert len(body) == len(view.paragraphs()) + annex_rows
    by_ref = {p.ref: i for i, p in enumerate(view.preamble + view.operative)}
    row = body[by_ref["OP 2(a)"]]
    assert row == [LABELS["OP 2(a)"][lang] + "\t" + view.operative[2].texts[lang]
                   for lang in view.languages]
    assert body[len(view.preamble) + len(view.operative)] == ["Приложение", "附件", "Annex"]


def test_draft_header_and_footer_carry_draft_version_hash_and_page_fields(rendered) -> None:
    view = docx_view("draft")
    data = rendered["draft", "parallel"]
    header = " ".join(texts(parts_xml(data, "word/header")[0]))
    footers = parts_xml(data, "word/footer")
    footer = " ".join(texts(footers[0]))
    assert "DRAFT" in header
    assert "Версия / 版本 / Version 1" in footer and view.short_hash in footer
    assert "ПРОЕКТ / 草案 / DRAFT" in header
    instructions = [node.text.strip() for node in footers[0].iter(W + "instrText")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert " / " in footer
    kinds = [node.get(W + "fldCharType") for node in footers[0].iter(W + "fldChar")]
    assert kinds == ["begin", "separate", "end"] * 2


def test_review_copy_names_the_reviewer_and_numbers_lines(rendered) -> None:
    data = rendered["review", "single"]
    header = " ".join(texts(parts_xml(data, "word/header")[0]))
    assert "Review copy for Li Wei" in header
    assert xml(data).find(".//w:sectPr/w:lnNumType", NS) is not None


def test_comment_form_table_rows_and_hidden_ids(rendered) -> None:
    view = docx_view("comment-form")
    data = rendered["comment-form", "parallel"]
    root = xml(data)
    table = tables(root)[0]
    rows = table_rows(table)
    # the reviewer reads the form in the languages of the text, "(ge/te/ed)" unbroken
    assert rows[0] == ["№ / 序号 / No.", "Ссылка / 编号 / Ref.",
                       "Тип (ge/te/ed) / 类型（ge/te/ed） / Type (ge/te/ed)",
                       "Замечание / 意见 / Comment",
                       "Предлагаемое изменение / 建议修改 / Proposed change",
                       "Замечания секретариата / 秘书处意见 / Observations of the secretariat"]
    refs = [p.ref for p in view.paragraphs()]
    assert [r[1] for r in rows[1:]] == refs + [""] * 5
    assert refs[:4] == ["PP 1", "PP 2", "PP 3", "OP 1"]
    assert "OP 2(b)(ii)" in refs and "Annex 1 OP 2" in refs
    assert all(r[0] == r[2] == r[3] == r[4] == r[5] == "" for r in rows[1:])
    # hidden identity: custom document properties and a hidden (vanish) run
    custom = xml(data, "docProps/custom.xml")
    props = {p.get("name"): "".join(p.itertext()) for p in custom}
    assert props == {f"rcwg.{k}": v for k, v in view.form_ids.items()}
    hidden = find_paragraph(root, "RCWG-FORM-IDS ")
    assert all(has(r.find(W + "rPr"), "vanish") for r in runs_of(hidden))
    assert view.content_hash in paragraph_text(hidden)
    assert "Рецензент / 审阅人 / Reviewer: Li Wei" in texts(root)


def test_matrix_lists_comments_with_dispositions(rendered) -> None:
    rows = table_rows(tables(xml(rendered["matrix", "single"]))[0])
    assert rows[0][:4] == ["№ / 序号 / No.", "Ссылка / 编号 / Ref.", "Автор / 提出人 / Author",
                           "Тип / 类型 / Type"]
    assert rows[1] == ["1", "OP 1", "Li Wei, zh", "te", "应增加封装环节。",
                       "建立生产和封装芯片的合资企业", "принято / 接受 / accepted",
                       "Taken into account"]
    assert rows[2][1] == "PP 1" and rows[2][6] == "отклонено / 不接受 / rejected"
    assert len(rows) == 3


def test_redline_is_word_tracked_changes(rendered) -> None:
    for layout in ("single", "parallel"):
        root = xml(rendered["redline", layout])
        inserted = ["".join(t.text for t in ins.iter(W + "t")) for ins in root.iter(W + "ins")]
        deleted = ["".join(t.text for t in d.iter(W + "delText")) for d in root.iter(W + "del")]
        changes = list(root.iter(W + "ins")) + list(root.iter(W + "del"))
        assert all(c.get(W + "author") for c in changes)
        assert {c.get(W + "date") for c in changes} == {"2024-09-26T00:00:00Z"}
        ids = [c.get(W + "id") for c in changes]
        assert len(ids) == len(set(ids))
        assert not [t for d in root.iter(W + "del") for t in d.iter(W + "t")]  # w:delText
        if layout == "single":  # Russian
            assert "и упаковке " in inserted or " и упаковке" in inserted
            assert any("Призывает" in text for text in inserted)
        else:
            assert any("和封装" in text for text in inserted)
            assert any("with concern" in text for text in inserted)
            assert any("of the matter" in text for text in deleted)
            assert any("Calls for" in text for text in inserted)
        assert "*" not in "".join(texts(root)) + "".join(deleted)
    # the added paragraph's opener stays italic inside the insertion
    root = xml(rendered["redline", "single"])
    opener = [r for ins in root.iter(W + "ins") for r in ins.iter(W + "r")
              if paragraph_text(r) == "Призывает"]
    assert opener and has(opener[0].find(W + "rPr"), "i")
    header = " ".join(texts(parts_xml(rendered["redline", "single"], "word/header")[0]))
    assert "Changes from version 1 to version 2" in header


def test_final_has_clean_text_and_a_signature_cell_per_signatory(rendered) -> None:
    root = xml(rendered["final", "parallel"])
    assert not list(root.iter(W + "ins")) and not list(root.iter(W + "del"))
    sig_table = tables(root)[-1]
    cells = table_rows(sig_table)
    assert len(cells) == 1 and len(cells[0]) == len(SIGNATORIES)
    for cell, sig in zip(cells[0], SIGNATORIES):
        for name in sig.names.values():
            assert name in cell
        assert "Signature, date" in cell and "Подпись, дата" in cell
        assert sig.organisation in cell
    marks = [b.get(W + "name") for b in root.iter(W + "bookmarkStart")]
    assert marks == ["sig-ivanov", "sig-li"]


def test_approval_record_rows(rendered) -> None:
    rows = table_rows(tables(xml(rendered["approval", "single"]))[-1])
    assert rows[0][:3] == ["Участник / 成员 / Member", "Делегация / 代表团 / Delegation",
                           "Решение / 决定 / Decision"]
    assert rows[1][:4] == ["И. И. Иванов", "ru", "одобрено / 核准 / approved",
                           "2024-09-27T10:00:00+00:00"]
    assert rows[2][4] == "同意" and rows[2][5] == "ab" * 8


def test_cover_letter_addresses_the_body_and_lists_enclosures(rendered) -> None:
    lines = texts(xml(rendered["cover-letter", "single"]))
    assert "Кому: Высший совет БРИКС" in lines
    assert any(line.startswith("Тема: препровождение резолюции RCWG/RES/2024/1 «О переходе")
               for line in lines)
    assert any("имеет честь препроводить Высшему совету БРИКС резолюцию" in line
               for line in lines)
    assert "Приложения:" in lines
    assert "1.\tResolution RCWG/RES/2024/1 — ru, zh, en" in lines
    assert "2.\tRoadmap (annex)" in lines
    assert not any("not an enclosure" in line for line in lines)
    rows = table_rows(tables(xml(rendered["cover-letter", "parallel"]))[-1])
    assert rows[0] == ["Русский", "中文", "English"]
    assert rows[1] == ["Кому: Высший совет БРИКС", "致：金砖国家最高理事会",
                       "To: Higher Council of BRICS"]


HOSTILE = "{{ 7*7 }} <w:t> & </p>"


def _hostile_resolution():
    path = "tests/rendering/docx_fixtures/resolution-v1.yaml"
    text = open(path, encoding="utf-8").read().replace(
        "Первый этап — анализ рынка.", f"'{HOSTILE}'")
    text = text.replace("en: Roadmap", f"en: '{HOSTILE}'")
    from drafts.source import load

    return load(text, path)[0]


@pytest.mark.parametrize("stage", ["draft", "comment-form", "matrix", "redline"])
def test_user_text_comes_out_literally(stage: str) -> None:
    from templates.view import CommentView

    resolution = _hostile_resolution()
    extra = {"previous": fixture_resolution()} if stage == "redline" else {}
    view = docx_view(stage, resolution=resolution, reviewer=HOSTILE,
                     comments=(CommentView("c", "OP 1", "OP 1", HOSTILE, "ru", "ge", HOSTILE,
                                           HOSTILE),), **extra)
    data = render_docx(view)
    raw = part(data, "word/document.xml").decode("utf-8")
    assert "{{ 7*7 }} &lt;w:t&gt; &amp; &lt;/p&gt;" in raw
    root = xml(data)
    everything = texts(root) + [t for r in tables(root) for row in table_rows(r) for t in row]
    assert any(HOSTILE in line for line in everything)
    assert not any("49 " in line for line in everything)
    headers = parts_xml(data, "word/header") + parts_xml(data, "word/footer")
    if stage in ("comment-form",):
        assert any(HOSTILE in line for h in headers for line in texts(h))


def test_workspace_template_wins_and_runs_sandboxed(tmp_path) -> None:
    custom = docx.Document()
    custom.add_paragraph("CUSTOM {{ view.symbol }} {{ view.title[d.lang] }}")
    custom.save(tmp_path / "draft.docx")
    view = docx_view("draft", layout="single")
    data = render_docx(view, template_dir=tmp_path)
    lines = texts(xml(data))
    assert "CUSTOM RCWG/RES/2024/1 " + view.title["ru"] in lines
    assert docx_template_hash("draft", tmp_path) == hashlib.sha256(
        (tmp_path / "draft.docx").read_bytes()).hexdigest()
    assert docx_template_hash("draft", tmp_path) != docx_template_hash("draft")
    # another stage falls back to the packaged template
    assert docx_template_hash("final", tmp_path) == docx_template_hash("final")


def test_sandbox_refuses_unsafe_calls(tmp_path) -> None:
    from jinja2.exceptions import SecurityError

    custom = docx.Document()
    custom.add_paragraph("{{ view.__class__.mro()[1].__subclasses__() }}")
    custom.save(tmp_path / "draft.docx")
    with pytest.raises((SecurityError, Exception)) as info:
        render_docx(docx_view("draft"), template_dir=tmp_path)
    assert isinstance(info.value, SecurityError) or "undefined" in str(info.value).lower()


def test_same_view_same_bytes() -> None:
    view = docx_view("comment-form")
    assert render_docx(view) == render_docx(view)
    names = part_names(render_docx(view))
    assert "docProps/thumbnail.jpeg" not in names


def test_committed_templates_are_what_the_build_script_makes(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = root / "templates" / "docx" / "build_templates.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True,
                   capture_output=True, cwd=root)
    for stage in DOCX_STAGES:
        built = (tmp_path / f"{stage}.docx").read_bytes()
        assert built == (root / "templates" / "docx" / f"{stage}.docx").read_bytes(), (
            f"templates/docx/{stage}.docx is stale: run templates/docx/build_templates.py")


def test_importing_the_renderer_and_reader_loads_no_heavy_library() -> None:
    import subprocess
    import sys

    code = ("import sys, templates.word.render, drafts.comment_form; "
            "print(sorted(m for m in ('docxtpl', 'docx', 'lxml', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
