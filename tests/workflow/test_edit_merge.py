"""No lost update: an edit made on an older version is merged by paragraph over what was
stored since, and refused — naming the paragraph — when both touch the same one. The same
for a text from `source`, an $EDITOR session, a Word file and an XLIFF file, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.reliability.helpers import ROOT, draft

ROADMAP = "prepare a roadmap until 2030"
SEIZED = "to remain seized of the matter"


def _source(ws: Cli, version: int | None = None) -> str:
    args = ["source", "1"] + (["--version", str(version)] if version else [])
    return ws(args).output


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _events(ws: Cli, action: str) -> list[dict]:
    log = json.loads(ws(["log", "1", "--json"]).output)["events"]
    return [e for e in log if e["action"] == action]


def test_source_names_its_version_and_edit_merges_over_a_newer_one(ws: Cli, tmp_path: Path) -> None:
    symbol = draft(ws, tmp_path)
    taken = _source(ws)
    first = taken.splitlines()[0]
    assert first.startswith(f"# base: {symbol} version 1 sha256:")
    meta = json.loads(ws(["--json", "source", "1"]).output)
    assert meta["version"] == 1 and meta["source"].splitlines()[0] == first
    assert first.split("sha256:")[1][:64] == meta["content_hash"]
    # a colleague stores version 2 (OP 2), from the same source
    ws(["edit", "1", str(_write(tmp_path, "a.yaml", taken.replace(ROADMAP, "prepare a roadmap until 2031")))])
    # our edit of OP 3, from version 1, comes second: merged, not overwriting theirs
    out = ws(["--json", "edit", "1", str(_write(tmp_path, "b.yaml",
                                                 taken.replace(SEIZED, "to stay seized")))]).output
    result = json.loads(out)
    assert result["version"] == 3 and result["changed"]
    assert result["merged"] == {"base": 1, "onto": 2, "ours": ["op-seized (OP 3)"],
                                "theirs": ["op-roadmap (OP 2)"]}
    assert any(n.startswith("merged: this text was taken from version 1") for n in result["notes"])
    text = _source(ws)
    assert "until 2031" in text and "to stay seized" in text
    assert text.count("# base:") == 1 and "version 3 sha256:" in text.splitlines()[0]
    ws(["audit", "verify"])


def test_edit_touching_the_same_paragraph_is_refused_naming_it(ws: Cli, tmp_path: Path) -> None:
    draft(ws, tmp_path)
    taken = _source(ws)
    ws(["edit", "1", str(_write(tmp_path, "a.yaml", taken.replace("до 2030 года", "до 2031 года")))])
    before = len(_events(ws, "edit"))
    refused = ws(["edit", "1", str(_write(tmp_path, "b.yaml", taken.replace(ROADMAP, "plan until 2035")))],
                 code=1)
    line = refused.output.strip()
    assert "\n" not in line
    assert "changed since version 1, which this text was taken from: version 2 changed the " \
           "same part as this text (op-roadmap (OP 2)); nothing stored" in line
    as_json = ws(["--json", "edit", "1", str(tmp_path / "b.yaml")], code=1)
    assert json.loads(as_json.stderr or as_json.output)["error"] == "conflict"
    assert len(_events(ws, "edit")) == before
    assert json.loads(ws(["show", "1", "--json"]).output)["version"] == 2
    ws(["audit", "verify"])


def test_a_text_without_the_line_replaces_the_current_version(ws: Cli, tmp_path: Path) -> None:
    draft(ws, tmp_path)
    taken = "\n".join(_source(ws).splitlines()[1:]) + "\n"
    ws(["edit", "1", str(_write(tmp_path, "a.yaml", _source(ws).replace(SEIZED, "x y z")))])
    ws(["edit", "1", str(_write(tmp_path, "b.yaml", taken.replace(ROADMAP, "a roadmap")))])
    text = _source(ws)
    assert "a roadmap" in text and "x y z" not in text  # no base named: it is the new text


def test_a_line_naming_another_resolution_or_a_forged_base_is_refused(ws: Cli, tmp_path: Path) -> None:
    draft(ws, tmp_path)
    taken = _source(ws)
    other = taken.replace("# base: RCWG/RES/2024/1 ", "# base: RCWG/RES/2024/9 ", 1)
    out = ws(["edit", "1", str(_write(tmp_path, "o.yaml", other))], code=1).output
    assert "taken from RCWG/RES/2024/9 (its first line says so), not RCWG/RES/2024/1" in out
    ws(["edit", "1", str(_write(tmp_path, "a.yaml", taken.replace(ROADMAP, "r2")))])
    digest = taken.split("sha256:")[1][:64]
    forged = taken.replace(digest, "0" * 64, 1).replace(SEIZED, "forged")
    out = ws(["edit", "1", str(_write(tmp_path, "f.yaml", forged))], code=1).output
    assert "names version 1 with another text than the one stored" in out


def test_editor_session_merges_what_a_colleague_stored_meanwhile(ws: Cli, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    draft(ws, tmp_path)
    colleague = _write(tmp_path, "colleague.yaml", _source(ws).replace(ROADMAP, "roadmap by 2032"))
    editor = Path(__file__).with_name("meanwhile_editor.py")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.setenv("MEANWHILE_WORKSPACE", str(ws.root))
    monkeypatch.setenv("MEANWHILE_REF", "1")
    monkeypatch.setenv("MEANWHILE_FILE", str(colleague))
    monkeypatch.setenv("EDIT_FROM", SEIZED)
    monkeypatch.setenv("EDIT_TO", "to remain actively seized of the matter")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    out = ws(["edit", "1"]).output
    assert "merged: this text was taken from version 1" in out, out
    assert "version 3 stored" in out
    text = _source(ws)
    assert "roadmap by 2032" in text and "actively seized" in text
    # the same session on the same paragraph as the colleague: refused, the buffer kept
    colleague.write_text(_source(ws).replace("roadmap by 2032", "roadmap by 2040"), encoding="utf-8")
    monkeypatch.setenv("EDIT_FROM", "roadmap by 2032")
    monkeypatch.setenv("EDIT_TO", "roadmap by 2033")
    refused = ws(["edit", "1"], code=1).output.strip()
    assert "same part as this text (op-roadmap (OP 2)); nothing stored" in refused
    kept = Path(refused.split("your text is kept in ")[1].split()[0])
    assert "roadmap by 2033" in kept.read_text(encoding="utf-8")
    assert "roadmap by 2040" in _source(ws)
    ws(["audit", "verify"])


def _docx_with(path: Path, old: str, new: str) -> Path:
    import docx

    document = docx.Document(str(path))
    for paragraph in document.paragraphs:
        if old in paragraph.text:
            for run in paragraph.runs:
                if old in run.text:
                    run.text = run.text.replace(old, new)
                    break
            else:
                raise AssertionError(f"{old!r} is split across runs")
            break
    else:
        raise AssertionError(f"{old!r} not in {path}")
    out = path.with_name("edited-" + path.name)
    document.save(str(out))
    return out


def test_word_file_rendered_from_an_older_version_merges(ws: Cli, tmp_path: Path) -> None:
    draft(ws, tmp_path)
    out = ws(["render", "1", "--stage", "final", "--format", "docx", "--lang", "zh",
              "-o", str(tmp_path / "out")]).output
    word = Path(next(w for w in out.split() if w.endswith(".docx")))
    # meanwhile version 2 changes the English of OP 1 and the Chinese of OP 3
    text = _source(ws).replace("establishment of joint ventures", "creation of joint ventures"
                               ).replace("*决定*继续处理此事项。", "*决定*继续积极处理此事项。")
    ws(["edit", "1", str(_write(tmp_path, "v2.yaml", text))])
    edited = _docx_with(word, "制定至2030年的路线图", "制定至2035年的路线图")
    result = json.loads(ws(["--json", "edit", "1", "--from-docx", str(edited), "--lang", "zh"]).output)
    assert result["merged"]["base"] == 1 and result["merged"]["onto"] == 2
    assert result["merged"]["ours"] == ["op-roadmap (OP 2)"]
    now = _source(ws)
    assert "*责成*工作组制定至2035年的路线图" in now and "creation of joint" in now and "积极" in now
    # a Word file of version 1 changing the paragraph version 2 changed: refused
    clash = _docx_with(word, "继续处理此事项", "不再处理此事项")
    refused = ws(["edit", "1", "--from-docx", str(clash), "--lang", "zh"], code=1).output
    assert "(op-seized (OP 3)); nothing stored" in refused


def test_xliff_from_an_older_version_merges(ws: Cli, tmp_path: Path) -> None:
    from lxml import etree

    draft(ws, tmp_path)
    # version 2 changes the English of OP 2: its Chinese is now to be translated
    ws(["edit", "1", str(_write(tmp_path, "v2.yaml", _source(ws).replace(ROADMAP, "prepare a roadmap until 2031")))])
    xlf = tmp_path / "zh.xlf"
    ws(["translations", "export", "1", "--lang", "zh", "--from", "en", "-o", str(xlf)])
    # meanwhile version 3 changes OP 3
    ws(["edit", "1", str(_write(tmp_path, "v3.yaml", _source(ws).replace(SEIZED, "to stay seized")))])
    tree = etree.fromstring(xlf.read_bytes())
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    [target] = tree.findall(".//x:trans-unit[@id='op-roadmap']/x:target", ns)
    target.text = "*责成*工作组制定至2031年的路线图；"
    target.set("state", "translated")
    returned = tmp_path / "zh-returned.xlf"
    returned.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    result = json.loads(ws(["--json", "translations", "import", "1", str(returned)]).output)
    assert result["version"] == 4 and result["changed"]
    assert any(n.startswith("merged: this text was taken from version 2; its changes "
                            "(op-roadmap (OP 2)) were applied over version 3")
               for n in result["notes"]), result["notes"]
    assert result["confirmed"] == ["OP 2"]
    now = _source(ws)
    assert "2031年的路线图" in now and "to stay seized" in now
    ws(["audit", "verify"])
