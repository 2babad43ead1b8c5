"""The sandboxed Jinja environment every template (HTML for PDF, later DOCX) runs in.

Templates are looked up first in a workspace override directory (``<dir>/html/draft.html``,
``<dir>/css/base.css``), then in this package's data, read with ``importlib.resources`` so
an installed wheel needs no file system layout of its own. A workspace template is user
code: it runs in :class:`jinja2.sandbox.SandboxedEnvironment` with autoescape on, so it can
print what the view holds but cannot reach Python internals, and every value from user
content (paragraph text, names, comments) is escaped.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    meta,
)
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from drafts.languages import REGISTRY

__all__ = [
    "PACKAGE",
    "ResourceLoader",
    "environment",
    "read_file",
    "file_exists",
    "referenced_templates",
    "files_hash",
    "lang_tag",
    "lang_dir",
    "nobr",
]

#: The package whose data holds the built-in templates (``html/``, ``css/``, ``docx/``).
PACKAGE = "templates"


#: What a line must not break inside: a range of numbers ("2026–2027", "1–15"), a
#: bracketed list of codes ("(ge/te/ed)") and a document symbol ("RCWG/RES/2023/4").
_UNBREAKABLE = re.compile(r"\d+\s?[–—-]\s?\d+|[(（][\w.]+(?:/[\w.]+)+[)）]"
                          r"|[A-Za-z][A-Za-z0-9.-]*(?:/[A-Za-z0-9.-]+)+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


def nobr(text: str) -> Markup:
    """``text`` escaped, with ranges, code lists and symbols wrapped so no line breaks
    inside them; a symbol also keeps its left-to-right order inside right-to-left text."""
    out, last = [], 0
    for match in _UNBREAKABLE.finditer(str(text)):
        out.append(escape(text[last:match.start()]))
        opening = ('<span class="nobr" dir="ltr">' if _LATIN_LETTER.match(match.group())
                   else '<span class="nobr">')
        out.append(Markup(opening) + escape(match.group()) + Markup("</span>"))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def lang_tag(lang: str) -> str:
    """The ``lang`` attribute value for a project language code (``zh`` → ``zh-Hans``)."""
    found = REGISTRY.get(lang)
    return found.tag if found else lang


def lang_dir(lang: str) -> str:
    """The ``dir`` attribute value: ``rtl`` for Arabic and Persian, else ``ltr``."""
    found = REGISTRY.get(lang)
    return found.direction if found else "ltr"


class ResourceLoader(BaseLoader):
    """Loads templates from package data with ``importlib.resources``."""

    def __init__(self, package: str = PACKAGE) -> None:
        self.package = package

    def get_source(self, environment: Environment, template: str
                   ) -> tuple[str, str | None, Callable[[], bool] | None]:
        data = _package_bytes(template, self.package)
        if data is None:
            raise TemplateNotFound(template)
        return data.decode("utf-8"), None, lambda: True

    def list_templates(self) -> list[str]:
        out: list[str] = []

        def walk(node: Traversable, prefix: str) -> None:
            for child in node.iterdir():
                name = f"{prefix}{child.name}"
                if child.is_dir():
                    if child.name != "__pycache__":
                        walk(child, name + "/")
                elif not child.name.endswith((".py", ".pyc")):
                    out.append(name)

        walk(resources.files(self.package), "")
        return sorted(out)


def _package_bytes(name: str, package: str = PACKAGE) -> bytes | None:
    node = resources.files(package)
    for part in split_template_path(name):  # rejects "..", absolute paths
        node = node.joinpath(part)
    try:
        return node.read_bytes() if node.is_file() else None
    except OSError:
        return None


def _override_path(name: str, template_dir: Path | None) -> Path | None:
    if template_dir is None:
        return None
    path = Path(template_dir).joinpath(*split_template_path(name))
    return path if path.is_file() else None


def read_file(name: str, template_dir: Path | None = None) -> bytes:
    """The bytes of a template or stylesheet (``css/base.css``): override first, then package."""
    path = _override_path(name, template_dir)
    if path is not None:
        return path.read_bytes()
    data = _package_bytes(name)
    if data is None:
        raise TemplateNotFound(name)
    return data


def file_exists(name: str, template_dir: Path | None = None) -> bool:
    return _override_path(name, template_dir) is not None or _package_bytes(name) is not None


@functools.lru_cache(maxsize=16)
def _environment(template_dir: str | None) -> SandboxedEnvironment:
    loaders: list[BaseLoader] = []
    if template_dir is not None:
        loaders.append(FileSystemLoader(template_dir, encoding="utf-8"))
    loaders.append(ResourceLoader())
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["lang_tag"] = lang_tag
    env.filters["lang_dir"] = lang_dir
    env.filters["nobr"] = nobr
    return env


def environment(template_dir: Path | None = None) -> SandboxedEnvironment:
    """The shared sandboxed environment for a workspace override directory (or none).

    Environments are cached per directory: Jinja keeps compiled templates in them.
    """
    return _environment(str(Path(template_dir).resolve()) if template_dir else None)


def referenced_templates(name: str, template_dir: Path | None = None) -> list[str]:
    """``name`` and every template it extends, includes or imports, recursively."""
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        data = read_file(current, template_dir)
        refs = _references(data)
        if None in refs:
            raise ValueError(f"template {current!r} names a template by a variable; "
                             "name included templates literally so they can be hashed")
        todo.extend(ref for ref in refs if ref is not None)
    return sorted(seen)


@functools.lru_cache(maxsize=256)
def _references(data: bytes) -> tuple[str | None, ...]:
    """The templates one template's source names, parsed once per content (the cache is
    keyed by the file's bytes): hashing the templates of many documents reads their bytes
    each time but parses each distinct file once. References do not depend on the loader,
    so the package's own environment parses for every override directory alike."""
    return tuple(meta.find_referenced_templates(environment(None).parse(data.decode("utf-8"))))


def files_hash(names: Iterable[str], template_dir: Path | None = None,
               salt: str = "") -> str:
    """SHA-256 over the names and contents of template files (sorted), plus ``salt``."""
    digest = hashlib.sha256(salt.encode("utf-8"))
    for name in sorted(set(names)):
        data = read_file(name, template_dir)
        digest.update(b"\0" + name.encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()
