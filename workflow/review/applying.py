"""Accepted amendments applied to a text, shared by both write paths of ``close-review
--changes`` (:func:`workflow.review.amendments.close_review` on the ORM,
:func:`workflow.writing_decisions.close_review` on the bare driver): two accepted amendments
touching the same paragraph (or one inside the other) are a conflict, named and refused, so
nothing half-applied is stored."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from workflow.errors import NotFound, WorkflowError

if TYPE_CHECKING:
    from drafts.model import Resolution
    from workflow.rows import _AmendmentSource

__all__ = ["conflicts", "refuse_conflicts", "apply", "applied_note", "decidable"]


class _Decidable(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def applied_version(self) -> int | None: ...


D = TypeVar("D", bound=_Decidable)


def decidable(symbol: str, number: int, amendment: D | None) -> D:
    """The amendment ``number`` of ``symbol`` (an ORM row or a bare record), refused when
    there is none or when it was applied already (both write paths of ``amendment accept``
    and ``reject``)."""
    if amendment is None:
        raise NotFound(f"{symbol} has no amendment {number}; see 'resolutions "
                       f"amendments {symbol}'")
    if amendment.status == "applied":
        raise WorkflowError(f"amendment {number} was applied in version "
                            f"{amendment.applied_version}; it can no longer change")
    return amendment


def conflicts(model: Resolution, accepted: Sequence[_AmendmentSource]) -> list[str]:
    """A line for each accepted amendment another one touches the paragraph of."""
    from drafts.edits import ancestors

    touched: dict[str, list[int]] = {}
    for a in accepted:
        for pid in [a.target_id, *ancestors(model, a.target_id)]:
            touched.setdefault(pid, []).append(a.number)
    out = []
    for a in accepted:
        others = sorted(set(touched.get(a.target_id, [])) - {a.number})
        if others:
            out.append(f"amendment {a.number} ({a.op} {a.target_ref}) conflicts with "
                       f"amendment(s) {', '.join(map(str, others))} on the same paragraph")
    return out


def refuse_conflicts(model: Resolution, accepted: Sequence[_AmendmentSource]) -> None:
    """Refused when :func:`conflicts` names any."""
    found = conflicts(model, accepted)
    if found:
        raise WorkflowError("conflicting accepted amendments; reject one of each pair or edit "
                            "by hand:\n  " + "\n  ".join(found))


def apply(model: Resolution, amendments: Sequence[_AmendmentSource]) -> Resolution:
    """``model`` with ``amendments`` applied in their order."""
    from drafts import edits
    from drafts.errors import RefError
    from drafts.model import Paragraph

    for a in amendments:
        texts = json.loads(a.texts_json)
        try:
            if a.op == "replace":
                model = edits.replace_texts(model, a.target_id, texts)
            elif a.op == "delete":
                model = edits.delete(model, a.target_id)
            else:
                digest = hashlib.sha1(json.dumps(texts, sort_keys=True).encode()).hexdigest()[:6]
                model = edits.insert_after(model, a.target_id,
                                           Paragraph(f"am{a.number}-{digest}", texts))
        except RefError as exc:
            raise WorkflowError(f"amendment {a.number} cannot be applied: {exc}") from None
    return model


def applied_note(accepted: Sequence[_AmendmentSource]) -> str:
    """The note kept with the version made of them."""
    return "accepted amendments " + ", ".join(str(a.number) for a in accepted)
