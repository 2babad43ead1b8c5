"""The dossier's reading room and its PREMIS, judged by tools we did not write: headless
Chromium opens every page from the bag with no network (no console error, every link
resolves inside the bag, the text of each language is there, the page looks as its golden
screenshot), the PREMIS 3.0 schema accepts the history, and bagit and ``dossier verify``
treat the pages as payload — an edited page is named."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from lxml import etree, html

from tests import chromium
from tests.conftest import Cli, module_workspace
from tests.workflow.test_dossier import _lifecycle, _seal
from workflow.dossier.premis import NS as PREMIS_NS
from workflow.dossier.premis import validate as validate_premis

pytestmark = pytest.mark.slow
GOLDEN = Path(__file__).parents[1] / "golden" / "room"
FOLDER = "RCWG-RES-2024-1"


@pytest.fixture(scope="module")
def bag(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, Path]]:
    root = tmp_path_factory.mktemp("room")
    with module_workspace(root / "ws") as ws:
        _lifecycle(ws, root)
        ws(["dossier", "export", "1", "-o", str(root / "bag"), *_seal(root / "bag")])
        yield ws, root / "bag"


def _pages(bag: Path) -> list[Path]:
    return [bag / "data" / "index.html", bag / "data" / FOLDER / "index.html"]


def _text(page: str) -> str:
    return " ".join(html.fromstring(page).text_content().split())


def test_the_pages_are_payload_under_the_seal(bag: tuple[Cli, Path], tmp_path: Path) -> None:
    import bagit

    ws, path = bag
    manifest = (path / "manifest-sha256.txt").read_text("utf-8")
    for rel in ("data/index.html", f"data/{FOLDER}/index.html", "data/premis.xml"):
        assert f"  {rel}\n" in manifest, rel
    bagit.Bag(str(path)).validate()
    copy = tmp_path / "copy"
    shutil.copytree(path, copy)
    page = copy / "data" / FOLDER / "index.html"
    page.write_text(page.read_text("utf-8").replace("acknowledged", "adopted"), "utf-8")
    out = ws(["dossier", "verify", str(copy)], code=1).output
    assert f"data/{FOLDER}/index.html" in out


def test_every_page_loads_in_chromium_without_an_error_and_its_links_resolve(
        bag: tuple[Cli, Path]) -> None:
    _, path = bag
    for page_path in _pages(path):
        page = chromium.load(page_path)
        assert page.console == [], (page_path, page.console)
        doc = html.fromstring(page.dom)
        assert not doc.xpath("//script | //link[@rel='stylesheet'] | //iframe | //img")
        hrefs = [a.get("href") for a in doc.xpath("//a[@href]")]
        assert len(hrefs) > 3
        for href in hrefs:
            url = urlparse(href)
            if href.startswith("#"):
                assert doc.xpath(f"//*[@id='{href[1:]}']"), href
                continue
            assert not url.scheme and not url.netloc, f"{page_path.name}: {href} leaves the bag"
            target = (page_path.parent / unquote(url.path)).resolve()
            assert target.is_file(), f"{page_path}: {href} does not resolve"
            assert path.resolve() in target.parents, href


def test_a_console_error_would_be_seen(bag: tuple[Cli, Path], tmp_path: Path) -> None:
    """The check above can fail: a page with a broken script is caught."""
    _, path = bag
    broken = tmp_path / "broken.html"
    broken.write_text((path / "data" / "index.html").read_text("utf-8").replace(
        "</body>", "<script>undefinedFunction();</script></body>"), "utf-8")
    assert any("undefinedFunction" in m for m in chromium.load(broken).console)


def test_the_texts_of_every_language_and_the_whole_life_are_on_the_page(
        bag: tuple[Cli, Path]) -> None:
    ws, path = bag
    page = chromium.load(path / "data" / FOLDER / "index.html")
    text = _text(page.dom)
    shown = json.loads(ws(["show", "1", "--json"]).output)["source"]
    for lang in ("ru", "zh", "en"):
        assert " ".join(shown["title"][lang].split()) in text
        for para in shown["operative"]:  # (the body's convention writes Russian openers
            wanted = " ".join(para[lang].replace("*", "").split())  # in lower case)
            assert wanted.lower() in text.lower(), (lang, para["id"])
    doc = html.fromstring(page.dom)
    assert doc.xpath("//td[@lang='zh-Hans']") and doc.xpath("//td[@lang='ru']")
    # version 2's change from the amendment, marked
    assert "2035" in " ".join(doc.xpath("//details[@id='version-2']//ins//text()"))
    assert "2030" in " ".join(doc.xpath("//details[@id='version-2']//del//text()"))
    # review, approvals, signatures as checked at export, submission and receipt, the chain
    assert "Name the components" in text and "Done in version 2" in text
    assert "Longer horizon" in text
    assert text.count("valid") >= 2 and "NOT valid" not in text
    assert "HC/2024/7" in text and "acknowledged" in text
    assert "Подпись" in text and "签署" in text and "Signature" in text
    assert 'bagit.py --validate "$BAG"' in text and "VERIFY.txt" in text
    index = _text(chromium.load(path / "data" / "index.html").dom)
    assert "RCWG/RES/2024/1" in index and shown["title"]["zh"] in index


def test_right_to_left_languages_are_marked() -> None:
    from templates.room import direction

    assert (direction("ar"), direction("fa"), direction("ru"), direction("zh")) == (
        "rtl", "rtl", "ltr", "ltr")


def _difference(a: Path, b: Path) -> float:
    """The share of pixels that differ by more than a faint anti-aliasing shade."""
    from PIL import Image, ImageChops

    first, second = Image.open(a).convert("L"), Image.open(b).convert("L")
    if first.size != second.size:
        return 1.0
    diff = ImageChops.difference(first, second).point(lambda v: 255 if v > 48 else 0)
    histogram = diff.histogram()
    return histogram[255] / (first.size[0] * first.size[1])


def test_the_page_looks_as_its_golden_screenshot(bag: tuple[Cli, Path], tmp_path: Path) -> None:
    _, path = bag
    shot = chromium.screenshot(path / "data" / FOLDER / "index.html", tmp_path / "page.png")
    golden = GOLDEN / "resolution.png"
    if os.environ.get("RESOLUTIONS_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, golden)
    assert golden.is_file(), "no golden screenshot: run with RESOLUTIONS_UPDATE_GOLDEN=1"
    assert _difference(shot, golden) < 0.02
    # and the comparison can fail: another page is far from it
    other = chromium.screenshot(path / "data" / "index.html", tmp_path / "index.png")
    assert _difference(other, golden) > 0.05


def test_premis_events_and_agents_come_from_the_chain(bag: tuple[Cli, Path]) -> None:
    ws, path = bag
    data = (path / "data" / "premis.xml").read_bytes()
    assert validate_premis(data) == []
    ns = {"p": PREMIS_NS}
    doc = etree.fromstring(data)
    events = doc.xpath("//p:event", namespaces=ns)
    logged = json.loads(ws(["log", "1", "--json"]).output)["events"]
    ids = {e.findtext("p:eventIdentifier/p:eventIdentifierValue", namespaces=ns) for e in events}
    assert {f"audit-{e['seq']}" for e in logged} <= ids
    kinds = {e.findtext("p:eventType", namespaces=ns) for e in events}
    assert {"creation", "modification", "review", "approval", "digital signature generation",
            "transfer", "receipt"} <= kinds
    for event in events:  # each with its outcome and the agent who acted
        assert event.findtext("p:eventOutcomeInformation/p:eventOutcome", namespaces=ns)
        assert event.xpath("p:linkingAgentIdentifier/p:linkingAgentIdentifierValue/text()",
                           namespaces=ns)
    receipt = next(e for e in events if e.findtext("p:eventType", namespaces=ns) == "receipt")
    assert receipt.findtext("p:eventOutcomeInformation/p:eventOutcome",
                            namespaces=ns) == "acknowledged"
    sealing = [e for e in events if e.findtext("p:eventIdentifier/p:eventIdentifierValue",
                                               namespaces=ns).startswith("seal-")]
    assert len(sealing) == 1
    agents = {a.findtext("p:agentIdentifier/p:agentIdentifierValue", namespaces=ns)
              for a in doc.xpath("//p:agent", namespaces=ns)}
    assert {"sec", "appr-ru", "appr-zh", "rev-ru", "brics-higher-council",
            "brics-resolutions"} <= agents
    signed = doc.xpath("//p:object[p:objectIdentifier/p:objectIdentifierValue"
                       f"='{FOLDER}/signed/v2/signed.pdf']//p:messageDigest/text()",
                       namespaces=ns)
    import hashlib

    assert signed == [hashlib.sha256((path / "data" / FOLDER / "signed/v2/signed.pdf")
                                     .read_bytes()).hexdigest()]


def test_premis_that_breaks_the_schema_is_named() -> None:
    bad = (b'<premis:premis xmlns:premis="http://www.loc.gov/premis/v3" version="3.0">'
           b"<premis:event/></premis:premis>")
    assert validate_premis(bad)
