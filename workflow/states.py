"""The states a resolution passes through: the vocabulary the stored row and the life-cycle
machine share (``workflow.lifecycle.machine`` holds the rules between them), and the
roles members hold.

A ``StrEnum``: each state is stored, printed and written to JSON as its value (``draft``).
"""

from __future__ import annotations

import enum

__all__ = ["State", "ROLES"]

#: every role a member may hold (``member add --role``); the table names who may do what
ROLES = ("secretary", "reviewer", "approver", "signatory", "archivist", "drafter")


class State(enum.StrEnum):
    draft = "draft"
    in_review = "in_review"
    revision = "revision"
    for_approval = "for_approval"
    approved = "approved"
    signed = "signed"
    submitted = "submitted"
    acknowledged = "acknowledged"
    adopted = "adopted"
    returned = "returned"
    rejected = "rejected"
    withdrawn = "withdrawn"
    archived = "archived"
