"""Every command has help with an example and a section in docs/CLI.md."""

from __future__ import annotations

from pathlib import Path

import click

from cli import cli

DOC = Path(__file__).resolve().parents[1] / "docs" / "CLI.md"


def _commands(group: click.Group, prefix: list[str]):  # type: ignore[no-untyped-def]
    for name, command in sorted(group.commands.items()):
        yield prefix + [name], command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + [name])


def test_every_command_has_help_with_an_example() -> None:
    missing = []
    for path, command in _commands(cli, []):
        if isinstance(command, click.Group):
            if not (command.help or "").strip():
                missing.append(" ".join(path))
            continue
        if "Example:" not in (command.help or ""):
            missing.append(" ".join(path))
    assert not missing, f"commands without help and an Example: block: {missing}"


def test_every_command_is_in_the_reference() -> None:
    text = DOC.read_text(encoding="utf-8")
    absent = [" ".join(p) for p, _ in _commands(cli, [])
              if f"## `resolutions {' '.join(p)}`" not in text]
    assert not absent, f"missing from docs/CLI.md (run scripts/cli_reference.py): {absent}"


def test_the_reference_is_what_the_commands_say() -> None:
    """docs/CLI.md is exactly what scripts/cli_reference.py writes from the help texts, and
    it documents the exit codes (exactly 0, 1 and 2), the JSON error codes and the logging
    switches."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "cli_reference", DOC.parents[1] / "scripts" / "cli_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = DOC.read_text(encoding="utf-8")
    assert text == module.reference(), "docs/CLI.md is stale: run scripts/cli_reference.py"
    assert "| 3 |" not in text and "| 1 | not done:" in text and "| 2 | usage error:" in text
    assert "RESOLUTIONS_LOG=debug|info|warning" in text
    assert "-v, --verbose" in text
    assert '| `not-found` | 1 |' in text and '| `usage` | 2 |' in text and '| `bug` | 1 |' in text


def test_every_command_takes_json_and_names_its_keys() -> None:
    """Every command takes --json and declares the keys of its object; the reference
    lists them under the command."""
    text = DOC.read_text(encoding="utf-8")
    silent = []
    for path, command in _commands(cli, []):
        if isinstance(command, click.Group) and command.name != "outbox":
            continue  # a group of commands prints nothing itself (outbox lists messages)
        takes = any("--json" in getattr(p, "opts", []) for p in command.params)
        keys = getattr(command, "json_keys", ())
        section = text.split(f"## `resolutions {' '.join(path)}`", 1)[1].split("\n## ", 1)[0]
        if not (takes and keys and "`--json`: an object with" in section
                and all(f"`{k}`" in section for k in " ".join(keys).replace("|", " ").split())):
            silent.append(" ".join(path))
    assert not silent, f"commands without --json and documented keys: {silent}"


def _error_classes() -> list[type]:
    import importlib
    import pkgutil

    import drafts
    import signatures
    import workflow
    from drafts.errors import DraftError
    from signatures.errors import SignatureError
    from workflow.errors import WorkflowError

    for package in (drafts, signatures, workflow):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if ".migrations" not in info.name:
                importlib.import_module(info.name)
    found, todo = [], [WorkflowError, DraftError, SignatureError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return found


def test_every_error_code_is_documented() -> None:
    """A refusal's ``error_code`` is one of the documented stable codes, whichever package
    raises it (a new class inherits its base's code or names a documented one)."""
    from workflow.presenting.terminal import ERROR_CODES

    classes = _error_classes()
    assert len(classes) > 15
    undocumented = {f"{c.__module__}.{c.__name__}: {c.error_code}" for c in classes
                    if getattr(c, "error_code", None) not in ERROR_CODES}
    assert not undocumented
    text = DOC.read_text(encoding="utf-8")
    assert all(f"| `{code}` |" in text for code in ERROR_CODES)
