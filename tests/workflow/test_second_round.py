"""Round 2 review copies: a redline against the version each reviewer last saw, and the
fate of each of their comments (their rows of the matrix); the mail says the same.
`render --stage redline --from N [--to M]` compares any two versions."""

from __future__ import annotations

import email
import subprocess
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest

from tests.conftest import Cli, fixture_text, module_workspace
from workflow.app import App

pytestmark = pytest.mark.slow  # several workspaces on both backends / PDFs rendered

SOURCE = fixture_text("trilingual.yaml")
V2 = (SOURCE.replace("подготовить дорожную карту до 2030 года",
                     "подготовить дорожную карту до конца 2030 года")
      .replace("a roadmap until 2030", "a roadmap until the end of 2030")
      .replace("至2030年的路线图", "至2030年底的路线图"))
V3 = (V2.replace("to remain seized of the matter", "to remain actively seized of the matter")
      .replace("продолжать заниматься этим вопросом", "продолжать активно заниматься этим вопросом")
      .replace("继续处理此事项", "继续积极处理此事项"))


def pdf_text(data: bytes, tmp: Path) -> str:
    path = tmp / "x.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def mails(root: Path) -> dict[tuple[str, str], email.message.EmailMessage]:
    """(round, reviewer) → the review-copy message in the outbox."""
    out = {}
    for path in (root / ".resolutions" / "outbox").glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        out[(msg["X-Resolutions-Round"], msg["X-Resolutions-Reviewer"])] = msg
    return out


def attachment(msg: email.message.EmailMessage, suffix: str) -> bytes:
    [data] = [p.get_content() for p in msg.iter_attachments()
              if (p.get_filename() or "").endswith(suffix)]
    return data


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, str, Path]]:
    """Round 1 on v1 (rev-ru, rev-zh; three comments decided), v2 and v3 edited, round 2 on
    v3 (rev-ru, rev-zh and rev-new, who never saw the text)."""
    root = tmp_path_factory.mktemp("rounds")
    with module_workspace(root / "ws") as ws:
        ws(["member", "add", "rev-new", "--name", "Иванова Мария", "--delegation", "ru",
            "--email", "rev-new@wg.example", "--lang", "ru", "--role", "reviewer"])
        src = root / "r.yaml"
        src.write_text(SOURCE, encoding="utf-8")
        symbol = ws(["new", str(src)]).output.split()[0]
        ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"])
        ws(["comment", symbol, "--by", "rev-ru", "--ref", "OP 2", "--type", "te",
            "--text", "Уточнить срок", "--proposal", "до конца 2030 года"])
        ws(["comment", symbol, "--by", "rev-ru", "--ref", "OP 1(а)", "--type", "ed",
            "--text", "Лишняя запятая"])
        ws(["comment", symbol, "--by", "rev-zh", "--ref", "OP 3", "--type", "ge",
            "--text", "建议加强措辞"])
        ws(["dispose", symbol, "1", "--accept", "--note", "Срок уточнён в п. 2"])
        ws(["dispose", symbol, "2", "--reject", "--note", "Запятая нужна по правилам"])
        ws(["dispose", symbol, "3", "--partial", "--note", "措辞已部分加强"])
        ws(["close-review", symbol, "--changes"])
        for n, text in ((2, V2), (3, V3)):
            src.write_text(text, encoding="utf-8")
            ws(["edit", symbol, str(src), "--note", f"v{n}"])
        ws(["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh",
            "--reviewer", "rev-new"])
        yield ws, symbol, root


def test_round_two_copy_is_a_redline_against_the_version_the_reviewer_saw(
        two_rounds: tuple[Cli, str, Path], tmp_path: Path) -> None:
    ws, _, _ = two_rounds
    msg = mails(ws.root)[("2", "rev-ru")]
    text = pdf_text(attachment(msg, ".pdf"), tmp_path)
    assert "Изменения по сравнению с версией 1, рассмотренной Вами в раунде 1" in text
    # both OP 2 (changed in v2) and OP 3 (changed in v3) are marked: the base is v1, not v2
    flat = " ".join(text.split())
    # (the watermark's letters and hyphenation may split a marker: count its start)
    assert flat.count("[из") == 2, flat
    assert "до конца 2030 года; [из" in flat
    # their comments and what became of them; the other reviewer's comment is not there
    assert "Ваши замечания и решения по ним" in flat
    assert "Уточнить срок" in flat and "Срок уточнён в п. 2" in flat
    assert "Лишняя запятая" in flat and "Запятая нужна по правилам" in flat
    assert "принято Срок уточнён" in flat and "отклонено Запятая нужна" in flat
    assert "建议加强措辞" not in flat
    # round 1 copy stayed as it was: no redline, no comments
    first = " ".join(pdf_text(attachment(mails(ws.root)[("1", "rev-ru")], ".pdf"),
                              tmp_path).split())
    assert "Изменения" not in first and "Ваши замечания" not in first


def test_each_reviewer_sees_their_own_comments_in_their_language(
        two_rounds: tuple[Cli, str, Path], tmp_path: Path) -> None:
    ws, _, _ = two_rounds
    flat = " ".join(pdf_text(attachment(mails(ws.root)[("2", "rev-zh")], ".pdf"),
                             tmp_path).split())
    assert "自您在第1轮审阅的第1版以来的修改" in flat
    assert "建议加强措辞" in flat and "措辞已部分加强" in flat and "部分接受" in flat
    assert "Уточнить срок" not in flat and "Лишняя запятая" not in flat


def test_a_reviewer_new_in_round_two_gets_a_clean_copy(two_rounds: tuple[Cli, str, Path],
                                                        tmp_path: Path) -> None:
    ws, _, _ = two_rounds
    msg = mails(ws.root)[("2", "rev-new")]
    flat = " ".join(pdf_text(attachment(msg, ".pdf"), tmp_path).split())
    assert "[из" not in flat and "Изменения" not in flat
    assert "Ваши замечания" not in flat
    assert "до конца 2030 года" in flat
    body = msg.get_body(("plain",)).get_content()
    assert "Изменения по сравнению" not in body and "Ваши замечания" not in body


def test_the_mail_says_what_changed_and_how_comments_were_decided(
        two_rounds: tuple[Cli, str, Path]) -> None:
    ws, _, _ = two_rounds
    ru = mails(ws.root)[("2", "rev-ru")].get_body(("plain",)).get_content()
    assert ("Изменения по сравнению с версией 1, которую Вы рассматривали в раунде 1, "
            "отмечены в Вашем экземпляре (изменено пунктов: 2).") in ru
    assert "Ваши замечания (2): принято — 1, отклонено — 1" in ru
    zh = mails(ws.root)[("2", "rev-zh")].get_body(("plain",)).get_content()
    assert "自您在第1轮审阅的第1版以来的修改（共2处段落）" in zh and "部分接受1条" in zh


def test_render_redline_between_any_two_versions(two_rounds: tuple[Cli, str, Path],
                                                 tmp_path: Path) -> None:
    ws, symbol, _ = two_rounds
    out = ws(["render", symbol, "--stage", "redline", "--from", "1", "--lang", "en",
              "-o", str(tmp_path)]).stdout.strip()
    assert out.endswith("_v1-3_redline_en.pdf")
    flat = " ".join(pdf_text(Path(out).read_bytes(), tmp_path).split())
    assert "Changes from version 1 to version 3" in flat
    assert "end of 2030; [amended]" in flat and "actively seized of the matter. [amended]" in flat
    out = ws(["render", symbol, "--stage", "redline", "--from", "2", "--to", "3", "--lang",
              "en", "-o", str(tmp_path)]).stdout.strip()
    flat = " ".join(pdf_text(Path(out).read_bytes(), tmp_path).split())
    assert "Changes from version 2 to version 3" in flat
    assert flat.count("[amended]") == 1 and "end of 2030; [amended]" not in flat
    # the default is still the version before
    out = ws(["render", symbol, "--stage", "redline", "--lang", "en", "-o",
              str(tmp_path)]).stdout.strip()
    assert out.endswith("_v3_redline_en.pdf")


@pytest.mark.parametrize("args, message", [
    (["--from", "9"], "has no version 9 (versions 1–3)"),
    (["--from", "1", "--to", "7"], "has no version 7 (versions 1–3)"),
    (["--from", "3"], "--from 3 is not before version 3"),
    (["--from", "3", "--to", "2"], "--from 3 is not before version 2"),
])
def test_render_redline_names_what_cannot_be_compared(two_rounds: tuple[Cli, str, Path],
                                                      tmp_path: Path, args: list[str],
                                                      message: str) -> None:
    ws, symbol, _ = two_rounds
    out = ws(["render", symbol, "--stage", "redline", "-o", str(tmp_path)] + args,
             code=1).output
    assert message in out and len(out.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.pdf"))


def test_render_from_is_for_redlines_only(two_rounds: tuple[Cli, str, Path],
                                          tmp_path: Path) -> None:
    ws, symbol, _ = two_rounds
    assert "--from and --to go with --stage redline" in ws(
        ["render", symbol, "--stage", "draft", "--from", "1", "-o", str(tmp_path)],
        code=2).output
    ws(["render", symbol, "--stage", "redline", "--to", "3", "--version", "2"], code=2)


def test_history_service(two_rounds: tuple[Cli, str, Path]) -> None:
    from workflow.documents.history import Seen, last_seen, summary, their_comments
    from workflow.lifecycle.records import last_round

    ws, symbol, _ = two_rounds
    app = App.open(ws.root)
    try:
        with app.read() as session:
            row = app.resolution(session, symbol)
            rnd = last_round(session, row)
            assert rnd is not None and rnd.number == 2 and rnd.version_number == 3
            assert last_seen(session, row, "rev-ru", rnd) == Seen(1, 1)
            assert last_seen(session, row, "rev-new", rnd) is None
            mine = their_comments(session, row, "rev-ru", rnd)
            assert [(n, c.number, c.disposition) for n, c in mine] == [
                (1, 1, "accepted"), (1, 2, "rejected")]
            assert their_comments(session, row, "rev-new", rnd) == []
            en = summary("en", Seen(1, 1), 2, mine)
            assert en.startswith("Changes since version 1, which you reviewed in round 1")
            assert "Your 2 comment(s): 1 accepted, 1 rejected" in en
            assert summary("en", None, 0, []) == ""
    finally:
        app.db.dispose()


def test_the_word_review_copy_carries_tracked_changes(two_rounds: tuple[Cli, str, Path],
                                                      tmp_path: Path) -> None:
    import zipfile

    ws, symbol, _ = two_rounds
    out = ws(["render", symbol, "--stage", "review", "--reviewer", "rev-ru", "--format", "docx",
              "--lang", "ru", "-o", str(tmp_path)]).stdout.strip()
    xml = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    assert "<w:ins " in xml and "конца" in xml.split("<w:ins ", 1)[1]
    fresh = ws(["render", symbol, "--stage", "review", "--reviewer", "rev-new", "--format",
                "docx", "--lang", "ru", "-o", str(tmp_path)]).stdout.strip()
    assert "<w:ins " not in zipfile.ZipFile(fresh).read("word/document.xml").decode("utf-8")


def test_render_service_compares_the_versions_asked_for(two_rounds: tuple[Cli, str, Path],
                                                        tmp_path: Path) -> None:
    from workflow.documents.rendering import render
    from workflow.errors import InvalidInput, NotFound

    ws, symbol, _ = two_rounds
    app = App.open(ws.root)
    try:
        [(path, _)] = render(app, symbol, stage="redline", formats=["docx"], languages=["en"],
                             layout=None, out_dir=tmp_path, version=2, since=1)
        assert path.name.endswith("_v1-2_redline_en.docx")
        with pytest.raises(NotFound, match="has no version 8"):
            render(app, symbol, stage="redline", formats=["pdf"], languages=["en"],
                   layout=None, out_dir=tmp_path, since=8)
        with pytest.raises(InvalidInput, match="--from 2 is not before version 1"):
            render(app, symbol, stage="redline", formats=["pdf"], languages=["en"],
                   layout=None, out_dir=tmp_path, version=1, since=2)
    finally:
        app.db.dispose()
