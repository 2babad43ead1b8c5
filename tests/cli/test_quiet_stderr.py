"""No library noise on stderr: what a command prints there is ours — a refusal's one line,
a progress line — never a library's deprecation warning or its log of a damaged file.

Run as real processes (warnings and Python's last-resort log handler only show there):
signing and verifying a PDF, and importing, verifying and registering damaged PDFs of each
kind (cut short, a broken cross-reference, bytes overwritten in the middle)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.reliability.helpers import KEY_PASS, run, setup_keys, to_approved

NOISE = ("Warning", "warning:", "Deprecat", "DSA", "PdfReadError", "EOF marker",
         "startxref", "Traceback", "Object Streams")


def _quiet(stderr: str) -> None:
    for word in NOISE:
        assert word not in stderr, stderr


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    from tests.conftest import module_workspace

    base = tmp_path_factory.mktemp("quiet")
    with module_workspace(base / "ws") as ws:
        setup_keys(ws, base / "secrets")
        symbol = to_approved(ws, base)
        done = run(ws.root, ["sign", symbol, "--by", "appr-ru", "--passphrase-file",
                             str(base / "secrets" / "appr-ru.pass")])
        assert done.returncode == 0, done.stderr
        _quiet(done.stderr)
        yield ws.root, symbol, base


def test_signing_and_verifying_print_no_library_warning(signed: tuple[Path, str, Path]
                                                        ) -> None:
    root, symbol, base = signed
    done = run(root, ["sign", symbol, "--by", "appr-zh", "--passphrase-file",
                      str(base / "secrets" / "appr-zh.pass")])
    assert done.returncode == 0, done.stderr
    assert "signed by appr-zh" in done.stdout or symbol in done.stdout
    _quiet(done.stderr)
    out = base / "signed"
    done = run(root, ["signed-files", symbol, "-o", str(out)])
    assert done.returncode == 0, done.stderr
    _quiet(done.stderr)
    pdf = next(p for p in out.rglob("*.pdf") if "signed" in p.name)
    done = run(root, ["verify", str(pdf)])
    assert done.returncode == 0 and "signature(s) valid" in done.stdout, done.stdout + done.stderr
    _quiet(done.stderr)
    assert KEY_PASS  # the keys the fixture issued


def _damaged(good: bytes, kind: str) -> bytes:
    if kind == "cut":
        return good[:len(good) // 2]
    if kind == "xref":
        at = good.rfind(b"startxref")
        return good[:at] + b"startxref\n999999\n%%EOF\n"
    middle = bytearray(good)
    for i in range(len(good) // 3, len(good) // 3 + 400):
        middle[i] = 0x41
    return bytes(middle)


@pytest.mark.parametrize("kind", ["cut", "xref", "middle"])
def test_a_damaged_pdf_is_one_line(ws_sqlite: Cli, tmp_path: Path, kind: str) -> None:
    from tests.reliability.helpers import draft

    ws = ws_sqlite
    symbol = draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    ws(["render", symbol, "--stage", "review", "--reviewer", "rev-ru", "--format", "pdf",
        "-o", str(tmp_path / "copy")])
    good = next((tmp_path / "copy").glob("*.pdf")).read_bytes()
    bad = tmp_path / f"{kind}.pdf"
    bad.write_bytes(_damaged(good, kind))
    ca = tmp_path / "ca.pem"  # any CA: the file is refused before any signature is judged
    from tests.pg import make_tls

    ca, _, _ = make_tls(tmp_path / "ca")
    for args in (["comments", "import", symbol, str(bad)],
                 ["signatures", "import", symbol, str(bad)],
                 ["verify", str(bad), "--trust", str(ca)]):
        done = run(ws.root, args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        if args[0] == "verify" and not lines:  # read as a PDF: the verdict is on stdout
            assert "NOT VALID" in done.stdout, done.stdout
            continue
        assert len(lines) == 1 and lines[0].startswith("Error: "), (args, done.stderr)
        _quiet(lines[0].split(" (", 1)[0])  # the refusal may quote the reason, nothing else
