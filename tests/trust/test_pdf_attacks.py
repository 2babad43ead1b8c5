"""The signed PDF as an attacker who knows PDF edits it (pypdf and pyHanko only, see
``attacker.py``): each edit keeps every signature's own bytes intact, and each is refused
by ``resolutions verify`` with what was done named — outside a workspace (the CA and the
TSA root given) and, for the removed signature, inside it too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.trust import attacker
from tests.trust.conftest import Demo, run_cli

pytestmark = pytest.mark.slow


def _outside(demo: Demo, pdf: Path, *extra: str) -> tuple[int, str]:
    return run_cli(["verify", str(pdf), "--trust", str(demo.ca), "--trust-tsa",
                    str(demo.tsa_root), *extra], cwd=pdf.parent, stdout_only="--json" in extra)


def test_the_untouched_file_verifies_with_each_field_listed(demo: Demo, tmp_path: Path) -> None:
    import json

    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(demo.signed_pdf.read_bytes())
    code, out = _outside(demo, pdf, "--json")
    assert code == 0, out
    report = json.loads(out)
    assert report["level"] == "B-LTA"
    assert {f["name"]: f["signed"] for f in report["fields"]} == {
        "sig-sokolov": True, "sig-kuznetsova": True, "sig-li-wei": True}
    code, out = _outside(demo, pdf, "--at", "2040-01-01")
    assert code == 0, out


def test_a_file_cut_back_to_the_second_signature_names_the_missing_one(
        demo: Demo, tmp_path: Path) -> None:
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(attacker.cut_after_signature(demo.signed_pdf.read_bytes(), 1))
    code, out = _outside(demo, cut)
    assert code == 1 and "li-wei's signature (field sig-li-wei) is missing" in out, out
    inside = run_cli(["--workspace", str(demo.root), "verify", str(cut)])
    assert inside[0] == 1 and "li-wei's signature (field sig-li-wei) is missing" in inside[1]


EDITS: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "info": (attacker.change_info, "the document information (/Info"),
    "xmp": (attacker.change_xmp, "the XMP metadata (/Metadata) was changed"),
    "dss": (attacker.empty_dss, "the document security store (/DSS) was replaced"),
    "annotation": (attacker.add_note, "a page or an annotation was changed or added"),
    "page": (attacker.add_page, "a page or an annotation was changed or added"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_update_after_the_last_signature_is_refused_and_named(demo: Demo, tmp_path: Path,
                                                                 edit: str) -> None:
    change, named = EDITS[edit]
    forged = tmp_path / f"{edit}.pdf"
    forged.write_bytes(change(demo.signed_pdf.read_bytes()))
    code, out = _outside(demo, forged)
    assert code == 1, out
    assert f"after the last signature (sig-li-wei) {named}" in out.replace("\n", " ") \
        or named in out, out
    assert "Traceback" not in out
