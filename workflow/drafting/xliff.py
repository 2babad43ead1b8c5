"""Translations through XLIFF: export the units of one language for a translator's tool,
import the file that comes back as a new version (the rules of the file are in
``drafts.xliff``; this reads the store and writes through the ``edit`` service).

An import stores the changed targets as one edit (so the version, its hash, the audit
event and the staleness records follow as for any edit), then confirms exactly the units
the translator translated or marked translated, in one audit event that names the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workflow import clock
from workflow.app import App
from workflow.drafting.resolutions import edit_resolution
from workflow.drafting.translations import confirm_units
from workflow.errors import ConcurrencyError, InvalidInput
from workflow.lifecycle.machine import text_is_final
from workflow.lifecycle.steps import act, allow
from workflow.store import audit
from workflow.store.texts import load_version, records_for

if TYPE_CHECKING:
    from drafts.model import Resolution
    from drafts.staleness import Records
    from drafts.xliff.read import Returned

__all__ = ["Exported", "Imported", "export_xliff", "import_xliff", "default_name"]

@dataclass(frozen=True)
class Exported:
    symbol: str
    version: int
    source: str
    target: str
    data: bytes
    counts: dict[str, int]

    def line(self, where: str) -> str:
        c = self.counts
        return (f"{where}: {self.symbol} v{self.version} {self.source}→{self.target}, "
                f"{c['missing']} to translate, {c['stale']} to review, {c['ok']} for context")


@dataclass(frozen=True)
class Imported:
    symbol: str
    lang: str
    version: int
    changed: bool
    stored: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)

    def lines(self) -> list[str]:
        head = (f"{self.symbol}: version {self.version} with {len(self.stored)} {self.lang} "
                f"unit(s) from the file" if self.changed else
                f"{self.symbol}: no text changed (version {self.version})")
        out = [head + f"; {len(self.confirmed)} unit(s) confirmed"
               + (f": {', '.join(self.confirmed)}" if self.confirmed else "")]
        out += [f"  not translated: {line}" for line in self.untranslated]
        out += [f"  note: {line}" for line in self.notes]
        return out


def default_name(symbol: str, version: int, source: str, target: str) -> str:
    stem = "".join(ch if ch.isalnum() else "-" for ch in symbol)
    return f"{stem}-v{version}-{source}-{target}.xlf"


def _tool_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("brics-resolutions")
    except metadata.PackageNotFoundError:
        return ""


def export_xliff(app: App, ref: str, lang: str, source: str | None = None) -> Exported:
    """The XLIFF 1.2 file of ``lang`` for the current version, validated against the schema."""
    from drafts.xliff.write import Header, build, default_source, plan_units, validate

    with app.read() as session:
        row = app.resolution(session, ref)
        ver = app.version(session, row)
        model = load_version(session, ver)
        records = records_for(session, row)
        history = [load_version(session, app.version(session, row, n))
                   for n in range(ver.number - 1, 0, -1)]
        final = text_is_final(row.state)
    langs = ", ".join(model.languages)
    if lang not in model.languages:
        raise InvalidInput(f"{row.symbol} has no {lang} text to translate into "
                           f"(languages: {langs})")
    source = source or default_source(model, records, lang, history)
    if source not in model.languages or source == lang:
        raise InvalidInput(f"--from {source}: choose another language of {row.symbol} "
                           f"than {lang} ({langs})")
    plan = plan_units(model, records, source=source, target=lang, history=history)
    header = Header(symbol=row.symbol, version=ver.number, content_hash=ver.content_hash,
                    source=source, target=lang, date=clock.now().isoformat(), final=final,
                    tool_version=_tool_version())
    data = build(header, plan)
    problems = validate(data)
    if problems:
        raise InvalidInput("the XLIFF file does not validate: " + "; ".join(problems[:5]))
    counts = {"missing": 0, "stale": 0, "ok": 0}
    for unit in plan:
        if unit.source.strip():
            counts[unit.status] += 1
    return Exported(row.symbol, ver.number, source, lang, data, counts)


def _read_file(path: Path) -> bytes:
    from drafts.xliff.read import MAX_BYTES

    try:
        if path.stat().st_size > MAX_BYTES:
            raise InvalidInput(f"{path.name}: larger than {MAX_BYTES // 1024 // 1024} MiB; "
                               "an XLIFF file of one resolution is far smaller")
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: {exc.strerror}") from None


def _language(tag: str, languages: tuple[str, ...]) -> str:
    """``zh-CN`` (as tools often rewrite it) → ``zh`` when the resolution has ``zh``."""
    if tag in languages:
        return tag
    primary = tag.replace("_", "-").split("-")[0].lower()
    return primary if primary in languages else tag


def _check_identity(returned: Returned, name: str, symbol: str, number: int,
                    content_hash: str, languages: tuple[str, ...],
                    known: Collection[str]) -> tuple[str, str]:
    """The file's (target, source) languages, once it is known to belong to this version."""
    again = (f"export a new file ('resolutions translations export {symbol} "
             f"--lang {returned.target or 'LANG'}')")
    if returned.symbol != symbol:
        raise InvalidInput(f"{name} is for {returned.symbol or 'no resolution'}, not {symbol}")
    if returned.version != str(number):
        raise InvalidInput(f"{name} was exported from version {returned.version or '?'} of "
                           f"{symbol}, the current version is {number}: {again}; "
                           "your tool's translation memory carries the work over")
    if returned.content_hash != content_hash:
        raise InvalidInput(f"{name} was made from another text than version {number} of "
                           f"{symbol} (another workspace?): {again}")
    lang, source = _language(returned.target, languages), _language(returned.source, languages)
    if returned.exported_as is not None:
        from drafts.xliff.write import job_id

        exported = returned.exported_as.rpartition(" ")[2]
        if returned.exported_as != job_id(symbol, number, source, lang):
            raise InvalidInput(
                f"{name} declares source-language {returned.source or '(none)'} and "
                f"target-language {returned.target or '(none)'}, but it was exported as "
                f"{exported.replace('>', ' → ')}: its languages were changed; return the "
                f"file with the languages it was exported with, or {again}")
    if lang not in languages or lang == source:
        raise InvalidInput(f"{name}: target language {lang or '(none)'} is not one of "
                           f"{symbol}'s ({', '.join(languages)})")
    unknown = [uid for uid in returned.units if uid not in known]
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise InvalidInput(f"{name}: {len(unknown)} unit id(s) not in version {number} of "
                           f"{symbol}: {shown}; keep the ids as exported")
    return lang, source


@dataclass
class _Sorted:
    changes: dict[str, str] = field(default_factory=dict)
    confirm_only: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _sort_units(returned: Returned, model: Resolution, records: Records, lang: str,
                source: str, name: str) -> _Sorted:
    """What each unit of the file asks for: a new text, a confirmation, or nothing."""
    from drafts.errors import SourceError
    from drafts.source import check_text
    from drafts.staleness import OK, status, text_hash, units
    from drafts.xliff.read import DONE_STATES
    from drafts.xliff.write import unit_refs

    names, states, out = unit_refs(model), status(model, records), _Sorted()
    context: list[str] = []
    for uid, texts in units(model).items():
        unit = returned.units.get(uid)
        label, current = names.get(uid, uid), texts.get(lang, "")
        pending = states[uid].get(lang) != OK
        if unit is None or not unit.translate:
            if (unit is not None and unit.target and unit.target.strip()
                    and text_hash(unit.target) != text_hash(current)):
                context.append(label)
            if pending and unit is None and texts.get(source, "").strip():
                out.untranslated.append(f"{label}: not in the file")
            continue
        out.notes += [f"{label}: {note}" for note in unit.notes]
        if unit.target is None or not unit.target.strip():
            if pending:
                out.untranslated.append(f"{label}: no translation")
            continue
        try:
            text = check_text(unit.target, f"{label} [{lang}]", name)
        except SourceError as exc:
            raise InvalidInput(str(exc)) from None
        if text_hash(text) != text_hash(current):
            if not pending or not texts.get(source, "").strip():
                context.append(label)  # sent for context only: not the translator's to change
            elif text_hash(text) == text_hash(texts.get(source, "")):
                out.untranslated.append(f"{label}: the target is a copy of the source")
            else:
                out.changes[uid] = text
        elif pending:
            if unit.state in DONE_STATES or unit.approved:
                out.confirm_only.append(uid)
            else:
                out.untranslated.append(f"{label}: left as it was "
                                        f"(state {unit.state or 'none'})")
    if context:
        raise InvalidInput(f"{name}: {len(context)} unit(s) sent for context only were changed: "
                           f"{', '.join(context)}; their {lang} text is confirmed — to change "
                           f"it, edit the resolution ('resolutions edit'), or restore them "
                           "and import again")
    return out


def import_xliff(app: App, ref: str, path: Path) -> Imported:
    """Store the translated units of a returned XLIFF file and confirm exactly those."""
    from drafts.source import dump
    from drafts.staleness import units
    from drafts.xliff.read import XliffError, apply, read
    from drafts.xliff.write import unit_refs

    data = _read_file(path)
    name = path.name
    try:
        returned = read(data, name)
    except XliffError as exc:
        raise InvalidInput(str(exc)) from None
    with app.read() as session:
        row = app.resolution(session, ref)
        ver = app.version(session, row)
        current = load_version(session, ver)
        if returned.symbol == row.symbol and returned.version.isdigit() \
                and 0 < int(returned.version) < ver.number:
            ver = app.version(session, row, int(returned.version))  # the file's base
        model = load_version(session, ver)
        records = records_for(session, row)
    lang, source = _check_identity(returned, name, row.symbol, ver.number, ver.content_hash,
                                   model.languages, units(model))
    found = _sort_units(returned, model, records, lang, source, name)
    version, changed, notes = ver.number, False, list(found.notes)
    if found.changes:
        result = edit_resolution(app, ref, dump(apply(model, lang, found.changes)), name,
                                 note=f"{lang} translation from {name}", based_on=ver.number)
        version, changed = result.version, result.changed
        notes += [n for n in result.notes if n.startswith("merged:")]
    since = _changed_since(model, current) if ver.number != row.current_version else set()
    skipped = [uid for uid in found.confirm_only if uid in since]
    if skipped:  # the translator confirmed a text that has changed since: not confirmed
        labels = unit_refs(current)
        notes += [f"{labels.get(uid, uid)}: not confirmed, changed since version "
                  f"{ver.number} (the file's version); export it again" for uid in skipped]
    done = list(found.changes) + [u for u in found.confirm_only if u not in since]
    if done:
        with app.write() as session:
            row = app.resolution(session, ref)
            member = app.acting_member(session)
            decision = allow(app, session, "translations confirm", row=row, actor=member)
            if row.current_version != version:
                raise ConcurrencyError(row.symbol)
            act(session, decision, row)
            current_ver = app.version(session, row)
            confirm_units(session, row, load_version(session, current_ver), lang, done)
            audit.record(session, actor=member.id, action="translations-import", resolution=row,
                         detail={"lang": lang, "file": name,
                                 "sha256": hashlib.sha256(data).hexdigest(),
                                 "version": version, "content_hash": current_ver.content_hash,
                                 "stored": sorted(found.changes), "confirmed": sorted(done),
                                 "untranslated": len(found.untranslated)})
    names = unit_refs(model)
    return Imported(row.symbol, lang, version, changed,
                    [names.get(u, u) for u in found.changes], [names.get(u, u) for u in done],
                    found.untranslated, notes)


def _changed_since(older: Resolution, current: Resolution) -> set[str]:
    """The units whose texts differ between two versions (or exist in one only)."""
    from drafts.staleness import units

    before, after = units(older), units(current)
    return {uid for uid in set(before) | set(after) if before.get(uid) != after.get(uid)}
