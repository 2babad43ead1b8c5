"""XML Schemas shipped with the package, loaded offline, and validation against them.

Akoma Ntoso 3.0 (``drafts/data/akn/``) and XLIFF 1.2 strict (``drafts/data/xliff/``) both
import the W3C ``xml.xsd``; each folder carries its copy, and nothing is ever fetched.
"""

from __future__ import annotations

import functools
from importlib import resources

from lxml import etree

__all__ = ["schema", "validate"]


def _data(folder: str, name: str) -> bytes:
    return resources.files("drafts").joinpath("data", folder, name).read_bytes()


class _Resolver(etree.Resolver):  # type: ignore[misc]  # lxml ships no type information
    def __init__(self, folder: str) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, url: str, pubid: str, context: object) -> object:
        if url.endswith("xml.xsd"):
            return self.resolve_string(_data(self.folder, "xml.xsd"), context)
        return None


@functools.lru_cache(maxsize=4)
def schema(folder: str, name: str) -> etree.XMLSchema:
    """The schema ``drafts/data/FOLDER/NAME``, its imports resolved from the same folder."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    parser.resolvers.add(_Resolver(folder))
    doc = etree.fromstring(_data(folder, name), parser, base_url=name)
    return etree.XMLSchema(etree.ElementTree(doc))


def validate(xml: bytes, folder: str, name: str) -> list[str]:
    """Errors of ``xml`` against the schema ("line N: message"); [] if valid. No DTD is
    loaded and no entity resolved."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    try:
        doc = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    checker = schema(folder, name)
    if checker.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]
