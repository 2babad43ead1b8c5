"""The attacker who knows the formats: edits made with pypdf, pyHanko, asn1crypto and
openssl only — nothing of the project is imported here, so every edit is one anybody
holding the file (and, where said, the seal or CA key) can make."""

from __future__ import annotations

import hashlib
import subprocess
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Text
from pypdf.generic import DecodedStreamObject, NameObject


def byte_range_end(pdf: bytes, index: int) -> int:
    """Where the revision signed by the ``index``-th signature ends (its /ByteRange)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    sig = PdfFileReader(BytesIO(pdf), strict=False).embedded_regular_signatures[index]
    start, length, start2, length2 = (int(v) for v in sig.byte_range)
    return start2 + length2


def cut_after_signature(pdf: bytes, index: int) -> bytes:
    """The file as it was right after signature ``index``: later signatures and the
    document timestamp stripped."""
    return pdf[:byte_range_end(pdf, index)]


def _incremental(pdf: bytes) -> PdfWriter:
    return PdfWriter(BytesIO(pdf), incremental=True)


def _write(writer: PdfWriter) -> bytes:
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def change_info(pdf: bytes) -> bytes:
    """An incremental update that retitles the document (/Info)."""
    writer = _incremental(pdf)
    writer.add_metadata({"/Title": "Resolution (amended after signing)"})
    return _write(writer)


def change_xmp(pdf: bytes) -> bytes:
    """An incremental update that rewrites the XMP metadata stream."""
    reader = PdfReader(BytesIO(pdf))
    old = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    writer = _incremental(pdf)
    stream = DecodedStreamObject()
    stream.set_data(old.replace(b"</rdf:RDF>", b"<rdf:Description rdf:about='' "
                                b"xmlns:dc='http://purl.org/dc/elements/1.1/'><dc:title>"
                                b"<rdf:Alt><rdf:li xml:lang='x-default'>Forged</rdf:li>"
                                b"</rdf:Alt></dc:title></rdf:Description></rdf:RDF>"))
    stream.update({NameObject("/Type"): NameObject("/Metadata"),
                   NameObject("/Subtype"): NameObject("/XML")})
    writer._root_object[NameObject("/Metadata")] = writer._add_object(stream)
    return _write(writer)


def empty_dss(pdf: bytes) -> bytes:
    """An incremental update that replaces the /DSS by an empty one (pyHanko's writer)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    writer.root["/DSS"] = writer.add_object(generic.DictionaryObject({
        generic.NameObject("/Certs"): generic.ArrayObject(),
        generic.NameObject("/CRLs"): generic.ArrayObject()}))
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def add_note(pdf: bytes) -> bytes:
    """An incremental update that puts a sticky note on page 1."""
    writer = _incremental(pdf)
    writer.add_annotation(0, Text(rect=(50, 50, 70, 70), text="void"))
    return _write(writer)


def add_page(pdf: bytes) -> bytes:
    """An incremental update that appends a page."""
    writer = _incremental(pdf)
    writer.add_blank_page()
    return _write(writer)


# -- the bag ------------------------------------------------------------------------------

def _digest(path: Path, alg: str) -> str:
    return hashlib.new(alg, path.read_bytes()).hexdigest()


def rebag(bag: Path, *, extra_tags: tuple[str, ...] = (), duplicate: str | None = None) -> None:
    """Recompute the payload manifests, Payload-Oxum and both tag manifests the way bagit
    tools do (with ``duplicate``: that payload path listed twice, the first line forged)."""
    files = sorted(p for p in (bag / "data").rglob("*") if p.is_file() and not p.is_symlink())
    for alg in ("sha256", "sha512"):
        lines = [f"{_digest(p, alg)}  {p.relative_to(bag).as_posix()}" for p in files]
        if duplicate is not None:
            lines.insert(0, f"{'0' * len(lines[0].split()[0])}  {duplicate}")
        (bag / f"manifest-{alg}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    info = bag / "bag-info.txt"
    octets = sum(p.stat().st_size for p in files)
    text = "".join(f"Payload-Oxum: {octets}.{len(files)}\n" if line.startswith("Payload-Oxum")
                   else line + "\n" for line in info.read_text("utf-8").splitlines())
    info.write_text(text, encoding="utf-8")
    tags = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt",
            "VERIFY.txt", *extra_tags]
    if (bag / "archive-timestamp.tsr").is_file():
        tags.append("archive-timestamp.tsr")
    for alg in ("sha256", "sha512"):
        (bag / f"tagmanifest-{alg}.txt").write_text(
            "".join(f"{_digest(bag / t, alg)}  {t}\n" for t in sorted(tags)), encoding="utf-8")


def reseal(bag: Path, seal_p12: Path, passphrase_file: Path, work: Path) -> None:
    """The seal holder signs the tag manifest again with openssl (no timestamp)."""
    key, cert = work / "seal.key.pem", work / "seal.cert.pem"
    pw = f"file:{passphrase_file}"
    subprocess.run(["openssl", "pkcs12", "-in", str(seal_p12), "-passin", pw, "-nocerts",
                    "-nodes", "-out", str(key)], check=True, capture_output=True)
    subprocess.run(["openssl", "pkcs12", "-in", str(seal_p12), "-passin", pw, "-clcerts",
                    "-nokeys", "-out", str(cert)], check=True, capture_output=True)
    subprocess.run(["openssl", "cms", "-sign", "-binary", "-in",
                    str(bag / "tagmanifest-sha256.txt"), "-signer", str(cert), "-inkey",
                    str(key), "-outform", "DER", "-out", str(bag / "seal.p7s"), "-md",
                    "sha256"], check=True, capture_output=True)
    (bag / "seal-timestamp.tsr").unlink(missing_ok=True)  # it was over the old seal


def strip_crls(p7s: bytes) -> bytes:
    """The detached signature without the CRLs it carries (asn1crypto)."""
    from asn1crypto import cms

    info = cms.ContentInfo.load(p7s)
    signed = info["content"]
    signed["crls"] = None
    der: bytes = info.dump()  # what was changed is re-encoded; force=True took 27 s a file
    if der == p7s:
        raise AssertionError("the CRLs were not taken out")
    return der
