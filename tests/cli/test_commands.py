"""Commands as a user types them: render (and its cache), Word import, Akoma Ntoso export,
editing in $EDITOR, finding the workspace, opener hints."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli, fixture_text


def _new(ws: Cli, tmp_path: Path, text: str | None = None) -> str:
    path = tmp_path / "res.yaml"
    path.write_text(text or fixture_text("trilingual.yaml"), encoding="utf-8")
    return ws(["new", str(path)]).output.strip().splitlines()[0]


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    return " ".join(out.split())


def test_render_writes_files_and_hits_the_cache(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    symbol = _new(ws, tmp_path)
    out = tmp_path / "out"
    first = json.loads(ws(["render", symbol, "--stage", "draft", "--format", "all",
                           "--lang", "ru,zh", "-o", str(out), "--json"]).output)["files"]
    assert [Path(x["path"]).suffix for x in first] == [".pdf", ".docx"]
    assert not any(x["cached"] for x in first)
    pdf = Path(first[0]["path"])
    assert pdf.name == "RCWG-RES-2024-1_v1_draft_ru-zh.pdf"
    text = _pdf_text(pdf)
    assert "Версия / 版本 1" in text and "рекомендует" in text and "建议" in text
    assert "On the transition" not in text  # ru | zh only
    again = json.loads(ws(["render", symbol, "--stage", "draft", "--format", "all",
                           "--lang", "ru,zh", "-o", str(out), "--json"]).output)["files"]
    assert all(x["cached"] for x in again)
    assert [x["sha256"] for x in again] == [x["sha256"] for x in first]

    single = json.loads(ws(["render", symbol, "--stage", "draft", "--lang", "en",
                            "--layout", "single", "-o", str(out), "--json"]).output)["files"]
    en = subprocess.run(["pdftotext", "-layout", single[0]["path"], "-"], capture_output=True,
                        text=True, check=True).stdout
    assert re.search(r"1\.\s+Recommends the establishment of joint ventures:", en)
    assert "(b)" in en and "to secure supplies of components" in en
    assert "Рекомендует" not in en

    form = json.loads(ws(["render", symbol, "--stage", "comment-form", "--reviewer", "rev-zh",
                          "-o", str(out), "--json"]).output)["files"]
    assert form[0]["path"].endswith("_rev-zh.docx")
    assert "exists as docx only" in ws(["render", symbol, "--stage", "comment-form",
                                        "--format", "pdf", "--reviewer", "rev-zh",
                                        "-o", str(out)], code=1).output
    assert "one version only" in ws(["render", symbol, "--stage", "redline", "-o", str(out)],
                                    code=1).output


def test_render_refuses_an_unknown_language(ws_sqlite: Cli, tmp_path: Path) -> None:
    symbol = _new(ws_sqlite, tmp_path)
    out = ws_sqlite(["render", symbol, "--stage", "draft", "--lang", "pt", "-o",
                     str(tmp_path)], code=1).output
    assert "has no pt text" in out


def _word_draft(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("On joint engineering centres", style="Title")
    p = document.add_paragraph()
    p.add_run("Noting").italic = True
    p.add_run(" the outcome of the round table,")
    document.add_paragraph("1. Recommends joint engineering centres:")
    document.add_paragraph("(a) in the Urals;")
    document.add_paragraph("(b) in Siberia;")
    document.add_paragraph("2. Decides to remain seized of the matter.")
    document.save(str(path))


def test_new_from_docx_and_export_akn(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    draft = tmp_path / "draft.docx"
    _word_draft(draft)
    result = ws(["new", "--from-docx", str(draft), "--lang", "en", "--json"])
    data = json.loads(result.output)
    symbol = data["symbol"]
    shown = ws(["show", symbol, "--lang", "en"]).output
    assert "1. Recommends joint engineering centres:" in shown
    assert "(b) in Siberia;" in shown and "Noting the outcome of the round table," in shown
    assert json.loads(ws(["show", symbol, "--json"]).output)["source"]["languages"] == ["en"]

    xml_path = tmp_path / "r.akn.xml"
    ws(["export-akn", symbol, "--lang", "en", "-o", str(xml_path)])
    xml = xml_path.read_text(encoding="utf-8")
    assert '<statement name="resolution"' in xml and "Recommends joint engineering centres" in xml
    from drafts.akn.export import validate

    assert validate(xml_path.read_bytes()) == []


def test_amendment_exports_as_akn(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    symbol = _new(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["amend", symbol, "--by", "rev-ru", "--target", "OP 2", "--op", "replace",
        "--text", "en=*Instructs* the working group to prepare a roadmap until 2035;",
        "--why", "Horizon"])
    out = tmp_path / "am.xml"
    ws(["export-akn", symbol, "--amendment", "1", "-o", str(out)])
    from drafts.akn.export import validate

    assert validate(out.read_bytes()) == []
    assert "<amendment" in out.read_text(encoding="utf-8")
    assert "no amendment 9" in ws(["export-akn", symbol, "--amendment", "9", "-o",
                                   str(out)], code=1).output


def test_edit_in_editor_stores_a_version_only_when_changed(ws_sqlite: Cli, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    ws = ws_sqlite
    symbol = _new(ws, tmp_path)
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/until 2030/until 2031/; s/до 2030/до 2031/; "
                      "s/至2030/至2031/' \"$1\"\n", encoding="utf-8")
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    assert "version 2 stored" in ws(["edit", symbol]).output
    assert "until 2031" in ws(["show", symbol, "--lang", "en"]).output
    noop = tmp_path / "noop.sh"
    noop.write_text("#!/bin/sh\ntouch \"$1\"\n", encoding="utf-8")
    noop.chmod(noop.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(noop))
    out = ws(["edit", symbol]).output
    assert "unchanged" in out or "No change" in out
    assert json.loads(ws(["show", symbol, "--json"]).output)["version"] == 2


def test_workspace_is_found_from_a_subfolder_and_from_the_environment(ws_sqlite: Cli,
                                                                      tmp_path: Path) -> None:
    _new(ws_sqlite, tmp_path)
    sub = ws_sqlite.root / "drafts" / "2024"
    sub.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESOLUTIONS_WORKSPACE")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])  # this checkout's code
    run = subprocess.run([sys.executable, "-c", "from cli import main; main()", "list", "--json"],
                         cwd=sub, capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["total"] == 1
    env["RESOLUTIONS_WORKSPACE"] = str(ws_sqlite.root)
    run = subprocess.run([sys.executable, "-c", "from cli import main; main()", "list", "--json"],
                         cwd=tmp_path.parent, capture_output=True, text=True, env=env)
    assert json.loads(run.stdout)["total"] == 1
    nowhere = subprocess.run([sys.executable, "-c", "from cli import main; main()", "list"],
                             cwd="/", capture_output=True, text=True,
                             env={k: v for k, v in env.items() if k != "RESOLUTIONS_WORKSPACE"})
    assert nowhere.returncode == 1 and "no workspace here or above" in nowhere.stderr


def test_new_hints_at_missing_emphasis_with_the_usual_opener(ws_sqlite: Cli,
                                                             tmp_path: Path) -> None:
    text = fixture_text("trilingual.yaml").replace(
        '"*Ссылаясь на* итоги круглого стола', '"Ссылаясь на итоги круглого стола')
    data = json.loads(ws_sqlite(["new", str(_write(tmp_path, text)), "--json"]).output)
    assert any(h.startswith("PP 2 [ru]") and "Ссылаясь на" in h for h in data["hints"])


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hint.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_file_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    """Exit 2 for a file that is not there, whichever command names it."""
    from tests.conftest import make_workspace

    ws = make_workspace(tmp_path / "ws")
    gone = str(tmp_path / "gone.yaml")
    for args in (["new", gone], ["edit", "1", gone],
                 ["approve", "1", "--evidence", gone], ["verify", gone],
                 ["sign", "1", "--passphrase-file", gone]):
        result = ws(args, code=2)
        assert "does not exist" in result.output, (args, result.output)
