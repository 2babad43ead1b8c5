"""Headers of outgoing messages come back exactly as written: a long Russian or Chinese
subject, a body's name as display name, folded into lines of at most 78 characters and
parsed by Python's ``email`` with the default policy, lose and gain no space."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.headerregistry import Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.delivery.outbox import Attachment, compose

WORDS = ["Резолюция", "RCWG/RES/2024/1:", "препровождение", "Совещанию", "министров",
         "промышленности", "стран", "БРИКС", "金砖国家工业部长会议", "转交", "第", "号决议",
         "Resolution", "transmittal", "to", "the", "Meeting", "/", "«рынка»", "—", "é",
         "=?utf-8?q?x?=", "2026–2027", "👍🏽"]
SEPARATORS = [" ", " ", " ", "  ", ""]


def _roundtrip(subject: str, display: str) -> tuple[str, str, bytes]:
    msg = compose(sender_address=Address("Рабочая группа", "wg", "example.org"),
                  to_name=display, to_addr="secretariat@brics.example", subject=subject,
                  text="текст", attachments=[Attachment("a.pdf", b"%PDF-1.7", "application/pdf")],
                  msg_id="<1@example.org>")
    data = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
    parsed = message_from_bytes(data, policy=policy.default)
    return str(parsed["Subject"]), parsed["To"].addresses[0].display_name, data


def _header_lines(data: bytes) -> list[bytes]:
    return data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


@pytest.mark.parametrize("subject", [
    "Препровождение резолюции RCWG/RES/2024/1 Совещанию министров промышленности стран "
    "БРИКС / Resolution RCWG/RES/2024/1: transmittal to the Meeting of BRICS Ministers of "
    "Industry",
    "向金砖国家工业部长会议转交第RCWG/RES/2024/1号决议 / Препровождение резолюции "
    "RCWG/RES/2024/1 Совещанию министров промышленности стран БРИКС",
])
def test_the_reported_subjects_keep_every_space(subject: str) -> None:
    got, display, data = _roundtrip(subject, "Совещание министров промышленности стран БРИКС")
    assert got == subject
    assert "Совещанию министров промышленности стран БРИКС" in got
    assert display == "Совещание министров промышленности стран БРИКС"
    assert all(len(line) <= 78 for line in _header_lines(data))
    assert len(subject) > 100


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)),
                min_size=4, max_size=60),
       st.integers(min_value=60, max_value=200),
       st.lists(st.sampled_from(WORDS[:12]), min_size=1, max_size=7))
def test_any_non_ascii_subject_of_60_to_200_characters_parses_back(
        pieces: list[tuple[str, str]], length: int, name: list[str]) -> None:
    subject = "".join(w + s for w, s in pieces)[:length]
    if len(subject) < 60 or subject.isascii():
        subject = ("Совещание министров промышленности " + subject)[:max(60, length)]
    display = " ".join(name)
    got, got_display, data = _roundtrip(subject, display)
    assert got == subject
    assert got_display == display
    assert all(len(line) <= 78 for line in _header_lines(data))
    assert all(line.isascii() for line in _header_lines(data))


def test_a_plain_ascii_subject_stays_readable() -> None:
    subject = "Resolution RCWG/RES/2024/1: transmittal to the Meeting of BRICS Ministers"
    got, _, data = _roundtrip(subject, "Secretariat")
    assert got == subject
    assert b"Subject: Resolution RCWG/RES/2024/1: transmittal" in data
