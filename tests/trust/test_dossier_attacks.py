"""The dossier as a bagit-aware attacker and as the seal holder edit it (``attacker.py``:
the manifests recomputed, the seal made again with openssl and the seal key). Each edit
is refused by ``dossier verify`` with the file named."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.trust import attacker
from tests.trust.conftest import Demo, run_cli

pytestmark = pytest.mark.slow


def _verify(path: Path) -> tuple[int, str]:
    return run_cli(["dossier", "verify", str(path)], cwd=path.parent)


def _reseal(demo: Demo, bag: Path, work: Path, **rebag: object) -> None:
    attacker.rebag(bag, **rebag)  # type: ignore[arg-type]
    attacker.reseal(bag, demo.root / ".resolutions" / "keys" / "seal" / "seal.p12",
                    demo.secret("seal"), work)


def test_the_demo_dossier_is_intact(demo: Demo) -> None:
    code, out = _verify(demo.dossier)
    assert code == 0 and "dossier intact" in out, out


def test_anchors_deleted_and_resealed_are_named(demo: Demo, tmp_path: Path) -> None:
    bag = demo.copy_dossier(tmp_path / "bag")
    shutil.rmtree(bag / "data" / "audit" / "anchors")
    _reseal(demo, bag, tmp_path)
    code, out = _verify(bag)
    assert code == 1, out
    assert "lacks the anchor of audit event" in out and "the anchor was removed" in out, out


def test_timestamps_deleted_are_named(demo: Demo, tmp_path: Path) -> None:
    bag = demo.copy_dossier(tmp_path / "bag")
    (bag / "seal-timestamp.tsr").unlink()
    (bag / "archive-timestamp.tsr").unlink()
    _reseal(demo, bag, tmp_path)
    code, out = _verify(bag)
    assert code == 1, out
    for name in ("seal-timestamp.tsr", "archive-timestamp.tsr"):
        assert f"{name}: is missing" in out, out


def test_the_archive_timestamp_is_covered_by_the_tag_manifest(demo: Demo) -> None:
    listed = (demo.dossier / "tagmanifest-sha256.txt").read_text("utf-8")
    assert "archive-timestamp.tsr" in listed and "VERIFY.txt" in listed


def test_a_rewritten_verify_txt_is_named_even_resealed(demo: Demo, tmp_path: Path) -> None:
    bag = demo.copy_dossier(tmp_path / "bag")
    howto = bag / "VERIFY.txt"
    howto.write_text(howto.read_text("utf-8").replace("openssl cms -verify",
                                                      "openssl cms -verify -noverify"),
                     encoding="utf-8")
    _reseal(demo, bag, tmp_path)
    code, out = _verify(bag)
    assert code == 1 and "VERIFY.txt: line" in out and "-noverify" in out, out


def test_an_extra_tag_file_is_named(demo: Demo, tmp_path: Path) -> None:
    bag = demo.copy_dossier(tmp_path / "bag")
    (bag / "NOTES.txt").write_text("the signatures were checked by us\n", encoding="utf-8")
    _reseal(demo, bag, tmp_path, extra_tags=("NOTES.txt",))
    code, out = _verify(bag)
    assert code == 1 and "NOTES.txt: is not a tag file of a dossier" in out, out


def test_a_payload_file_that_is_a_symlink_out_of_the_bag_is_named(demo: Demo,
                                                                  tmp_path: Path) -> None:
    bag = demo.copy_dossier(tmp_path / "bag")
    outside = tmp_path / "elsewhere.pem"
    shutil.copy(bag / "data" / "seal.pem", outside)
    (bag / "data" / "seal.pem").unlink()
    os.symlink(outside, bag / "data" / "seal.pem")
    code, out = _verify(bag)
    assert code == 1 and "data/seal.pem: is a symbolic link" in out, out


def test_a_manifest_listing_a_file_twice_is_named(demo: Demo, tmp_path: Path) -> None:
    bag = demo.copy_dossier(tmp_path / "bag")
    _reseal(demo, bag, tmp_path, duplicate="data/dossier.json")
    code, out = _verify(bag)
    assert code == 1 and "lists data/dossier.json more than once" in out, out


def test_a_zip_with_a_duplicate_entry_is_refused(demo: Demo, tmp_path: Path) -> None:
    target = tmp_path / "dossier.zip"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("dossier/data/dossier.json", b'{"forged": true}')  # read first by some
        for path in sorted(demo.dossier.rglob("*")):
            if path.is_file():
                zf.write(path, "dossier/" + path.relative_to(demo.dossier).as_posix())
    code, out = _verify(target)
    assert code == 1 and "holds entry 'dossier/data/dossier.json' twice" in out, out
