"""The numbered text of a version and word-level diffs between versions, for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drafts.markup import plain
from drafts.model import SECTION_PREAMBLE, Resolution
from drafts.numbering import annex_heading, label
from workflow.presenting.tables import bold, green, red

if TYPE_CHECKING:  # the diff's service imports the ORM; `show` needs none of it
    from workflow.drafting.diffing import VersionDiff
    from workflow.rows import Summary, VersionSource

__all__ = ["diff_text", "numbered_lines", "show_text"]


def numbered_lines(model: Resolution, langs: list[str]) -> dict[str, list[str]]:
    """Per language: the title, then every paragraph with its label, indented by depth."""
    out: dict[str, list[str]] = {}
    for lang in langs:
        lines = [model.title.get(lang, "") or "(no title)", ""]
        current_annex: int | None = None
        for loc in model.walk():
            if loc.annex is not None and loc.annex != current_annex:
                current_annex = loc.annex
                annex = model.annexes[loc.annex]
                lines += ["", annex_heading(loc.annex, len(model.annexes), lang),
                          annex.title.get(lang, ""), ""]
            text = plain(loc.paragraph.text(lang)) or "[missing]"
            mark = label(model, loc, lang)
            indent = "    " * loc.depth
            if loc.section == SECTION_PREAMBLE and loc.depth == 0:
                lines.append(f"{indent}{text}")
            else:
                lines.append(f"{indent}{mark + ' ' if mark else ''}{text}")
        out[lang] = lines
    return out


def show_text(summary: Summary, version: VersionSource, lines: dict[str, list[str]],
              langs: list[str]) -> str:
    """The `show` view: a header line, then each language's numbered text."""
    out = [f"{summary.symbol} · version {version.number} · {summary.state} · "
           f"{version.content_hash[:12]}"]
    for code in langs:
        out += ["", *lines[code]]
    return "\n".join(out)


def diff_text(result: VersionDiff, lang: str | None = None) -> str:
    """A version diff: each changed paragraph in bold, insertions {+green+}, deletions
    [-red-], one line per language (only ``lang`` when given)."""
    out = [f"{result.symbol}: version {result.old} → {result.new}"]
    if not result.changes:
        out.append("no differences")
    for change in result.changes:
        where = change.new_ref or change.old_ref
        moved = (f" (was {change.old_ref})" if change.old_ref and change.new_ref
                 and change.old_ref != change.new_ref else "")
        out.append(bold(f"{where}{moved}: {change.status}"))
        for code, segments in change.segments.items():
            if lang and code != lang:
                continue
            parts = [green(f"{{+{text}+}}") if op == "insert" else
                     red(f"[-{text}-]") if op == "delete" else text for op, text in segments]
            out.append(f"  {code}: " + "".join(parts))
    return "\n".join(out)
