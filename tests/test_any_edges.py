"""``Any`` only at the library edges: a product function whose signature (a parameter or
the return) carries ``typing.Any`` — ``dict[str, Any]`` and module-level aliases of ``Any``
included — fails this test unless its module is on the list below, with the number of such
functions it may have and the reason. The number holds the line: a module may go below it
(then lower it), never above. ``python scripts/any_signatures.py --list [PATH]`` shows
which functions they are.

A class of a library that ships no type information (lxml's ``etree._Element``,
WeasyPrint's boxes, asn1crypto's values; ``[[tool.mypy.overrides]]`` lists them) is named
as the real class: mypy takes it as ``Any``, the reader sees what it is."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]

#: reasons a module's signatures may still carry ``Any``
BAG_JSON = ("JSONObject: the bag's JSON (dossier.json, each resolution's record, "
            "audit/chain.jsonl, rows.jsonl) as json reads it; every value is checked where "
            "it is read, and a wrong one is a named problem")

#: module: (functions whose signature may carry Any, why)
BUDGET: dict[str, tuple[int, str]] = {
    # library and file edges
    "drafts/source.py": (11,
        "ruamel.yaml nodes of the parsed source (mappings, sequences, scalars): the "
        "walker checks each node's type as it reads it and names file and line"),
    "templates/pdf/prewarm.py": (1,
        "_recv: pickle.loads of a message from our own printer child (a tuple whose shape"
        " the caller unpacks)"),
    "workflow/dossier/checks.py": (8, BAG_JSON),
    "workflow/dossier/export.py": (1, BAG_JSON),
    "workflow/dossier/howto.py": (2, BAG_JSON),
    "workflow/dossier/packages.py": (3, BAG_JSON),
    "workflow/dossier/plan.py": (6, BAG_JSON),
    "workflow/dossier/report.py": (2, BAG_JSON),
    "workflow/dossier/rows.py": (6, BAG_JSON),
    "workflow/dossier/seal.py": (5, BAG_JSON),
    "workflow/store/reads.py": (2,
        "Record (its __getattr__): a row of the DB-API driver, whose values sqlite3 and "
        "psycopg type as Any; Reads.__init__: a sqlite3, psycopg or SQLAlchemy-pooled "
        "connection, which share no typed interface"),
    "workflow/signing/trust.py": (1,
        "_index: the trust store's index.json as json reads it (each entry's keys checked"
        " where read)"),
    # click's edge
    "cli.py": (8, "click's edge: a command function as click's decorators take and return it "
               "(Callable[..., Any]: click types a command's callback so), the root group's "
               "make_context/invoke overriding click's own signatures"),
    "cli_hot/params.py": (7, "the click keywords a parameter is declared with (``Param``: "
                          "several types, as click takes them) and the values parsed from "
                          "them"),
}


def _scanner() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "any_signatures", ROOT / "scripts" / "any_signatures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _found() -> dict[str, list[str]]:
    """Module → the functions whose signature carries ``Any``, over the whole product."""
    scanner = _scanner()
    found: dict[str, list[str]] = scanner.scan(scanner.product_sources(ROOT), ROOT)
    return found


def test_any_appears_only_where_the_list_allows_it() -> None:
    found = _found()
    over = [f"{module}: {len(names)} functions carry Any, {BUDGET.get(module, (0, ''))[0]} "
            f"allowed ({', '.join(names)})"
            for module, names in sorted(found.items())
            if len(names) > BUDGET.get(module, (0, ""))[0]]
    assert over == [], "\n".join(over)


def test_the_list_names_no_module_without_any() -> None:
    """An entry whose module no longer carries ``Any`` (or no longer exists) is removed, so
    the list says where ``Any`` is today."""
    assert sorted(set(BUDGET) - set(_found())) == []


def test_the_scanner_sees_any_however_it_is_written(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from __future__ import annotations\n"
        "import typing\n"
        "from typing import Any\n"
        "Loose = dict[str, Any]\n"
        "def direct(x: Any) -> None: ...\n"
        "def nested(x: list[dict[str, Any]]) -> None: ...\n"
        "def returned() -> typing.Any: ...\n"
        "def quoted(x: 'Any') -> None: ...\n"
        "def aliased(x: Loose) -> None: ...\n"
        "def star(*args: Any, **kwargs: Any) -> None: ...\n"
        "class C:\n"
        "    def method(self, x: int) -> Any: ...\n"
        "    def fine(self, x: object) -> dict[str, object]: ...\n"
        "def outer() -> None:\n"
        "    def inner(x: Any) -> None: ...\n", encoding="utf-8")
    assert _scanner().functions_with_any(source) == [
        "direct", "nested", "returned", "quoted", "aliased", "star", "C.method", "outer.inner"]
