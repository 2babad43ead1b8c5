"""Which functions carry ``Any`` in their signature: a parameter or return annotation that
names ``typing.Any`` (``dict[str, Any]`` included), directly or through a module-level
alias of it. ``python scripts/any_signatures.py [--list] [PATH …]`` prints the count per
module (and with ``--list`` each function); the suite holds the line with it
(``tests/test_any_edges.py``)."""

from __future__ import annotations

import ast
import sys
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the product: the four packages and the command line (Alembic migrations aside)
PACKAGES = ("workflow", "drafts", "signatures", "templates")


def product_sources(root: Path = ROOT) -> list[Path]:
    paths = [p for folder in PACKAGES for p in sorted((root / folder).rglob("*.py"))
             if "migrations" not in p.parts]
    return [*paths, root / "cli.py", *sorted((root / "cli_hot").glob("*.py")),
            root / "cli_main.py"]


def _names_any(node: ast.AST | None, aliases: frozenset[str]) -> bool:
    if node is None:
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and (sub.id == "Any" or sub.id in aliases):
            return True
        if isinstance(sub, ast.Attribute) and sub.attr == "Any":
            return True
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            try:
                with warnings.catch_warnings():  # any string is tried as an annotation:
                    warnings.simplefilter("ignore")  # a pattern's "\w" is no warning here
                    quoted = ast.parse(sub.value, mode="eval")
            except SyntaxError:
                continue
            if _names_any(quoted, aliases):
                return True
    return False


def _aliases(tree: ast.Module) -> frozenset[str]:
    """Module-level names bound to a type that contains ``Any`` (``X = dict[str, Any]``,
    ``X: TypeAlias = Any``): an alias of ``Any`` is ``Any``."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) \
                and _names_any(node.value, frozenset()):
            names.add(node.targets[0].id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and _names_any(node.value, frozenset()):
            names.add(node.target.id)
    return frozenset(names)


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.FunctionDef
                                                                     | ast.AsyncFunctionDef]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield prefix + node.name, node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def functions_with_any(path: Path, aliases: frozenset[str] = frozenset()) -> list[str]:
    """The qualified names of the functions in ``path`` whose signature carries ``Any``
    (``aliases``: names of ``Any`` aliases imported from other modules)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    known = aliases | _aliases(tree)
    found = []
    for name, node in _functions(tree):
        a = node.args
        params = [*a.posonlyargs, *a.args, *a.kwonlyargs,
                  *(p for p in (a.vararg, a.kwarg) if p is not None)]
        if _names_any(node.returns, known) or any(_names_any(p.annotation, known)
                                                  for p in params):
            found.append(name)
    return found


def scan(paths: Iterable[Path], root: Path = ROOT) -> dict[str, list[str]]:
    """``{module path relative to root: [function, …]}`` for every module with at least
    one; an alias of ``Any`` defined in any scanned module counts wherever it is used."""
    paths = list(paths)
    aliases = frozenset().union(*(_aliases(ast.parse(p.read_text(encoding="utf-8")))
                                  for p in paths))
    found = {}
    for path in paths:
        names = functions_with_any(path, aliases)
        if names:
            found[path.relative_to(root).as_posix()] = names
    return found


def count_functions(paths: Iterable[Path]) -> int:
    return sum(1 for p in paths for _ in _functions(ast.parse(p.read_text(encoding="utf-8"))))


def main(argv: list[str]) -> int:
    listing = "--list" in argv
    chosen = [a for a in argv if a != "--list"]
    paths = product_sources()
    if chosen:
        paths = [p for p in paths
                 if any(p.relative_to(ROOT).as_posix().startswith(c) for c in chosen)]
    found = scan(paths)
    for module, names in sorted(found.items()):
        print(f"{len(names):4} {module}")
        if listing:
            for name in names:
                print(f"       {name}")
    print(f"{sum(map(len, found.values()))} of {count_functions(paths)} functions carry Any")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
