"""Hostile ZIPs handed to `dossier verify`: a bomb, entries climbing out of the folder, an
absolute path, a symbolic link. Each is refused with one line naming the entry and the
limit, and nothing is written outside the scratch folder."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Cli
from workflow.dossier.unzip import Limits, UnsafeZip, extract, read_entry, safe_entries


def _verify(ws_sqlite: Cli, path: Path) -> list[str]:
    out = ws_sqlite(["dossier", "verify", str(path)], code=1).output
    return [x for x in out.splitlines() if x.startswith("PROBLEM")]


def test_a_zip_bomb_is_refused_before_it_is_inflated(ws_sqlite: Cli, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bag/data/zeros.bin", "w", force_zip64=True) as out:
            block = bytes(1 << 20)
            for _ in range(300):  # 300 MB of zeros
                out.write(block)
        zf.writestr("bag/bagit.txt", "BagIt-Version: 1.0\n")
    assert bomb.stat().st_size < 400_000
    problems = _verify(ws_sqlite, bomb)
    assert len(problems) == 1, problems
    assert "bomb.zip: refused: entry 'bag/data/zeros.bin' inflates" in problems[0]
    assert "314,572,800" in problems[0] and "ZIP bomb" in problems[0]


@pytest.mark.parametrize("name", ["bag/../../escaped.txt", "/tmp/escaped-abs.txt",
                                  "bag/data/..\\..\\escaped.txt"])
def test_paths_outside_the_folder_are_refused(ws_sqlite: Cli, tmp_path: Path,
                                              name: str) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("bag/bagit.txt", "BagIt-Version: 1.0\n")
        zf.writestr(name, "pwned")
    problems = _verify(ws_sqlite, evil)
    assert len(problems) == 1 and f"entry {name!r}" in problems[0], problems
    assert "nothing was extracted" in problems[0]
    assert not (tmp_path.parent / "escaped.txt").exists()
    assert not Path("/tmp/escaped-abs.txt").exists()


def test_a_symbolic_link_is_refused(ws_sqlite: Cli, tmp_path: Path) -> None:
    evil = tmp_path / "link.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("bag/bagit.txt", "BagIt-Version: 1.0\n")
        link = zipfile.ZipInfo("bag/data/passwd")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    problems = _verify(ws_sqlite, evil)
    assert len(problems) == 1 and "'bag/data/passwd' is a symbolic link" in problems[0]


def test_limits_on_count_total_and_lying_sizes(tmp_path: Path) -> None:
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for n in range(11):
            zf.writestr(f"f{n}", b"x" * 100)
    small = Limits(max_entries=10, max_total=10_000, max_ratio=200)
    with zipfile.ZipFile(many) as zf, pytest.raises(UnsafeZip, match="holds 11 entries"):
        safe_entries(zf, small)
    with zipfile.ZipFile(many) as zf, pytest.raises(UnsafeZip, match="more than 1,000 bytes"):
        safe_entries(zf, Limits(max_entries=100, max_total=1_000, max_ratio=200))
    out = tmp_path / "out"
    out.mkdir()
    names = extract(many, out, Limits(max_entries=100, max_total=10_000, max_ratio=200))
    assert len(names) == 11 and (out / "f3").read_bytes() == b"x" * 100
    with zipfile.ZipFile(many) as zf:  # an entry that inflates past what it declares
        info = zf.getinfo("f0")
        info.file_size = 10
        with pytest.raises((UnsafeZip, zipfile.BadZipFile)):
            read_entry(zf, info, small)
