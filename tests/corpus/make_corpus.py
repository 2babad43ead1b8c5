"""The hostile input corpus: YAML sources and DOCX packages that must each be refused
with a one-line error naming the file (and field), with nothing stored.

Small files are committed under ``tests/corpus/yaml`` and ``tests/corpus/docx``
(``python tests/corpus/make_corpus.py`` rewrites them). Big ones — a 10 MB paragraph, a
3 MB source, a million levels of nesting, a DOCX zip bomb that unpacks to 1 GiB — are never
committed; the tests call :func:`build_big` to make them in a temp folder.

Each YAML file's first line is ``# expect: <text the error must contain>``; each DOCX
case's expectation is in ``DOCX_EXPECT``.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
BASE = (HERE.parent / "fixtures" / "trilingual.yaml").read_text(encoding="utf-8")
EN_TITLE = '  en: On the transition from "market" to "production" in microelectronics'
NOTING = '    en: "*Noting* the growing demand of Russian industry for microelectronic components,"'


def _sub(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _noting(text: str) -> str:
    """The first English preambular paragraph with ``text`` in the middle of it."""
    return _sub(NOTING, f'    en: "*Noting* the growing demand {text} of Russian industry,"')


#: name → (expected error text, source)
YAML_CASES: dict[str, tuple[str, str]] = {
    "malformed-unclosed": ("malformed YAML", "title: [unclosed\nbody: x\n"),
    "malformed-indent": ("malformed YAML", _sub("languages: [ru, zh, en]", "languages: [ru, zh, en]\n   - oops")),
    "billion-laughs": ("YAML aliases (*name) are not allowed",
                       "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                       + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
                                 for i in range(8))),
    "alias-in-text": ("YAML aliases", _sub(EN_TITLE, "  en: &t On the transition") + "distribution: *t\n"),
    "deep-flow-nesting": ("nested too deeply", "[" * 5000 + "]" * 5000 + "\n"),
    "deep-items": ("nested 4 levels deep", BASE.split("operative:")[0] + "operative:\n" + "".join(
        f"{'    ' * d}  - {{ru: r{d}, zh: z{d}, en: e{d}}}\n" if d == 4 else
        f"{'    ' * d}  - ru: r{d}\n{'    ' * d}    zh: z{d}\n{'    ' * d}    en: e{d}\n{'    ' * d}    items:\n"
        for d in range(5))),
    "long-paragraph": ("longer than 20000", _noting("x" * 25_000)),
    "empty": ("a resolution source is a mapping", ""),
    "top-level-list": ("a resolution source is a mapping", "- ru\n- zh\n"),
    "top-level-scalar": ("a resolution source is a mapping", "just a sentence\n"),
    "wrong-type-title": ("title.en: expected text, found int", _sub(EN_TITLE, "  en: 42")),
    "wrong-type-operative": ("operative: expected a list of paragraphs",
                             BASE.split("operative:")[0] + "operative: just text\n"),
    "wrong-type-languages": ("languages", _sub("languages: [ru, zh, en]", "languages: ru")),
    "wrong-type-date": ("invalid date", "date: not-a-date\n" + BASE),
    "wrong-type-symbol": ("symbol: expected text, found int", "symbol: 12\n" + BASE),
    "unknown-language": ("unknown language 'xx'", _sub("languages: [ru, zh, en]", "languages: [ru, zh, xx]")),
    "language-not-declared": ("language 'fr' is not in 'languages'", _sub(NOTING, '    fr: "x"\n' + NOTING)),
    "unknown-key": ("unknown key 'evil'", BASE + "evil: 1\n"),
    "duplicate-id": ("duplicate id 'pp-demand'", _sub("id: pp-roundtable", "id: pp-demand")),
    "duplicate-key": ("duplicate key", _sub("languages: [ru, zh, en]", "languages: [ru, zh, en]\nlanguages: [ru]")),
    "python-tag": ("invalid body code", _sub("body: brics-higher-council",
                   'body: !!python/object/apply:os.system ["touch /tmp/pwned"]')),
    "control-bell": ("U+0007", _noting("\\a")),
    "control-escape": ("U+001B", _noting("\\e[31m")),
    "control-nul": ("malformed YAML", _noting("\x00")),
    "c1-control": ("U+0085", _noting("\\N")),
    "bidi-override": ("U+202E", _noting("\u202etxt.exe")),
    "bidi-isolate": ("U+2066", _noting("\u2066x\u2069")),
    "zero-width-space": ("U+200B", _noting("micro\u200belectronic")),
    "zero-width-bom": ("U+FEFF", _noting("micro\ufeffelectronic")),
    "line-separator": ("U+2028", _noting("a\u2028b")),
    "symbol-traversal": ("invalid symbol 'RCWG/../../etc'", "symbol: RCWG/../../etc\n" + BASE),
    "symbol-absolute": ("invalid symbol '/etc/passwd'", "symbol: /etc/passwd\n" + BASE),
    "symbol-quotes": ("invalid symbol", "symbol: 'RCWG/\"x'' y'\n" + BASE),
    "symbol-backslash": ("invalid symbol", "symbol: 'RCWG\\\\..\\\\x'\n" + BASE),
    "id-traversal": ("invalid id '../../etc/passwd'", _sub("id: pp-roundtable", "id: ../../etc/passwd")),
    "id-quotes": ("invalid id", _sub("id: pp-roundtable", "id: \"a'b\"")),
    "body-traversal": ("body", _sub("body: brics-higher-council", "body: ../../etc/passwd")),
}

#: name → expected error text (the packages are built by ``_docx_cases``)
DOCX_EXPECT = {
    "not-a-zip": "not a Word document",
    "empty-file": "not a Word document",
    "truncated": "not a Word document",
    "zip-without-document": "no word/document.xml",
    "traversal-part": "points outside it",
    "absolute-part": "points outside it",
    "garbage-document-xml": "cannot read the document",
    "xml-entity-bomb": "cannot read the document",
    "external-entity": "no paragraphs of text",  # the entity is never resolved
    "many-parts": "parts in the package",
    "no-paragraphs": "no paragraphs of text",
    "corrupt-deflate": "",
}


def _docx(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buffer.getvalue()


_CT = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       b'package/2006/content-types"><Default Extension="rels" ContentType="application/'
       b'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
       b'"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
       b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         b'Target="word/document.xml"/></Relationships>')
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _document(body: bytes, prolog: bytes = b"") -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>' + prolog + b"<w:document " + _W
            + b"><w:body>" + body + b"</w:body></w:document>")


def _docx_cases() -> dict[str, bytes]:
    good = {"[Content_Types].xml": _CT, "_rels/.rels": _RELS,
            "word/document.xml": _document(b"<w:p><w:r><w:t>Resolution</w:t></w:r></w:p>")}
    whole = _docx(good)
    lol = (b'<!DOCTYPE w:document [<!ENTITY a "lollollollollollollollollol">'
           + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(8))
           + b"]>")
    xxe = b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    return {
        "not-a-zip": b"This is plain text pretending to be a Word document.\n",
        "empty-file": b"",
        "truncated": whole[: len(whole) // 2],
        "zip-without-document": _docx({"hello.txt": b"hello"}),
        "traversal-part": _docx({**good, "../../evil.txt": b"x"}),
        "absolute-part": _docx({**good, "/etc/evil.txt": b"x"}),
        "garbage-document-xml": _docx({**good, "word/document.xml": b"<w:document><unclosed"}),
        "xml-entity-bomb": _docx({**good, "word/document.xml": _document(
            b"<w:p><w:r><w:t>&i;</w:t></w:r></w:p>", lol)}),
        "external-entity": _docx({**good, "word/document.xml": _document(
            b"<w:p><w:r><w:t>&x;</w:t></w:r></w:p>", xxe)}),
        "many-parts": _docx({**good, **{f"word/media/p{i}.xml": b"x" for i in range(2100)}}),
        "no-paragraphs": _docx({**good, "word/document.xml": _document(b"")}),
        "corrupt-deflate": _corrupt_deflate(_docx({**good, "word/document.xml": _document(
            b"<w:p><w:r><w:t>" + b"Resolution text. " * 400 + b"</w:t></w:r></w:p>")})),
    }


def _corrupt_deflate(package: bytes) -> bytes:
    """Break the deflate stream of word/document.xml (zlib.error when read)."""
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        info = zf.getinfo("word/document.xml")
    data = bytearray(package)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 4:start + 12] = b"\xff" * 8
    return bytes(data)


def write_small(root: Path = HERE) -> list[Path]:
    """Write the committed corpus (every file well under 1 MB)."""
    written = []
    (root / "yaml").mkdir(exist_ok=True)
    (root / "docx").mkdir(exist_ok=True)
    for name, (expect, text) in YAML_CASES.items():
        path = root / "yaml" / f"{name}.yaml"
        path.write_text(f"# expect: {expect}\n{text}", encoding="utf-8", newline="\n")
        written.append(path)
    for name, data in _docx_cases().items():
        path = root / "docx" / f"{name}.docx"
        path.write_bytes(data)
        written.append(path)
    return written


def build_big(folder: Path) -> dict[str, tuple[str, Path]]:
    """The big cases, made at test time: name → (expected error text, path)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, tuple[str, Path]] = {}

    def put(name: str, expect: str, data: bytes) -> None:
        path = folder / name
        path.write_bytes(data)
        out[name] = (expect, path)

    put("paragraph-10mb.yaml", "larger than 2 MiB", _noting("x" * 10 * 1024 * 1024).encode())
    put("source-3mb.yaml", "larger than 2 MiB", (BASE + "".join(
        f"# filler line {i:07d} " + "." * 40 + "\n" for i in range(50_000))).encode())
    put("nesting-1m.yaml", "larger than 2 MiB", (b"[" * 1_100_000) + (b"]" * 1_100_000))
    put("nesting-500k.yaml", "nested too deeply", (b"[" * 500_000) + (b"]" * 500_000))
    put("invalid-utf8.yaml", "not UTF-8", BASE.encode()[:200] + b"\xff\xfe\xc3(" + BASE.encode()[200:])
    good = {"[Content_Types].xml": _CT, "_rels/.rels": _RELS}
    # one part of 1 GiB of zeros: about 1 MB compressed, ratio ~1000
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in good.items():
            zf.writestr(name, data)
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(1024):
                fh.write(chunk)
    put("zip-bomb-1gib.docx", "unpacks to more than", bomb.getvalue())
    return out


if __name__ == "__main__":
    for written in write_small(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
