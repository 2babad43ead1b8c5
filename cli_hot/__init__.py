"""The command line's hot path, without click: the :class:`Context` every command gets
(:mod:`cli_hot.context`), the parameters of the commands that must start quickly
(:data:`HOT`, declared once: ``cli`` hands the same declarations to click) and a parser
for them (:mod:`cli_hot.params`), and what those commands answer (:mod:`cli_hot.answers`).

``cli_main`` (the console script) asks :func:`parse` first. A command line it reads in
full — a hot command, its options and arguments, nothing it does not know — is answered
here, in a process that never imports click nor builds the command table; anything else
(``--help``, ``--version``, ``-v``, an unknown option, a missing value, a value of the
wrong type, a usage error found by the command itself) goes to the full command line in
``cli``, which answers it as it always did. ``tests/cli/test_hot_path.py`` checks that the
two parse a corpus of command lines alike and answer alike.
"""

from cli_hot.answers import (
    ANSWERS,
    HINTS_SHOWN,
    Unreadable,
    Usage,
    amend,
    amendment_decide,
    answer,
    approve,
    close_review,
    comment,
    dispose,
    edit,
    error_line,
    failure,
    lang_texts,
    member_add,
    new,
    object_,
    read_source,
    search,
    withdraw,
)
from cli_hot.context import Context
from cli_hot.params import EVIDENCE_HELP, HEAVY, HOT, STATEMENT_HELP, Param, Parsed, parse

__all__ = ["ANSWERS", "Context", "EVIDENCE_HELP", "HEAVY", "HINTS_SHOWN", "HOT", "Param",
           "Parsed", "STATEMENT_HELP", "Unreadable", "Usage", "amend", "amendment_decide",
           "answer", "approve", "close_review", "comment", "dispose", "edit", "error_line",
           "failure", "lang_texts", "member_add", "new", "object_", "parse", "read_source", "search",
           "withdraw"]
