"""DOCX documents from the frozen view, through docxtpl templates.

``render_docx(view)`` picks ``<stage>.docx`` (a workspace's ``template_dir`` wins over the
packaged file of the same name), fills it in a sandboxed Jinja environment with autoescape
(every value from user content is escaped; only the renderer's own blocks are markup),
writes the document properties, and for a comment form stores the form's hidden identity
in custom document properties as well as in a hidden run. The package is re-zipped by
``templates.archive``, so the same view and template give the same bytes.

docxtpl and python-docx are imported inside the functions: listing commands never pay
for them.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from drafts.comment_form import PROPERTY_PREFIX as CUSTOM_PROPERTY_PREFIX
from templates.archive import normalise_zip
from templates.view import DocumentView
from templates.word.context import build_context
from templates.word.xml import is_rtl

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.oxml.xmlchemy import BaseOxmlElement
    from jinja2.sandbox import SandboxedEnvironment

__all__ = ["DOCX_STAGES", "render_docx", "docx_template_hash", "template_bytes",
           "CUSTOM_PROPERTY_PREFIX"]

#: Stages with a DOCX template.
DOCX_STAGES = ("draft", "review", "comment-form", "matrix", "redline", "final", "approval",
               "cover-letter")

_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def _template_name(stage: str) -> str:
    if stage not in DOCX_STAGES:
        raise ValueError(f"no DOCX template for stage {stage!r}; DOCX stages are "
                         f"{', '.join(DOCX_STAGES)}")
    return f"{stage}.docx"


def template_bytes(stage: str, template_dir: Path | None = None) -> bytes:
    """The template file used for a stage: the workspace's if it has one, else ours."""
    name = _template_name(stage)
    if template_dir is not None:
        candidate = Path(template_dir) / name
        if candidate.is_file():
            return candidate.read_bytes()
    return resources.files("templates").joinpath("docx", name).read_bytes()


def docx_template_hash(stage: str, template_dir: Path | None = None) -> str:
    """SHA-256 (hex) of the template file ``render_docx`` would use for the stage."""
    return hashlib.sha256(template_bytes(stage, template_dir)).hexdigest()


def _jinja_env() -> SandboxedEnvironment:
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=True)


def render_docx(view: DocumentView, *, template_dir: Path | None = None) -> bytes:
    """The DOCX of a view for its stage, as bytes."""
    from docxtpl import DocxTemplate


    tpl = DocxTemplate(io.BytesIO(template_bytes(view.stage, template_dir)))
    tpl.render(build_context(view), jinja_env=_jinja_env(), autoescape=True)
    document = tpl.docx
    _drop_empty_runs(document)
    if view.languages and is_rtl(view.languages[0]):
        _right_to_left(document)
    _core_properties(document, view)
    if view.stage == "comment-form":
        _add_custom_properties(document, {CUSTOM_PROPERTY_PREFIX + k: v
                                          for k, v in view.form_ids.items()})
    out = io.BytesIO()
    tpl.save(out)
    return normalise_zip(out.getvalue())


def _drop_empty_runs(document: DocxDocument) -> None:
    """Remove the empty runs docxtpl leaves around each ``{{r …}}`` tag."""
    from docx.oxml.ns import qn

    run, text, props = qn("w:r"), qn("w:t"), qn("w:rPr")
    for part in document.part.package.iter_parts():
        name = str(part.partname)
        if not name.startswith(("/word/document", "/word/header", "/word/footer")):
            continue
        element = getattr(part, "_element", None)
        if element is None:
            continue
        for node in list(element.iter(run)):
            children = [c for c in node if c.tag != props]
            if all(c.tag == text and not c.text for c in children):
                node.getparent().remove(node)


#: Children of w:tblPr that come before w:bidiVisual, and of w:sectPr before w:bidi.
_BEFORE_BIDI_VISUAL = ("tblStyle", "tblpPr", "tblOverlap")
_BEFORE_SECT_BIDI = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type",
                     "pgSz", "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType",
                     "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection")


def _insert_after(parent: BaseOxmlElement, tag: str, before: tuple[str, ...]) -> None:
    """Insert an empty ``w:<tag>`` into ``parent`` at its place in the schema order."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if parent.find(qn(f"w:{tag}")) is not None:
        return
    position = 0
    for index, child in enumerate(parent):
        if child.tag in {qn(f"w:{name}") for name in before}:
            position = index + 1
    parent.insert(position, OxmlElement(f"w:{tag}"))


def _right_to_left(document: DocxDocument) -> None:
    """A document whose first language is Arabic or Persian reads from the right: every
    table's columns run right to left (``w:bidiVisual``: the first language's column is
    the rightmost) and so do the sections (``w:bidi``)."""
    from docx.oxml.ns import qn

    body = document.element.body
    for tbl in body.iter(qn("w:tbl")):
        tbl_pr = tbl.find(qn("w:tblPr"))
        if tbl_pr is not None:
            _insert_after(tbl_pr, "bidiVisual", _BEFORE_BIDI_VISUAL)
    for sect in body.iter(qn("w:sectPr")):
        _insert_after(sect, "bidi", _BEFORE_SECT_BIDI)


def _core_properties(document: DocxDocument, view: DocumentView) -> None:
    props = document.core_properties
    first = view.languages[0] if view.languages else "en"
    moment = _dt.datetime.combine(view.date, _dt.time(0, 0))
    props.title = view.title.get(first, "")[:255]
    props.subject = view.symbol
    props.identifier = f"{view.symbol} v{view.version} {view.short_hash}"
    props.language = ",".join(view.languages)
    props.category = view.stage
    props.version = str(view.version)
    props.keywords = "BRICS; resolution"
    props.author = view.working_group.get("en", "") or "Secretariat"
    props.last_modified_by = props.author
    props.comments = ""
    props.revision = max(1, view.version)
    props.created = moment
    props.modified = moment
    props.last_printed = moment


def _add_custom_properties(document: DocxDocument, values: dict[str, str]) -> None:
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    items = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{escape(name, {chr(34): "&quot;"})}">'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(sorted(values.items()), start=2))
    blob = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{items}</Properties>')
    package = document.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == RT.CUSTOM_PROPERTIES:
            rel.target_part._blob = blob.encode("utf-8")
            return
    part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES,
                blob.encode("utf-8"), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)
