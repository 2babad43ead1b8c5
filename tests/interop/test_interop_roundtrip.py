"""Round trips through the project's own DOCX renderer and through LibreOffice."""

from __future__ import annotations

import datetime as _dt
import shutil
import subprocess
from pathlib import Path

import pytest

from drafts.source import load
from drafts.word.placing import import_docx
from tests.interop.test_interop_akn import SOURCE
from tests.interop.test_interop_docx_import import word_numbered_draft


def _without_ids(node):
    if isinstance(node, dict):
        return {k: _without_ids(v) for k, v in node.items() if k != "id"}
    if isinstance(node, list):
        return [_without_ids(v) for v in node]
    return node


def _one_language(resolution, lang):
    """What an import of one language can give back: that language's texts only."""
    data = resolution.to_data()

    def keep(node):
        if isinstance(node, dict):
            return {k: keep(v) for k, v in node.items()
                    if k not in ("ru", "zh", "en") or k == lang}
        if isinstance(node, list):
            return [keep(v) for v in node]
        return node

    out = keep(data)
    out.update(languages=[lang], title={lang: resolution.title[lang]})
    for key in ("symbol", "date"):
        out.pop(key, None)
    return out


@pytest.mark.parametrize("lang", ["ru", "zh", "en"])
def test_rendered_final_text_imports_back_to_the_same_tree(lang):
    from templates.view import BodyView, build_view
    from templates.word.render import render_docx

    resolution, _ = load(SOURCE)
    body = BodyView("brics-higher-council", {lang: "Higher Council of BRICS"},
                    {lang: "The Higher Council of BRICS,"})
    view = build_view(resolution, stage="final", version=2, body=body,
                      date=_dt.date(2024, 9, 26), languages=[lang], layout="single")
    result = import_docx(render_docx(view), lang=lang)
    imported = result.resolution.to_data()
    expected = _one_language(resolution, lang)
    imported.pop("symbol", None)
    assert _without_ids(imported) == _without_ids(expected)
    # the masthead is reported and the enacting line recognised: neither is a paragraph
    assert result.enacting == "The Higher Council of BRICS,"
    assert result.unrecognised and "Higher Council of BRICS" in result.unrecognised[0][1]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_draft_saved_by_libreoffice_imports_the_same(tmp_path: Path):
    original = word_numbered_draft()
    source = tmp_path / "in" / "draft.docx"
    source.parent.mkdir()
    source.write_bytes(original)
    out = tmp_path / "out"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         "docx:MS Word 2007 XML", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180)
    resaved = (out / "draft.docx").read_bytes()
    assert resaved != original
    first = import_docx(original, lang="en")
    second = import_docx(resaved, lang="en")
    assert second.resolution.to_data() == first.resolution.to_data()
    assert second.unrecognised == []
