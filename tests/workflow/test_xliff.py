"""Translations through XLIFF, with translate-toolkit (the library behind Weblate and Pootle)
as the translator's tool: it reads our export, fills targets, saves, and we import.

Version 1 is the trilingual fixture; version 2 changes the Russian OP 2 (2030 → 2035),
the English PP 1, and adds OP 4 with no Chinese text. So Chinese is stale at PP 1 and OP 2
and missing at OP 4.
"""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import xliff as tt_xliff
from translate.storage.placeables import StringElem
from translate.storage.placeables.xliff import G

from drafts.xliff.write import validate
from tests.conftest import Cli, fixture_text

SYMBOL = "RCWG/RES/2024/1"
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
NEW_OP = """  - id: op-report
    ru: "*Просит* секретариат доложить о ходе работы;"
    en: "*Requests* the secretariat to report on progress;"
"""


def _v1(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "v1.yaml"
    path.write_text("symbol: RCWG/RES/2024/1\n" + fixture_text("trilingual.yaml"), "utf-8")
    ws(["new", str(path)])
    return SYMBOL


def _edit(ws: Cli, tmp_path: Path, old: str, new: str, name: str = "edit.yaml") -> None:
    source = ws(["source", SYMBOL]).output
    assert old in source
    path = tmp_path / name
    path.write_text(source.replace(old, new, 1), "utf-8")
    ws(["edit", SYMBOL, str(path)])


def _v2(ws: Cli, tmp_path: Path) -> None:
    _v1(ws, tmp_path)
    source = ws(["source", SYMBOL]).output
    source = source.replace("до 2030 года;", "до 2035 года;")
    source = source.replace("*Noting* the growing", "*Noting* the rapidly growing")
    source = source.replace("annexes:", NEW_OP + "annexes:")
    path = tmp_path / "v2.yaml"
    path.write_text(source, "utf-8")
    ws(["edit", SYMBOL, str(path)])


def _stale(ws: Cli, lang: str) -> set[str]:
    report = json.loads(ws(["check", SYMBOL, "--json"], code=None).output)
    return {f["ref"] for f in report["findings"]
            if f["rule"] == "stale" and lang in f["languages"]}


def _units(store: tt_xliff.xlifffile) -> dict[str, tt_xliff.xliffunit]:
    return {u.xmlelement.get("id"): u for u in store.units}


def _export(ws: Cli, path: Path, *args: str) -> tt_xliff.xlifffile:
    ws(["translations", "export", SYMBOL, "--lang", "zh", "-o", str(path), *args])
    data = path.read_bytes()
    assert validate(data) == []
    return tt_xliff.xlifffile.parsestring(data)


def test_export_marks_states_and_gives_the_previous_source(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _v2(ws, tmp_path)
    path = tmp_path / "zh.xlf"
    store = _units(_export(ws, path))
    root = etree.fromstring(path.read_bytes())
    file = root.find("x:file", NS)
    assert (file.get("original"), file.get("product-version")) == (SYMBOL, "2")
    assert (file.get("source-language"), file.get("target-language")) == ("ru", "zh")
    states = {uid: root.find(f".//x:trans-unit[@id='{uid}']/x:target", NS).get("state")
              for uid in store}
    assert states["op-roadmap"] == "needs-review-translation"
    assert states["pp-demand"] == "needs-review-translation"
    assert states["op-report"] == "needs-translation"
    assert states["title"] == states["annex-roadmap:title"] == states["it-supply"] == "translated"
    assert list(store)[:3] == ["title", "pp-demand", "pp-roundtable"]
    # the schema check can fail: the same file without <file datatype> is refused
    broken = path.read_bytes().replace(b' datatype="plaintext"', b"", 1)
    assert any("datatype" in problem for problem in validate(broken))
    assert len(store) == 12  # title, 2 PP, OP 1 + 2 items, OP 2-4, annex title + 2 OP
    roadmap = store["op-roadmap"]
    assert roadmap.source == "Поручает рабочей группе подготовить дорожную карту до 2035 года;"
    opener = roadmap.rich_source[0].sub[0]
    assert isinstance(opener, G) and str(opener) == "Поручает"
    previous = roadmap.getalttrans()
    assert [alt.source for alt in previous] == [
        "Поручает рабочей группе подготовить дорожную карту до 2030 года;"]
    assert "до 2030 года" in roadmap.getnotes()
    # PP 1 changed in English only: the note gives the English as it now reads
    assert "English text now reads: Noting the rapidly growing" in store["pp-demand"].getnotes()
    assert store["pp-demand"].getalttrans() == []
    assert store["op-report"].target == ""
    # --from en: the English change of PP 1 gets its previous text
    other = _units(_export(ws, tmp_path / "zh-en.xlf", "--from", "en"))
    assert [a.source for a in other["pp-demand"].getalttrans()] == [
        "Noting the growing demand of Russian industry for microelectronic components,"]


def test_round_trip_with_translate_toolkit(ws: Cli, tmp_path: Path) -> None:
    _v2(ws, tmp_path)
    assert _stale(ws, "zh") == {"PP 1", "OP 2"}
    path = tmp_path / "zh.xlf"
    store = _export(ws, path)
    units = _units(store)
    # a translator keeps the italic code and changes the year; types OP 4 as plain text;
    # leaves PP 1 untouched
    units["op-roadmap"].rich_target = [StringElem([G(id="1", sub=["责成"]),
                                                   "工作组制定至2035年的路线图；"])]
    units["op-report"].target = "*请*秘书处报告工作进展；"
    returned = tmp_path / "zh-returned.xlf"
    returned.write_bytes(bytes(store))
    out = ws(["translations", "import", SYMBOL, str(returned)]).output
    assert "version 3 with 2 zh unit(s)" in out
    assert "PP 1: left as it was" in out
    source = ws(["source", SYMBOL]).output
    assert "*责成*工作组制定至2035年的路线图；" in source
    assert "*请*秘书处报告工作进展；" in source
    # exactly those units are confirmed: PP 1 stays stale in Chinese
    assert _stale(ws, "zh") == {"PP 1"}
    events = [e["action"] for e in json.loads(ws(["log", SYMBOL, "--json"]).output)["events"]]
    assert events[-2:] == ["edit", "translations-import"]
    assert "audit log intact" in ws("audit verify").output


def test_marked_translated_without_change_is_confirmed(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _v2(ws, tmp_path)
    store = _export(ws, tmp_path / "zh.xlf")
    _units(store)["pp-demand"].marktranslated()
    returned = tmp_path / "back.xlf"
    # tools often rewrite the language as a locale
    returned.write_bytes(bytes(store).replace(b'target-language="zh"', b'target-language="zh-CN"'))
    assert b'target-language="zh-CN"' in returned.read_bytes()
    result = json.loads(ws(["translations", "import", SYMBOL, str(returned), "--json"]).output)
    assert result["changed"] is False and result["version"] == 2
    assert result["confirmed"] == ["PP 1"]
    assert any(line.startswith("OP 2:") for line in result["untranslated"])
    assert any(line.startswith("OP 4: no translation") for line in result["untranslated"])
    assert _stale(ws, "zh") == {"OP 2"}


def _refused(ws: Cli, path: Path) -> str:
    result = ws(["translations", "import", SYMBOL, str(path)], code=1)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.output
    return lines[0]


def test_refusals(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _v2(ws, tmp_path)
    path = tmp_path / "zh.xlf"
    store = _export(ws, path)
    _units(store)["op-roadmap"].target = "责成工作组制定至2035年的路线图；"
    good = bytes(store)

    unknown = tmp_path / "unknown.xlf"
    unknown.write_bytes(good.replace(b'id="op-seized"', b'id="op-invented"'))
    assert "'op-invented'" in _refused(ws, unknown)

    xxe = tmp_path / "xxe.xlf"
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", "utf-8")
    xxe.write_bytes(good.replace(
        b"<xliff", f'<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret}">]>\n<xliff'.encode(),
        1).replace("工作组制定".encode(), b"&xxe;"))
    assert "DOCTYPE" in _refused(ws, xxe)

    laughs = tmp_path / "laughs.xlf"
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    laughs.write_bytes(good.replace(b"<xliff", (
        f'<!DOCTYPE xliff [<!ENTITY l0 "ha">{entities}]>\n<xliff').encode(), 1)
        .replace("工作组制定".encode(), b"&l9;"))
    assert "DOCTYPE" in _refused(ws, laughs)

    bidi = tmp_path / "bidi.xlf"
    bidi.write_bytes(good.replace("工作组制定".encode(), "工作组\u202e制定".encode()))
    assert "OP 2 [zh]" in _refused(ws, bidi)

    huge = tmp_path / "huge.xlf"
    huge.write_bytes(good.replace(b"</body>", b"<!--" + b"x" * (11 * 1024 * 1024)
                                  + b"--></body>"))
    assert "MiB" in _refused(ws, huge)

    _edit(ws, tmp_path, "до 2035 года;", "до 2036 года;")
    other = tmp_path / "other.xlf"
    other.write_bytes(good)
    line = _refused(ws, other)
    assert "changed since version 2, which this text was taken from: version 3 changed the " \
           "same part as this text (op-roadmap (OP 2)); nothing stored" in line
    # nothing was stored by any refused file
    assert "2035年" not in ws(["source", SYMBOL]).output
    assert "TOP SECRET" not in ws(["source", SYMBOL]).output


def test_send_queues_the_file_with_a_note(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _v2(ws, tmp_path)
    out = ws(["translations", "export", SYMBOL, "--lang", "zh", "-o",
              str(tmp_path / "zh.xlf"), "--send", "rev-zh"]).output
    assert "rev-zh@wg.example" in out and "queued" in out
    emls = list((ws.root / ".resolutions" / "outbox").glob("translation-*.eml"))
    assert len(emls) == 1
    msg = email.message_from_bytes(emls[0].read_bytes(), policy=policy.default)
    assert "译成中文" in str(msg["Subject"])
    assert "needs-review-translation" in msg.get_body(("plain",)).get_content()
    attachment = next(msg.iter_attachments())
    assert attachment.get_content_type() == "application/xliff+xml"
    assert attachment.get_payload(decode=True) == (tmp_path / "zh.xlf").read_bytes()
    again = ws(["translations", "export", SYMBOL, "--lang", "zh", "-o",
                str(tmp_path / "zh.xlf"), "--send", "rev-zh"]).output
    assert "already in the outbox" in again
    refused = ws(["translations", "export", SYMBOL, "--lang", "zh", "-o",
                  str(tmp_path / "zh.xlf"), "--send", "someone@example.org"], actor="rev-ru",
                 code=1).output
    assert "secretary" in refused
    assert len(list((ws.root / ".resolutions" / "outbox").glob("translation-*.eml"))) == 1


@pytest.mark.parametrize("target", ["<g id=\"1\">责成</g>", "<bpt id=\"1\">*</bpt>责成"
                                    "<ept id=\"1\">*</ept>"])
def test_inline_codes_come_back_as_the_opener(target: str) -> None:
    from drafts.xliff.read import read

    xml = (f'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">'
           f'<file original="S" source-language="ru" target-language="zh" datatype="plaintext">'
           f'<body><trans-unit id="op"><source>x</source><target>{target}工作组'
           f'</target></trans-unit></body></file></xliff>').encode()
    assert read(xml).units["op"].target == "*责成*工作组"


def test_a_doctype_hidden_from_the_byte_scan_is_refused_after_parsing() -> None:
    """UTF-16 hides '<!DOCTYPE' from a scan of the raw bytes: the parsed tree still shows
    it, and the entities were never expanded."""
    from drafts.xliff.read import XliffError, read

    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE xliff [<!ENTITY l0 "ha">'
           f'{entities}]><xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">'
           f'<file original="S" source-language="ru" target-language="zh" '
           f'datatype="plaintext"><body><trans-unit id="op"><source>x</source>'
           f'<target>&l9;</target></trans-unit></body></file></xliff>').encode("utf-16")
    with pytest.raises(XliffError, match="DOCTYPE"):
        read(xml, "laughs16.xlf")


def _pocount(path: Path) -> dict[str, int]:
    """translate-toolkit's own word counter, as a translator's team runs it."""
    import subprocess
    import sys

    out = subprocess.run([str(Path(sys.executable).parent / "pocount"), "--csv", str(path)],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    header, row = out[0].split(","), out[1].split(",")
    return dict(zip(header[1:], (int(v) for v in row[1:])))


def test_confirmed_units_are_approved_for_the_translators_tools(ws_sqlite: Cli,
                                                                tmp_path: Path) -> None:
    ws = ws_sqlite
    _v2(ws, tmp_path)
    path = tmp_path / "zh.xlf"
    store = _export(ws, path)
    approved = {uid for uid, u in _units(store).items() if u.isapproved()}
    fuzzy = {uid for uid, u in _units(store).items() if u.isfuzzy()}
    # confirmed units are done; the stale ones (PP 1, OP 2) are for review, OP 4 is new
    assert fuzzy == {"pp-demand", "op-roadmap"}
    assert "op-ventures" in approved and not approved & {"pp-demand", "op-roadmap", "op-report"}
    counts = _pocount(path)
    units = len([u for u in store.units if u.istranslatable()])
    assert counts["Translated Messages"] == units - 3
    assert counts["Fuzzy Messages"] == 2 and counts["Untranslated Messages"] == 1


def test_a_change_to_a_unit_sent_for_context_is_refused_by_name(ws_sqlite: Cli,
                                                                tmp_path: Path) -> None:
    ws = ws_sqlite
    _v2(ws, tmp_path)
    store = _export(ws, tmp_path / "zh.xlf")
    units = _units(store)
    units["op-roadmap"].target = "责成工作组制定至2035年的路线图；"  # stale: the translator's
    units["op-seized"].target = "决定不再处理此事项。"                # confirmed: context only
    units["annex-roadmap:title"].target = "时间表"
    returned = tmp_path / "back.xlf"
    returned.write_bytes(bytes(store))
    line = _refused(ws, returned)
    assert "2 unit(s) sent for context only were changed: OP 3, Annex 1 title" in line
    assert "继续处理此事项" in ws(["source", SYMBOL]).output  # nothing stored


def test_a_file_whose_languages_were_changed_is_refused(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    _v2(ws, tmp_path)
    store = _export(ws, tmp_path / "zh.xlf")
    _units(store)["op-roadmap"].target = "Instructs the working group … until 2035;"
    good = bytes(store)
    assert b'job-id="RCWG/RES/2024/1 v2 ru&gt;zh"' in good
    for swapped in (good.replace(b'target-language="zh"', b'target-language="en"'),
                    good.replace(b'source-language="ru"', b'source-language="en"')):
        path = tmp_path / "swapped.xlf"
        path.write_bytes(swapped)
        line = _refused(ws, path)
        assert "but it was exported as ru → zh: its languages were changed" in line
    assert "Instructs the working group …" not in ws(["source", SYMBOL]).output
