"""Reading a comment form a reviewer returns (the DOCX the renderer wrote for the stage
``comment-form``).

The package is checked before anything is parsed: it must be a ZIP, no part name may
climb out of the package (``../``, absolute, drive letters), and the declared sizes and
compression ratios must be those of a document, not of a ZIP bomb. The XML is parsed
without entities, DTDs or network access.

The form's identity (symbol, version, content hash, reviewer id) travels twice: as
custom document properties (``rcwg.*`` in ``docProps/custom.xml``) and as a hidden run
(``RCWG-FORM-IDS {json}``) after the table. Either one suffices; when both are there they
must agree. The comment table is found by its header (Ref, Type, Comment, …), whatever
rows a reviewer added, emptied or merged.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from drafts.errors import DraftError

if TYPE_CHECKING:
    from lxml import etree

__all__ = [
    "TYPE_WORDS",
    "FORM_MARKER",
    "PROPERTY_PREFIX",
    "ID_KEYS",
    "TYPES",
    "FormError",
    "NotADocxError",
    "UnsafePackageError",
    "NotACommentFormError",
    "column_kind",
    "FormMismatchError",
    "FormRowError",
    "CommentRow",
    "CommentForm",
    "read_comment_form",
]

#: Prefix of the hidden run that carries the form identity as JSON.
FORM_MARKER = "RCWG-FORM-IDS "
#: Custom document properties of a form are named ``rcwg.<key>``.
PROPERTY_PREFIX = "rcwg."
ID_KEYS = ("symbol", "version", "content_hash", "reviewer", "round", "token")
TYPES = {"ge": "general", "te": "technical", "ed": "editorial"}

MAX_PACKAGE_BYTES = 50 * 1024 * 1024     # the file as received
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # all parts together, as declared
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_RATIO = 100                           # declared size / compressed size, per part
MAX_PARTS = 1000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_TYPE_WORDS = {
    "ge": "ge", "general": "ge", "gen": "ge", "g": "ge", "общ": "ge", "общий": "ge",
    "общее": "ge", "一般": "ge", "总体": "ge",
    "te": "te", "technical": "te", "tech": "te", "t": "te", "тех": "te",
    "технический": "te", "техническое": "te", "技术": "te", "技术性": "te",
    "ed": "ed", "editorial": "ed", "edit": "ed", "e": "ed", "ред": "ed",
    "редакционный": "ed", "редакционное": "ed", "编辑": "ed", "编辑性": "ed",
    # the type words of the other languages' forms and mails (templates/words/*.toml)
    **dict.fromkeys(("geral", "général", "عام", "کلی", "सामान्य", "አጠቃላይ", "umum"), "ge"),
    **dict.fromkeys(("técnico", "técnica", "technique", "فني", "فنی", "तकनीकी", "ቴክኒካዊ",
                     "teknis"), "te"),
    **dict.fromkeys(("redacción", "rédaction", "rédactionnel", "تحريري", "ویرایشی",
                     "संपादकीय", "አርትዖት", "redaksional"), "ed"),
}


#: Every word a reviewer may give a comment's type with, in any language, → ge/te/ed.
TYPE_WORDS = _TYPE_WORDS


class FormError(DraftError):
    """A returned comment form that cannot be read."""


class NotADocxError(FormError):
    """The file is not a DOCX (not a ZIP, or no main document part)."""


class UnsafePackageError(FormError):
    """A ZIP bomb, a part name that leaves the package, or a part too large to read."""


class NotACommentFormError(FormError):
    """A DOCX, but not a comment form written by this system."""


class FormMismatchError(FormError):
    """A comment form of another resolution, version or reviewer than expected."""


class FormRowError(FormError):
    """A row of the comment table that cannot be accepted (``row`` is its number)."""

    def __init__(self, message: str, *, row: int) -> None:
        self.row = row
        super().__init__(message)


@dataclass(frozen=True)
class CommentRow:
    """One filled row as the reviewer wrote it (type normalised to ge/te/ed).

    ``row`` counts the table's rows below the header (1 = first row); ``number`` is
    the No. column as written.
    """

    row: int
    ref: str
    type: str
    comment: str
    proposal: str = ""
    number: str = ""
    observations: str = ""


@dataclass(frozen=True)
class CommentForm:
    ids: Mapping[str, str]
    rows: tuple[CommentRow, ...]
    reviewer_name: str = ""          # as printed/written after "Reviewer:"
    sources: tuple[str, ...] = field(default_factory=tuple)  # where the ids were found

    @property
    def symbol(self) -> str:
        return self.ids.get("symbol", "")

    @property
    def version(self) -> str:
        return self.ids.get("version", "")

    @property
    def content_hash(self) -> str:
        return self.ids.get("content_hash", "")

    @property
    def reviewer(self) -> str:
        return self.ids.get("reviewer", "")


# -- the package ----------------------------------------------------------------------
def _unsafe_name(name: str) -> bool:
    if not name or "\\" in name or "\x00" in name:
        return True
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    return any(part in ("..", ".") for part in name.split("/"))


def _read_parts(data: bytes, wanted: tuple[str, ...]) -> dict[str, bytes]:
    """The wanted parts of a checked package (missing ones are absent from the dict)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise NotADocxError("a comment form must be given as the bytes of a .docx file")
    if len(data) > MAX_PACKAGE_BYTES:
        raise UnsafePackageError(
            f"the file is {len(data) // (1024 * 1024)} MB; a comment form is far smaller "
            f"(limit {MAX_PACKAGE_BYTES // (1024 * 1024)} MB)")
    if not bytes(data[:4]).startswith(b"PK"):
        raise NotADocxError("the file is not a DOCX (not a ZIP package): "
                            "return the comment form as a Word .docx file")
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError,
            NotImplementedError) as exc:
        raise NotADocxError(f"the file is not a readable DOCX (broken ZIP: {exc}); "
                            "save it again from Word as .docx") from None
    if len(infos) > MAX_PARTS:
        raise UnsafePackageError(f"the package has {len(infos)} parts; refusing to read it")
    total = 0
    for info in infos:
        if _unsafe_name(info.filename):
            raise UnsafePackageError(
                f"the package has a part named {info.filename!r} that points outside the "
                "package; refusing to read it")
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            raise UnsafePackageError(
                f"part {info.filename!r} declares {info.file_size} bytes uncompressed "
                f"(limit {MAX_PART_BYTES}); refusing a possible ZIP bomb")
        if info.file_size > 1024 * 1024 and \
                info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafePackageError(
                f"part {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}"
                f"-fold (limit {MAX_RATIO}); refusing a possible ZIP bomb")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnsafePackageError(
            f"the package declares {total} bytes uncompressed (limit "
            f"{MAX_UNCOMPRESSED_BYTES}); refusing a possible ZIP bomb")
    names = {info.filename: info for info in infos}
    if "word/document.xml" not in names:
        raise NotADocxError("the file is a ZIP but not a DOCX (no word/document.xml); "
                            "return the comment form as a Word .docx file")
    parts: dict[str, bytes] = {}
    for name in wanted:
        part = names.get(name)
        if part is None:
            continue
        try:
            with archive.open(part) as stream:
                blob = stream.read(part.file_size + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError,
                EOFError, zlib.error) as exc:  # zlib.error: a damaged deflate stream
            raise NotADocxError(f"cannot read {name} from the DOCX ({exc})") from None
        if len(blob) > part.file_size:
            raise UnsafePackageError(f"part {name!r} is larger than it declares; refusing it")
        parts[name] = blob
    return parts


def _xml(blob: bytes, name: str) -> etree._Element:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(blob, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise NotADocxError(f"{name} in the DOCX is not well-formed XML ({exc})") from None


# -- text -------------------------------------------------------------------------------
def _paragraph_text(p: etree._Element) -> str:
    out = []
    for node in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        if node.tag == _W + "t":
            out.append(node.text or "")
        elif node.tag == _W + "tab":
            out.append("\t")
        else:
            out.append("\n")
    return "".join(out)


def _cell_text(tc: etree._Element) -> str:
    lines = []
    for p in tc.iter(_W + "p"):
        lines.extend(_paragraph_text(p).split("\n"))
    lines = [" ".join(line.split()) for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _row_cells(tr: etree._Element) -> list[str]:
    """Cell texts by grid column: a merged cell's text goes to its first column."""
    out: list[str] = []
    for tc in tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc",
                       namespaces={"w": _W[1:-1]}):
        span = 1
        vmerge_continue = False
        pr = tc.find(_W + "tcPr")
        if pr is not None:
            grid = pr.find(_W + "gridSpan")
            if grid is not None:
                try:
                    span = max(1, min(int(grid.get(_W + "val", "1")), 64))
                except ValueError:
                    span = 1
            vmerge = pr.find(_W + "vMerge")
            if vmerge is not None and vmerge.get(_W + "val", "continue") != "restart":
                vmerge_continue = True
        out.append("" if vmerge_continue else _cell_text(tc))
        out.extend([""] * (span - 1))
    return out


# -- the identity -----------------------------------------------------------------------
def _ids_from_properties(blob: bytes | None) -> dict[str, str]:
    if not blob:
        return {}
    root = _xml(blob, "docProps/custom.xml")
    ids = {}
    for prop in root.iter(_CUSTOM + "property"):
        name = prop.get("name", "")
        if name.startswith(PROPERTY_PREFIX):
            value = "".join(prop.itertext()).strip()
            ids[name[len(PROPERTY_PREFIX):]] = value
    return {k: v for k, v in ids.items() if k in ID_KEYS}


def _ids_from_hidden_run(document: etree._Element) -> dict[str, str]:
    for p in document.iter(_W + "p"):
        text = _paragraph_text(p)
        at = text.find(FORM_MARKER)
        if at < 0:
            continue
        blob = text[at + len(FORM_MARKER):].strip()
        try:
            value = json.loads(blob[: blob.rfind("}") + 1])
        except ValueError:
            continue
        if isinstance(value, dict):
            return {k: str(v) for k, v in value.items() if k in ID_KEYS}
    return {}


def _identity(document: etree._Element, custom: bytes | None
              ) -> tuple[dict[str, str], tuple[str, ...]]:
    from_props = _ids_from_properties(custom)
    from_run = _ids_from_hidden_run(document)
    complete = [(name, ids) for name, ids in (("properties", from_props),
                                               ("hidden text", from_run))
                if all(ids.get(k) for k in ("symbol", "version", "content_hash"))]
    if not complete:
        raise NotACommentFormError(
            "this DOCX is not a comment form of the working group: it carries no form "
            "identity. Return the comment form you received (fill it in, do not copy its "
            "table into a new document)")
    if len(complete) == 2 and complete[0][1] != complete[1][1]:
        raise NotACommentFormError(
            "the comment form's hidden identity is inconsistent (document properties and "
            "hidden text disagree); ask the secretariat for a fresh form")
    return complete[0][1], tuple(name for name, _ in complete)


def _check_expected(ids: Mapping[str, str], expect: Mapping[str, str]) -> None:
    wrong = [(key, ids.get(key, ""), str(value)) for key, value in expect.items()
             if value is not None and ids.get(key, "") != str(value)]
    if not wrong:
        return
    details = "; ".join(f"{key} is {got or 'missing'!s}, expected {want}"
                        for key, got, want in wrong)
    raise FormMismatchError(
        f"this comment form is for {ids.get('symbol', '?')} version {ids.get('version', '?')}"
        f" (reviewer {ids.get('reviewer') or '?'}), not the one expected: {details}")


# -- the table --------------------------------------------------------------------------
def column_kind(header: str) -> str | None:
    """The column a header names (ref, type, comment, proposal, observations, number); a
    form in several languages heads a column with the words of each ("Ссылка / 编号 /
    Ref."), any of which may name it."""
    return _column(header)


def _column(header: str) -> str | None:
    for part in header.split(" / "):
        key = _column_word(part)
        if key:
            return key
    return None


#: The column headings of a comment form in every language the forms are written in
#: (templates/words/*.toml, labels ref, form_types, comment, proposal, observations, seq),
#: each as the start of a heading; in the order they are tried (the secretariat's
#: observations before the reviewer's comment: "Observaciones" is not a comment).
_HEADINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("observations", ("observ", "secretariat", "секретариат", "秘书处", "ملاحظات الأمانة",
                      "ملاحظات دبیرخانه", "सचिवालय", "የጽሕፈት ቤቱ", "tanggapan sekretariat")),
    ("proposal", ("propos", "предлага", "建议", "alteração proposta", "cambio propuesto",
                  "modification proposée", "التغيير المقترح", "تغییر پیشنهادی",
                  "प्रस्तावित", "የታቀደ", "usulan")),
    ("comment", ("comment", "замечани", "coment", "komentar", "التعليق", "टिप्पणी",
                 "አስተያየት")),
    ("type", ("type", "тип", "类型", "tipo", "jenis", "النوع", "نوع", "प्रकार", "ዓይነት")),
    ("ref", ("ref", "clause", "paragraph", "ссылка", "пункт", "编号", "réf", "المرجع", "مرجع",
             "संदर्भ", "ማጣቀሻ")),
)
_EXACT = {"意见": "comment", "نظر": "comment"}
_NUMBER = re.compile(r"^(no\.?|№|#|nr\.?|序号|n\.?º|n°|الرقم|شماره|क्रम सं\.?|ተ\.ቁ\.?)$")


def _column_word(header: str) -> str | None:
    text = " ".join(header.lower().split())
    if not text:
        return None
    if text in _EXACT:
        return _EXACT[text]
    for kind, words in _HEADINGS:
        if kind in ("observations", "proposal", "comment"):
            if any(word in text for word in words):
                return kind
        elif any(text.startswith(word) for word in words):
            return kind
    if _NUMBER.match(text):
        return "number"
    return None


def _find_table(document: etree._Element) -> tuple[etree._Element, int, dict[str, int]]:
    for table in document.iter(_W + "tbl"):
        rows = table.findall(_W + "tr")
        for index, tr in enumerate(rows[:3]):
            columns: dict[str, int] = {}
            for col, text in enumerate(_row_cells(tr)):
                key = _column(text)
                if key and key not in columns:
                    columns[key] = col
            if {"ref", "type", "comment"} <= set(columns):
                return table, index, columns
    raise NotACommentFormError(
        "this DOCX has no comment table (a table with the columns Ref, Type and Comment); "
        "return the comment form you received")


def _normal_type(raw: str, row: int, ref: str) -> str:
    key = re.sub(r"[\s.:;,()\[\]]+", "", raw.lower())
    if key in _TYPE_WORDS:
        return _TYPE_WORDS[key]
    where = f"row {row} of the comment table" + (f" (Ref {ref!r})" if ref else "")
    if not key:
        raise FormRowError(f"{where} has a comment but no type: write ge (general), "
                           "te (technical) or ed (editorial)", row=row)
    raise FormRowError(f"{where}: type {raw.strip()!r} is not one of ge (general), "
                       "te (technical), ed (editorial)", row=row)


def _rows(table: etree._Element, header_index: int, columns: Mapping[str, int]) -> list[CommentRow]:
    out = []
    trs = table.findall(_W + "tr")[header_index + 1:]
    for number, tr in enumerate(trs, start=1):
        cells = _row_cells(tr)

        def get(key: str, cells: list[str] = cells) -> str:
            col = columns.get(key)
            return cells[col] if col is not None and col < len(cells) else ""

        ref = " ".join(get("ref").split())
        if _column(ref) == "ref" and _column(get("comment")) == "comment":
            continue  # a repeated header row
        comment, proposal = get("comment"), get("proposal")
        if not comment and not proposal:
            continue
        out.append(CommentRow(
            row=number, ref=ref, type=_normal_type(get("type"), number, ref),
            comment=comment, proposal=proposal, number=" ".join(get("number").split()),
            observations=get("observations"),
        ))
    return out


def _reviewer_name(document: etree._Element) -> str:
    for p in document.iter(_W + "p"):
        text = " ".join(_paragraph_text(p).split())
        head, colon, name = text.partition(":")
        # "Reviewer:", or "Рецензент / 审阅人 / Reviewer:" in a form of several languages
        if colon and any(word.strip().lower() in ("reviewer", "рецензент", "审阅人")
                         for word in head.split(" / ")):
            return name.strip()
    return ""


def read_comment_form(data: bytes, *, expect: Mapping[str, str] | None = None
                      ) -> CommentForm:
    """The identity and the filled rows of a returned comment form.

    ``expect`` (e.g. ``view.form_ids``) names the form that should come back; any key
    that differs raises :class:`FormMismatchError`. Every refusal is a :class:`FormError`.
    """
    parts = _read_parts(data, ("word/document.xml", "docProps/custom.xml"))
    document = _xml(parts["word/document.xml"], "word/document.xml")
    ids, sources = _identity(document, parts.get("docProps/custom.xml"))
    if expect:
        _check_expected(ids, expect)
    table, header_index, columns = _find_table(document)
    return CommentForm(ids=ids, rows=tuple(_rows(table, header_index, columns)),
                       reviewer_name=_reviewer_name(document), sources=sources)
