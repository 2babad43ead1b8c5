"""The one reproducible-ZIP writer: the same entries give the same bytes whatever the
files' times and permissions, every entry carries the fixed stamp and rw-r--r--, the
order is the caller's, and the DOCX, submission and dossier writers all go through it."""

from __future__ import annotations

import ast
import io
import os
import time
import zipfile
from pathlib import Path

import pytest

from templates.archive import FIXED_TIME, normalise_zip, write_zip, zip_bytes

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", "ё 中文".encode()),
           ("_rels/.rels", b""), ("a/big.bin", os.urandom(1 << 16) * 3)]


def _infos(data: bytes) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return archive.infolist()


def test_same_entries_same_bytes_and_fixed_metadata() -> None:
    first = zip_bytes(ENTRIES)
    time.sleep(1.1)  # a writer that stamped the wall clock would differ now
    assert zip_bytes(list(ENTRIES)) == first
    infos = _infos(first)
    assert [i.filename for i in infos] == [name for name, _ in ENTRIES]  # the caller's order
    for info in infos:
        assert info.date_time == FIXED_TIME
        assert info.external_attr >> 16 == 0o644
        assert info.create_system == 3
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert info.extra == b""
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == dict(ENTRIES)


def test_files_on_disk_ignore_their_times_and_modes(tmp_path: Path) -> None:
    paths = []
    for name, data in ENTRIES:
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        paths.append((name, path))
    from_disk = zip_bytes(paths)
    for _, path in paths:
        os.chmod(path, 0o600)
        os.utime(path, (1_900_000_000, 1_900_000_000))
    target = tmp_path / "out.zip"
    write_zip(target, paths)
    assert target.read_bytes() == from_disk == zip_bytes(ENTRIES)


def test_a_given_stamp_is_used_and_changes_the_bytes() -> None:
    stamp = (2024, 9, 26, 10, 0, 0)
    stamped = zip_bytes(ENTRIES, date_time=stamp)
    assert {i.date_time for i in _infos(stamped)} == {stamp}
    assert stamped != zip_bytes(ENTRIES)
    assert zip_bytes(ENTRIES, date_time=stamp) == stamped


def test_order_is_part_of_the_input() -> None:
    assert zip_bytes(ENTRIES[::-1]) != zip_bytes(ENTRIES)
    assert [i.filename for i in _infos(zip_bytes(ENTRIES[::-1]))] == [
        name for name, _ in ENTRIES[::-1]]


def test_a_name_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        zip_bytes([("a.txt", b"1"), ("a.txt", b"2")])


def test_normalising_an_ordinary_zip() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in ENTRIES:
            info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
            info.external_attr = 0o100755 << 16
            archive.writestr(info, data)
    normalised = normalise_zip(buffer.getvalue())
    assert normalised == zip_bytes(ENTRIES)
    assert normalise_zip(normalised) == normalised


def _opens_zip_for_writing(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name != "ZipFile":
        return False
    modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
    modes += [k.value.value for k in node.keywords
              if k.arg == "mode" and isinstance(k.value, ast.Constant)]
    return any(m in ("w", "a", "x") for m in modes)


def test_no_other_module_writes_a_zip_itself() -> None:
    """A ``ZipInfo`` built, or a ``ZipFile`` opened for writing, outside templates/archive.py
    is a second writer."""
    writers = []
    for package in ("workflow", "drafts", "templates", "signatures"):
        for path in (ROOT / package).rglob("*.py"):
            if path == ROOT / "templates" / "archive.py":
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (isinstance(node, ast.Attribute) and node.attr == "ZipInfo") \
                        or _opens_zip_for_writing(node):
                    writers.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    assert not writers, f"ZIP files written outside templates/archive.py: {writers}"
