"""Secrets: passphrases and private keys never reach the database, the audit log, the
outbox, submission packages, rendered files, logs or error messages. The full signing flow
runs with passphrases from 0600 files; then every byte the workspace holds (the SQLite
file and its WAL included) is searched for each passphrase and for a PEM private key.
Key files are 0600; the SMTP password comes from the environment only."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.conftest import Cli
from tests.reliability.helpers import CA_PASS, KEY_PASS, run, setup_keys, sign_all, to_approved

SECRETS = [CA_PASS, *KEY_PASS.values()]
KEY_MARKERS = [b"PRIVATE KEY", b"-----BEGIN RSA", b"-----BEGIN EC"]


def _needles() -> list[bytes]:
    out = []
    for secret in SECRETS:
        out += [secret.encode("utf-8"), secret.encode("utf-16-le"), secret.encode("utf-16-be")]
    return out


def _leaks(root: Path, skip: Path | None = None) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if not path.is_file() or (skip is not None and skip in path.parents):
            continue
        data = path.read_bytes()
        for needle in _needles() + KEY_MARKERS:
            if needle in data:
                found.append(f"{path.relative_to(root)}: {needle[:24]!r}")
    return found


def test_no_secret_anywhere_after_the_signing_flow(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    secrets = tmp_path / "secrets"
    setup_keys(ws, secrets)
    symbol = to_approved(ws, tmp_path)
    wrong = tmp_path / "wrong.pass"
    wrong.write_text("Wrong-Passphrase-Zq9\n")
    refused = ws(["sign", symbol, "--by", "appr-ru", "--passphrase-file", str(wrong)], code=1)
    assert "Wrong-Passphrase-Zq9" not in refused.output
    sign_all(ws, symbol, secrets)
    ws(["submit", symbol, "--to", "brics-higher-council"])
    ws(["render", symbol, "--stage", "final", "--format", "pdf", "--lang", "en", "-o",
        str(ws.root / "out")])
    ws(["signed-files", symbol, "-o", str(ws.root / "out" / "signed")])
    log = ws(["log", symbol, "--json"]).output + ws(["audit", "verify"]).output
    for secret in SECRETS:
        assert secret not in log
    # a subprocess run with --verbose and a failing command: no secret in its traceback
    verbose = run(ws.root, ["--verbose", "sign", symbol, "--by", "appr-ru",
                            "--passphrase-file", str(secrets / "appr-ru.pass")])
    for secret in SECRETS:
        assert secret not in verbose.stdout + verbose.stderr

    keys = ws.root / ".resolutions" / "keys"
    assert _leaks(ws.root, skip=keys) == []
    for path in keys.rglob("*"):
        if path.is_file() and path.suffix in (".p12", ".key", ".pem") and "key" in path.name + path.suffix:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in keys.glob("*.p12"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        assert not any(n in path.read_bytes() for n in _needles())


def test_passphrase_not_accepted_on_the_command_line(ws_sqlite: Cli) -> None:
    """There is no --passphrase VALUE option (it would land in shell history and ps)."""
    result = ws_sqlite(["sign", "1", "--by", "appr-ru", "--passphrase", "x"], code=2)
    assert "No such option" in result.output


def test_smtp_password_only_from_the_environment(ws_sqlite: Cli) -> None:
    toml = ws_sqlite.root / "resolutions.toml"
    text = toml.read_text(encoding="utf-8")
    assert "password" not in text.replace("RESOLUTIONS_SMTP_PASSWORD", "").replace(
        "# password", "")
    toml.write_text(text + '\n[delivery]\nsmtp_host = "127.0.0.1"\nsmtp_user = "wg"\n'
                    'smtp_password = "Hunter2-Secret"\n', encoding="utf-8")
    result = run(ws_sqlite.root, ["outbox"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert "RESOLUTIONS_SMTP_PASSWORD" in result.stderr
    assert "Hunter2-Secret" not in result.stdout + result.stderr
    assert "[delivery] smtp_password: a password is never kept" in result.stderr
