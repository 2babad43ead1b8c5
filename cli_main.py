"""The ``resolutions`` console script: a hot command line (``resolutions comment …``, read
in full by :func:`cli_hot.parse`) is answered by :mod:`cli_hot` without click and without
the command table; every other one by the full command line, :mod:`cli`."""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    from cli_hot import answer, parse

    parsed = parse(sys.argv[1:])
    if parsed is not None:
        code = answer(parsed)
        if code is not None:
            sys.exit(code)
    from cli import main as full

    full()


if __name__ == "__main__":
    main()
