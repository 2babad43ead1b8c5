"""Reading back the XLIFF a translator returns, safely, and applying its targets.

The parser loads no DTD, resolves no entity, reads nothing from the network and keeps
libxml2's limits on depth and text size (``huge_tree`` off); a file that declares a
document type is refused outright (XLIFF has none: a DOCTYPE in a returned file is an
external-entity or entity-expansion attack, or a file from another format). The size is
capped before parsing.

Inline codes come back as our one piece of markup: a ``<g>`` (or a ``<bpt>``/``<ept>``
pair) that opens the text is the italic opener ``*…*``; ``<mrk>`` (segment marks) is
transparent; any other code is dropped with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from lxml import etree

from drafts.edits import replace_texts
from drafts.errors import DraftError
from drafts.model import Resolution
from drafts.staleness import TITLE_ID
from drafts.xliff.write import EXPORT_PHASE, NS, TOOL_ID

__all__ = ["XliffError", "Returned", "ReturnedUnit", "read", "apply", "MAX_BYTES",
           "DONE_STATES"]

MAX_BYTES = 10 * 1024 * 1024
#: target states that say "translated" even when the text was left as it was
DONE_STATES = frozenset({"translated", "signed-off", "final"})
_NAMESPACES = (NS, "urn:oasis:names:tc:xliff:document:1.1")
_CODES = {"x", "ph", "bx", "ex", "it", "sub"}


class XliffError(DraftError):
    """A returned XLIFF file that cannot be read or is not ours."""


@dataclass(frozen=True)
class ReturnedUnit:
    id: str
    target: str | None  # None: no target element
    state: str
    approved: bool
    translate: bool
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Returned:
    symbol: str
    version: str
    content_hash: str
    source: str
    target: str
    units: dict[str, ReturnedUnit] = field(default_factory=dict)
    #: the export phase's job-id (``write.job_id``), None when the file has no such phase
    exported_as: str | None = None


def _local(node: etree._Element) -> str:
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _parse(data: bytes, name: str) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise XliffError(f"{name}: larger than {MAX_BYTES // 1024 // 1024} MiB; an XLIFF "
                         "file of one resolution is far smaller — is it the right file?")
    if "<!doctype" in _head(data) or "<!entity" in _head(data):
        raise XliffError(f"{name}: declares a DOCTYPE or entities, which XLIFF never has "
                         "(refused: it could read files or expand without end); save the "
                         "file again from your translation tool")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, dtd_validation=False, remove_pis=True,
                             remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if "amplification" in str(exc) or "entit" in str(exc).lower():
            raise XliffError(f"{name}: entity declarations or references, which XLIFF never "
                             "has (refused)") from None
        raise XliffError(f"{name}: not well-formed XML ({exc}); save it again from your "
                         "translation tool") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XliffError(f"{name}: declares a DOCTYPE, which XLIFF never has (refused)")
    return root


def _head(data: bytes, size: int = 65536) -> str:
    """The start of the file as text, whatever its encoding (UTF-8, -16 or -32), lowered."""
    start = data[:size]
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if start.startswith(bom):
            return start.decode(codec, "ignore").lower()
    if start[:1] == b"\x00" or start[1:2] == b"\x00":  # UTF-16 without a byte-order mark
        return start.decode("utf-16-be" if start[:1] == b"\x00" else "utf-16-le",
                            "ignore").lower()
    return start.decode("utf-8", "ignore").lower()


def _text(node: etree._Element, notes: list[str]) -> str:
    """The text of a ``target`` with the opener as ``*…*``."""
    parts: list[str] = [node.text or ""]
    opened = False

    def at_start() -> bool:
        return not "".join(parts).strip()

    for child in node:
        kind = _local(child)
        if kind == "g":
            inner = _text(child, notes)
            if at_start() and not opened and inner.strip():
                parts.append(f"*{inner.strip()}*")
                opened = True
            else:
                parts.append(inner)
                notes.append("emphasis is kept only on the opening phrase")
        elif kind == "mrk":
            parts.append(_text(child, notes))
        elif kind == "bpt":
            if at_start() and not opened:
                parts.append("*")
                opened = True
            else:
                notes.append("an inline code inside the text was dropped")
        elif kind == "ept":
            text = "".join(parts)
            if opened and text.count("*") == 1:
                parts.append("*")
        elif kind in _CODES:
            notes.append(f"inline code <{kind}> dropped")
        elif isinstance(child.tag, str):
            notes.append(f"unknown element <{kind}> ignored")
        parts.append(child.tail or "")
    text = "".join(parts)
    if text.count("*") == 1 and text.lstrip().startswith("*"):
        text = text.replace("*", "", 1)  # an opening code without its end
    return text


def read(data: bytes, name: str = "<xliff>") -> Returned:
    """The identity of a returned file and each unit's target (texts not yet checked)."""
    root = _parse(data, name)
    ns = root.tag.partition("}")[0].lstrip("{") if root.tag.startswith("{") else ""
    if _local(root) != "xliff" or ns not in _NAMESPACES:
        raise XliffError(f"{name}: not an XLIFF 1.2 file (root element {_local(root)!r})")
    files = [child for child in root if _local(child) == "file"]
    if len(files) != 1:
        raise XliffError(f"{name}: holds {len(files)} <file> elements; the exported file "
                         "has exactly one — return the file as exported")
    file = files[0]
    out = Returned(symbol=file.get("original", ""), version=file.get("product-version", ""),
                   content_hash=file.get("build-num", ""),
                   source=file.get("source-language", ""),
                   target=file.get("target-language", ""))
    phase = next((p for p in file.iter(f"{{{ns}}}phase")
                  if p.get("phase-name") == EXPORT_PHASE and p.get("tool-id") == TOOL_ID), None)
    if phase is not None:
        out = replace(out, exported_as=phase.get("job-id", ""))
    units: dict[str, ReturnedUnit] = {}
    for tu in file.iter(f"{{{ns}}}trans-unit"):
        unit_id = tu.get("id", "")
        if unit_id in units:
            raise XliffError(f"{name}: the unit id {unit_id!r} appears twice")
        target = next((c for c in tu if _local(c) == "target"), None)
        notes: list[str] = []
        text = None if target is None else _text(target, notes)
        units[unit_id] = ReturnedUnit(
            id=unit_id, target=text,
            state="" if target is None else target.get("state", ""),
            approved=tu.get("approved") == "yes", translate=tu.get("translate") != "no",
            notes=tuple(dict.fromkeys(notes)))
    return replace(out, units=units)


def apply(resolution: Resolution, lang: str, texts: Mapping[str, str]) -> Resolution:
    """The resolution with ``lang``'s text of the given units replaced."""
    out = resolution
    annexes = {f"{a.id}:{TITLE_ID}": i for i, a in enumerate(resolution.annexes)}
    for unit_id, text in texts.items():
        if unit_id == TITLE_ID:
            out = out._replace(title={**out.title, lang: text})
        elif unit_id in annexes:
            index = annexes[unit_id]
            annex = out.annexes[index]
            changed = annex._replace(title={**annex.title, lang: text})
            out = out._replace(annexes=out.annexes[:index] + (changed,)
                              + out.annexes[index + 1:])
        else:
            out = replace_texts(out, unit_id, {lang: text})
    return out
