"""The hostile input corpus (``tests/corpus``) through the CLI: every malformed, huge or
malicious YAML source and DOCX package is refused with a one-line error that names the
file (and the field), exit 1, and nothing written — same row counts in every table, no new
file in the workspace. Names we read or write (member ids, symbols, ids, output folders)
cannot leave their folder."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FROZEN_NOW, Cli, make_workspace
from tests.reliability.helpers import draft, files_under, row_counts

CORPUS = Path(__file__).parent.parent / "corpus"
sys.path.insert(0, str(CORPUS))
import make_corpus  # noqa: E402

YAML_FILES = sorted((CORPUS / "yaml").glob("*.yaml"))
DOCX_FILES = sorted((CORPUS / "docx").glob("*.docx"))


def _expect(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")


def assert_refused(ws: Cli, args: list[str], expect: str, *, names: str | None = None,
                   code: int = 1) -> str:
    """Run; require exit ``code``, one line naming ``names``, and nothing written."""
    before_rows, before_files = row_counts(ws.root), files_under(ws.root)
    result = ws(args, code=None)
    output = result.output.strip()
    assert result.exit_code == code, f"{args} exited {result.exit_code}: {output}"
    if code == 1:
        assert len(output.splitlines()) == 1, f"not one line: {output!r}"
    else:  # click's usage error: usage line, hint, then the one-line error
        assert output.splitlines()[-1].startswith("Error: "), output
    assert expect in output, output
    if names:
        assert names in output, f"the error does not name {names}: {output}"
    assert "Traceback" not in output
    assert row_counts(ws.root) == before_rows, f"{args} wrote rows"
    assert files_under(ws.root) == before_files, f"{args} wrote files"
    return output


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, str]]:
    """One workspace for the whole module (refusals write nothing, so they can share it):
    a draft resolution, then circulated, so comment forms can be imported."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER"):
            mp.delenv(name, raising=False)
        mp.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
        tmp = tmp_path_factory.mktemp("hostile")
        ws = make_workspace(tmp / "ws")
        symbol = draft(ws, tmp)
        ws(["circulate", symbol, "--reviewer", "rev-ru"])
        yield ws, symbol


def test_corpus_is_complete_and_small() -> None:
    assert len(YAML_FILES) == len(make_corpus.YAML_CASES) >= 35
    assert len(DOCX_FILES) == len(make_corpus.DOCX_EXPECT) >= 10
    assert all(p.stat().st_size < 1024 * 1024 for p in YAML_FILES + DOCX_FILES)


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: p.stem)
def test_yaml_corpus_refused_by_new(shared: tuple[Cli, str], path: Path) -> None:
    assert_refused(shared[0], ["new", str(path)], _expect(path), names=path.name)


def test_yaml_corpus_refused_by_edit(ws_sqlite: Cli, tmp_path: Path) -> None:
    """Every case against an existing draft: no new version, no file."""
    symbol = draft(ws_sqlite, tmp_path)
    for path in YAML_FILES:
        if path.stem.startswith("symbol-"):
            continue  # a symbol in the file is checked against the resolution's own
        assert_refused(ws_sqlite, ["edit", symbol, str(path)], _expect(path), names=path.name)


@pytest.mark.slow
def test_big_inputs_refused(shared: tuple[Cli, str], tmp_path: Path) -> None:
    """10 MB paragraph, 3 MB source, a million and half a million levels of nesting,
    invalid UTF-8, a DOCX zip bomb of 1 GiB: each refused quickly, nothing written."""
    import time

    for name, (expect, path) in make_corpus.build_big(tmp_path / "big").items():
        args = (["new", "--from-docx", str(path), "--lang", "en"] if name.endswith(".docx")
                else ["new", str(path)])
        started = time.monotonic()
        assert_refused(shared[0], args, expect, names=path.name)
        print(f"{name}: refused in {time.monotonic() - started:.1f} s")
        assert time.monotonic() - started < 15, f"{name} took too long to refuse"


@pytest.mark.parametrize("path", DOCX_FILES, ids=lambda p: p.stem)
def test_docx_corpus_refused_by_new(shared: tuple[Cli, str], path: Path) -> None:
    assert_refused(shared[0], ["new", "--from-docx", str(path), "--lang", "en"],
                   make_corpus.DOCX_EXPECT[path.stem], names=path.name)


def test_docx_corpus_refused_as_comment_forms(shared: tuple[Cli, str]) -> None:
    ws, symbol = shared
    for path in DOCX_FILES:
        assert_refused(ws, ["comments", "import", symbol, str(path)], "",
                       names=path.name)


HOSTILE_NAMES = ["../evil", "../../etc/passwd", "a/b", "/abs", "..", ".", "a\\b", 'quo"te',
                 "it's", "-rf", "x" * 65, "Upper", "sp ace", "nul\x00x", "rtl\u202ex", ""]


@pytest.mark.parametrize("member_id", HOSTILE_NAMES)
def test_hostile_member_ids_refused(shared: tuple[Cli, str], member_id: str) -> None:
    assert_refused(shared[0], ["member", "add", member_id, "--name", "X", "--role", "reviewer"],
                   "", code=2 if member_id.startswith("-") else 1)


@pytest.mark.parametrize("member_id", ["../evil", "../../x", "a/b", 'q"x'])
def test_hostile_member_ids_in_key_commands(shared: tuple[Cli, str], tmp_path: Path,
                                            member_id: str) -> None:
    secret = tmp_path / "p.pass"
    secret.write_text("irrelevant-passphrase\n")
    assert_refused(shared[0], ["keys", "issue", member_id, "--ca-passphrase-file", str(secret),
                               "--passphrase-file", str(secret)], "")
    assert_refused(shared[0], ["sign", "1", "--by", member_id, "--passphrase-file", str(secret)], "")


@pytest.mark.parametrize("ref", ["../../etc/passwd", "RCWG/../x", "1; DROP TABLE resolutions",
                                 "' OR '1'='1", "99999999999999999999999", "²", "٣"])
def test_hostile_refs_refused(shared: tuple[Cli, str], tmp_path: Path, ref: str) -> None:
    assert_refused(shared[0], ["show", ref], "no resolution")
    assert_refused(shared[0], ["render", ref, "--stage", "draft", "--format", "docx", "-o",
                               str(tmp_path / "o")], "no resolution")
    assert not (tmp_path / "o").exists()


def test_deep_flow_nesting_is_refused_fast() -> None:
    """Regression: ruamel needs ~6 s per thousand levels of '['; the loader now refuses
    nesting deeper than 64 before parsing (10 KB of '[' took 30 s)."""
    import time

    from drafts.errors import SourceError
    from drafts.source import load

    started = time.monotonic()
    with pytest.raises(SourceError, match="nested too deeply"):
        load("[" * 5000 + "]" * 5000, "deep.yaml")
    assert time.monotonic() - started < 1


def test_output_folder_is_where_the_user_said_and_names_stay_inside(ws_sqlite: Cli,
                                                                     tmp_path: Path) -> None:
    """`-o ../../x` is the user's choice of folder and is honoured as given; every file we
    name from data (symbol with '/', member ids) lands inside it, never beside or above."""
    import os

    symbol = draft(ws_sqlite, tmp_path)
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    cwd = os.getcwd()
    os.chdir(work)
    try:
        before = files_under(tmp_path)
        out = ws_sqlite(["render", symbol, "--stage", "draft", "--format", "docx", "-o",
                         "../../x"]).output
        ws_sqlite(["export-akn", symbol, "-o", "../../x/akn.xml"])
    finally:
        os.chdir(cwd)
    new = {Path(p) for p in files_under(tmp_path) - before}
    target = (tmp_path / "x").resolve()
    outside = [p for p in new if target not in p.resolve().parents
               and not str(p).startswith(str(ws_sqlite.root))]
    assert not outside, outside
    assert {p.name for p in new if target in p.resolve().parents} == {
        "RCWG-RES-2024-1_v1_draft_ru-zh-en.docx", "akn.xml"}, out
