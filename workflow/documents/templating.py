"""``templates list`` and ``templates check``: the shipped templates, which of them the
workspace overrides (its ``templates/`` folder), and whether overrides will render."""

from __future__ import annotations

import os
from pathlib import Path

from templates import admin
from templates.admin import TemplateFile
from workflow.errors import WorkflowError
from workflow.store.workspace import find

__all__ = ["templates_of", "check", "TemplateFile"]


def templates_of(workspace: str | os.PathLike[str] | None) -> list[TemplateFile]:
    """Every template, marked when the workspace overrides it (outside a workspace: the
    shipped ones only)."""
    try:
        override: Path | None = find(workspace).root / "templates"
    except WorkflowError:
        override = None
    return admin.list_templates(override)


def check(directory: Path) -> list[str]:
    """The problems of the overrides in ``directory`` (empty when they render)."""
    return admin.check_templates(Path(directory))
