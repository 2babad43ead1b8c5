"""`templates list` and `templates check DIR`: what can be overridden, and whether a
workspace's overrides will render (syntax, unknown variables)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from templates.jinja import environment

__all__ = ["TemplateFile", "list_templates", "check_templates", "KNOWN_NAMES"]

#: names a template may use (PDF: pdf._context; DOCX: docx_context.build_context)
KNOWN_NAMES = {"view", "lang", "t", "tt", "language_names", "css", "enclosures",
               "redline_runs", "show_stale", "d", "loop", "self", "caller", "varargs",
               "kwargs", "range", "dict", "lipsum", "cycler", "joiner", "namespace"}


@dataclass(frozen=True)
class TemplateFile:
    name: str          # html/draft.html, css/base.css, docx/final.docx
    kind: str          # html | css | docx
    overridden: bool


def _package_names() -> list[str]:
    root = resources.files("templates")
    names = []
    for folder in ("html", "css", "docx"):
        for entry in root.joinpath(folder).iterdir():
            if entry.name.endswith((".html", ".css", ".docx")):
                names.append(f"{folder}/{entry.name}")
    return sorted(names)


def list_templates(workspace_templates: Path | None) -> list[TemplateFile]:
    out = []
    for name in _package_names():
        overridden = bool(workspace_templates and (workspace_templates / name).is_file())
        out.append(TemplateFile(name, name.split("/")[0], overridden))
    return out


def check_templates(directory: Path) -> list[str]:
    """Problems in a template override folder, each naming the file (and line)."""
    from jinja2 import TemplateSyntaxError, meta


    problems: list[str] = []
    if not directory.is_dir():
        return [f"{directory}: not a folder"]
    known = set(_package_names())
    env = environment(directory)
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(directory).as_posix()
        if name not in known:
            problems.append(f"{name}: not one of our templates (see 'resolutions templates "
                            "list'); it would never be used")
            continue
        if name.endswith(".html"):
            try:
                ast = env.parse(path.read_text(encoding="utf-8"))
            except TemplateSyntaxError as exc:
                problems.append(f"{name}:{exc.lineno}: syntax error: {exc.message}")
                continue
            except UnicodeDecodeError:
                problems.append(f"{name}: not UTF-8 text")
                continue
            unknown = sorted(meta.find_undeclared_variables(ast) - KNOWN_NAMES)
            if unknown:
                problems.append(f"{name}: unknown variable(s) {', '.join(unknown)}; "
                                f"templates receive {', '.join(sorted(KNOWN_NAMES - {'loop', 'self', 'caller', 'varargs', 'kwargs', 'range', 'dict', 'lipsum', 'cycler', 'joiner', 'namespace'}))}")
        elif name.endswith(".docx"):
            problems.extend(_check_docx(path, name))
    return problems


def _check_docx(path: Path, name: str) -> list[str]:
    try:
        from docxtpl import DocxTemplate
        from jinja2 import TemplateSyntaxError
    except ImportError as exc:  # pragma: no cover
        return [f"{name}: cannot check ({exc})"]
    try:
        tpl = DocxTemplate(str(path))
        names = tpl.get_undeclared_template_variables()
    except TemplateSyntaxError as exc:
        return [f"{name}:{exc.lineno}: syntax error: {exc.message}"]
    except Exception as exc:
        return [f"{name}: not a readable DOCX template ({exc})"]
    unknown = sorted(set(names) - KNOWN_NAMES)
    return [f"{name}: unknown variable(s) {', '.join(unknown)}"] if unknown else []
