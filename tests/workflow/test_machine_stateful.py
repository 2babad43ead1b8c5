"""Random command sequences against a reference model of the life cycle (hypothesis),
on SQLite and PostgreSQL, from the first draft through signatures, submission and every
receipt outcome to the archive. Invariants after every step: the state is the one the reference
table gives, the audit chain is valid, live approvals are on the current version only, and
no version was made outside draft/revision."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlmodel import select

from tests.conftest import LETTER, fixture_text, make_workspace, open_app
from tests.reliability.helpers import setup_keys

# The reference: written independently of workflow.lifecycle.machine, from DESIGN.md's diagram.
REFERENCE = {
    ("draft", "circulate"): "in_review", ("revision", "circulate"): "in_review",
    ("in_review", "changes"): "revision", ("in_review", "no-objection"): "for_approval",
    ("for_approval", "object"): "revision",
    ("draft", "withdraw"): "withdrawn", ("in_review", "withdraw"): "withdrawn",
    ("revision", "withdraw"): "withdrawn", ("for_approval", "withdraw"): "withdrawn",
    ("approved", "withdraw"): "withdrawn", ("withdrawn", "archive"): "archived",
    ("signed", "withdraw"): "withdrawn", ("signed", "submit"): "submitted",
    ("submitted", "acknowledged"): "acknowledged",
    ("submitted", "adopted"): "adopted", ("acknowledged", "adopted"): "adopted",
    ("submitted", "returned"): "returned", ("acknowledged", "returned"): "returned",
    ("submitted", "rejected"): "rejected", ("acknowledged", "rejected"): "rejected",
    ("adopted", "archive"): "archived", ("rejected", "archive"): "archived",
}
SIGNATORIES = {"appr-ru": "ru", "appr-zh": "zh"}
APPROVERS = {"appr-ru": "ru", "appr-zh": "zh", "appr-ru2": "ru"}


class Lifecycle(RuleBasedStateMachine):
    backend_url: str | None = None

    @initialize()
    def start(self) -> None:
        import os

        self.tmp = Path(tempfile.mkdtemp(prefix="stateful-"))
        if self.backend_url is not None:
            os.environ["RESOLUTIONS_DATABASE_URL"] = self.backend_url()
        self.cli = make_workspace(self.tmp / "ws")
        path = self.tmp / "r.yaml"
        path.write_text(fixture_text("trilingual.yaml"), encoding="utf-8")
        self.cli(["new", str(path)])
        self.secrets = self.tmp / "secrets"
        setup_keys(self.cli, self.secrets)
        self.state = "draft"
        self.approved_by: set[str] = set()
        self.signed_by: set[str] = set()
        self.edits = 0

    def teardown(self) -> None:
        shutil.rmtree(getattr(self, "tmp", "/nonexistent"), ignore_errors=True)

    def _expect(self, args: list[str], key: str) -> None:
        target = REFERENCE.get((self.state, key))
        result = self.cli(args, code=None)
        if target is None:
            assert result.exit_code == 1, (self.state, args, result.output)
        else:
            assert result.exit_code == 0, (self.state, args, result.output)
            self.state = target
            if target in ("revision", "withdrawn"):
                self.approved_by, self.signed_by = set(), set()

    @rule()
    def circulate(self) -> None:
        # the service, not the command: delivering review copies is not what this tests
        from workflow.errors import WorkflowError
        from workflow.review.rounds import circulate

        target = REFERENCE.get((self.state, "circulate"))
        app = open_app(self.cli.root)
        try:
            circulate(app, "1", ["rev-ru"])
        except WorkflowError:
            assert target is None, self.state
        else:
            assert target is not None, self.state
            self.state = target
        finally:
            app.db.dispose()

    @rule(outcome=st.sampled_from(["changes", "no-objection"]))
    def close(self, outcome: str) -> None:
        self._expect(["close-review", "1", f"--{outcome}"], outcome)

    @rule(member=st.sampled_from(sorted(APPROVERS)))
    def approve(self, member: str) -> None:
        result = self.cli(["approve", "1", "--by", member, "--evidence", LETTER], code=None)
        if self.state != "for_approval" or member in self.approved_by:
            assert result.exit_code == 1, result.output
            return
        assert result.exit_code == 0, result.output
        self.approved_by.add(member)
        if {APPROVERS[m] for m in self.approved_by} == {"ru", "zh"}:
            self.state = "approved"

    @rule(member=st.sampled_from(sorted(APPROVERS)))
    def object(self, member: str) -> None:
        self._expect(["object", "1", "--by", member, "--note", "no", "--evidence", LETTER],
                     "object")

    @rule(member=st.sampled_from(sorted(SIGNATORIES)))
    def sign(self, member: str) -> None:
        result = self.cli(["sign", "1", "--by", member, "--passphrase-file",
                           str(self.secrets / f"{member}.pass")], code=None)
        if self.state != "approved" or member in self.signed_by:
            assert result.exit_code == 1, (self.state, result.output)
            return
        assert result.exit_code == 0, result.output
        self.signed_by.add(member)
        if set(SIGNATORIES) <= self.signed_by:
            self.state = "signed"

    @rule()
    def submit(self) -> None:
        self._expect(["submit", "1", "--to", "brics-higher-council"], "submit")

    @rule(outcome=st.sampled_from(["acknowledged", "adopted", "returned", "rejected"]))
    def receipt(self, outcome: str) -> None:
        self._expect(["receipt", "1", "--ref", f"HC/{outcome}", "--outcome", outcome], outcome)

    @rule()
    def withdraw(self) -> None:
        self._expect(["withdraw", "1", "--reason", "test"], "withdraw")

    @rule()
    def archive(self) -> None:
        self._expect(["archive", "1"], "archive")

    @rule()
    def edit(self) -> None:
        source = self.cli(["source", "1"]).output
        self.edits += 1
        path = self.tmp / f"e{self.edits}.yaml"
        # the paragraph changed in all three languages at once, as a drafter reconciles it
        # (an English-only change would leave the others stale, and approval refuses that)
        for pattern, text in ((r"seized of the matter[^\"\n]*",
                               f"seized of the matter, edit {self.edits}."),
                              (r"этим вопросом[^\"\n]*", f"этим вопросом, правка {self.edits}."),
                              (r"继续处理此事项[^\"\n]*", f"继续处理此事项，第{self.edits}次修改。")):
            source = re.sub(pattern, text, source)
        path.write_text(source, encoding="utf-8")
        result = self.cli(["edit", "1", str(path)], code=None)
        if self.state in ("draft", "revision"):
            assert result.exit_code == 0, result.output
        elif self.state in ("for_approval", "approved", "returned"):
            assert result.exit_code == 0, result.output
            self.state, self.approved_by, self.signed_by = "revision", set(), set()
        else:
            assert result.exit_code == 1, result.output

    @invariant()
    def matches_reference(self) -> None:
        if not hasattr(self, "cli"):
            return
        status = json.loads(self.cli(["status", "1", "--json"]).output)
        assert status["state"] == self.state

    @invariant()
    def audit_chain_and_rows_hold(self) -> None:
        if not hasattr(self, "cli"):
            return
        from workflow.store.audit import verify
        from workflow.store.models import Approval, AuditEvent, ResolutionRow

        app = open_app(self.cli.root)
        try:
            with app.read() as session:
                assert verify(session) == []
                row = session.exec(select(ResolutionRow)).one()
                live = session.exec(select(Approval).where(Approval.void == False,  # noqa: E712
                                                           Approval.decision == "approved")).all()
                assert all(a.version_number == row.current_version for a in live)
                for event in session.exec(select(AuditEvent).where(AuditEvent.action == "edit")):
                    assert json.loads(event.detail)["state"] in ("draft", "revision")
        finally:
            app.db.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_random_command_sequences(backend_name: str, request: pytest.FixtureRequest,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", "unused")
    monkeypatch.delenv("RESOLUTIONS_DATABASE_URL")
    machine = type("LifecycleRun", (Lifecycle,), {})
    if backend_name == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        machine.backend_url = staticmethod(cluster.create_database)
    else:
        machine.backend_url = None
    run = settings(max_examples=12, stateful_step_count=14, deadline=None,
                   suppress_health_check=list(HealthCheck))(machine).TestCase
    run().runTest()


def _walk(machine: Lifecycle, steps: list[tuple[str, dict[str, str]]]) -> None:
    """Drive the same rules in a chosen order, checking the invariants after each."""
    machine.start()
    try:
        for name, kwargs in steps:
            getattr(machine, name)(**kwargs)
            machine.matches_reference()
            machine.audit_chain_and_rows_hold()
    finally:
        machine.teardown()


TO_SUBMITTED = [("circulate", {}), ("close", {"outcome": "no-objection"}),
                ("approve", {"member": "appr-ru"}), ("sign", {"member": "appr-ru"}),
                ("approve", {"member": "appr-zh"}), ("sign", {"member": "appr-ru"}),
                ("sign", {"member": "appr-zh"}), ("sign", {"member": "appr-zh"}),
                ("submit", {}), ("submit", {})]


@pytest.mark.slow
@pytest.mark.parametrize("outcome", ["acknowledged", "adopted", "returned", "rejected"])
@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
def test_every_receipt_outcome(backend_name: str, outcome: str, request: pytest.FixtureRequest,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk random sequences rarely finish: signatures, submission and each answer of
    the body, then what each answer allows next (archive, or a revision)."""
    monkeypatch.setenv("RESOLUTIONS_DATABASE_URL", "unused")
    monkeypatch.delenv("RESOLUTIONS_DATABASE_URL")
    machine = Lifecycle()
    if backend_name == "postgresql":
        machine.backend_url = request.getfixturevalue("pg_cluster").create_database
    after = [("receipt", {"outcome": outcome}), ("receipt", {"outcome": "adopted"}),
             ("archive", {}), ("edit", {}), ("withdraw", {}), ("archive", {})]
    _walk(machine, TO_SUBMITTED + after)
    assert machine.state in {"archived", "revision", "withdrawn"}
