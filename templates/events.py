"""Audit events told in words, for the certificate of completion and the audit report.

An event is stored as an action code and a JSON detail (hashes, ids, numbers): exact, but
not for a reader. ``describe_event`` tells what happened in one language: the event
("Подпись", "签署", "Signature") and what it concerned ("№ 2 к OP 4: принято"), with people
named as they wrote their names. Hashes are cut to 12 characters: the full values and
the chain are in the machine-readable copy the certificate carries.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from templates.labels import labels_for, language_name, section
from templates.people import person_name

if TYPE_CHECKING:
    from templates.view import EventView

__all__ = ["describe_event", "event_time", "event_rows", "EventRow", "EVENT_ACTIONS"]

#: The actions the event table tells in words (``[events]`` of every catalogue).
EVENT_ACTIONS = ("new", "edit", "circulate", "comment", "amend", "dispose", "amendment-decide",
                 "close_review_changes", "close_review_no_objection", "apply-amendments",
                 "translations-confirm", "approve", "object", "reopen", "signing-base", "sign",
                 "completion-certificate", "submit", "receipt", "acknowledge", "adopt",
                 "return", "reject", "revise", "withdraw", "archive", "refused", "waive")
_OUTCOME = {"acknowledged": "acknowledge", "adopted": "adopt", "returned": "return",
            "rejected": "reject"}


def event_time(at: str, lang: str) -> str:
    """An ISO timestamp as a reader of ``lang`` writes date and time, in UTC (the column
    heading says so)."""
    from babel.dates import format_datetime

    from drafts.languages import REGISTRY

    moment = _dt.datetime.fromisoformat(at).astimezone(_dt.timezone.utc)
    locale = REGISTRY[lang].locale if lang in REGISTRY else "en_GB"
    return format_datetime(moment, format="short", locale=locale, tzinfo=_dt.timezone.utc)


def _listed(value: object) -> list[object]:
    """A detail field that holds one value or a list of them, as a list."""
    return list(value) if isinstance(value, list) else [value]


def _who(ids: object, lang: str, people: Mapping[str, Mapping[str, str]]) -> str:
    items = _listed(ids)
    from drafts.languages import REGISTRY

    sep = REGISTRY[lang].list_separator if lang in REGISTRY else ", "
    return sep.join(person_name(people.get(str(i), {"en": str(i)}), lang) for i in items if i)


def _what(action: str, d: Mapping[str, object], lang: str,
          people: Mapping[str, Mapping[str, str]]) -> str:
    w = labels_for(lang)
    small = section("small", lang)
    colon = "：" if lang == "zh" else ": "
    parts: list[str] = []
    if action in ("new", "edit", "apply-amendments") and d.get("version"):
        parts.append(f"{small['version']} {d['version']}")
    if action == "apply-amendments" and d.get("amendments"):
        parts.append("№ " + ", ".join(str(a) for a in _listed(d["amendments"])))
    if action in ("circulate", "close_review_changes", "close_review_no_objection") \
            and d.get("round"):
        rnd = small["round"]
        parts.append(rnd.replace("{n}", str(d["round"])) if "{n}" in rnd
                     else f"{rnd} {d['round']}")
        if d.get("reviewers"):
            parts.append(small["reviewers"] + colon + _who(d["reviewers"], lang, people))
    if action == "comment":
        parts.append(f"№ {d.get('comment', '')} {small['to']} {d.get('ref', '')} "
                     f"({d.get('type', '')})")
        parts.append(small["by"] + colon + _who(d.get("by"), lang, people))
    if action == "amend":
        op = section("ops", lang).get(str(d.get("op")), str(d.get("op")))
        parts.append(f"№ {d.get('amendment', '')} {small['to']} {d.get('target', '')} ({op})")
        parts.append(small["by"] + colon + _who(d.get("by"), lang, people))
    if action == "dispose":
        parts.append(f"№ {d.get('comment', '')}{colon}"
                     f"{w.get(str(d.get('disposition')), str(d.get('disposition')))}")
    if action == "amendment-decide":
        parts.append(f"№ {d.get('amendment', '')}{colon}"
                     f"{w.get(str(d.get('status')), str(d.get('status')))}")
    if action == "translations-confirm":
        language = language_name(str(d.get("lang")), lang)
        parts.append(f"{language}, {len(_listed(d.get('paragraphs', [])))} {small['paragraphs']}")
    if action in ("approve", "object", "sign") and d.get("member"):
        parts.append(_who(d["member"], lang, people))
    if action == "sign" and d.get("cert_fingerprint"):
        parts.append(f"{small['certificate']} {str(d['cert_fingerprint'])[:12]}")
    if action == "submit":
        parts.append(f"{_who(d.get('body'), lang, people)}, {small['package']} "
                     f"{str(d.get('package_sha256', ''))[:12]}")
    if action == "receipt":
        outcome = str(d.get("outcome", ""))
        said = section("events", lang).get(_OUTCOME.get(outcome, ""))
        parts.append(f"{d.get('reference', '')}{colon}{said or outcome}")
    if action == "completion-certificate" and d.get("sha256"):
        parts.append(f"SHA-256 {str(d['sha256'])[:12]}")
    if action == "signing-base" and d.get("pdf"):
        parts.append(f"PDF {str(d['pdf'])[:12]}")
    sep = "；" if lang == "zh" else "; "
    return sep.join(p for p in parts if p.strip())


def describe_event(action: str, detail: str, lang: str,
                   people: Mapping[str, Mapping[str, str]]) -> tuple[str, str]:
    """(event, what) in ``lang``; an unknown action is shown by its code."""
    words = section("events", lang).get(action)
    event = words or action.replace("_", " ").replace("-", " ")
    try:
        facts = json.loads(detail) if detail else {}
    except ValueError:
        facts = {}
    if not isinstance(facts, dict):
        facts = {}
    return event, _what(action, facts, lang, people)


@dataclass(frozen=True)
class EventRow:
    """One row of the event table: every cell as (language, text) lines."""

    seq: int
    time: str
    who: tuple[tuple[str, str], ...]
    event: tuple[tuple[str, str], ...]
    what: tuple[tuple[str, str], ...]
    hash: str


def _lines(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    seen: list[tuple[str, str]] = []
    for lang, text in pairs:
        if text and text not in (t for _, t in seen):
            seen.append((lang, text))
    return tuple(seen)


def event_rows(events: Sequence[EventView], languages: Sequence[str],
               people: Mapping[str, Mapping[str, str]], *,
               latin: bool = False) -> list[EventRow]:
    """The event table of a document shown in ``languages`` (each text once)."""
    rows = []
    first = languages[0] if languages else "en"
    for e in events:
        told = {lang: describe_event(e.action, e.detail, lang, people) for lang in languages}
        names = people.get(e.actor, {"en": e.actor})
        rows.append(EventRow(
            seq=e.seq, time=event_time(e.at, first),
            who=((first, person_name(names, first, latin=latin)),),
            event=_lines([(lang, told[lang][0]) for lang in languages]),
            what=_lines([(lang, told[lang][1]) for lang in languages]),
            hash=e.hash[:12]))
    return rows
