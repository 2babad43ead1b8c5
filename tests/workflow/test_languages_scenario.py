"""The whole life of a resolution in Arabic, Chinese and English, and in Portuguese, Russian
and English: every page a reader receives is right in every language.

Each working group is created with ``init --languages ar,zh,en`` (``pt,ru,en``) and plays
the scenario through the commands a secretary types: the draft, the check, the review
copies and comment forms mailed to reviewers of two delegations (each in their own
language), a filled comment form and a sticky note in a PDF reader, dispositions, approval
by each delegation, keys and PAdES signatures, the submission with its cover letter, the
receipt, the sealed dossier. What each reader gets is read back with tools we did not
write: pdftotext for the text of every language, pdffonts for the faces embedded, the DOCX
XML for the forms (w:bidi, w:rtl, the fonts), bagit for the dossier, `resolutions verify`
for the signatures.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from pypdf.annotations import Text

from tests.conftest import LETTER, Cli

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Group:
    """A working group's language set and the people and words to expect."""

    languages: tuple[str, ...]
    prefix: str
    names: dict[str, str]
    members: list[tuple[str, str, dict[str, str], str, list[str]]]
    source: str
    reviewer: str           # the reviewer of the first delegation (not English)
    reviewer_words: list[str]  # what their review copy and form say in their language
    form_words: list[str]
    cover_words: dict[str, list[str]]
    signature_words: dict[str, list[str]]
    certificate_words: list[str]
    fonts: set[str]
    rtl: bool = False
    extra_fonts: set[str] = field(default_factory=set)


AR_ZH_EN = Group(
    languages=("ar", "zh", "en"), prefix="AZE",
    names={"en": "Working group on microelectronics", "zh": "微电子工作组",
           "ar": "الفريق العامل المعني بالإلكترونيات الدقيقة"},
    members=[
        ("sec", "Secretary", {}, "ru", ["secretary"]),
        ("layla", "ليلى منصور", {"en": "Layla Mansour"}, "eg", ["reviewer"]),
        ("wang", "王芳", {"en": "Wang Fang"}, "cn", ["reviewer"]),
        ("hassan", "أحمد حسن", {"en": "Ahmed Hassan"}, "eg", ["approver", "signatory"]),
        ("li", "李伟", {"en": "Li Wei"}, "cn", ["approver", "signatory"]),
    ],
    source="""body: brics-higher-council
languages: [ar, zh, en]
title:
  ar: بشأن الانتقال من «السوق» إلى «الإنتاج» في مجال الإلكترونيات الدقيقة
  zh: 关于微电子领域从“市场”向“生产”过渡
  en: On the transition from “market” to “production” in microelectronics
preamble:
  - id: pp-demand
    ar: "*إذ يلاحظ* تزايد طلب الصناعة على المكونات الإلكترونية الدقيقة منذ عام 2022،"
    zh: "*注意到*自2022年以来工业对微电子元器件的需求日益增长，"
    en: "*Noting* the growing demand of industry for microelectronic components since 2022,"
operative:
  - id: op-ventures
    ar: "*يوصي* بإنشاء مشاريع مشتركة:"
    zh: "*建议*设立合资企业："
    en: "*Recommends* the establishment of joint ventures:"
    items:
      - id: it-chips
        ar: لتوطين إنتاج الرقائق بتقنية 28 نانومتر؛
        zh: 以实现28纳米芯片的本地化生产；
        en: to localise the production of 28 nm chips;
      - id: it-supply
        ar: لتأمين إمدادات المكونات؛
        zh: 以保障元器件供应；
        en: to secure supplies of components;
  - id: op-roadmap
    ar: "*يكلف* الفريق العامل بإعداد خريطة طريق للفترة 2025–2030؛"
    zh: "*责成*工作组制定2025—2030年路线图；"
    en: "*Instructs* the working group to prepare a road map for 2025–2030;"
  - id: op-seized
    ar: "*يقرر* أن يبقي المسألة قيد نظره."
    zh: "*决定*继续处理此事项。"
    en: "*Decides* to remain seized of the matter."
""",
    reviewer="layla",
    reviewer_words=["نسخة للاستعراض باسم", "إن المجلس الأعلى لمجموعة بريكس", "يوصي"],
    form_words=["استمارة التعليقات", "التعليق", "التغيير المقترح", "المستعرض"],
    cover_words={"ar": ["يتشرف", "إلى المجلس الأعلى لمجموعة بريكس", "وتفضلوا بقبول"],
                 "zh": ["谨向金砖国家最高理事会转交", "附件"],
                 "en": ["has the honour to transmit to the Higher Council of BRICS"]},
    signature_words={"ar": ["التوقيعات", "الموقِّع", "أحمد حسن"],
                     "zh": ["签字", "签字人", "李伟"],
                     "en": ["Signatures", "Signatory", "Ahmed Hassan"]},
    certificate_words=["شهادة الإتمام", "توقيع", "موافقة"],
    fonts={"Noto-Naskh-Arabic", "Noto-Serif-CJK-SC", "Noto-Serif"}, rtl=True)

PT_RU_EN = Group(
    languages=("pt", "ru", "en"), prefix="PRE",
    names={"en": "Working group on microelectronics",
           "pt": "Grupo de Trabalho sobre Microeletrônica",
           "ru": "Рабочая группа по микроэлектронике"},
    members=[
        ("sec", "Secretary", {}, "en", ["secretary"]),
        ("ana", "Ana Souza", {"ru": "Ана Соуза"}, "br", ["reviewer"]),
        ("orlov", "Орлов Сергей", {"en": "Sergey Orlov"}, "ru", ["reviewer"]),
        ("silva", "Paulo Silva", {"ru": "Паулу Силва"}, "br", ["approver", "signatory"]),
        ("sokolov", "Соколов Михаил", {"en": "Mikhail Sokolov"}, "ru",
         ["approver", "signatory"]),
    ],
    source="""body: brics-higher-council
languages: [pt, ru, en]
title:
  pt: Sobre a transição do «mercado» à «produção» na microeletrônica
  ru: О переходе от «рынка» к «производству» в микроэлектронике
  en: On the transition from “market” to “production” in microelectronics
preamble:
  - id: pp-demand
    pt: "*Observando* a crescente demanda da indústria por componentes microeletrônicos desde 2022,"
    ru: "*Отмечая* растущий с 2022 года спрос промышленности на микроэлектронные компоненты,"
    en: "*Noting* the growing demand of industry for microelectronic components since 2022,"
operative:
  - id: op-ventures
    pt: "*Recomenda* a criação de empresas conjuntas:"
    ru: "*Рекомендует* создавать совместные предприятия:"
    en: "*Recommends* the establishment of joint ventures:"
    items:
      - id: it-chips
        pt: para localizar a produção de chips de 28 nm;
        ru: в целях локализации производства микросхем по технологии 28 нм;
        en: to localise the production of 28 nm chips;
      - id: it-supply
        pt: para garantir o fornecimento de componentes;
        ru: в целях обеспечения поставок компонентов;
        en: to secure supplies of components;
  - id: op-roadmap
    pt: "*Encarrega* o grupo de trabalho de preparar um roteiro para 2025–2030;"
    ru: "*Поручает* рабочей группе подготовить дорожную карту на 2025–2030 годы;"
    en: "*Instructs* the working group to prepare a road map for 2025–2030;"
  - id: op-seized
    pt: "*Decide* continuar ocupando-se da questão."
    ru: "*Постановляет* продолжать заниматься этим вопросом."
    en: "*Decides* to remain seized of the matter."
""",
    reviewer="ana",
    reviewer_words=["Exemplar para revisão de", "O Conselho Superior do BRICS", "recomenda"],
    form_words=["Formulário de comentários", "Comentário", "Alteração proposta", "Revisor"],
    cover_words={"pt": ["tem a honra de transmitir ao Conselho Superior do BRICS",
                        "Aproveitamos a oportunidade"],
                 "ru": ["имеет честь препроводить Высшему совету БРИКС", "Примите уверения"],
                 "en": ["has the honour to transmit to the Higher Council of BRICS"]},
    signature_words={"pt": ["Assinaturas", "Signatário", "Paulo Silva"],
                     "ru": ["Подписи", "Подписант", "Соколов Михаил"],
                     "en": ["Signatures", "Signatory", "Mikhail Sokolov"]},
    certificate_words=["Certificado de conclusão", "Assinatura", "Aprovação"],
    fonts={"Noto-Serif", "Noto-Serif-Italic", "Noto-Serif-Bold"})


@dataclass
class Played:
    group: Group
    ws: Cli
    symbol: str
    root: Path
    outputs: dict[str, str] = field(default_factory=dict)


def _secret(root: Path, name: str) -> str:
    path = root / f"{name}.pass"
    path.write_text(f"{name}-Passphrase-9c1d\n", encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def _mail(ws: Cli, recipient: str) -> email.message.EmailMessage:
    messages = json.loads(ws(["outbox", "--json"]).output)["messages"]
    path = next(ws.root / m["eml_path"] for m in messages if m["recipient"] == recipient)
    return email.message_from_bytes(path.read_bytes(),  # type: ignore[return-value]
                                    policy=email.policy.default)


def _attachment(message: email.message.EmailMessage, mime: str) -> bytes:
    return next(p.get_payload(decode=True) for p in message.iter_attachments()  # type: ignore[misc]
                if p.get_content_type() == mime)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _fill_form(data: bytes, out: Path, ref: str, kind: str, text: str) -> None:
    """What the reviewer does in Word: the row of the paragraph, its type, the comment."""
    from drafts.comment_form import column_kind

    document = docx.Document(io.BytesIO(data))
    table = max(document.tables, key=lambda t: len(t.rows))
    kinds = [column_kind(c.text) for c in table.rows[0].cells]
    for row in table.rows[1:]:
        if row.cells[kinds.index("ref")].text.strip() == ref:
            row.cells[kinds.index("type")].text = kind
            row.cells[kinds.index("comment")].text = text
            break
    else:
        raise AssertionError(f"no row {ref} in the form")
    document.save(str(out))


def _note_on(copy: Path, out: Path, paragraph: str, lang: str, text: str) -> None:
    """A sticky note on a paragraph's column, where the copy's position map puts it."""
    from pypdf import PdfReader

    from templates.pdf.positions import MAP_NAME

    rects = json.loads(PdfReader(copy).attachments[MAP_NAME][0])["rects"]
    page, x0, _, x1, top, _, _ = next(r for r in rects if r[5] == paragraph and r[6] == lang)
    writer = PdfWriter(clone_from=copy)
    middle = (x0 + x1) / 2
    writer.add_annotation(page - 1, Text(rect=(middle, top - 22, middle + 20, top - 2),
                                         text=text))
    writer.write(out)


def _returned(ws: Cli, reviewer: str, path: Path) -> str:
    """The file as it comes back: attached to the reviewer's reply to their review mail."""
    from workflow import demo_mail

    message = demo_mail.received(ws.root, reviewer)
    return str(demo_mail.reply(message, [(path.name, path.read_bytes())],
                               path.with_name(f"reply-{path.name}.eml")))


def play(group: Group, root: Path) -> Played:
    from click.testing import CliRunner

    from cli import cli as entry

    init = ["init", str(root / "ws"), "--name", group.names["en"], "--prefix", group.prefix,
            "--languages", ",".join(group.languages)]
    for lang, name in group.names.items():
        if lang != "en":
            init += ["--name-in", f"{lang}={name}"]
    result = CliRunner().invoke(entry, init, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ws = Cli(root / "ws", CliRunner())
    toml = ws.root / "resolutions.toml"
    delegations = list(dict.fromkeys(m[3] for m in group.members if "signatory" in m[4]))
    toml.write_text(toml.read_text("utf-8") + "\n[bodies.brics-higher-council]\nlanguages = ["
                    + ", ".join(f'"{x}"' for x in group.languages) + "]\nsignatures = ["
                    + ", ".join(f'"{d}"' for d in delegations) + "]\n", "utf-8")
    for member_id, name, names, delegation, roles in group.members:
        args = ["member", "add", member_id, "--name", name, "--delegation", delegation,
                "--email", f"{member_id}@wg.example"]
        for lang, other in names.items():
            args += ["--name-in", f"{lang}={other}"]
        for role in roles:
            args += ["--role", role]
        ws(args)
    ws(["--as", "sec", "audit", "config"])  # the bodies added above, recorded by the secretary
    source = root / "resolution.yaml"
    source.write_text(group.source, encoding="utf-8")
    symbol = ws(["new", str(source)]).output.split()[0]
    played = Played(group, ws, symbol, root)
    report = json.loads(ws(["check", symbol, "--json"]).output)
    assert report["ok"] and report["findings"] == [], report
    out = root / "out"
    ws(["render", symbol, "--stage", "draft", "--format", "all", "-o", str(out)])
    reviewers = [m[0] for m in group.members if "reviewer" in m[4]]
    ws(["circulate", symbol, *[a for r in reviewers for a in ("--reviewer", r)]])
    # the first delegation's reviewer fills the form; the other notes the PDF copy
    first, second = reviewers
    mail = _mail(ws, f"{first}@wg.example")
    played.outputs["mail-subject"] = str(mail["Subject"])
    played.outputs["mail-text"] = mail.get_body().get_content()  # type: ignore[union-attr]
    (root / "first-copy.pdf").write_bytes(_attachment(mail, "application/pdf"))
    (root / "first-form.docx").write_bytes(_attachment(mail, DOCX))
    _fill_form(_attachment(mail, DOCX), root / "filled.docx", "OP 2", "te",
               "2025–2030 ⟶ 2025–2035?")
    ws(["comments", "import", symbol, _returned(ws, first, root / "filled.docx")])
    second_lang = next(m[3] for m in group.members if m[0] == second)
    copy = root / "second-copy.pdf"
    copy.write_bytes(_attachment(_mail(ws, f"{second}@wg.example"), "application/pdf"))
    from workflow.members import delegation_language

    _note_on(copy, root / "noted.pdf", "op-roadmap", delegation_language(second_lang),
             "ed: road map")
    imported = json.loads(ws(["comments", "import", symbol,
                              _returned(ws, second, root / "noted.pdf"), "--json"]).output
                          )["imported"]
    assert [(c["original_ref"], c["type"]) for c in imported] == [("OP 2", "ed")]
    ws(["dispose", symbol, "1", "--reject", "--note", "2030 agreed"])
    ws(["dispose", symbol, "2", "--accept", "--note", "noted"])
    ws(["render", symbol, "--stage", "matrix", "--format", "pdf", "-o", str(out)])
    ws(["close-review", symbol, "--no-objection"])
    for member_id, *_rest in [m for m in group.members if "approver" in m[4]]:
        ws(["approve", symbol, "--by", member_id, "--evidence", LETTER])
    ca = _secret(root, "ca")
    ws(["keys", "init-ca", "--passphrase-file", ca])
    ws(["keys", "seal-issue", "--ca-passphrase-file", ca, "--passphrase-file",
        _secret(root, "seal")])
    for member_id, *_rest in [m for m in group.members if "signatory" in m[4]]:
        ws(["keys", "issue", member_id, "--ca-passphrase-file", ca, "--passphrase-file",
            _secret(root, member_id)])
        ws(["sign", symbol, "--by", member_id, "--passphrase-file", _secret(root, member_id)])
    ws(["signed-files", symbol, "-o", str(out / "signed")])
    signed = next((out / "signed").glob("*_signed.pdf"))
    played.outputs["verify"] = ws(["verify", str(signed)], code=None).output
    ws(["submit", symbol, "--to", "brics-higher-council"])
    ws(["receipt", symbol, "--ref", "HC/2024/9", "--outcome", "acknowledged"])
    ws(["dossier", "export", symbol, "-o", str(root / "bag"), "--seal-passphrase-file",
        str(root / "seal.pass")])
    played.outputs["dossier"] = ws(["dossier", "verify", str(root / "bag")]).output
    return played


@pytest.fixture(scope="module", params=[AR_ZH_EN, PT_RU_EN], ids=["ar-zh-en", "pt-ru-en"])
def played(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    root = tmp_path_factory.mktemp(request.node.callspec.id if hasattr(request.node, "callspec")
                                   else "group")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER"):
            mp.delenv(name, raising=False)
        from tests.conftest import FROZEN_NOW

        mp.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
        yield play(request.param, root)


def _text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return " ".join(re.sub("\u2010\\s+", "", out).split())


def _fonts(path: Path) -> set[str]:
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert all(line.split()[-5] == "yes" for line in lines), lines  # every face embedded
    return {line.split()[0].split("+", 1)[-1] for line in lines}


def _fallbacks(fonts: set[str]) -> set[str]:
    """Faces fontconfig picked for lack of a named one (the hashes' DejaVu Sans Mono is
    named)."""
    return {f for f in fonts if f.startswith("DejaVu") and f != "DejaVu-Sans-Mono"}


_MARKS = re.compile("[\u064b-\u0652\u0670\u202a-\u202e]")  # Arabic vowel marks, embeddings


def _has(text: str, phrase: str, rtl: bool) -> bool:
    """A phrase in extracted text; right-to-left text comes word by word in drawn order,
    its vowel marks apart from their letters."""
    if phrase in text:
        return True
    if not rtl:
        return False
    bare = _MARKS.sub("", text)
    return all(_MARKS.sub("", word) in bare for word in phrase.split())


def test_the_draft_is_right_in_every_language(played: Played) -> None:
    g = played.group
    pdf = next((played.root / "out").glob("*_draft_*.pdf"))
    text = _text(pdf)
    from drafts.markup import plain
    from drafts.source import load

    model, _ = load(played.ws(["source", played.symbol]).output, "<source>")
    for lang in g.languages:  # each language's title and last paragraph, as printed
        assert _has(text, model.title[lang].split("«")[0].split("“")[0].strip(), g.rtl), lang
        last = plain(model.operative[-1].text(lang)).rstrip(".。")
        assert _has(text, last.split()[-1] if g.rtl else last[-12:], g.rtl), (lang, last)
    fonts = _fonts(pdf)
    assert g.fonts <= {f.replace("-Bold", "").replace("-Italic", "") for f in fonts} | fonts
    assert not _fallbacks(fonts), fonts
    from pypdf import PdfReader

    from templates.labels import labels_for

    drawn = PdfReader(pdf).pages[0].extract_text()  # the watermark comes first, rotated
    for lang in g.languages:
        assert labels_for(lang)["watermark_draft"] in drawn, lang
    docx_xml = zipfile.ZipFile(next((played.root / "out").glob("*_draft_*.docx"))) \
        .read("word/document.xml").decode("utf-8")
    if g.rtl:
        assert "<w:bidi/>" in docx_xml and "<w:rtl/>" in docx_xml
        assert "<w:bidiVisual/>" in docx_xml  # the Arabic column first, on the right
        assert 'w:cs="Noto Naskh Arabic"' in docx_xml and 'w:bidi="ar-SA"' in docx_xml
    else:
        assert "<w:bidi/>" not in docx_xml
        assert 'w:val="pt-BR"' in docx_xml


def test_the_reviewer_gets_copy_form_and_mail_in_their_language(played: Played) -> None:
    g = played.group
    text = _text(played.root / "first-copy.pdf")
    for phrase in g.reviewer_words:
        assert _has(text, phrase, g.rtl) or phrase.lower() in text.lower(), phrase
    assert "Review copy" not in text
    form = zipfile.ZipFile(played.root / "first-form.docx").read("word/document.xml") \
        .decode("utf-8")
    for phrase in g.form_words:
        assert phrase in form, phrase
    assert "Proposed change" not in form
    if g.rtl:
        assert "<w:bidi/>" in form and "<w:bidiVisual/>" in form
        assert played.outputs["mail-subject"].startswith("القرار")
        assert "نحيل إليكم" in played.outputs["mail-text"]
    else:
        assert played.outputs["mail-subject"].startswith("Resolução")
        assert "Encaminhamos para revisão" in played.outputs["mail-text"]


def test_the_signed_text_its_signature_page_and_its_signatures(played: Played) -> None:
    g = played.group
    signed = next((played.root / "out" / "signed").glob("*_signed.pdf"))
    text = _text(signed)
    for lang, words in g.signature_words.items():
        for phrase in words:
            assert _has(text, phrase, g.rtl), (lang, phrase)
    fonts = _fonts(signed)
    for face in g.fonts:
        assert any(f.startswith(face) for f in fonts), (face, fonts)
    assert "OK" in played.outputs["verify"] and "FAIL" not in played.outputs["verify"]
    certificate = next((played.root / "out" / "signed").glob("*_certificate.pdf"))
    certified = _text(certificate)
    for phrase in g.certificate_words:
        assert _has(certified, phrase, g.rtl), phrase


def test_the_cover_letter_speaks_each_language_of_the_body(played: Played) -> None:
    g = played.group
    folder = next(played.ws.root.glob(".resolutions/submissions/*/1/package"))
    letter = next(folder.glob("*_cover-letter_*.pdf"))
    assert letter.name.endswith(f"{'-'.join(g.languages)}.pdf")
    text = _text(letter)
    for lang, words in g.cover_words.items():
        for phrase in words:
            assert _has(text, phrase, g.rtl), (lang, phrase)
    assert not _fallbacks(_fonts(letter))
    xml = zipfile.ZipFile(next(folder.glob("*_cover-letter_*.docx"))).read(
        "word/document.xml").decode("utf-8")
    assert g.cover_words[g.languages[0]][0] in xml or g.rtl


def test_the_dossier_is_sealed_and_verified(played: Played) -> None:
    assert "dossier intact" in played.outputs["dossier"]
    bag = played.root / "bag"
    import sys

    result = subprocess.run([str(Path(sys.executable).parent / "bagit.py"), "--validate",
                             str(bag)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert played.ws(["audit", "verify"]).exit_code == 0
