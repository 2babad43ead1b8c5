"""Views of the trilingual fixture resolution and readers for rendered DOCX packages."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from drafts.model import Resolution
from drafts.source import load
from templates.view import (
    ApprovalView,
    BodyView,
    CommentView,
    DocumentView,
    SignatoryView,
    build_view,
)

HERE = Path(__file__).parent
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS
NS = {"w": W_NS}
DATE = dt.date(2024, 9, 26)

BODY = BodyView(
    code="brics-higher-council",
    names={"ru": "Высший совет БРИКС", "zh": "金砖国家最高理事会",
           "en": "Higher Council of BRICS"},
    enacting={"ru": "Высший совет БРИКС,", "zh": "金砖国家最高理事会，",
              "en": "The Higher Council of BRICS,"},
    address="secretariat@higher-council.brics.example",
    dative={"ru": "Высшему совету БРИКС", "en": "the Higher Council of BRICS"},
    latin_names=True, ru_lower_openers=True,
)
SIGNATORIES = (
    SignatoryView("ivanov", {"ru": "И. И. Иванов", "zh": "伊万诺夫", "en": "I. I. Ivanov"},
                  "Moscow State University", "ru", "Co-chair"),
    SignatoryView("li", {"ru": "Ли Вэй", "zh": "李伟", "en": "Li Wei"},
                  "Peking University", "zh", "Co-chair"),
)
COMMENTS = (
    CommentView("c1", "OP 1", "OP 1", "Li Wei", "zh", "te", "应增加封装环节。",
                "建立生产和封装芯片的合资企业", "accepted", "Taken into account"),
    CommentView("c2", "PP 1", "PP 1", "И. И. Иванов", "ru", "ed", "Уточнить формулировку.",
                "", "rejected", "Текст согласован ранее"),
)
APPROVALS = (
    ApprovalView("ivanov", "И. И. Иванов", "ru", "approved", "2024-09-27T10:00:00+00:00"),
    ApprovalView("li", "Li Wei", "zh", "approved", "2024-09-27T11:00:00+00:00",
                 note="同意", signed_statement="ab" * 32),
)


def fixture_resolution(name: str = "resolution-v1.yaml") -> Resolution:
    path = HERE / name
    resolution, _ = load(path.read_text(encoding="utf-8"), str(path))
    return resolution


def docx_view(stage: str, *, layout: str = "parallel", languages: tuple[str, ...] | None = None,
              resolution: Resolution | None = None, **overrides: Any) -> DocumentView:
    """A view of the fixture (version 1; a redline compares it with version 2)."""
    current = resolution or fixture_resolution(
        "resolution-v2.yaml" if stage == "redline" else "resolution-v1.yaml")
    kwargs: dict[str, Any] = dict(
        stage=stage, version=2 if stage == "redline" else 1, body=BODY, date=DATE,
        languages=languages, layout=layout,
        working_group={"en": "Russian–Chinese working group on microelectronics",
                       "ru": "Российско-китайская рабочая группа по микроэлектронике",
                       "zh": "中俄微电子工作组"},
        reviewer="Li Wei", reviewer_id="li", signatories=SIGNATORIES, comments=COMMENTS,
        approvals=APPROVALS,
        extra={"Resolution RCWG/RES/2024/1": "ru, zh, en", "Roadmap (annex)": "",
               "_note": "not an enclosure"},
    )
    if stage == "redline":
        kwargs.update(previous=fixture_resolution("resolution-v1.yaml"), previous_version=1)
    kwargs.update(overrides)
    return build_view(current, **kwargs)


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def part_names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


def xml(data: bytes, name: str = "word/document.xml") -> Any:
    return etree.fromstring(part(data, name))


def parts_xml(data: bytes, prefix: str) -> list[Any]:
    return [xml(data, name) for name in part_names(data)
            if name.startswith(prefix) and name.endswith(".xml")]


def paragraph_text(p: Any) -> str:
    """Text of a paragraph or run; tabs inside runs as \\t (tab stops are not text)."""
    return "".join(node.text or "" if node.tag == W + "t" else "\t"
                   for node in p.iter(W + "t", W + "tab")
                   if node.tag == W + "t" or node.getparent().tag == W + "r")


def texts(root: Any) -> list[str]:
    """Text of every paragraph (deleted text excluded), in order."""
    return [paragraph_text(p) for p in root.iter(W + "p")]


def runs_of(p: Any) -> list[Any]:
    return list(p.iter(W + "r"))


def find_paragraph(root: Any, startswith: str) -> Any:
    for p in root.iter(W + "p"):
        if paragraph_text(p).startswith(startswith):
            return p
    raise AssertionError(f"no paragraph starts with {startswith!r}")


def has(rpr: Any, tag: str) -> bool:
    if rpr is None:
        return False
    node = rpr.find(W + tag)
    return node is not None and node.get(W + "val", "true") not in ("0", "false")


def table_rows(table: Any) -> list[list[str]]:
    return [["\n".join(paragraph_text(p) for p in tc.iter(W + "p"))
             for tc in tr.findall(W + "tc")] for tr in table.findall(W + "tr")]


def tables(root: Any) -> list[Any]:
    return root.findall(f".//{W}tbl")
