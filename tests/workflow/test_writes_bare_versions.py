"""``new FILE`` and ``edit REF FILE`` on the bare driver (``workflow.writing_versions``)
against their services on the ORM, on SQLite and on PostgreSQL: the same source gives the
same resolution, version, translation records and search index rows, the same events in
the same order (``new``/``edit``, a ``reopen`` when an approved text changes, the ``facts``
event binding the translation records), each fact bound with the very digest the ORM
computes; an edit on an older version is merged the same way or refused naming the same
paragraphs; refusals give the same message and write the same; ``audit verify`` and
``search --check`` are clean after a mix, ``search`` finds the edited text; and a cold
``resolutions edit`` / ``new`` imports none of the ORM stack."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import Cli, fixture_text, open_app
from tests.workflow.test_writes_bare import (
    _events,
    _rows,
    _run_bare,
    _run_orm,
    _verify,
)
from workflow import writing_versions
from workflow.drafting import resolutions
from workflow.errors import WorkflowError


def _source(ws: Cli, ref: str, version: int | None = None) -> str:
    return ws(["source", ref] + (["--version", str(version)] if version else [])).stdout


def _changed(source: str, paragraph: str, words: str) -> str:
    """The source with ``words`` appended to ``paragraph``'s English text."""
    lines = source.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {paragraph}")
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("en:"):
            lines[i] = re.sub(r'(\S)("?)\n$', rf"\1 {words}\2\n", lines[i])
            return "".join(lines)
    raise AssertionError(paragraph)


def _bare_edit(ws: Cli, actor: str | None, ref: str, given: str, note: str = "") -> Any:
    prepared = writing_versions.prepare(given, "edited.yaml")
    return _run_bare(ws, actor, lambda w: writing_versions.edit_resolution(w, ref, prepared,
                                                                          note))


def _orm_edit(ws: Cli, actor: str | None, ref: str, given: str, note: str = "") -> Any:
    return _run_orm(ws, actor, lambda app: resolutions.edit_resolution(
        app, ref, given, "edited.yaml", note))


def _index(ws: Cli, resolution_id: int) -> list[tuple[Any, ...]]:
    app = open_app(ws.root)
    try:
        with app.read() as session:
            return sorted(tuple(r) for r in session.connection().execute(text(
                "SELECT s.para_id, s.lang, s.ref, s.position, s.first_version, s.last_version,"
                " s.year, t.text FROM search_spans s JOIN search_texts t ON t.id = s.text_id "
                "WHERE s.resolution_id = :r"), {"r": resolution_id}))
    finally:
        app.db.dispose()


def _of(ws: Cli, table: str, resolution_id: int) -> list[dict[str, Any]]:
    return [r for r in _rows_any(ws, table) if r.get("resolution_id", r.get("id")) ==
            resolution_id]


def _rows_any(ws: Cli, table: str) -> list[dict[str, Any]]:
    if table == "translation_state":
        app = open_app(ws.root)
        try:
            with app.read() as session:
                return [dict(r) for r in session.connection().execute(
                    text("SELECT * FROM translation_state ORDER BY resolution_id")).mappings()]
        finally:
            app.db.dispose()
    return _rows(ws, table)


def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in names}


def _neutral(value: str, symbol: str) -> str:
    return value.replace(symbol, "<symbol>")


def _events_of(ws: Cli, since: int) -> list[dict[str, Any]]:
    return [e for e in _events(ws) if e["seq"] > since]


def _same_events(one: list[dict[str, Any]], two: list[dict[str, Any]]) -> None:
    """The same actions, actors and details (facts compared by table and field names)."""
    def shape(e: dict[str, Any]) -> tuple[Any, ...]:
        detail = json.loads(e["detail"])
        facts = [(f[0], sorted(f[3])) for f in detail.pop("facts", [])]
        detail.pop("content_hash", None)
        return e["action"], e["actor"], e["outcome"], detail, facts

    assert [shape(e) for e in one] == [shape(e) for e in two]


def _same_resolutions(ws: Cli, first: int, second: int) -> None:
    """Resolution ``first`` (bare) and ``second`` (ORM): every row of each table alike
    but for the ids, numbers, symbols and times."""
    a, b = _of(ws, "resolutions", first)[0], _of(ws, "resolutions", second)[0]
    own = ("id", "number", "symbol", "created_at", "updated_at")
    assert _without(a, *own) == _without(b, *own)
    for one, two in zip(_of(ws, "versions", first), _of(ws, "versions", second), strict=True):
        own = ("id", "resolution_id", "created_at", "source", "content_hash")
        assert _without(one, *own) == _without(two, *own)
        assert _neutral(one["source"], a["symbol"]) == _neutral(two["source"], b["symbol"])
    (ta,), (tb,) = _of(ws, "translation_state", first), _of(ws, "translation_state", second)
    assert _without(ta, "resolution_id") == _without(tb, "resolution_id")
    assert json.loads(ta["records_json"])  # records of every paragraph
    assert _index(ws, first) == _index(ws, second)
    assert _of(ws, "approvals", first) == [] or [
        _without(r, "id", "resolution_id", "at", "content_hash")
        for r in _of(ws, "approvals", first)] == [
        _without(r, "id", "resolution_id", "at", "content_hash")
        for r in _of(ws, "approvals", second)]


def _bound_last(ws: Cli, events: list[dict[str, Any]]) -> None:
    """Each row the events bind, as the last of them binds it, carries the very digest and
    field digests the ORM's own ``fact_entry`` computes for that row as stored now."""
    from workflow.store import facts

    seen: set[tuple[str, tuple[str, ...]]] = set()
    app = open_app(ws.root)
    try:
        with app.read() as session:
            conn = session.connection()
            for event in reversed(events):
                for name, key, digest, fields in json.loads(event["detail"])["facts"]:
                    if (name, tuple(key)) in seen:
                        continue
                    seen.add((name, tuple(key)))
                    assert facts.fact_entry(conn, name, [int(k) if k.isdigit() else k
                                                         for k in key]) == \
                        [name, key, digest, fields]
    finally:
        app.db.dispose()
    assert {name for name, _ in seen} >= {"resolutions", "translation_state"}


def _clean(ws: Cli) -> None:
    assert _verify(ws) == []
    check = json.loads(ws(["search", "--check", "--json"]).stdout)
    assert check["ok"] and check["problems"] == []


def test_new_both_ways(ws: Cli, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), "utf-8")
    before = _events(ws)[-1]["seq"]
    prepared = writing_versions.prepare(path.read_text("utf-8"), str(path))
    bare, hints = _run_bare(ws, None, lambda w: writing_versions.new_resolution(w, prepared))
    middle = _events(ws)[-1]["seq"]
    orm = _run_orm(ws, None, lambda app: resolutions.new_resolution(
        app, path.read_text("utf-8"), str(path)))
    assert (bare.number, bare.symbol) == (1, "RCWG/RES/2024/1")
    assert bare._replace(number=0, symbol="", updated_at="") == \
        orm._replace(number=0, symbol="", updated_at="")
    from workflow.drafting.checks import opener_hints

    assert hints == _run_orm(ws, None, lambda app: opener_hints(app, "2"))
    one, two = _events_of(ws, before)[:middle - before], _events_of(ws, middle)
    assert [e["action"] for e in one] == ["new", "facts"]
    _same_events(one, two)
    _bound_last(ws, one)
    _same_resolutions(ws, 1, 2)
    _clean(ws)


def test_edit_both_ways_and_search_finds_it(ws: Cli, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), "utf-8")
    ws(["new", str(path)])
    ws(["new", str(path)])
    before = _events(ws)[-1]["seq"]
    bare = _bare_edit(ws, None, "1", _changed(_source(ws, "1"), "op-roadmap", "by 2031"),
                      " wording ")
    middle = _events(ws)[-1]["seq"]
    orm = _orm_edit(ws, None, "2", _changed(_source(ws, "2"), "op-roadmap", "by 2031"),
                    " wording ")
    assert (bare.version, bare.changed, bare.state) == (2, True, "draft")
    assert bare.__class__ is orm.__class__
    assert bare == orm.__class__(**{**orm.__dict__, "symbol": bare.symbol})
    one, two = _events_of(ws, before)[:middle - before], _events_of(ws, middle)
    assert [e["action"] for e in one] == ["edit", "facts"]
    _same_events(one, two)
    _bound_last(ws, one)
    _same_resolutions(ws, 1, 2)
    # the same text again: no version, nothing written, either way
    again = _bare_edit(ws, None, "1", _source(ws, "1"))
    assert (again.version, again.changed) == (2, False)
    assert _events(ws)[-1]["seq"] == _events_of(ws, middle)[-1]["seq"]
    hits = json.loads(ws(["search", "roadmap 2031", "--current", "--json"]
                         ).stdout)["hits"]
    assert sorted(h["symbol"] for h in hits) == ["RCWG/RES/2024/1", "RCWG/RES/2024/2"]
    _clean(ws)


def test_an_edit_after_approval_began_reopens_and_voids_both_ways(ws: Cli,
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), "utf-8")
    ws(["member", "edit", "sec", "--roles", "secretary,approver"])  # an approval of their own
    for ref in ("1", "2"):
        ws(["new", str(path)])
        ws(["circulate", ref, "--reviewer", "rev-ru"])
        ws(["close-review", ref, "--no-objection"])
        ws(["approve", ref])
    before = _events(ws)[-1]["seq"]
    bare = _bare_edit(ws, None, "1", _changed(_source(ws, "1"), "pp-demand", "and Chinese"))
    middle = _events(ws)[-1]["seq"]
    orm = _orm_edit(ws, None, "2", _changed(_source(ws, "2"), "pp-demand", "and Chinese"))
    assert (bare.state, bare.voided_approvals) == ("revision", 1)
    assert bare.notes == orm.notes and len(bare.notes) == 2
    one, two = _events_of(ws, before)[:middle - before], _events_of(ws, middle)
    assert [e["action"] for e in one] == ["reopen", "edit", "facts"]
    _same_events(one, two)
    _bound_last(ws, one)
    _same_resolutions(ws, 1, 2)
    assert [r["void"] for r in _of(ws, "approvals", 1)] == [True]
    _clean(ws)


def test_an_edit_on_an_older_version_merges_or_names_the_conflict_both_ways(
        ws: Cli, tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), "utf-8")
    for ref in ("1", "2"):
        ws(["new", str(path)])
    taken = {ref: _source(ws, ref) for ref in ("1", "2")}  # both at version 1
    for ref in ("1", "2"):  # someone else's change to one paragraph: version 2
        changed = tmp_path / f"theirs-{ref}.yaml"
        changed.write_text(_changed(taken[ref], "op-seized", "firmly"), "utf-8")
        ws(["edit", ref, str(changed)])
    before = _events(ws)[-1]["seq"]
    mine = {ref: _changed(taken[ref], "op-roadmap", "in stages") for ref in ("1", "2")}
    bare = _bare_edit(ws, None, "1", mine["1"])
    middle = _events(ws)[-1]["seq"]
    orm = _orm_edit(ws, None, "2", mine["2"])
    assert bare.merged == orm.merged == {"base": 1, "onto": 2, "ours": ["op-roadmap (OP 2)"],
                                         "theirs": ["op-seized (OP 3)"]}
    assert bare.notes == orm.notes
    _same_events(_events_of(ws, before)[:middle - before], _events_of(ws, middle))
    _same_resolutions(ws, 1, 2)
    shown = ws(["show", "1", "--lang", "en"]).stdout
    assert "in stages" in shown and "firmly" in shown  # nobody's change lost
    # the same paragraph changed on both sides: refused, naming it, nothing stored
    clash = {ref: _changed(taken[ref], "op-seized", "at once") for ref in ("1", "2")}
    rows = {t: _rows(ws, t) for t in ("versions", "resolutions")}
    events = _events(ws)
    with pytest.raises(WorkflowError) as bare_refusal:
        _bare_edit(ws, None, "1", clash["1"])
    with pytest.raises(WorkflowError) as orm_refusal:
        _orm_edit(ws, None, "2", clash["2"])
    assert type(bare_refusal.value) is type(orm_refusal.value)
    assert str(bare_refusal.value).replace("2024/1", "2024/N") == \
        str(orm_refusal.value).replace("2024/2", "2024/N")
    assert "op-seized (OP 3)" in str(bare_refusal.value)
    assert getattr(bare_refusal.value, "units") == ["op-seized (OP 3)"]
    assert {t: _rows(ws, t) for t in rows} == rows and _events(ws) == events
    _clean(ws)


_BROKEN = "title:\n  en: [unclosed\n"


@pytest.mark.parametrize("case", ["not-a-drafter", "malformed", "other-symbol", "no-such",
                                  "symbol-changed", "unknown-body"])
def test_edit_refusals_are_the_same_and_write_the_same(ws: Cli, tmp_path: Path,
                                                       case: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), "utf-8")
    ws(["new", str(path)])
    given = _source(ws, "1")
    actor, ref = None, "1"
    if case == "not-a-drafter":
        actor, given = "rev-ru", _changed(given, "op-seized", "now")
    elif case == "malformed":
        given = given.split("\n", 1)[0] + "\n" + _BROKEN
    elif case == "other-symbol":
        given = given.replace("RCWG/RES/2024/1 version", "RCWG/RES/2024/7 version", 1)
    elif case == "no-such":
        ref = "9"
    elif case == "symbol-changed":
        given = given.replace("symbol: RCWG/RES/2024/1", "symbol: RCWG/RES/2024/8")
    else:
        given = given.replace("body: brics-higher-council", "body: no-such-body")
    rows = {t: _rows(ws, t) for t in ("versions", "resolutions")}
    before = _events(ws)
    with pytest.raises(WorkflowError) as bare:
        _bare_edit(ws, actor, ref, given)
    middle = _events(ws)
    with pytest.raises(WorkflowError) as orm:
        _orm_edit(ws, actor, ref, given)
    after = _events(ws)
    assert type(bare.value) is type(orm.value)
    assert str(bare.value) == str(orm.value)
    assert getattr(bare.value, "line", None) == getattr(orm.value, "line", None)
    assert {t: _rows(ws, t) for t in rows} == rows
    added_bare, added_orm = middle[len(before):], after[len(middle):]
    assert [(e["action"], e["actor"], e["detail"]) for e in added_bare] == \
        [(e["action"], e["actor"], e["detail"]) for e in added_orm]
    assert len(added_bare) == (1 if case == "not-a-drafter" else 0)
    _clean(ws)


def test_a_cold_edit_and_new_write_without_the_orm(ws: Cli, tmp_path: Path) -> None:
    """``resolutions new FILE``, ``resolutions edit REF FILE`` and ``resolutions edit REF``
    in ``$EDITOR``, each in a fresh interpreter:
    the bare path answers, and SQLAlchemy, sqlmodel and pydantic are never imported."""
    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), "utf-8")
    script = ("import sys\nfrom tests.launch import install\ninstall()\nfrom cli import cli\n"
              "try:\n    cli.main(sys.argv[1:], prog_name='resolutions', standalone_mode=False)\n"
              "finally:\n    print('@@' + ','.join(sorted(m for m in ('sqlalchemy', 'sqlmodel', "
              "'pydantic', 'alembic') if m in sys.modules)))\n")
    env = {**os.environ, "RESOLUTIONS_WORKSPACE": str(ws.root)}

    def run(*args: str, **extra: str) -> str:
        done = subprocess.run([sys.executable, "-c", script, *args], env={**env, **extra},
                              cwd=Path(__file__).parents[2], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        assert "@@\n" in done.stdout, done.stdout  # nothing of the ORM stack was imported
        return done.stdout

    assert run("new", str(path)).startswith("RCWG/RES/2024/1\n")
    edited = tmp_path / "edited.yaml"
    edited.write_text(_changed(_source(ws, "1"), "op-roadmap", "cold"), "utf-8")
    assert "version 2 stored (draft)" in run("edit", "1", str(edited))
    assert "cold" in ws(["show", "1", "--lang", "en"]).stdout
    editor = tmp_path / "editor.py"  # $EDITOR: changes the year in the buffer it is given
    editor.write_text("import sys\nfrom pathlib import Path\np = Path(sys.argv[-1])\n"
                      "p.write_text(p.read_text('utf-8').replace('until 2030', 'until 2032'),"
                      " 'utf-8')\n", "utf-8")
    assert "version 3 stored (draft)" in run("edit", "1", EDITOR=f"{sys.executable} {editor}")
    assert "until 2032" in ws(["show", "1", "--lang", "en"]).stdout
    _clean(ws)


def test_new_from_a_title_both_ways(ws: Cli) -> None:
    """``new --title``: the same empty resolution either way, and the same refusals."""
    args = ("On joint ventures", "brics-higher-council", "en")
    bare, hints = _run_bare(ws, None, lambda w: writing_versions.new_resolution(
        w, writing_versions.from_title(w, *args)))
    orm = _run_orm(ws, None, lambda app: resolutions.new_from_title(app, *args))
    assert bare.title == "On joint ventures" and hints == []
    assert bare._replace(number=0, symbol="", updated_at="") == \
        orm._replace(number=0, symbol="", updated_at="")
    _same_resolutions(ws, 1, 2)
    for wrong in (("  ", "brics-higher-council", "en"), ("T", "nowhere", "en"),
                  ("T", "brics-higher-council", "fr")):
        with pytest.raises(WorkflowError) as one:
            _run_bare(ws, None, lambda w: writing_versions.from_title(w, *wrong))
        with pytest.raises(WorkflowError) as two:
            _run_orm(ws, None, lambda app: resolutions.new_from_title(app, *wrong))
        assert str(one.value) == str(two.value)
    assert len(_rows(ws, "resolutions")) == 2
    _clean(ws)


def test_a_word_edit_both_ways(ws: Cli, tmp_path: Path) -> None:
    """``edit --from-docx``: the Chinese of a DOCX rendered here, one paragraph changed in
    Word, stored the same way by both paths (the file placed against the version it names)."""
    from tests.workflow.test_edit_merge import _docx_with
    from workflow.drafting import interop

    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), "utf-8")
    edited = {}
    for ref in ("1", "2"):
        ws(["new", str(path)])
        out = ws(["render", ref, "--stage", "draft", "--format", "docx", "--lang", "zh",
                  "-o", str(tmp_path / f"out-{ref}")]).output
        word = Path(next(w for w in out.split() if w.endswith(".docx")))
        edited[ref] = _docx_with(word, "制定至2030年的路线图", "制定至2035年的路线图")
    before = _events(ws)[-1]["seq"]
    bare = _run_bare(ws, None, lambda w: writing_versions.edit_from_docx(
        w, "1", edited["1"], lang="zh", note="zh from Word"))
    middle = _events(ws)[-1]["seq"]
    orm = _run_orm(ws, None, lambda app: interop.edit_from_docx(
        app, "2", edited["2"], lang="zh", note="zh from Word"))
    assert (bare.version, bare.changed) == (2, True)
    assert [_neutral(n, bare.symbol) for n in bare.notes] == \
        [_neutral(n, orm.symbol) for n in orm.notes]  # the file's heading, not understood
    assert bare == orm.__class__(**{**orm.__dict__, "symbol": bare.symbol,
                                    "notes": bare.notes})
    one, two = _events_of(ws, before)[:middle - before], _events_of(ws, middle)
    assert [e["action"] for e in one] == ["edit", "facts"]
    _same_events(one, two)
    _bound_last(ws, one)
    _same_resolutions(ws, 1, 2)
    assert "制定至2035年的路线图" in ws(["show", "1", "--lang", "zh"]).stdout
    _clean(ws)


def test_new_from_a_word_draft_both_ways(ws: Cli, tmp_path: Path) -> None:
    """``new --from-docx``: the same resolution and the same notes from one Word draft."""
    from workflow.drafting import interop

    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), "utf-8")
    ws(["new", str(path)])
    out = ws(["render", "1", "--stage", "draft", "--format", "docx", "--lang", "ru",
              "-o", str(tmp_path / "out")]).output
    word = Path(next(w for w in out.split() if w.endswith(".docx")))
    before = _events(ws)[-1]["seq"]

    def bare_new(w: Any) -> Any:
        prepared, notes = writing_versions.from_docx(w, word, lang="ru", body=None)
        return writing_versions.new_resolution(w, prepared)[0], notes

    bare, bare_notes = _run_bare(ws, None, bare_new)
    middle = _events(ws)[-1]["seq"]
    orm, orm_notes = _run_orm(ws, None, lambda app: interop.new_from_docx(
        app, word, lang="ru", body=None))
    assert (bare.number, orm.number) == (2, 3) and bare_notes == orm_notes
    assert bare._replace(number=0, symbol="", updated_at="") == \
        orm._replace(number=0, symbol="", updated_at="")
    _same_events(_events_of(ws, before)[:middle - before], _events_of(ws, middle))
    _same_resolutions(ws, 2, 3)
    _clean(ws)


@pytest.mark.parametrize("case", ["not-a-drafter", "malformed", "symbol-taken", "unknown-body"])
def test_new_refusals_are_the_same_and_write_the_same(ws: Cli, tmp_path: Path,
                                                      case: str) -> None:
    source = fixture_text("trilingual.yaml")
    path = tmp_path / "r.yaml"
    path.write_text(source, "utf-8")
    ws(["new", str(path)])
    actor = "rev-ru" if case == "not-a-drafter" else None
    if case == "malformed":
        source = source.replace("operative:\n", "operative: : oops\n", 1)
    elif case == "symbol-taken":
        source = "symbol: RCWG/RES/2024/1\n" + source
    elif case == "unknown-body":
        source = source.replace("body: brics-higher-council", "body: no-such-body")
    rows = {t: _rows(ws, t) for t in ("versions", "resolutions")}
    before = _events(ws)
    with pytest.raises(WorkflowError) as bare:
        prepared = writing_versions.prepare(source, "new.yaml")
        _run_bare(ws, actor, lambda w: writing_versions.new_resolution(w, prepared))
    middle = _events(ws)
    with pytest.raises(WorkflowError) as orm:
        _run_orm(ws, actor, lambda app: resolutions.new_resolution(app, source, "new.yaml"))
    after = _events(ws)
    assert type(bare.value) is type(orm.value) and str(bare.value) == str(orm.value)
    assert getattr(bare.value, "line", None) == getattr(orm.value, "line", None)
    assert {t: _rows(ws, t) for t in rows} == rows
    assert [(e["action"], e["actor"], e["detail"]) for e in middle[len(before):]] == \
        [(e["action"], e["actor"], e["detail"]) for e in after[len(middle):]]
    assert len(middle) - len(before) == (1 if case == "not-a-drafter" else 0)
    _clean(ws)
