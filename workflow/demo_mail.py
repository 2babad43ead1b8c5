"""The reviewer's side of the mail, for the demo (and the tests that play a reviewer): find
the message the secretariat sent them, take their copy and form out of it, and write the
reply their mail program would send back — ``From`` their address, ``In-Reply-To`` the
message they answer, their filled form or annotated copy attached."""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path

from workflow import clock
from workflow.errors import WorkflowError

__all__ = ["received", "attachment", "reply"]


def _read(path: Path) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(Path(path).read_bytes())
    assert isinstance(msg, EmailMessage)
    return msg


def received(workspace: Path, reviewer: str, round_no: int | None = None) -> Path:
    """The review copy message the outbox holds for ``reviewer`` (of ``round_no``, else the
    latest round)."""
    found: list[tuple[int, Path]] = []
    for path in sorted((Path(workspace) / ".resolutions" / "outbox").glob("review-copy-*.eml")):
        msg = _read(path)
        if str(msg.get("X-Resolutions-Reviewer", "")) == reviewer:
            number = int(str(msg.get("X-Resolutions-Round", "0")) or 0)
            if round_no is None or number == round_no:
                found.append((number, path))
    if not found:
        raise WorkflowError(f"no review copy for {reviewer} in the outbox")
    return max(found)[1]


def attachment(message: Path, suffix: str, out_dir: Path) -> Path:
    """The attachment of ``message`` whose name ends with ``suffix``, saved in ``out_dir``."""
    for part in _read(message).iter_attachments():
        name = Path(str(part.get_filename() or "")).name
        if name.lower().endswith(suffix):
            out = Path(out_dir) / name
            out.parent.mkdir(parents=True, exist_ok=True)
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            out.write_bytes(payload)
            return out
    raise WorkflowError(f"{message.name} has no {suffix} attachment")


def reply(message: Path | EmailMessage, files: Sequence[Path | tuple[str, bytes]], out: Path,
          *, sender: str | None = None, text: str = "Please find my comments attached.",
          ) -> Path:
    """The reply to ``message`` (a file or a parsed message) carrying ``files`` (paths, or
    (name, bytes)), from its recipient (or ``sender``)."""
    original = message if isinstance(message, EmailMessage) else _read(message)
    answer = EmailMessage()
    answer["From"] = sender or str(original["To"])
    answer["To"] = str(original["From"])
    answer["Subject"] = f"Re: {original['Subject']}"
    answer["Date"] = format_datetime(clock.now())
    answer["Message-ID"] = make_msgid(domain="reviewer.example")
    answer["In-Reply-To"] = str(original["Message-ID"])
    answer["References"] = str(original["Message-ID"])
    answer.set_content(text)
    for item in files:
        name, data = (item.name, item.read_bytes()) if isinstance(item, Path) else item
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        maintype, _, subtype = kind.partition("/")
        answer.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(answer.as_bytes(policy=answer.policy.clone(linesep="\r\n")))
    return out
