"""PDF documents from the frozen view: Jinja2 HTML + CSS, laid out by WeasyPrint.

Every stage has one HTML template (``html/<stage>.html``) extending ``html/base.html``;
the stylesheets are ``css/base.css``, ``css/<layout>.css`` and ``css/<stage>.css`` when it
exists, inlined into the HTML so ``render_html()`` gives a self-contained page. A workspace
overrides any of these files by putting its own under ``template_dir`` (same names).

WeasyPrint is imported inside functions only: importing this module costs nothing.
A :class:`Renderer` keeps one font configuration warm across many documents; the
module-level functions share a default one per process.

Signature slots on the final text's signature page are boxes of
:data:`SIGNATURE_SLOT_PT` (width × height, in PDF points); each is an element whose ``id``
is the signatory's anchor, so the PDF has a named destination at the slot's top-left corner.
"""

from __future__ import annotations

import datetime as _dt
import functools
import threading
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from markupsafe import Markup

from drafts.model import LANGUAGES
from templates import jinja
from templates.events import event_rows, event_time
from templates.labels import joined, labels_for
from templates.pdf import prewarm
from templates.pdf.printing import Job, print_pdf
from templates.pdf.redline import redline_runs
from templates.people import describe_enclosure, names_shown, person_name, role_words
from templates.view import STAGES, DocumentView

__all__ = [
    "PDF_STAGES",
    "LAYOUTS",
    "PDF_VARIANTS",
    "SIGNATURE_SLOT_PT",
    "Renderer",
    "render_html",
    "render_pdf",
    "template_hash",
    "template_files",
]

#: Stages that have a PDF template (the comment form is a DOCX only).
PDF_STAGES: tuple[str, ...] = tuple(s for s in STAGES if s != "comment-form")
LAYOUTS = ("single", "parallel")
#: PDF variants accepted (``None`` is plain PDF). Archival copies are PDF/A-3b.
PDF_VARIANTS = (None, "pdf/a-3b", "pdf/a-2b", "pdf/ua-1")
#: Width and height, in points, of one signature slot on the signature page.
SIGNATURE_SLOT_PT = (180, 60)

#: Bumped when this module changes what it feeds the templates (part of template_hash).
_RENDERER_REVISION = "3"


def _check(stage: str, layout: str) -> None:
    if stage not in PDF_STAGES:
        raise ValueError(f"no PDF template for stage {stage!r}; "
                         f"PDF stages are {', '.join(PDF_STAGES)}")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use 'single' or 'parallel'")


def _stylesheets(stage: str, layout: str, template_dir: Path | None) -> list[str]:
    # each language's face first; the rules of the page (hashes, watermark, flags) after,
    # so a class that names its face keeps it inside every language
    names = ["css/languages.css", "css/base.css", f"css/{layout}.css"]
    if jinja.file_exists(f"css/{stage}.css", template_dir):
        names.append(f"css/{stage}.css")
    return names


def template_files(stage: str, layout: str, template_dir: Path | None = None) -> list[str]:
    """Every template and stylesheet a stage's PDF is made from (names, sorted)."""
    _check(stage, layout)
    names = jinja.referenced_templates(f"html/{stage}.html", template_dir)
    return sorted(names + _stylesheets(stage, layout, template_dir))


def template_hash(stage: str, layout: str, template_dir: Path | None = None) -> str:
    """SHA-256 over the template and CSS files used for ``stage`` in ``layout``.

    The WeasyPrint version and this module's revision are mixed in, so a render cache keyed
    on version hash + template hash + options misses when the output could differ.
    """
    salt = f"pdf/{_RENDERER_REVISION}/weasyprint-{_engine_version()}/{layout}"
    return jinja.files_hash(template_files(stage, layout, template_dir), template_dir, salt)


@functools.cache
def _engine_version() -> str:
    """WeasyPrint's version, looked up once per process (reading the installed packages'
    metadata costs milliseconds, and a dossier hashes templates hundreds of times)."""
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return "unknown"


def _css(stage: str, layout: str, template_dir: Path | None) -> Markup:
    parts = []
    for name in _stylesheets(stage, layout, template_dir):
        text = jinja.read_file(name, template_dir).decode("utf-8")
        parts.append(f"/* {name} */\n{text}")
    # The stylesheet sits in a <style> element: it must not be able to close it.
    return Markup("\n".join(parts).replace("</", "<\\/"))


def _context(view: DocumentView, template_dir: Path | None) -> dict[str, object]:
    languages = view.languages
    enclosures = [(k, v) for k, v in view.extra.items() if not k.startswith("_")]
    return {
        "view": view,
        "lang": languages[0],
        "t": {lang: labels_for(lang) for lang in set(languages) | {"en"}},
        "tt": lambda key: joined(key, languages),
        "language_names": {lang: LANGUAGES.get(lang, (lang, lang))[1] for lang in languages},
        "css": _css(view.stage, view.layout, template_dir),
        "enclosures": enclosures,
        "describe": lambda e, lang: describe_enclosure(e, lang, latin=view.body.latin_names),
        "person": lambda names, lang: person_name(names, lang, latin=view.body.latin_names),
        "role": role_words,
        "event_rows": event_rows(view.events, languages, view.people,
                                 latin=view.body.latin_names)
        if view.stage == "certificate" else [],
        "when": lambda at: event_time(at, languages[0]),
        "wg": lambda lang: (view.working_group.get(lang) or view.working_group.get("en")
                            or next(iter(view.working_group.values()), "")),
        "roles": lambda code: " / ".join(dict.fromkeys(role_words(code, lang)
                                                       for lang in languages)),
        "names_shown": lambda names: names_shown(names, languages,
                                                 latin=view.body.latin_names),
        "redline_runs": redline_runs,
        "show_stale": view.stage in ("draft", "review"),
    }


def render_html(view: DocumentView, template_dir: Path | None = None) -> str:
    """The self-contained HTML page (stylesheets inlined) a stage's PDF is printed from."""
    _check(view.stage, view.layout)
    env = jinja.environment(template_dir)
    template = env.get_template(f"html/{view.stage}.html")
    return template.render(_context(view, template_dir))


class Renderer:
    """Renders many documents in one process with a warm font configuration.

    Not meant to be shared between threads while rendering; a lock serialises use.
    """

    def __init__(self, template_dir: Path | None = None) -> None:
        self.template_dir = template_dir
        self._font_config: Any = None
        self._lock = threading.Lock()

    def html(self, view: DocumentView) -> str:
        return render_html(view, self.template_dir)

    def pdf(self, view: DocumentView, *, pdf_variant: str | None = None,
            attachments: Sequence[tuple[str, bytes, str]] = (),
            seal: Callable[[bytes], str] | None = None) -> bytes:
        """The PDF of one view; ``attachments`` are (file name, bytes, MIME type).

        With ``seal`` (a review copy) the paragraphs' positions on the page are embedded as
        :data:`templates.pdf.positions.MAP_NAME`, with the seal ``seal`` gives their bytes."""
        if pdf_variant not in PDF_VARIANTS:
            raise ValueError(f"unknown PDF variant {pdf_variant!r}; use one of "
                             f"{', '.join(str(v) for v in PDF_VARIANTS if v)} or None")
        html = self.html(view)
        when = _dt.datetime.combine(view.date, _dt.time(0, 0), tzinfo=_dt.timezone.utc)
        job = Job(pdf_variant=pdf_variant,
                  identifier=view.content_hash[:32].encode("ascii") if pdf_variant else None,
                  when=when, attachments=list(attachments),
                  form_ids=dict(view.form_ids) if seal is not None else {})
        printed = prewarm.render(html, job, seal)  # the command's printer process, if any
        if printed is not None:
            return printed
        from weasyprint.text.fonts import FontConfiguration

        with self._lock:
            if self._font_config is None:
                self._font_config = FontConfiguration()
            return print_pdf(html, job, self._font_config, seal)


_default: dict[str | None, Renderer] = {}
_default_lock = threading.Lock()


def _renderer(template_dir: Path | None) -> Renderer:
    key = str(template_dir) if template_dir else None
    with _default_lock:
        if key not in _default:
            _default[key] = Renderer(template_dir)
        return _default[key]


def render_pdf(view: DocumentView, *, template_dir: Path | None = None,
               pdf_variant: str | None = None,
               attachments: Sequence[tuple[str, bytes, str]] = (),
               seal: Callable[[bytes], str] | None = None) -> bytes:
    """The PDF of ``view`` (e.g. ``pdf_variant="pdf/a-3b"`` for the archival copy)."""
    return _renderer(template_dir).pdf(view, pdf_variant=pdf_variant,
                                       attachments=attachments, seal=seal)
