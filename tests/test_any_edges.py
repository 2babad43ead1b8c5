"""``Any`` only at the library edges: a product function whose signature (a parameter or
the return) carries ``typing.Any`` — ``dict[str, Any]`` and module-level aliases of ``Any``
included — fails this test unless its module is on the list below, with the number of such
functions it may have and the reason. The number holds the line: a module may go below it
(then lower it), never above. ``python scripts/any_signatures.py --list [PATH]`` shows
which functions they are."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]

#: reasons a module's signatures may still carry ``Any``
OTHERS = ("not yet typed: changed on other branches this round (cli.py, workflow/store, "
          "review, drafting, search); typed when they land")
PENDING = "not yet typed: this issue, next step"

#: module: (functions whose signature may carry Any, why)
BUDGET: dict[str, tuple[int, str]] = {
    # cli.py
    "cli.py": (15, OTHERS),
    "workflow/drafting/bases.py": (1, OTHERS),
    "workflow/drafting/checks.py": (1, OTHERS),
    "workflow/drafting/diffing.py": (2, OTHERS),
    "workflow/drafting/resolutions.py": (1, OTHERS),
    "workflow/drafting/translations.py": (1, OTHERS),
    "workflow/drafting/waivers.py": (1, OTHERS),
    "workflow/drafting/xliff.py": (4, OTHERS),
    "workflow/review/annotations.py": (3, OTHERS),
    "workflow/review/returned.py": (1, OTHERS),
    "workflow/search/query.py": (4, OTHERS),
    "workflow/store/audit.py": (4, OTHERS),
    "workflow/store/blobs.py": (4, OTHERS),
    "workflow/store/chain.py": (7, OTHERS),
    "workflow/store/config.py": (9, OTHERS),
    "workflow/store/crosscheck.py": (9, OTHERS),
    "workflow/store/factcheck.py": (2, OTHERS),
    "workflow/store/facts.py": (12, OTHERS),
    "workflow/store/failures.py": (10, OTHERS),
    "workflow/store/files.py": (2, OTHERS),
    "workflow/store/models.py": (3, OTHERS),
    "workflow/store/parsed.py": (7, OTHERS),
    "workflow/store/reads.py": (5, OTHERS),
    "workflow/store/rowhash.py": (6, OTHERS),
    "workflow/store/search_index.py": (2, OTHERS),
    "workflow/store/settings.py": (8, OTHERS),
    "workflow/store/setup.py": (2, OTHERS),
    "workflow/store/texts.py": (1, OTHERS),
    "workflow/store/verify_reads.py": (3, OTHERS),
    "workflow/store/workspace.py": (2, OTHERS),
    # workflow/
    "drafts/akn/amendment.py": (1, PENDING),
    "drafts/akn/export.py": (6, PENDING),
    "drafts/akn/meta.py": (2, PENDING),
    "drafts/annotated_pdf.py": (5, PENDING),
    "drafts/comment_form.py": (9, PENDING),
    "drafts/merge.py": (1, PENDING),
    "drafts/parity/core.py": (1, PENDING),
    "drafts/parity/rules.py": (3, PENDING),
    "drafts/source.py": (11, PENDING),
    "drafts/word/placing.py": (1, PENDING),
    "drafts/word/reading.py": (4, PENDING),
    "drafts/xliff/read.py": (3, PENDING),
    "drafts/xliff/write.py": (4, PENDING),
    "drafts/xsd.py": (1, PENDING),
    "signatures/__init__.py": (1, PENDING),
    "signatures/cms.py": (3, PENDING),
    "signatures/ltv.py": (7, PENDING),
    "signatures/pades.py": (5, PENDING),
    "signatures/revocation.py": (5, PENDING),
    "signatures/signer.py": (3, PENDING),
    "signatures/stamp.py": (3, PENDING),
    "signatures/tail.py": (6, PENDING),
    "signatures/tsa.py": (5, PENDING),
    "signatures/verdict.py": (5, PENDING),
    "signatures/verify.py": (11, PENDING),
    "templates/events.py": (3, PENDING),
    "templates/jinja.py": (1, PENDING),
    "templates/pdf/positions.py": (6, PENDING),
    "templates/pdf/prewarm.py": (1, PENDING),
    "templates/pdf/printing.py": (3, PENDING),
    "templates/pdf/render.py": (1, PENDING),
    "templates/room.py": (1, PENDING),
    "templates/word/context.py": (2, PENDING),
    "templates/word/render.py": (6, PENDING),
    "workflow/delivery/submission.py": (1, PENDING),
    "workflow/demo.py": (2, PENDING),
    "workflow/dossier/checks.py": (13, PENDING),
    "workflow/dossier/export.py": (11, PENDING),
    "workflow/dossier/howto.py": (2, PENDING),
    "workflow/dossier/packages.py": (6, PENDING),
    "workflow/dossier/plan.py": (10, PENDING),
    "workflow/dossier/premis.py": (10, PENDING),
    "workflow/dossier/report.py": (2, PENDING),
    "workflow/dossier/room.py": (12, PENDING),
    "workflow/dossier/rows.py": (8, PENDING),
    "workflow/dossier/seal.py": (10, PENDING),
    "workflow/dossier/verify.py": (1, PENDING),
    "workflow/lifecycle/facts.py": (7, PENDING),
    "workflow/lifecycle/machine.py": (1, PENDING),
    "workflow/lifecycle/parity.py": (1, PENDING),
    "workflow/lifecycle/steps.py": (3, PENDING),
    "workflow/presenting/hits.py": (2, PENDING),
    "workflow/presenting/reports.py": (12, PENDING),
    "workflow/presenting/tables.py": (17, PENDING),
    "workflow/presenting/terminal.py": (3, PENDING),
    "workflow/presenting/texts.py": (1, PENDING),
    "workflow/reading.py": (2, PENDING),
    "workflow/rows.py": (5, PENDING),
    "workflow/signing/archive.py": (2, PENDING),
    "workflow/signing/binding.py": (5, PENDING),
    "workflow/signing/completion.py": (1, PENDING),
    "workflow/signing/keys.py": (9, PENDING),
    "workflow/signing/roots.py": (1, PENDING),
    "workflow/signing/seal.py": (2, PENDING),
    "workflow/signing/sign.py": (7, PENDING),
    "workflow/signing/statements.py": (3, PENDING),
    "workflow/signing/trust.py": (4, PENDING),
    "workflow/signing/verify.py": (5, PENDING),
    "workflow/verification.py": (2, PENDING),
}


def _scanner() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "any_signatures", ROOT / "scripts" / "any_signatures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_any_appears_only_where_the_list_allows_it() -> None:
    scanner = _scanner()
    found: dict[str, list[str]] = scanner.scan(scanner.product_sources(ROOT), ROOT)
    over = [f"{module}: {len(names)} functions carry Any, {BUDGET.get(module, (0, ''))[0]} "
            f"allowed ({', '.join(names)})"
            for module, names in sorted(found.items())
            if len(names) > BUDGET.get(module, (0, ""))[0]]
    assert over == [], "\n".join(over)


def test_the_list_names_no_module_without_any() -> None:
    """An entry whose module no longer carries ``Any`` (or no longer exists) is removed, so
    the list says where ``Any`` is today."""
    scanner = _scanner()
    found = scanner.scan(scanner.product_sources(ROOT), ROOT)
    assert sorted(set(BUDGET) - set(found)) == []


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
