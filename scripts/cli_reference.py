"""Write docs/CLI.md from the commands' own help (run after adding a command)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli import cli  # noqa: E402


def walk(group: click.Group, prefix: list[str]):
    for name in sorted(group.commands):
        command = group.commands[name]
        path = prefix + [name]
        yield path, command
        if isinstance(command, click.Group):
            yield from walk(command, path)


def main() -> None:
    lines = ["# `resolutions` command reference", "",
             "Generated from the commands' own `--help` by `scripts/cli_reference.py`.", "",
             "Global options: `--workspace DIR`, `--as MEMBER`, `--json`, `--verbose`.",
             "Exit codes: 0 ok, 1 refused by the domain, 2 usage error.", ""]
    for path, command in walk(cli, []):
        ctx = click.Context(command, info_name="resolutions " + " ".join(path))
        lines += [f"## `resolutions {' '.join(path)}`", "", "```",
                  command.get_help(ctx).replace("Usage: resolutions", "Usage: resolutions"),
                  "```", ""]
    Path(__file__).resolve().parents[1].joinpath("docs", "CLI.md").write_text(
        "\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
