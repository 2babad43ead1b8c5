"""Comments from a review copy annotated in a PDF reader.

The copies are real renders (one Russian–Chinese parallel copy for rev-ru, one Chinese copy
for rev-zh, rendered once for the module). Annotations are written by libraries that are not
ours — pypdf's annotation classes and MuPDF (``mutool run``, the engine of the MuPDF,
SumatraPDF and zathura readers) — on the boxes ``pdftotext -bbox`` reports for given words.
The test asserts what was stored: paragraph, language column, quoted text, type, author.
Played as an attacker too: another reviewer's name, an edited position map, a plain PDF,
thousands of annotations, control characters, a second import of the same file.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText, Highlight, Text
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, TextStringObject

from tests.conftest import Cli, module_workspace
from tests.reliability.helpers import draft, row_counts


@dataclass(frozen=True)
class Copies:
    ws: Cli
    symbol: str
    ru_zh: Path     # rev-ru's copy, parallel ru | zh
    zh: Path        # rev-zh's copy, Chinese only, as the review-copy e-mail carried it
    folder: Path


@pytest.fixture(scope="module")
def copies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Copies]:
    folder = tmp_path_factory.mktemp("annotations")
    with module_workspace(folder / "ws") as ws:
        symbol = draft(ws, folder)
        ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
        out = folder / "copies"
        ws(["render", symbol, "--stage", "review", "--reviewer", "rev-ru", "--lang", "ru,zh",
            "--format", "pdf", "-o", str(out)])
        mailed = _mailed_copy(ws, "rev-zh@wg.example")  # the copy rev-zh received
        zh = out / "mailed-rev-zh.pdf"
        zh.write_bytes(mailed.get_payload(decode=True))  # type: ignore[union-attr]
        yield Copies(ws, symbol, next(out.glob("*rev-ru.pdf")), zh, folder)


def _mailed(ws: Cli, recipient: str) -> email.message.EmailMessage:
    messages = json.loads(ws(["outbox", "--json"]).output)["messages"]
    path = next(ws.root / m["eml_path"] for m in messages if m["recipient"] == recipient)
    return email.message_from_bytes(path.read_bytes(),  # type: ignore[return-value]
                                    policy=email.policy.default)


def _mailed_copy(ws: Cli, recipient: str) -> email.message.EmailMessage:
    return next(part for part in _mailed(ws, recipient).iter_attachments()  # type: ignore[return-value]
                if part.get_content_type() == "application/pdf")


# -- where words are, as poppler sees them (PDF points, origin bottom-left) ---------------
def word_box(pdf: Path, word: str, *, column: str = "", page: int = 1
             ) -> tuple[float, float, float, float]:
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                          "-"], capture_output=True, text=True, check=True).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', xml).group(1))  # type: ignore[union-attr]
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="([\d.]+)">(.*?)</word>', xml):
        x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
        if m.group(5) != word:
            continue
        if column == "ru" and x0 > 300 or column == "zh" and x0 < 300:
            continue
        return x0, height - y1, x1, height - y0
    raise AssertionError(f"{word!r} not on page {page} of {pdf.name}")


def _quads(*boxes: tuple[float, float, float, float]) -> ArrayObject:
    values = []
    for x0, y0, x1, y1 in boxes:
        values += [x0, y1, x1, y1, x0, y0, x1, y0]
    return ArrayObject([FloatObject(v) for v in values])


def markup(box: tuple[float, float, float, float], note: str = "", *, kind: str = "/Highlight",
           author: str | None = None, **extra: Any) -> Highlight:
    annot = Highlight(rect=box, quad_points=_quads(box), title_bar=author, **extra)
    annot[NameObject("/Subtype")] = NameObject(kind)
    if note:
        annot[NameObject("/Contents")] = TextStringObject(note)
    return annot


def caret(box: tuple[float, float, float, float], note: str) -> DictionaryObject:
    annot = DictionaryObject()
    annot.update({NameObject("/Type"): NameObject("/Annot"),
                  NameObject("/Subtype"): NameObject("/Caret"),
                  NameObject("/Rect"): ArrayObject([FloatObject(v) for v in box]),
                  NameObject("/Contents"): TextStringObject(note)})
    return annot


def returned(ws: Cli, pdf: Path) -> Path:
    """The copy as it comes back: attached to its reviewer's reply to the message that
    carried it (the reviewer named in the copy's own map; a copy without one, rev-ru's)."""
    from pypdf import PdfReader

    from templates.pdf.positions import MAP_NAME
    from workflow import demo_mail

    try:
        reviewer = json.loads(PdfReader(pdf).attachments[MAP_NAME][0])["ids"]["reviewer"]
    except Exception:  # noqa: BLE001 - a copy with no (readable) map
        reviewer = "rev-ru"
    message = demo_mail.received(ws.root, reviewer)
    return demo_mail.reply(message, [(pdf.name, pdf.read_bytes())],
                           pdf.with_name(f"reply-{pdf.name}.eml"))


def import_json(ws: Cli, symbol: str, pdf: Path, code: int = 0) -> Any:
    result = ws(["comments", "import", symbol, str(returned(ws, pdf)), "--json"], code=code)
    return json.loads(result.output) if code == 0 else result.output


def rows(data: Any) -> list[tuple[str, str, str, str, str]]:
    return [(c["original_ref"], c["lang"], c["quote"], c["type"], c["author"])
            for c in data["imported"]]


# -- the round trip ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def annotated(copies: Copies) -> tuple[Path, Any]:
    src = copies.ru_zh
    w = PdfWriter(clone_from=src)
    first = w.add_annotation(0, markup(word_box(src, "локализации", column="ru"),
                                       "te: уточнить\x07 срок\u202e", author="Петров"))
    w.add_annotation(0, Text(rect=(500, 600, 520, 620), text="Согласен", in_reply_to=first))
    w.add_annotation(0, markup(word_box(src, "建议设立合资企业：", column="zh"), "ed：用词"))
    w.add_annotation(0, markup(word_box(src, "партнёрами;", column="ru"), "Какими именно?",
                               kind="/Underline"))
    w.add_annotation(0, markup(word_box(src, "поручает", column="ru"), kind="/StrikeOut"))
    target = word_box(src, "вопросом.", column="ru")  # the caret at the end, as Acrobat puts it
    head = w.add_annotation(0, caret((target[2] - 3, target[1], target[2] + 9, target[3]),
                                     "темой."))
    strike = markup(target, kind="/StrikeOut")
    strike[NameObject("/IRT")] = head.indirect_reference
    strike[NameObject("/RT")] = NameObject("/Group")
    w.add_annotation(0, strike)
    w.add_annotation(0, Text(rect=(300, 800, 320, 820), text="ge: общее замечание"))
    w.add_annotation(0, markup(word_box(src, "决定继续处理此事项。", column="zh")))  # no note
    x0, y0, x1, y1 = word_box(src, "责成工作组制定至2030年的路线图；", column="zh")
    w.add_annotation(0, FreeText(rect=(x0 + 20, y0, x0 + 80, y1), text="te: 2035年"))
    path = copies.folder / "annotated.pdf"
    w.write(path)
    return path, import_json(copies.ws, copies.symbol, path)


def test_each_annotation_becomes_a_comment_on_its_paragraph_and_column(
        annotated: tuple[Path, Any]) -> None:
    _, data = annotated
    assert rows(data) == [
        ("OP 1(a)", "ru", "локализации", "te", "rev-ru"),
        ("OP 1", "zh", "建议设立合资企业：", "ed", "rev-ru"),
        ("OP 1(b)", "ru", "партнёрами;", "te", "rev-ru"),
        ("OP 2", "ru", "поручает", "ed", "rev-ru"),
        ("OP 3", "ru", "вопросом.", "ed", "rev-ru"),
        ("General", "", "", "ge", "rev-ru"),
        ("OP 2", "zh", "", "te", "rev-ru"),
    ]
    texts = [(c["text"], c["proposal"]) for c in data["imported"]]
    assert texts[0] == ("уточнить срок\n— Согласен", "")   # control characters gone, reply in
    assert texts[3] == ("Delete “поручает”.", "(delete)")
    assert texts[4] == ("Replace “вопросом.”.", "темой.")   # Acrobat's strike-out + caret
    assert texts[5][0] == "общее замечание" and texts[6][0] == "2035年"
    assert [c["location"] for c in data["imported"]][:2] == ["OP 1(a), ru", "OP 1, zh"]


def test_an_unusable_annotation_is_reported_by_number(annotated: tuple[Path, Any]) -> None:
    _, data = annotated
    assert len(data["problems"]) == 1
    assert re.match(r"1\. annotation 7 \(highlight on page 1, OP 3, zh\): marks "
                    r"“决定继续处理此事项。” but has no note", data["problems"][0])


def test_a_second_import_stores_nothing(copies: Copies, annotated: tuple[Path, Any]) -> None:
    path, _ = annotated
    before = row_counts(copies.ws.root)["comments"]
    again = import_json(copies.ws, copies.symbol, path)
    assert again["imported"] == [] and again["already_imported"] == 7
    assert row_counts(copies.ws.root)["comments"] == before
    text = copies.ws(["comments", "import", copies.symbol,
                      str(returned(copies.ws, path))]).output
    assert text.splitlines()[-1].startswith("already imported: every annotation")
    assert "1. annotation 7 (highlight on page 1, OP 3, zh)" in text  # reported again
    bare = copies.folder / "returned-copy"  # no extension: recognised by its first bytes
    bare.write_bytes(path.read_bytes())
    assert import_json(copies.ws, copies.symbol, bare)["already_imported"] == 7


def test_the_reviewer_is_the_copys_not_the_annotations(copies: Copies) -> None:
    src = copies.zh
    w = PdfWriter(clone_from=src)
    w.add_annotation(0, markup(word_box(src, "决定继续处理此事项。"), "te: 哪个事项？",
                               author="Петров Пётр"))
    path = copies.folder / "zh-annotated.pdf"
    w.write(path)
    assert rows(import_json(copies.ws, copies.symbol, path)) == [
        ("OP 3", "zh", "决定继续处理此事项。", "te", "rev-zh")]


def test_a_copy_annotated_by_mupdf(copies: Copies) -> None:
    """MuPDF writes its own annotations (quadrilaterals, appearance) and saves incrementally,
    as its readers do; coordinates in MuPDF's page space (origin top-left). The second one
    takes its quadrilaterals from MuPDF's text search: part of a Chinese run."""
    mutool = shutil.which("mutool")
    assert mutool, "mupdf-tools is a system package of the project (Makefile DEB_PACKAGES)"
    src = copies.zh
    x0, y0, x1, y1 = word_box(src, "责成工作组制定至2030年的路线图；")
    height = float(PdfReader(src).pages[0].mediabox.height)
    script = copies.folder / "annotate.js"
    script.write_text(
        "var doc = new PDFDocument(scriptArgs[0]);\n"
        "var page = doc.loadPage(0);\n"
        "var a = page.createAnnotation('Underline');\n"
        f"a.setQuadPoints([[{x0}, {height - y1}, {x1}, {height - y1}, {x0}, {height - y0}, "
        f"{x1}, {height - y0}]]);\n"
        "a.setContents('ed: 路线图应为行动计划');\na.setAuthor('王芳');\na.update();\n"
        # MuPDF's own text search: the quadrilaterals of two characters inside a run
        "var h = page.createAnnotation('Highlight');\n"
        "h.setQuadPoints(page.search('合资企业')[0]);\n"
        "h.setContents('te: 哪些领域？');\nh.update();\n"
        "doc.save(scriptArgs[1], 'incremental');\n", encoding="utf-8")
    out = copies.folder / "mupdf.pdf"
    subprocess.run([mutool, "run", str(script), str(src), str(out)], check=True)
    data = import_json(copies.ws, copies.symbol, out)
    assert rows(data) == [("OP 2", "zh", "责成工作组制定至2030年的路线图；", "ed", "rev-zh"),
                          ("OP 1", "zh", "合资企业", "te", "rev-zh")]
    assert data["imported"][0]["text"] == "路线图应为行动计划"


def test_the_review_copy_mail_says_comments_may_be_made_in_the_pdf(copies: Copies) -> None:
    for recipient, words in (("rev-ru@wg.example", "прямо в PDF"),
                             ("rev-zh@wg.example", "直接在PDF阅读器中对审阅本添加批注")):
        body = _mailed(copies.ws, recipient).get_body(("plain",))
        assert words in body.get_content()  # type: ignore[union-attr]


# -- refusals: one line, nothing stored ----------------------------------------------------
def _map_stream(w: PdfWriter) -> Any:
    names = w._root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    return names[1].get_object()["/EF"]["/F"].get_object()


def _refused(copies: Copies, path: Path, expect: str) -> None:
    before = row_counts(copies.ws.root)
    out = import_json(copies.ws, copies.symbol, path, code=1).strip()
    assert expect in out, out
    assert len(out.splitlines()) == 1, out
    assert row_counts(copies.ws.root) == before


def _one_note(src: Path, word: str, note: str) -> PdfWriter:
    w = PdfWriter(clone_from=src)
    w.add_annotation(0, markup(word_box(src, word, column="ru"), note))
    return w


def test_a_copy_whose_reviewer_was_rewritten_is_refused(copies: Copies) -> None:
    w = _one_note(copies.ru_zh, "поставок", "te: от имени другого")
    stream = _map_stream(w)
    stream.set_data(stream.get_data().replace(b'"reviewer":"rev-ru"', b'"reviewer":"rev-zh"'))
    path = copies.folder / "forged-reviewer.pdf"
    w.write(path)
    _refused(copies, path, "was not issued to rev-zh for round 1")


def test_a_copy_whose_position_map_was_edited_is_refused(copies: Copies) -> None:
    w = _one_note(copies.ru_zh, "поставок", "te: в другой пункт")
    stream = _map_stream(w)
    data = json.loads(stream.get_data())
    data["rects"] = [[*r[:5], "op-roadmap", r[6]] for r in data["rects"]]  # all to OP 2
    stream.set_data(json.dumps(data, ensure_ascii=False).encode())
    path = copies.folder / "forged-map.pdf"
    w.write(path)
    _refused(copies, path, "its position map or ids were changed")


def test_a_pdf_that_is_no_review_copy_is_refused(copies: Copies) -> None:
    w = PdfWriter()
    w.add_blank_page(595, 842)
    w.add_annotation(0, Text(rect=(100, 100, 120, 120), text="te: ?"))
    path = copies.folder / "plain.pdf"
    w.write(path)
    _refused(copies, path, "carries no position map")


def test_thousands_of_annotations_are_refused(copies: Copies) -> None:
    w = PdfWriter(clone_from=copies.ru_zh)
    for n in range(1500):
        w.add_annotation(0, Text(rect=(10, 10 + n % 700, 20, 20 + n % 700), text=f"te: {n}"))
    path = copies.folder / "flood.pdf"
    w.write(path)
    _refused(copies, path, "more than 1000 annotations")


def test_the_type_prefixes_in_the_reviewers_guide_are_the_ones_read() -> None:
    from workflow.review.annotations import note_type

    guide = (Path(__file__).parents[2] / "docs" / "REVIEWERS.md").read_text(encoding="utf-8")
    expect = {"general": "ge", "technical": "te", "editorial": "ed"}
    seen = 0
    for line in guide.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        kind = expect.get(cells[0].split(" ")[0]) if len(cells) >= 4 else None
        for prefix in (re.findall(r"`([^`]+)`", line) if kind else []):
            assert note_type(f"{prefix} слово 词") == (kind, "слово 词"), prefix
            seen += 1
    assert seen == 3 * 11  # the code, and the word in each of the other 10 languages
    assert note_type("Какими именно?") == (None, "Какими именно?")
    assert note_type("no: prefix here") == (None, "no: prefix here")
    assert note_type("the note", "ed") == ("ed", "the note")


def test_replies_in_a_circle_and_hostile_notes_are_neutralised(copies: Copies) -> None:
    src = copies.ru_zh
    w = PdfWriter(clone_from=src)
    x0, y0, x1, y1 = word_box(src, "2030", column="ru")
    first = w.add_annotation(0, Text(rect=(x0, y0, x0 + 16, y1), text="te: раз\x00\x1b[31m"))
    second = w.add_annotation(0, Text(rect=(x1, y0, x1 + 16, y1), text="te: два\u202e" + "я" * 9000,
                                      in_reply_to=first))
    first[NameObject("/IRT")] = second.indirect_reference  # each answers the other
    path = copies.folder / "circle.pdf"
    w.write(path)
    data = import_json(copies.ws, copies.symbol, path)
    assert [(c["original_ref"], c["lang"]) for c in data["imported"]] == [("OP 2", "ru")] * 2
    one, two = (c["text"] for c in data["imported"])
    assert one == "раз[31m"                                    # NUL and ESC removed
    assert two.startswith("два" + "я") and len(two) <= 5000 and "\u202e" not in two
