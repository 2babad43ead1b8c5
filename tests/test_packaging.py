"""The package as installed: exactly its top-level names (four packages and the command
line's three modules), templates as package data,
the import direction enforced, read commands free of heavy imports, every imported library
declared with a floor the suite runs on, and ``drafts/``, ``signatures/``, ``templates/``
and the state machine clean under ``mypy --strict``."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: the command line: the table (cli), the hot commands without click (the package
#: cli_hot), the console script (cli_main)
CLI_MODULES = ("cli.py", "cli_hot", "cli_main.py")
HOT_SOURCES = sorted((ROOT / "cli_hot").glob("*.py"))


def test_wheel_holds_exactly_the_top_level_names(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("brics_resolutions-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {*CLI_MODULES, "workflow", "drafts", "signatures", "templates"}
    # package data travels with the code
    assert any(n.startswith("templates/html/") and n.endswith(".html") for n in names)
    assert any(n.startswith("templates/css/") and n.endswith(".css") for n in names)
    assert any(n.startswith("templates/docx/") and n.endswith(".docx") for n in names)
    assert "workflow/bodies.toml" in names
    assert any(n.startswith("workflow/store/migrations/versions/0001") for n in names)
    # every module of the source tree is in the wheel (a sub-package left out of
    # pyproject's explicit list would install without it)
    for top_name in ("workflow", "drafts", "signatures", "templates"):
        for module in (ROOT / top_name).rglob("*.py"):
            rel = module.relative_to(ROOT).as_posix()
            if "docx/build_templates" not in rel:
                assert rel in names, f"{rel} is not packaged: list its package in pyproject"
    assert any(n.startswith("drafts/data/akn/") and n.endswith(".xsd") for n in names)
    assert "drafts/data/openers.toml" in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "resolutions = cli_main:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_import_contracts_hold() -> None:
    result = subprocess.run([str(BIN / "lint-imports"), "--config", str(ROOT / "pyproject.toml")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lint_clean_including_the_banned_imports_rule() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "."],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


HEAVY = ("weasyprint", "pyhanko", "docxtpl", "docx", "alembic")
#: what the read path on the bare driver leaves out besides: the ORM, its validation layer,
#: the YAML parser
ORM = ("sqlmodel", "sqlalchemy", "pydantic", "ruamel")


def _imported_after(args: list[str], workspace: Path, heavy: tuple[str, ...] = HEAVY) -> set[str]:
    code = (
        "import sys\n"
        "from cli import cli\n"
        "try:\n"
        f"    cli.main(args={args!r}, prog_name='resolutions', standalone_mode=True)\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        f"print('MODS:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})))\n"
    )
    env = {"RESOLUTIONS_WORKSPACE": str(workspace), "PATH": "/usr/bin:/bin",
           "RESOLUTIONS_NOW": "2024-09-26T10:00:00+00:00"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if x.startswith("MODS:"))
    return {m.split(".")[0] for m in line.removeprefix("MODS:").split(",") if m}


READS = (["list"], ["list", "--json"], ["show", "1"], ["show", "1", "--json"], ["log", "1"],
         ["status", "1"], ["status", "1", "--json"],
         ["comments", "1"], ["amendments", "1", "--json"], ["member", "list"],
         ["body", "list"], ["submissions", "1"], ["outbox"], ["outbox", "--json"],
         ["search", "микроэлектрон"], ["search", "电子", "--json", "--lang", "zh"])


def test_read_commands_import_no_heavy_module(ws_sqlite, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import fixture_text

    path = tmp_path / "r.yaml"
    path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
    ws_sqlite(["new", str(path)])
    for args in READS:
        assert _imported_after(args, ws_sqlite.root) == set(), args
    # the read commands answer on the bare driver: no ORM, no pydantic, no YAML parser
    # (the version's model comes from the parsed cache, written by the first read)
    assert len(list((ws_sqlite.root / ".resolutions" / "parsed").rglob("*.json"))) == 1
    for args in READS:
        assert _imported_after(args, ws_sqlite.root, HEAVY + ORM) == set(), args


def _imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_boundaries_only_cli_imports_click_and_nothing_imports_cli() -> None:
    owners = {"click": {"cli.py"}, "sqlmodel": {"workflow"}, "pyhanko": {"signatures"},
              "cli": set()}
    for package in ("workflow", "drafts", "signatures", "templates"):
        for path in (ROOT / package).rglob("*.py"):
            used = _imports(path)
            for library, allowed in owners.items():
                if library in used:
                    assert package in allowed, f"{path.relative_to(ROOT)} imports {library}"
    assert "cli" not in _imports(ROOT / "cli.py") - {"cli"}
    # the hot path imports no click and not the table; only the console script loads it
    assert len(HOT_SOURCES) >= 4
    for path in HOT_SOURCES:
        assert not _imports(path) & {"click", "cli", "cli_main"}, path
    assert _imports(ROOT / "cli_main.py") - {"__future__", "sys"} == {"cli", "cli_hot"}
    assert "cli_main" not in _imports(ROOT / "cli.py")


OURS = {"workflow", "drafts", "templates", "signatures", "cli", "cli_hot", "cli_main"}
#: declared without being imported, and why
NOT_IMPORTED = {"psycopg": "the PostgreSQL driver SQLAlchemy loads for postgresql+psycopg://"}


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return ([Requirement(r) for r in project["dependencies"]],
            [Requirement(r) for r in project["optional-dependencies"]["test"]])


def _third_party_imports() -> dict[str, set[str]]:
    """Top-level module -> files of our packages that import it (inside functions too)."""
    found: dict[str, set[str]] = {}
    packages = sorted(OURS - {m.removesuffix(".py") for m in CLI_MODULES})
    paths = [ROOT / "cli.py", ROOT / "cli_main.py", *HOT_SOURCES] + [p for package in packages
                                               for p in sorted((ROOT / package).rglob("*.py"))]
    for path in paths:
        for module in _imports(path) - OURS - set(sys.stdlib_module_names) - {"__future__"}:
            found.setdefault(module, set()).add(path.relative_to(ROOT).as_posix())
    return found


def test_every_imported_library_is_declared_as_a_runtime_dependency() -> None:
    runtime, _ = _requirements()
    declared = {_normalised(r.name) for r in runtime}
    providers = packages_distributions()
    imported = _third_party_imports()
    assert {"sqlmodel", "jinja2", "markupsafe", "asn1crypto"} <= set(imported)
    used: set[str] = set()
    for module, files in sorted(imported.items()):
        dists = {_normalised(d) for d in providers.get(module, [])}
        assert dists, f"{module} (imported by {sorted(files)[0]}) is not installed"
        assert dists & declared, (f"{module} (imported by {', '.join(sorted(files)[:3])}) comes "
                                  f"from {', '.join(sorted(dists))}, which pyproject's "
                                  "[project] dependencies do not declare")
        used |= dists & declared
    unused = declared - used - set(NOT_IMPORTED)
    assert not unused, (f"{', '.join(sorted(unused))} declared for runtime but imported by none "
                        "of our packages: move it to the test extras or drop it")


def test_floors_are_versions_the_suite_runs_on() -> None:
    runtime, test = _requirements()
    assert "bagit" in {_normalised(r.name) for r in test}
    for requirement in runtime + test:
        floors = [s.version for s in requirement.specifier if s.operator == ">="]
        assert floors, f"{requirement} has no floor (>=)"
        installed = version(requirement.name)
        assert requirement.specifier.contains(installed, prereleases=True), (
            f"{requirement}: the suite runs on {installed}")


#: what runs under mypy --strict: every package and the command line (the Alembic
#: migration scripts aside); kept equal to ``[tool.mypy] files``
STRICT = ["drafts/", "signatures/", "templates/", "workflow/", *CLI_MODULES]


@pytest.mark.slow
def test_typed_packages_pass_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", *STRICT],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues found" in result.stdout


def test_mypy_config_checks_what_the_suite_checks() -> None:
    """A bare ``mypy`` run (editor, pre-commit) covers exactly the strict list above."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["tool"]["mypy"]["strict"] is True
    assert sorted(config["tool"]["mypy"]["files"]) == sorted(p.rstrip("/") for p in STRICT)


def _product_sources() -> list[Path]:
    """Every product package (the five installed names: the workflow, ``cli.py`` and the
    libraries it calls for sources, documents and signatures; migrations excluded)."""
    root = Path(__file__).resolve().parents[1]
    paths = [p for folder in ("workflow", "drafts", "signatures", "templates")
             for p in sorted((root / folder).rglob("*.py")) if "migrations" not in p.parts]
    return [*paths, root / "cli.py", root / "cli_main.py", *HOT_SOURCES]


def test_no_product_function_is_over_sixty_lines() -> None:
    """Orchestrators read like a table of contents: every function, method and nested
    function of the workflow, the command line, ``drafts/``, ``signatures/`` and
    ``templates/`` fits in 60 lines (docstring included)."""
    import ast

    root = Path(__file__).resolve().parents[1]
    long = []
    for path in _product_sources():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 60:
                    long.append(f"{path.relative_to(root)}:{node.lineno} {node.name} "
                                f"({lines} lines)")
    assert long == [], long

