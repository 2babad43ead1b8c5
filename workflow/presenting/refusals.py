"""Which exceptions are refusals by the domain, and how an unexpected one is reported.

A refusal (exit code 1) is an error of one of the packages' own error classes: each says
what is wrong and what to do next, so it is shown as it is. Anything else is a bug (exit
code 3): one line naming the exception, what became of the database, and how to see more.
"""

from __future__ import annotations

__all__ = ["refusal_classes", "unexpected_text"]


def refusal_classes() -> tuple[type[Exception], ...]:
    """The base error classes of workflow, drafts and signatures (each module is small
    and imports nothing heavy)."""
    from drafts.errors import DraftError
    from signatures.errors import SignatureError
    from workflow.errors import WorkflowError

    return (WorkflowError, DraftError, SignatureError)


def unexpected_text(exc: BaseException, *, database: str | None) -> str:
    """One line for a bug. ``database`` is None when the command never opened the
    database, "saved" when a transaction had committed before the error, otherwise
    anything else (the open transaction was rolled back)."""
    text = str(exc).strip()
    first = text.splitlines()[0][:300] if text else ""
    what = f"unexpected {type(exc).__name__}" + (f": {first}" if first else "")
    if database is None:
        state = ""
    elif database == "saved":
        state = "; the changes committed before it stay saved"
    else:
        state = "; the step's database changes were rolled back"
    return f"{what} (a bug{state}; re-run with --verbose to see where it happened)"
