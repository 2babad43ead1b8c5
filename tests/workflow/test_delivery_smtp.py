"""The outbox against a real SMTP server on loopback (aiosmtpd): a message is sent once,
a server that is down leaves it failed with the error, and `outbox retry` sends it later.

The fixtures and helpers here are shared by the delivery and submission tests.
"""

from __future__ import annotations

import email
import json
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import Cli, fixture_text


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos),
                              bytes(envelope.original_content or envelope.content)))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(data, policy=policy.default)  # type: ignore[misc]
                for _, _, data in self.received]

    def to(self, addr: str) -> list[EmailMessage]:
        return [m for (_, rcpt, _), m in zip(self.received, self.messages(), strict=True)
                if addr in rcpt]


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A local SMTP server on loopback, not yet started (tests start it)."""
    server = SmtpServer(free_port())
    try:
        yield server
    finally:
        server.stop()


def configure_smtp(ws: Cli, port: int) -> None:
    """Add a [delivery] section pointing at the loopback server."""
    config = ws.root / "resolutions.toml"
    config.write_text(config.read_text(encoding="utf-8") + (
        "\n[delivery]\nsmtp_host = \"127.0.0.1\"\n"
        f"smtp_port = {port}\nsmtp_security = \"none\"\nsmtp_timeout = 5\n"
        "from = \"secretariat@wg.example\"\n"), encoding="utf-8")


def draft(ws: Cli, tmp_path: Path) -> str:
    path = tmp_path / "res.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    return ws(["new", str(path)]).output.strip()


def outbox(ws: Cli) -> list[dict]:
    return json.loads(ws(["outbox", "--json"]).output)["messages"]


# -- tests --------------------------------------------------------------------------------
def test_server_down_keeps_the_message_with_the_error_and_retry_sends_it(
        ws_sqlite: Cli, tmp_path: Path, smtp: SmtpServer) -> None:
    ws = ws_sqlite
    configure_smtp(ws, smtp.port)          # configured, but nothing listens yet
    s = draft(ws, tmp_path)
    out = ws(["circulate", s, "--reviewer", "rev-ru"]).output
    assert "failed" in out and "outbox retry" in out
    [message] = outbox(ws)
    assert message["status"] == "failed" and message["attempts"] == 1
    assert "cannot reach 127.0.0.1" in message["error"]
    assert (ws.root / message["eml_path"]).is_file()

    # `outbox send` takes queued messages only: the failed one waits for `retry`
    assert "nothing to send" in ws(["outbox", "send"]).output
    smtp.start()
    out = ws(["outbox", "retry"]).output
    assert "1 sent" in out
    [message] = outbox(ws)
    assert message["status"] == "sent" and message["error"] == "" and message["attempts"] == 2
    assert len(smtp.inbox.received) == 1
    received = smtp.inbox.messages()[0]
    assert received["Message-ID"] == message["message_id"]

    # sending again sends nothing: the message is delivered
    assert "nothing to send" in ws(["outbox", "retry"]).output
    assert "nothing to send" in ws(["outbox", "send"]).output
    assert len(smtp.inbox.received) == 1


def test_without_smtp_messages_stay_as_eml_files(ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    s = draft(ws, tmp_path)
    out = ws(["circulate", s, "--reviewer", "rev-zh"]).output
    assert "queued" in out and "no SMTP configured" in out
    [message] = outbox(ws)
    assert message["status"] == "queued" and message["recipient"] == "rev-zh@wg.example"
    eml = (ws.root / message["eml_path"]).read_bytes()
    parsed = email.message_from_bytes(eml, policy=policy.default)
    assert parsed["To"].addresses[0].display_name == "王芳"
    assert "审阅本" in parsed["Subject"]
    # RFC 5322 as sent: CRLF line ends, lines under 998, 7-bit headers (RFC 2047 words)
    head = eml.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"=?utf-8?" in head
    assert eml.count(b"\n") == eml.count(b"\r\n")
    assert all(len(line) <= 998 for line in eml.split(b"\r\n"))
    assert "no SMTP server configured" in ws(["outbox", "send"], code=1).output


def test_a_reviewer_without_address_is_reported_and_the_others_still_served(
        ws_sqlite: Cli, tmp_path: Path) -> None:
    ws = ws_sqlite
    ws(["member", "add", "rev-en", "--name", "Jane Roe", "--role", "reviewer", "--lang", "en"])
    s = draft(ws, tmp_path)
    out = ws(["circulate", s, "--reviewer", "rev-en", "--reviewer", "rev-ru"]).output
    assert "rev-en: not delivered — rev-en has no e-mail address" in out
    assert "rev-ru <rev-ru@wg.example>: review copy (ru) queued" in out
    assert [m["recipient"] for m in outbox(ws)] == ["rev-ru@wg.example"]
