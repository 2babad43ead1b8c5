"""Equal authenticity: do the language versions of a resolution say the same thing?

``check(resolution)`` runs every parity rule over the title, the paragraphs, items and
sub-items, and the annexes, and returns :class:`Finding` objects in document order. Each
names the reference reviewers use ("OP 3(b)"), the languages concerned, a rule code, and
what to do. The rules:

=================  ========  ==============================================================
rule               severity  what it finds
=================  ========  ==============================================================
missing            error     a paragraph or title without text in an authentic language
stale              error     a translation not reconciled with a sibling's current text
                             (only when reconciliation ``records`` are given)
items-count        error     an item in some languages only; a lead-in announcing a
                             different number of items than it has
punctuation        error     the final mark against the convention (",", ";", "." and
                             the full-width "，", "；", "。" in Chinese)
labels             error     a number or letter typed at the start of a text ("1.", "(a)")
brackets, quotes   error     unbalanced brackets or quotation marks in one language
numbers            error     figures, years or dates that differ between languages
opener-emphasis    warning   a preambular paragraph without its ``*opener*``
opener-mismatch    warning   openers the lexicon knows that do not correspond
length-ratio       warning   a language far longer or shorter than the expected ratio
=================  ========  ==============================================================

``to_json(findings)`` gives the machine form documented in ``docs/CHECK_JSON.md``.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import NotRequired, TypedDict

from drafts.model import Resolution
from drafts.parity import numbers as parity_numbers
from drafts.parity import structure as parity_structure
from drafts.parity import text as parity_text
from drafts.parity.core import ERROR, WARNING, Finding, FindingJSON, Thresholds, Unit, units

__all__ = ["Finding", "Thresholds", "RULES", "SCHEMA", "Report", "Summary", "WaivedJSON", "check",
           "to_json", "summary"]

#: Every rule code, in the order findings on one paragraph are listed.
RULES = ("missing", "stale", "items-count", "labels", "punctuation", "brackets", "quotes",
         "numbers", "opener-emphasis", "opener-mismatch", "length-ratio")
SCHEMA = "brics-resolutions/check/1"


def check(
    resolution: Resolution,
    *,
    records: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None,
    thresholds: Thresholds | Mapping[str, object] | None = None,
    errors_only: bool = False,
) -> list[Finding]:
    """Every parity finding for ``resolution``, in document order.

    ``records`` are the reconciliation records of this version (see
    :mod:`drafts.staleness`); without them staleness is not checked. ``thresholds``
    tunes the length rule (a :class:`Thresholds` or a mapping of some of its fields).
    ``errors_only``: the errors alone (what a decision reads), the rules that only ever
    warn not run — the same errors as those of every finding.
    """
    limits = Thresholds.of(thresholds)
    langs = tuple(resolution.languages)
    all_units = list(units(resolution))
    stale: dict[str, list[Finding]] = {}
    if records is not None:
        stale = parity_structure.stale(resolution, records, {u.id: u.ref for u in all_units})
    findings: list[Finding] = []
    for unit in all_units:
        found = _unit_findings(unit, langs, limits, errors_only) + stale.get(unit.id, [])
        findings.extend(sorted(found, key=lambda f: RULES.index(f.rule)))
    return findings


def _unit_findings(unit: Unit, langs: tuple[str, ...], limits: Thresholds,
                   errors_only: bool = False) -> list[Finding]:
    if not any(unit.has_text(lang) for lang in langs):
        return []  # a bare container of items: its items are checked one by one
    found = [
        *parity_structure.missing(unit, langs),
        *parity_structure.items(unit, langs),
        *parity_structure.labels(unit, langs),
        *parity_structure.punctuation(unit, langs),
        *parity_text.balance(unit, langs),
        *parity_numbers.compare(unit, langs),
    ]
    if errors_only:  # the rules below only warn (the table above)
        return [f for f in found if f.severity == ERROR]
    return [
        *found,
        *parity_text.opener_emphasis(unit, langs),
        *parity_text.opener_mismatch(unit, langs),
        *parity_text.length_ratio(unit, langs, limits),
    ]


class Summary(TypedDict):
    """The counts of a parity report (``waived`` added by the workflow's check)."""

    error: int
    warning: int
    total: int
    by_rule: dict[str, int]
    waived: NotRequired[int]


class WaiverJSON(TypedDict):
    """Who set a finding aside, why, when and on which version (as the waiver fact
    recorded them)."""

    by: object
    reason: object
    at: object
    version: object


class WaivedJSON(FindingJSON):
    waiver: WaiverJSON


class Report(TypedDict):
    """The parity report as the JSON of ``docs/CHECK_JSON.md`` (``version`` and
    ``waived`` added by the workflow's check)."""

    schema: str
    ok: bool
    summary: Summary
    findings: list[FindingJSON]
    version: NotRequired[int]
    waived: NotRequired[list[WaivedJSON]]


def summary(findings: Iterable[Finding]) -> Summary:
    """Counts by severity and by rule."""
    items = list(findings)
    severities = Counter(f.severity for f in items)
    rules = Counter(f.rule for f in items)
    return {
        "error": severities[ERROR],
        "warning": severities[WARNING],
        "total": len(items),
        "by_rule": {rule: rules[rule] for rule in RULES if rules[rule]},
    }


def to_json(findings: Iterable[Finding]) -> Report:
    """The findings as JSON-ready data (schema in ``docs/CHECK_JSON.md``)."""
    items = list(findings)
    counts = summary(items)
    return {
        "schema": SCHEMA,
        "ok": counts["error"] == 0,
        "summary": counts,
        "findings": [f.to_dict() for f in items],
    }
