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
accepted after the command name of every command), `--verbose` / `-v`.

## Exit codes

| code | meaning |
| --- | --- |
| 0 | done (also when the reader of the output went away early, as in `resolutions log 1 \\| head -1`: what was committed stays committed) |
| 1 | not done: refused by the domain (an illegal step, a missing role, a failed verification, invalid input; one line says what and how to go on), or a bug (one line names the exception and whether the database changes were rolled back or had been saved; re-run with `--verbose` for the traceback) |
| 2 | usage error: a missing argument, an unknown option, a bad value, a file named on the command line that does not exist |

## JSON for scripts

With `--json` (before the command's name or after it) every command prints one JSON object
on stdout; its top-level keys are listed under each command below (where two lists are
given, separated by `|`, the command prints one of the two shapes). Lists are always inside
an object (`{"members": [...]}`), never bare. Progress and hints are not printed. A command
whose answer is a verdict (`check`, `verify`, `audit verify`, `dossier verify`, `templates
check`, `doctor`, `outbox send`) prints its report object and exits 1 when the verdict is
negative; that is an answer, not an error, so nothing is printed on stderr.

An error prints nothing on stdout and one line on stderr, the object
`{"error": CODE, "message": "…"}`, with the exit code above. `message` is the sentence a
person would read; `CODE` is stable:

| `error` | exit | meaning |
| --- | --- | --- |
{error_codes}

## Logging

Our packages log to stderr, never to stdout (so `--json` output stays clean): warnings by
default, `-v` adds progress (`INFO`) and shows tracebacks, `-vv` adds `DEBUG` detail.
`RESOLUTIONS_LOG=debug|info|warning` sets the level without flags (the more talkative of the
two wins); any other value is a usage error. Arguments are never logged, so passphrases and
file contents stay out of the log.

## Printing PDFs

A one-off `render` forks a printer process before it opens the database, so that importing
WeasyPrint runs on another core while the command reads the version (`templates/pdf/prewarm.py`);
the PDF is the same byte for byte. `RESOLUTIONS_PREWARM=0` prints in the command's own
process.
"""


def walk(group: click.Group, prefix: list[str]) -> Iterator[tuple[list[str], click.Command]]:
    for name in sorted(group.commands):
        command = group.commands[name]
        path = prefix + [name]
        yield path, command
        if isinstance(command, click.Group):
            yield from walk(command, path)


def json_keys(command: click.Command) -> list[str]:
    """The line naming the keys of the command's JSON object (none for a bare group)."""
    keys = getattr(command, "json_keys", None)
    if not keys:
        return []
    shapes = " ".join(keys).split("|")
    listed = " or ".join(", ".join(f"`{k}`" for k in shape.split()) for shape in shapes)
    return [f"`--json`: an object with {listed}.", ""]


def reference() -> str:
    from workflow.presenting.terminal import ERROR_CODES

    codes = "\n".join(f"| `{code}` | {2 if code == 'usage' else 1} | {meaning} |"
                      for code, meaning in ERROR_CODES.items())
    lines = [PREAMBLE.replace("{error_codes}", codes)]
    for path, command in [([], cli), *walk(cli, [])]:
        name = " ".join(["resolutions", *path])
        ctx = click.Context(command, info_name=name, terminal_width=78,  # as run: -h too
                            help_option_names=cli.context_settings["help_option_names"])
        lines += [f"## `{name}`", "", "```", command.get_help(ctx), "```", "",
                  *json_keys(command)]
    return "\n".join(lines)


def main() -> None:
    TARGET.write_text(reference(), encoding="utf-8")


if __name__ == "__main__":
    main()
