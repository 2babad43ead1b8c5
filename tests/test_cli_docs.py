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
    it documents the exit codes (3 for a bug) and the logging switches."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "cli_reference", DOC.parents[1] / "scripts" / "cli_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = DOC.read_text(encoding="utf-8")
    assert text == module.reference(), "docs/CLI.md is stale: run scripts/cli_reference.py"
    assert "| 3 | a bug:" in text and "RESOLUTIONS_LOG=debug|info|warning" in text
    assert "-v, --verbose" in text
