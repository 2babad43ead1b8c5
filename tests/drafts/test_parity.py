"""The parity check: one failing and one passing fixture per rule, and the JSON form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from drafts.model import Annex, Paragraph, Resolution
from drafts.parity.rules import RULES, SCHEMA, Finding, check, to_json
from drafts.source import load
from drafts.staleness import carry_forward, merge, reconcile

FIXTURES = Path(__file__).parent / "fixtures_parity"


def fixture(name: str):
    path = FIXTURES / f"{name}.yaml"
    return load(path.read_text(encoding="utf-8"), str(path))[0]


def rules_of(findings: list[Finding]) -> set[str]:
    return {f.rule for f in findings}


# fixture → (rule, ref, languages, severity, other rules the same fault also trips)
FAILING = {
    "missing_fail": ("missing", "OP 1", ("zh",), "error", set()),
    "items_count_fail": ("items-count", "OP 1(b)", ("ru",), "error", set()),
    # announcing "three" where the others say "two" is also a difference of numbers
    "items_count_announced_fail": ("items-count", "OP 1", ("en",), "error", {"numbers"}),
    "punctuation_fail": ("punctuation", "OP 2", ("ru", "en"), "error", set()),
    "punctuation_zh_ascii_fail": ("punctuation", "OP 1", ("zh",), "error", set()),
    "labels_fail": ("labels", "OP 1", ("en",), "error", set()),
    "brackets_fail": ("brackets", "OP 1", ("en",), "error", set()),
    "quotes_fail": ("quotes", "Title", ("ru",), "error", set()),
    "numbers_fail": ("numbers", "OP 1", ("zh",), "error", set()),
    "numbers_chinese_fail": ("numbers", "OP 1", ("zh",), "error", set()),
    "opener_emphasis_fail": ("opener-emphasis", "PP 1", ("zh",), "warning", set()),
    "opener_mismatch_fail": ("opener-mismatch", "PP 1", ("ru",), "warning", set()),
    "length_ratio_fail": ("length-ratio", "OP 1", ("zh", "ru", "en"), "warning", set()),
}
PASSING = ["clean", "missing_pass", "items_count_pass", "punctuation_pass", "labels_pass",
           "brackets_pass", "quotes_pass", "numbers_pass", "opener_emphasis_pass",
           "opener_mismatch_pass", "length_ratio_pass"]


@pytest.mark.parametrize("name", sorted(FAILING))
def test_failing_fixture_is_reported_with_rule_ref_and_languages(name):
    rule, ref, languages, severity, also = FAILING[name]
    findings = check(fixture(name))
    hits = [f for f in findings if f.rule == rule]
    assert len(hits) == 1, findings
    hit = hits[0]
    assert (hit.ref, hit.languages, hit.severity) == (ref, languages, severity)
    assert rules_of(findings) == {rule} | also, findings
    # the message names the languages in plain words, and there is something to do
    for lang in languages:
        assert {"ru": "Russian", "zh": "Chinese", "en": "English"}[lang] in hit.message
    assert hit.fix


@pytest.mark.parametrize("name", PASSING)
def test_passing_fixture_has_no_finding(name):
    assert check(fixture(name)) == []


def test_every_rule_has_a_failing_and_a_passing_fixture():
    failing = {rule for rule, *_ in FAILING.values()} | {"stale"}
    assert failing == set(RULES)
    for rule in RULES:
        assert (FIXTURES / f"{rule.replace('-', '_')}_pass.yaml").exists(), rule


def test_chinese_with_ascii_punctuation_is_told_to_use_full_width():
    (hit,) = check(fixture("punctuation_zh_ascii_fail"))
    assert "full-width '；'" in hit.fix


def test_last_paragraph_message_says_why():
    (hit,) = check(fixture("punctuation_fail"))
    assert "last operative paragraph" in hit.message and "'.'" in hit.fix


def test_stale_translations_after_an_english_edit():
    v1, v2 = fixture("stale_v1"), fixture("stale_fail")
    records = carry_forward(v1, reconcile(v1), v2)
    findings = check(v2, records=records)
    assert [(f.rule, f.ref, f.languages, f.severity) for f in findings] == [
        ("stale", "OP 2", ("ru", "zh"), "error")]
    assert "English" in findings[0].message
    assert "--lang ru" in findings[0].fix and "--lang zh" in findings[0].fix
    # confirming Chinese leaves Russian alone
    confirmed = merge(records, reconcile(v2, langs=["zh"], paragraph_ids=["op-2"]))
    (left,) = check(v2, records=confirmed)
    assert (left.rule, left.languages) == ("stale", ("ru",))


def test_stale_passes_when_every_language_was_edited_together():
    v1, v2 = fixture("stale_v1"), fixture("stale_pass")
    assert check(v2, records=carry_forward(v1, reconcile(v1), v2)) == []


def test_without_records_staleness_is_not_checked():
    assert check(fixture("stale_fail")) == []


def test_length_thresholds_are_configurable():
    res = fixture("length_ratio_fail")
    assert check(res, thresholds={"tolerance": 10.0}) == []
    assert check(res, thresholds={"min_chars": 1000}) == []
    strict = check(fixture("length_ratio_pass"), thresholds={"pairs": {"zh/en": 0.05},
                                                             "tolerance": 1.5})
    assert {f.rule for f in strict} == {"length-ratio"}
    with pytest.raises(ValueError, match="unknown threshold"):
        check(res, thresholds={"tolerence": 2})


def test_the_shared_defaults_cannot_be_written():
    """Thresholds and a resolution are named tuples: each default mapping is one object
    shared by every instance, so it is read-only, and tuning one check leaves the next
    check's defaults as they were."""
    from drafts.parity.core import DEFAULT_RATIOS, Thresholds

    tuned = Thresholds.of({"ratios": {"zh": 0.5}})
    assert tuned.ratios["zh"] == 0.5 and tuned.ratios["ru"] == DEFAULT_RATIOS["ru"]
    assert dict(Thresholds().ratios) == dict(DEFAULT_RATIOS)
    res = fixture("stale_v1")
    for shared in (Thresholds().ratios, Thresholds().pairs, res.extra):
        with pytest.raises(TypeError):
            shared["zh"] = 1.0  # type: ignore[index]
    assert Thresholds().ratios["zh"] == DEFAULT_RATIOS["zh"] and res.with_symbol("X").extra == {}


def test_findings_come_in_document_order_and_are_frozen():
    v1 = fixture("stale_v1")
    res = v1._replace(
        title={**v1.title, "ru": "О «рынке"},
        preamble=(v1.preamble[0].with_texts({**v1.preamble[0].texts, "zh": "注意到需求，"}),),
        operative=(v1.operative[0].with_texts({**v1.operative[0].texts, "en": "(a) *Recommends*"
                                               " joint ventures by 2030;"}),
                   v1.operative[1].with_texts({**v1.operative[1].texts, "ru": ""})),
    )
    findings = check(res)
    assert [(f.ref, f.rule) for f in findings] == [
        ("Title", "quotes"),
        ("PP 1", "opener-emphasis"),
        ("OP 1", "labels"),
        ("OP 1", "numbers"),
        ("OP 2", "missing"),
    ]
    with pytest.raises(AttributeError):
        findings[0].rule = "other"  # type: ignore[misc]


def test_annex_refs_and_the_last_paragraph_of_an_annex():
    v1 = fixture("stale_v1")
    annex = Annex("annex-1", {"ru": "Дорожная карта", "zh": "路线图", "en": "Roadmap"},
                  operative=(Paragraph("an-op-1", {"ru": "Стороны встречаются;",
                                                   "zh": "各方举行会议；",
                                                   "en": "The parties meet;"}),
                             Paragraph("an-op-2", {"ru": "Доклад готовит секретариат;",
                                                   "zh": "秘书处编写报告。",
                                                   "en": "The secretariat reports."})))
    findings = check(v1._replace(annexes=(annex,)))
    assert [(f.ref, f.rule, f.languages) for f in findings] == [
        ("Annex 1 OP 2", "punctuation", ("ru",))]
    no_zh_title = annex._replace(title={"ru": "Дорожная карта", "en": "Roadmap"})
    findings = check(v1._replace(annexes=(no_zh_title,)))
    assert [(f.ref, f.paragraph_id, f.rule) for f in findings][0] == (
        "Annex 1 Title", "annex-1:title", "missing")


def test_to_json_schema():
    findings = check(fixture("opener_emphasis_fail")) + check(fixture("numbers_fail"))
    data = to_json(findings)
    json.dumps(data, ensure_ascii=False)  # serialisable as is
    assert data["schema"] == SCHEMA
    assert data["ok"] is False
    assert data["summary"] == {"error": 1, "warning": 1, "total": 2,
                               "by_rule": {"numbers": 1, "opener-emphasis": 1}}
    first = data["findings"][0]
    assert set(first) == {"id", "ref", "paragraph_id", "languages", "rule", "severity",
                          "message", "fix"}
    assert first["id"].startswith("f-") and len(first["id"]) == 10
    assert first["languages"] == ["zh"] and first["paragraph_id"] == "pp-1"
    warnings_only = to_json(check(fixture("opener_emphasis_fail")))
    assert warnings_only["ok"] is True
    assert to_json([]) == {"schema": SCHEMA, "ok": True,
                           "summary": {"error": 0, "warning": 0, "total": 0, "by_rule": {}},
                           "findings": []}


def test_check_json_doc_names_every_rule_and_field():
    doc = (Path(__file__).parents[2] / "docs" / "CHECK_JSON.md").read_text(encoding="utf-8")
    assert SCHEMA in doc
    for rule in RULES:
        assert f"`{rule}`" in doc, rule
    for field in ("id", "ref", "paragraph_id", "languages", "rule", "severity", "message",
                  "fix", "summary", "ok", "by_rule", "waived"):
        assert f"`{field}`" in doc, field


# -- property: any text gives well-formed findings, never an exception ---------------------

_ALPHABET = "aбв中文 ,;.:，；。：*()（）«»“”„\"[]《》0123456789二〇三十百千万第%-"
_texts = st.fixed_dictionaries({}, optional={
    lang: st.text(alphabet=_ALPHABET, max_size=60) for lang in ("ru", "zh", "en")})


@settings(max_examples=80, deadline=None)
@example(title={"ru": "0", "zh": "三"}, pre=[], ops=[])  # one held against one excused
@given(title=_texts, pre=st.lists(_texts, max_size=3),
       ops=st.lists(st.tuples(_texts, st.lists(_texts, max_size=2)), max_size=3))
def test_any_text_gives_well_formed_findings(title, pre, ops):
    res = Resolution(
        body="b", languages=("ru", "zh", "en"), title=title,
        preamble=tuple(Paragraph(f"pp-{i}", t) for i, t in enumerate(pre)),
        operative=tuple(
            Paragraph(f"op-{i}", t, tuple(Paragraph(f"op-{i}-{j}", it)
                                          for j, it in enumerate(items)))
            for i, (t, items) in enumerate(ops)),
    )
    known = {"title"} | {loc.paragraph.id for loc in res.walk()}
    for finding in check(res, records={}):
        assert finding.rule in RULES
        assert finding.severity in ("error", "warning")
        assert finding.paragraph_id in known
        assert finding.languages and set(finding.languages) <= {"ru", "zh", "en"}
        assert finding.message and finding.fix
    json.dumps(to_json(check(res)), ensure_ascii=False)


def test_errors_only_gives_the_errors_of_every_finding() -> None:
    """``check(errors_only=True)`` (what the gate's facts ask) is the errors of the full
    check, in the same order, over every parity fixture, the official corpus, the demo and
    the suite's resolution — with and without reconciliation records."""
    from drafts.errors import DraftError
    from drafts.parity.core import ERROR
    from drafts.parity.rules import check
    from drafts.source import load

    root = Path(__file__).resolve().parents[2]
    paths = [*sorted((root / "tests" / "drafts" / "fixtures_parity").glob("*.yaml")),
             *sorted((root / "tests" / "drafts" / "corpus_official").rglob("*.yaml")),
             root / "workflow" / "demo_data" / "resolution.yaml",
             root / "tests" / "fixtures" / "trilingual.yaml"]
    checked = errors = 0
    for path in paths:
        try:
            model, _ = load(path.read_text(encoding="utf-8"), path.name)
        except DraftError:  # a fixture of the source reader's refusals: nothing to check
            continue
        for records in (None, {}):
            everything = check(model, records=records)
            assert check(model, records=records, errors_only=True) == [
                f for f in everything if f.severity == ERROR], path
            errors += sum(f.severity == ERROR for f in everything)
        checked += 1
    assert checked >= 25 and errors > 0
