"""Write docs/CLI.md from the commands' own help (run after adding or changing a command;
tests/test_cli_docs.py fails while the file differs from what this writes)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cli import cli  # noqa: E402

TARGET = ROOT / "docs" / "CLI.md"

PREAMBLE = """\
# `resolutions` command reference

Generated from the commands' own `--help` by `scripts/cli_reference.py`.

Global options, given before the command: `--workspace DIR`, `--as MEMBER`, `--json` (also
accepted after the command name of every read command), `--verbose` / `-v`.

## Exit codes

| code | meaning |
| --- | --- |
| 0 | done (also when the reader of the output went away early, as in `resolutions log 1 \\| head -1`) |
| 1 | refused by the domain: an illegal step, a missing role, a failed verification, invalid input; one line says what and how to go on |
| 2 | usage error: a missing argument, an unknown option, a bad value |
| 3 | a bug: one line names the exception and whether the database changes were rolled back or had been saved; re-run with `--verbose` for the traceback |

## Logging

Our packages log to stderr, never to stdout (so `--json` output stays clean): warnings by
default, `-v` adds progress (`INFO`) and shows tracebacks, `-vv` adds `DEBUG` detail.
`RESOLUTIONS_LOG=debug|info|warning` sets the level without flags (the more talkative of the
two wins); any other value is a usage error. Arguments are never logged, so passphrases and
file contents stay out of the log.
"""


def walk(group: click.Group, prefix: list[str]) -> Iterator[tuple[list[str], click.Command]]:
    for name in sorted(group.commands):
        command = group.commands[name]
        path = prefix + [name]
        yield path, command
        if isinstance(command, click.Group):
            yield from walk(command, path)


def reference() -> str:
    lines = [PREAMBLE]
    for path, command in [([], cli), *walk(cli, [])]:
        name = " ".join(["resolutions", *path])
        ctx = click.Context(command, info_name=name, terminal_width=78,  # as run: -h too
                            help_option_names=cli.context_settings["help_option_names"])
        lines += [f"## `{name}`", "", "```", command.get_help(ctx), "```", ""]
    return "\n".join(lines)


def main() -> None:
    TARGET.write_text(reference(), encoding="utf-8")


if __name__ == "__main__":
    main()
