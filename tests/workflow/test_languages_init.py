"""Which languages a working group may choose, and what a body must say in them.

`init` refuses a language the engine cannot render, naming the ones it can; Persian and
Amharic, refused before, are accepted. A body without its name or enacting formula in a
resolution's language is refused at `new` (and at `edit`), naming the keys to add — never
an empty cell or the body's code in a document. A rendered Arabic or Persian text names the
body in its own words.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import Cli

SUPPORTED = "ru (Russian), zh (Chinese), en (English), pt (Portuguese), ar (Arabic), " \
            "fa (Persian), hi (Hindi), am (Amharic), id (Indonesian), es (Spanish), fr (French)"


def _init(root: Path, *extra: str) -> tuple[int, str]:
    from cli import cli

    result = CliRunner().invoke(cli, ["init", str(root), "--name", "WG", "--prefix", "WG",
                                      *extra], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("languages", ["ar,xx", "cn,en", "en,en", ""])
def test_init_refuses_what_cannot_be_rendered_with_the_list(tmp_path: Path,
                                                             languages: str) -> None:
    code, out = _init(tmp_path / "ws", "--languages", languages)
    assert code == 1
    if languages == "en,en":
        assert "lists a language twice" in out
    else:
        assert SUPPORTED in out
    assert not (tmp_path / "ws" / "resolutions.toml").exists()


@pytest.mark.parametrize("languages", ["fa,en", "am,en", "hi,id,es,fr", "pt,ru,en",
                                       "ar,zh,en"])
def test_every_brics_and_un_language_is_accepted(tmp_path: Path, languages: str) -> None:
    code, out = _init(tmp_path / "ws", "--languages", languages, "--name-in", "fa=کارگروه")
    assert code == 0, out
    config = (tmp_path / "ws" / "resolutions.toml").read_text("utf-8")
    assert 'name_fa = "کارگروه"' in config


def _workspace(tmp_path: Path, languages: str) -> Cli:
    code, out = _init(tmp_path / "ws", "--languages", languages)
    assert code == 0, out
    ws = Cli(tmp_path / "ws", CliRunner())
    ws(["member", "add", "sec", "--name", "Secretary", "--role", "secretary"])
    return ws


def test_a_body_without_the_resolutions_language_is_refused_at_new(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, "ar,en")
    toml = ws.root / "resolutions.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[bodies.expert-council]\n'
                    'name.en = "BRICS Expert Council"\n', "utf-8")
    source = tmp_path / "r.yaml"
    source.write_text("body: expert-council\nlanguages: [ar, en]\n"
                      "title: {ar: بشأن التعاون, en: On cooperation}\n", encoding="utf-8")
    out = ws(["new", str(source)], code=1).output
    assert "the body 'expert-council' has no name.ar, enacting.ar" in out
    assert "under [bodies.expert-council] in resolutions.toml" in out
    assert json.loads(ws(["list", "--json"]).output)["total"] == 0
    toml.write_text(toml.read_text("utf-8") + 'name.ar = "مجلس خبراء بريكس"\n'
                    'enacting.ar = "إن مجلس خبراء بريكس،"\n', "utf-8")
    symbol = ws(["new", str(source)]).output.split()[0]
    out_dir = tmp_path / "out"
    ws(["render", symbol, "--stage", "draft", "--format", "docx", "-o", str(out_dir)])
    import zipfile

    xml = zipfile.ZipFile(next(out_dir.glob("*.docx"))).read("word/document.xml").decode()
    assert "مجلس خبراء بريكس" in xml and "إن مجلس خبراء بريكس،" in xml
    assert ">expert-council<" not in xml


def test_the_shipped_bodies_speak_every_language(tmp_path: Path) -> None:
    from drafts.languages import SUPPORTED as CODES
    from workflow.store.workspace import find

    ws = _workspace(tmp_path, "en")
    for code, body in find(ws.root).bodies().items():
        assert body.missing(CODES) == [], code
        assert all(body.options["dative"].get(lang) for lang in CODES), code
