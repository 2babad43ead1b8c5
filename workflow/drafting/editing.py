"""Editing in ``$EDITOR`` without losing work: where to reopen the editor after a mistake,
and where the text goes when it cannot be reopened.

A source rejected after an editor session keeps the buffer: on a terminal the secretary is
offered the editor again, at the line of the error when the editor takes ``+LINE`` (vi,
Vim, Neovim, nano, Emacs, micro, …); off a terminal the buffer is saved under
``.resolutions/edits/`` and the error names that file and the command that resumes.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from workflow.drafting.versioning import keep_text

if TYPE_CHECKING:
    from workflow.store.workspace import Workspace


class _InWorkspace(Protocol):
    """What the edit was made in: the ORM's ``App`` or the bare ``Writing``."""

    @property
    def workspace(self) -> Workspace: ...

__all__ = ["editor_at_line", "keep_failed_edit", "resume_hint", "LINE_EDITORS"]

#: editors that open a file at a line with ``+LINE`` before the file name
LINE_EDITORS = frozenset({"vi", "vim", "nvim", "view", "gvim", "ex", "nano", "pico", "rnano",
                          "emacs", "emacsclient", "micro", "joe", "jed", "mg", "ne", "kak",
                          "elvis", "nvi", "vis"})


def editor_at_line(line: int | None, environ: Mapping[str, str]) -> str | None:
    """The editor command (``VISUAL``, else ``EDITOR`` of ``environ``, which the command
    line hands over) that opens at ``line`` (None: let the default editor choose)."""
    editor = environ.get("VISUAL") or environ.get("EDITOR")
    if not editor or not line or line < 1:
        return editor or None
    try:
        program = shlex.split(editor)[0]
    except (ValueError, IndexError):
        return editor
    if Path(program).name in LINE_EDITORS:
        return f"{editor} +{line}"
    return editor


def keep_failed_edit(app: _InWorkspace, ref: str, text: str, based_on: int) -> Path:
    """Save a rejected editor buffer in the workspace; returns the file."""
    return keep_text(app.workspace.state_dir, ref, text, based_on)


def resume_hint(ref: str, kept: Path) -> str:
    return (f"your text is kept in {kept} — fix it there and run "
            f"'resolutions edit {ref} {kept}'")
