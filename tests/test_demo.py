"""The seed scenario end to end (`resolutions demo`), as a newcomer runs it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from tests.played_demo import Demo, demo  # noqa: F401 - fixture: played once per run


def _ink(pgm: bytes) -> float:
    """Share of non-white pixels in a binary PGM (P5) image."""
    parts = pgm.split(maxsplit=4)
    assert parts[0] == b"P5"
    width, height = int(parts[1]), int(parts[2])
    pixels = parts[4][: width * height]
    return sum(1 for p in pixels if p < 200) / len(pixels)


@pytest.mark.slow
def test_demo_plays_the_whole_lifecycle(demo: Demo, tmp_path: Path) -> None:  # noqa: F811
    # `resolutions demo FOLDER`, played once for the run (its exit code is checked there)
    root, out = demo.root, demo.output
    for line in ("circulated to 2 reviewers", "reply with her filled comment form imported",
                 "annotated in his PDF reader imported",
                 "version 2 made from the accepted amendments", "translations checked",
                 "approved by each delegation", "signed by 3 signatories",
                 "submitted to the Higher Council of BRICS", "receipt recorded: acknowledged",
                 "dossier exported", "dossier verified",
                 "nothing changed since the last export of these resolutions",
                 "searched every version in every language", "OP 2(b)",
                 "**интегральных** **схем**", "设计集成电路和仪器制造产品", "**合资**",
                 "reading room in the dossier: open dossier/data/index.html"):
        assert line in out, line
    assert "artefacts" in out and "sha256" in out

    verify = CliRunner().invoke(cli, ["dossier", "verify", str(root / "dossier")])
    assert verify.exit_code == 0, verify.output
    # the sealed dossier prints what an archivist compares out of band
    ca = subprocess.run(["openssl", "x509", "-in", str(root / ".resolutions/keys/ca/ca.pem"),
                         "-noout", "-fingerprint", "-sha256"], capture_output=True, text=True,
                        check=True).stdout.split("=", 1)[1].strip().replace(":", "").lower()
    assert f"CA          {ca}" in verify.output and "audit head  " in verify.output
    assert "seal        " in verify.output and "(timestamped" in verify.output
    assert (root / "dossier" / "seal.p7s").is_file() and "dossier verified" in out
    assert f"CA          {ca}" in out  # the demo's own verify step shows them too

    final = root / "out" / "RCWG-RES-2024-1_v2_final_ru-zh.pdf"
    text = subprocess.run(["pdftotext", str(final), "-"], capture_output=True,
                          text=True, check=True).stdout
    text = text.replace("\u2010\n", "")  # a word hyphenated at a line end, joined
    text = " ".join(text.split())  # columns wrap lines: compare with whitespace folded
    assert "Высший совет БРИКС" in text and "金砖国家最高理事会" in text
    assert "рекомендует" in text and "建议" in text  # UN style: the opener in lower case
    assert "совместные предприятия" in text and "合资企业" in text
    assert "создание совместных инжиниринговых центров" in text  # the accepted amendment
    page = subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "1", "-l", "1", str(final)],
                          capture_output=True, check=True).stdout
    assert 0.01 < _ink(page) < 0.5  # a real page: neither blank nor a black box

    # round 2: each reviewer's copy is marked against the version they reviewed and ends
    # with the decision on each of their comments; the mail says so
    import email
    from email import policy
    round_two = [m for m in (email.message_from_bytes(p.read_bytes(), policy=policy.default)
                             for p in (root / ".resolutions" / "outbox").glob("review-*.eml"))
                 if m["X-Resolutions-Round"] == "2"]
    assert {m["X-Resolutions-Reviewer"] for m in round_two} == {"orlov", "wang-fang"}
    for msg in round_two:
        body = msg.get_body(("plain",)).get_content()
        assert "1" in body and ("Изменения по сравнению с версией 1" in body
                                or "自您在第1轮审阅的第1版以来的修改" in body), body
        [pdf] = [p.get_content() for p in msg.iter_attachments()
                 if (p.get_filename() or "").endswith(".pdf")]
        copy = tmp_path / "copy.pdf"
        copy.write_bytes(pdf)
        seen = " ".join(subprocess.run(["pdftotext", str(copy), "-"], capture_output=True,
                                       text=True, check=True).stdout.split())
        assert "Ваши замечания и решения по ним" in seen or "您的意见及其处理结果" in seen

    again = CliRunner().invoke(cli, ["demo", str(root)])
    assert again.exit_code == 1 and "--force" in again.output
