"""A returned comment form is the reviewer's own, and comes from the reviewer.

Its ids (resolution, version, round, reviewer) are bound, with the reviewer's mailbox, by a
token only the workspace can make; and a blank form is a bearer token, so a form is
imported for its reviewer only from the message it came back in (From the reviewer's
address, In-Reply-To the copy sent to them for this round), with the reviewer's signature
over it (checked with a key made and used by openssl), or by the reviewer's own database
login. Played as a reviewer who knows the format and holds a colleague's form: each attempt
is refused with one line, and nothing is imported. The files that hold the forms — the
outbox, the database — are readable by the workspace's owner only."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Cli, make_workspace
from tests.pg import Cluster
from tests.reliability.helpers import KEY_PASS, draft, row_counts, setup_keys
from workflow import demo_mail
from workflow.demo import _fill_comment_form

ROWS = [("OP 1", "te", "Name the components", "microcircuits")]


def _blank(ws: Cli, reviewer: str, out: Path, round_no: int | None = None) -> Path:
    """The form as the reviewer received it: the attachment of their message."""
    return demo_mail.attachment(demo_mail.received(ws.root, reviewer, round_no), ".docx", out)


def _filled(ws: Cli, reviewer: str, out: Path, round_no: int | None = None) -> Path:
    filled = out / f"{reviewer}-returned.docx"
    _fill_comment_form(_blank(ws, reviewer, out / "blank", round_no), filled, ROWS)
    return filled


def _reply(ws: Cli, reviewer: str, form: Path, out: Path, *, sender: str | None = None,
           round_no: int | None = None) -> Path:
    """What ``reviewer``'s mail program sends back (From ``sender`` when another sends it)."""
    return demo_mail.reply(demo_mail.received(ws.root, reviewer, round_no), [form],
                           out / f"reply-{reviewer}-{sender or 'own'}.eml", sender=sender)


def _rewrite(path: Path, old: str, new: str) -> Path:
    """What an editor of the package does: change the text of every part that names ``old``."""
    source = zipfile.ZipFile(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith(".xml"):
                data = data.replace(old.encode(), new.encode())
            out.writestr(info, data)
    forged = path.with_name("forged-" + path.name)
    forged.write_bytes(buffer.getvalue())
    return forged


def _refused(ws: Cli, symbol: str, args: list[str], *words: str) -> str:
    before = row_counts(ws.root)
    out = ws(["comments", "import", symbol, *args], code=1).output
    for word in words:
        assert word in out, out
    assert len(out.strip().splitlines()) == 1, out
    assert row_counts(ws.root) == before
    return out


@pytest.fixture
def round_one(ws_sqlite: Cli, tmp_path: Path) -> tuple[Cli, str]:
    symbol = draft(ws_sqlite, tmp_path)
    ws_sqlite(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    return ws_sqlite, symbol


def test_the_reviewers_reply_is_imported(round_one: tuple[Cli, str], tmp_path: Path) -> None:
    ws, symbol = round_one
    reply = _reply(ws, "rev-ru", _filled(ws, "rev-ru", tmp_path), tmp_path)
    ws(["comments", "import", symbol, str(reply)])
    comments = json.loads(ws(["comments", symbol, "--json"]).output)["comments"]
    assert [(c["author"], c["text"]) for c in comments] == [("rev-ru", "Name the components")]
    event = next(e for e in json.loads(ws(["log", symbol, "--json"]).output)["events"]
                 if e["action"] == "comment")
    detail = event["detail"]
    assert (detail["returned_in"], detail["typed_by"], detail["on_behalf_of"]) == (
        "reply-message", "sec", "rev-ru")
    assert detail["reply_from"] == "rev-ru@wg.example"
    kept = ws.root / ".resolutions" / "store" / detail["evidence_sha256"][:2] / \
        detail["evidence_sha256"]
    assert kept.read_bytes() == reply.read_bytes()  # the message itself is kept
    ws(["audit", "verify"])


def test_a_form_from_someone_other_than_its_reviewer_is_refused(
        round_one: tuple[Cli, str], tmp_path: Path) -> None:
    ws, symbol = round_one
    form = _filled(ws, "rev-ru", tmp_path)
    # rev-zh holds rev-ru's form and mails it back, answering rev-ru's message
    reply = _reply(ws, "rev-ru", form, tmp_path, sender="rev-zh@wg.example")
    _refused(ws, symbol, [str(reply)], "came back from rev-zh@wg.example",
             "not from rev-ru's address rev-ru@wg.example", "nothing was imported")
    # … or imports the form itself: a blank form is no proof of who filled it
    _refused(ws, symbol, [str(form)], "nothing shows it came from rev-ru", "REPLY.eml",
             "--signed-statement")
    # … or answers a message of their own with it
    reply = demo_mail.reply(demo_mail.received(ws.root, "rev-zh"), [form],
                            tmp_path / "own-thread.eml", sender="rev-ru@wg.example")
    _refused(ws, symbol, [str(reply)], "does not answer the review copy sent to rev-ru")


def test_a_form_whose_reviewer_was_edited_is_refused(round_one: tuple[Cli, str],
                                                     tmp_path: Path) -> None:
    ws, symbol = round_one
    forged = _rewrite(_filled(ws, "rev-ru", tmp_path), "rev-ru", "rev-zh")
    ids = zipfile.ZipFile(forged).read("docProps/custom.xml").decode()
    assert "rev-zh" in ids and "rev-ru" not in ids  # both copies of the ids now agree
    reply = _reply(ws, "rev-zh", forged, tmp_path)  # and it comes from rev-zh's own address
    _refused(ws, symbol, [str(reply)], "was not issued to rev-zh for round 1")


def test_last_rounds_form_is_refused_in_the_next_round(round_one: tuple[Cli, str],
                                                       tmp_path: Path) -> None:
    ws, symbol = round_one
    old = _filled(ws, "rev-ru", tmp_path / "round1")
    ws(["close-review", symbol, "--changes"])
    ws(["circulate", symbol, "--reviewer", "rev-ru"])
    _refused(ws, symbol, [str(_reply(ws, "rev-ru", old, tmp_path))],
             "was not issued to rev-ru for round 2")
    # last round's message is not this round's either
    form = _filled(ws, "rev-ru", tmp_path / "round2", round_no=2)
    _refused(ws, symbol, [str(_reply(ws, "rev-ru", form, tmp_path / "r1", round_no=1))],
             "does not answer the review copy sent to rev-ru for round 2")
    # the same reviewer's form of this round, in their reply to this round's copy, goes in
    ws(["comments", "import", symbol, str(_reply(ws, "rev-ru", form, tmp_path / "r2"))])


def test_a_form_from_another_workspace_is_refused(round_one: tuple[Cli, str], tmp_path: Path,
                                                  ) -> None:
    ws, symbol = round_one
    reply = _reply(ws, "rev-ru", _filled(ws, "rev-ru", tmp_path), tmp_path)
    (ws.root / ".resolutions" / "binding.key").write_bytes(b"\x01" * 32)  # another secret
    _refused(ws, symbol, [str(reply)], "was not issued to rev-ru")


def test_a_form_bound_to_an_old_mailbox_is_refused(round_one: tuple[Cli, str],
                                                   tmp_path: Path) -> None:
    """The token names the reviewer's mailbox: a form sent to an address the member no
    longer has is not theirs any more."""
    ws, symbol = round_one
    form = _filled(ws, "rev-ru", tmp_path)
    ws(["member", "edit", "rev-ru", "--email", "petrov@elsewhere.example"])
    reply = _reply(ws, "rev-ru", form, tmp_path, sender="petrov@elsewhere.example")
    _refused(ws, symbol, [str(reply)], "was not issued to rev-ru for round 1")


def _openssl_sign(ws: Cli, member: str, data: Path, tmp_path: Path) -> Path:
    """What the member does with their own key and any CMS tool."""
    p12 = ws.root / ".resolutions" / "keys" / f"{member}.p12"
    pem = tmp_path / f"{member}.pem"
    subprocess.run(["openssl", "pkcs12", "-in", str(p12), "-out", str(pem), "-nodes",
                    "-passin", f"pass:{KEY_PASS[member]}"], check=True, capture_output=True)
    out = data.with_name(f"{data.name}.{member}.p7s")
    subprocess.run(["openssl", "cms", "-sign", "-binary", "-in", str(data), "-signer",
                    str(pem), "-outform", "DER", "-out", str(out)], check=True,
                   capture_output=True)
    return out


def test_a_form_signed_by_its_reviewer_is_imported(ws_sqlite: Cli, tmp_path: Path) -> None:
    """A reviewer with a signing key signs the filled form with openssl; another member's
    signature over the same form is refused."""
    ws = ws_sqlite
    ws(["member", "edit", "appr-ru", "--roles", "approver,signatory,reviewer"])
    setup_keys(ws, tmp_path / "secrets")
    symbol = draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "appr-ru"])
    form = _filled(ws, "appr-ru", tmp_path)
    theirs = _openssl_sign(ws, "appr-zh", form, tmp_path)
    _refused(ws, symbol, [str(form), "--signed-statement", str(theirs)],
             "not by appr-ru's registered certificate")
    other = tmp_path / "other.docx"
    other.write_bytes(form.read_bytes() + b"\0")
    _refused(ws, symbol, [str(other), "--signed-statement",
                          str(_openssl_sign(ws, "appr-ru", form, tmp_path))],
             "not a valid signature over other.docx")
    ws(["comments", "import", symbol, str(form), "--signed-statement",
        str(_openssl_sign(ws, "appr-ru", form, tmp_path))])
    detail = next(e for e in json.loads(ws(["log", symbol, "--json"]).output)["events"]
                  if e["action"] == "comment")["detail"]
    assert detail["returned_in"] == "signed-statement" and detail["on_behalf_of"] == "appr-ru"


def test_the_receiving_server_must_have_authenticated_the_sender(
        round_one: tuple[Cli, str], tmp_path: Path) -> None:
    """With [delivery] authserv_id, the reply must carry that server's verdict that DKIM
    (or DMARC) passed for the sender's domain: a From line anyone can type is not enough."""
    ws, symbol = round_one
    toml = ws.root / "resolutions.toml"
    toml.write_text(toml.read_text("utf-8") + '\n[delivery]\nauthserv_id = "mx.wg.example"\n',
                    "utf-8")
    reply = _reply(ws, "rev-ru", _filled(ws, "rev-ru", tmp_path), tmp_path)
    _refused(ws, symbol, [str(reply)], "mx.wg.example did not authenticate the sender")
    forged = reply.with_name("forged-results.eml")
    forged.write_bytes(b"Authentication-Results: mx.evil.example; dkim=pass "
                       b"header.d=wg.example\r\n" + reply.read_bytes())
    _refused(ws, symbol, [str(forged)], "did not authenticate the sender")
    genuine = reply.with_name("authenticated.eml")
    genuine.write_bytes(b"Authentication-Results: mx.wg.example; spf=pass "
                        b"smtp.mailfrom=wg.example; dkim=pass header.d=wg.example\r\n"
                        + reply.read_bytes())
    ws(["comments", "import", symbol, str(genuine)])
    assert len(json.loads(ws(["comments", symbol, "--json"]).output)["comments"]) == 1


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_the_outbox_are_private(round_one: tuple[Cli, str]) -> None:
    ws, _ = round_one
    state = ws.root / ".resolutions"
    assert _mode(state) == 0o700
    db = state / "resolutions.db"
    assert _mode(db) == 0o600
    for extra in (state / "resolutions.db-wal", state / "resolutions.db-shm"):
        if extra.exists():
            assert _mode(extra) == 0o600, extra
    outbox = state / "outbox"
    assert _mode(outbox) == 0o700
    messages = list(outbox.glob("*.eml"))
    assert len(messages) == 2 and all(_mode(m) == 0o600 for m in messages)
    assert all(_mode(p) == 0o700 for p in (state / "keys",))


def test_an_older_workspace_is_made_private_when_opened(round_one: tuple[Cli, str]) -> None:
    ws, symbol = round_one
    state = ws.root / ".resolutions"
    state.chmod(0o755)
    (state / "resolutions.db").chmod(0o644)
    (state / "outbox").chmod(0o755)
    ws(["status", symbol])
    ws(["comment", symbol, "--by", "rev-ru", "--ref", "OP 1", "--type", "ge", "--text", "x"])
    assert _mode(state) == 0o700 and _mode(state / "resolutions.db") == 0o600


@pytest.mark.postgres
def test_on_postgresql_the_reviewers_own_login_imports_their_form(
        tmp_path: Path, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", pg_cluster.create_database())
    ws = make_workspace(tmp_path / "ws")
    symbol = draft(ws, tmp_path)
    ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
    form = _filled(ws, "rev-ru", tmp_path)
    # rev-zh's own login with rev-ru's form, and the secretary's with the bare form: refused
    out = ws(["comments", "import", symbol, str(form)], actor="rev-zh", code=1).output
    assert "nothing shows it came from rev-ru" in out
    assert "let rev-ru import it logged in as themselves" in out
    ws(["comments", "import", symbol, str(form)], code=1)
    assert json.loads(ws(["comments", symbol, "--json"]).output)["comments"] == []
    # rev-ru, logged in as themselves (the database authenticated them)
    ws(["comments", "import", symbol, str(form)], actor="rev-ru")
    detail = next(e for e in json.loads(ws(["log", symbol, "--json"]).output)["events"]
                  if e["action"] == "comment")["detail"]
    assert detail["returned_in"] == "own-login" and detail["typed_by"] == "rev-ru"
    assert "on_behalf_of" not in detail
    ws(["audit", "verify"])
