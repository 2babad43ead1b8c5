"""Printing a finished HTML page with WeasyPrint: the one step both a rendering process and
the prewarmed printer (:mod:`templates.pdf.prewarm`) run.

The page is self-contained (stylesheets inlined) and may load nothing from outside; the only
URLs that resolve are the ``data:`` URLs of embedded files. This module imports nothing
of the project but the position map, so a printer process forked early stays light.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weasyprint import Attachment
    from weasyprint.text.fonts import FontConfiguration

__all__ = ["Job", "print_pdf"]


@dataclass(frozen=True)
class Job:
    """Everything printing needs besides the page (plain data: it crosses a pipe)."""

    pdf_variant: str | None
    identifier: bytes | None
    when: _dt.datetime
    attachments: Sequence[tuple[str, bytes, str]] = ()
    #: paragraph id → form id, for the position map of a review copy (sealed when given)
    form_ids: Mapping[str, str] = field(default_factory=dict)


def _attachment(name: str, data: bytes, mime: str, when: _dt.datetime) -> Attachment:
    from weasyprint import Attachment

    # A data: URL carries the MIME type through WeasyPrint's fetcher into /Subtype.
    url = f"data:{mime or 'application/octet-stream'};base64,{base64.b64encode(data).decode()}"
    return Attachment(url=url, name=name, description=name, created=when, modified=when,
                      relationship="Data" if mime.endswith(("xml", "json")) else "Source")


def _no_fetch(url: str, *args: object, **kwargs: object) -> Mapping[str, object]:
    """Documents load nothing from outside: only ``data:`` URLs (attachments) resolve."""
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        fetched: Mapping[str, object] = default_url_fetcher(url, *args, **kwargs)
        return fetched
    raise ValueError(f"rendered documents may not load external resources ({url[:60]!r})")


def print_pdf(html: str, job: Job, font_config: FontConfiguration,
              seal: Callable[[bytes], str] | None = None) -> bytes:
    """Lay ``html`` out and write the PDF. With ``seal`` (a review copy) the paragraphs'
    positions on the page are embedded as :data:`templates.pdf.positions.MAP_NAME`, with
    the seal ``seal`` gives for the map's bytes."""
    from weasyprint import HTML

    files = [_attachment(n, d, m, job.when) for n, d, m in job.attachments]
    options: dict[str, Any] = dict(pdf_variant=job.pdf_variant,
                                   pdf_identifier=job.identifier, custom_metadata=False)
    laid_out = HTML(string=html, base_url=None, url_fetcher=_no_fetch).render(
        font_config=font_config, **options)
    if seal is not None:
        from templates.pdf.positions import MAP_NAME, map_bytes, paragraph_positions

        body = map_bytes(dict(job.form_ids), paragraph_positions(laid_out))
        sealed = body[:-1] + b',"seal":' + json.dumps(seal(body)).encode() + b"}"
        files.append(_attachment(MAP_NAME, sealed, "application/json", job.when))
    return bytes(laid_out.write_pdf(attachments=files or None, **options))
